"""The evaluation layer's own logic: per-problem scores, aggregation, flag parsing, model-dir resolution."""
import json
import os

import pytest

from rlvr import evaluate
from rlvr.config import Sampling


def test_score_problem_hand_computed():
    # n = 4, c = 2: pass@1 = 2/4, pass@2 = 1 − C(2,2)/C(4,2) = 1 − 1/6, pass@4 = 1 (any 4 include a success).
    s = evaluate.score_problem(4, [True, False, False, True], (1, 2, 4))
    assert s["c"] == 2
    assert s["avg"] == 0.5
    assert s["pass@1"] == pytest.approx(0.5)
    assert s["pass@2"] == pytest.approx(5 / 6)
    assert s["pass@4"] == 1.0


def test_score_problem_edges():
    none = evaluate.score_problem(8, [False] * 8, (1, 4, 8))
    assert none["c"] == 0 and none["avg"] == 0.0 and all(none[f"pass@{k}"] == 0.0 for k in (1, 4, 8))
    every = evaluate.score_problem(8, [True] * 8, (1, 4, 8))
    assert every["avg"] == 1.0 and all(every[f"pass@{k}"] == 1.0 for k in (1, 4, 8))
    # One success in 8: pass@4 = 1 − C(7,4)/C(8,4) = 1 − 35/70.
    assert evaluate.score_problem(8, [True] + [False] * 7, (4,))["pass@4"] == pytest.approx(0.5)


def test_score_problem_rejects_wrong_count():
    with pytest.raises(ValueError, match="expected 4 verdicts, got 3"):
        evaluate.score_problem(4, [True, False, True], (1,))


def test_aggregate_is_mean_over_problems():
    scores = [evaluate.score_problem(4, v, (1, 4)) for v in ([True] * 4, [False] * 4, [True, False, False, False])]
    agg = evaluate.aggregate(scores, (1, 4))
    assert agg["problems"] == 3
    assert agg["avg@n"] == pytest.approx((1 + 0 + 0.25) / 3)
    assert agg["pass@1"] == pytest.approx((1 + 0 + 0.25) / 3)
    assert agg["pass@4"] == pytest.approx((1 + 0 + 1) / 3)
    assert (agg["avg@n_lo"], agg["avg@n_hi"]) == (0.0, 1.0)  # t interval 0.42 ± 1.29 over 3 problems, clipped


def test_aggregate_interval_is_student_t_over_problems():
    verdicts = ([True, True, False, False], [True, False, False, False], [True, True, True, False],
                [True, True, False, False])  # per-problem means 0.5, 0.25, 0.75, 0.5
    agg = evaluate.aggregate([evaluate.score_problem(4, v, (1,)) for v in verdicts], (1,))
    half = 3.1824 * (1 / 24) ** 0.5 / 2  # t*_3 · s / √4, s² = (0 + 1/16 + 1/16 + 0) / 3
    assert agg["avg@n"] == 0.5
    assert agg["avg@n_lo"] == pytest.approx(0.5 - half, abs=1e-4) and agg["avg@n_hi"] == pytest.approx(0.5 + half, abs=1e-4)
    assert "avg@n_lo" not in evaluate.aggregate([evaluate.score_problem(4, verdicts[0], (1,))], (1,))  # one problem


@pytest.mark.parametrize("n,ks", [(4, (1, 8)), (1, (2,)), (16, (0,))])
def test_config_rejects_k_outside_1_to_n(n, ks):
    with pytest.raises(ValueError, match=r"pass@-?\d+ needs 1 <= k <= n"):
        evaluate.EvalConfig(n=n, ks=ks)


@pytest.mark.parametrize("kwargs,match", [
    ({"n": 0, "ks": (1,)}, "n must be >= 1, got 0"), ({"ks": ()}, "must not be empty"),
    ({"sampling": Sampling(top_p=0.0)}, r"top_p must be in \(0, 1\]"),
    ({"template": "chat"}, r"template must be one of \['auto', 'plain'\]"),
    ({"sampling": Sampling(max_tokens=0)}, "max_tokens must be >= 1"),
    ({"sampling": Sampling(temperature=-1)}, "temperature must be >= 0")])
def test_config_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        evaluate.EvalConfig(**kwargs)


def test_parse_eval_sets():
    assert evaluate.parse_eval_sets("synthetic") == {"synthetic": "synthetic"}
    assert evaluate.parse_eval_sets("aime=/d/a.parquet, amc=/d/b.jsonl,") == {"aime": "/d/a.parquet",
                                                                                "amc": "/d/b.jsonl"}
    for bad, match in (("", "empty"), ("aime", "expected name=path"), ("a=x,a=y", "twice"), ("=x", "empty name")):
        with pytest.raises(ValueError, match=match):
            evaluate.parse_eval_sets(bad)


def test_load_eval_sets_reads_files_and_synthetic(tmp_path):
    path = tmp_path / "bench.jsonl"
    path.write_text("\n".join(json.dumps({"problem": f"What is {i}+1?", "answer": str(i + 1)}) for i in range(5)))
    sets = evaluate.load_eval_sets({"bench": str(path), "syn": "synthetic"}, synthetic_heldout=6, limit=3)
    assert [p.answer for p in sets["bench"]] == ["1", "2", "3"]
    assert len(sets["syn"]) == 3
    with pytest.raises(ValueError, match="no such file"):
        evaluate.load_eval_sets({"x": str(tmp_path / "missing.parquet")})


def test_resolve_model_dir_layouts(tmp_path):
    hf = tmp_path / "hf_model"
    hf.mkdir()
    (hf / "config.json").write_text("{}")
    assert evaluate.resolve_model_dir(str(hf)) == str(hf)
    # The trainer's run layout: <run>/checkpoints/step_N/hf, with checkpoints/latest naming the newest.
    run = tmp_path / "run"
    for step in (2, 4):
        d = run / "checkpoints" / f"step_{step:06d}" / "hf"
        d.mkdir(parents=True)
        (d / "config.json").write_text("{}")
    (run / "checkpoints" / "latest").write_text("step_000004\n")
    (run / "config.json").write_text("{}")  # the run's own settings, not a model's config
    assert evaluate.resolve_model_dir(str(run)) == os.path.join(run, "checkpoints", "step_000004", "hf")
    ckpt = run / "checkpoints" / "step_000002"
    assert evaluate.resolve_model_dir(str(ckpt)) == os.path.join(ckpt, "hf")
    with pytest.raises(FileNotFoundError, match="expected an HF model dir"):
        evaluate.resolve_model_dir(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="not a directory"):
        evaluate.resolve_model_dir(str(tmp_path / "nope"))


class _Tokens:
    """Counts characters as tokens: enough to check how prompts are grouped into generate calls."""

    @staticmethod
    def prompt_token_ids(prompt):
        return list(range(len(prompt)))


def test_prefill_chunks_respect_budget(monkeypatch):
    monkeypatch.setattr(evaluate, "PREFILL_TOKENS_PER_CALL", 100)
    prompts = ["a" * 10, "b" * 10, "c" * 10, "d" * 60, "e" * 5]
    chunks = [prompts[part] for part in evaluate._prefill_chunks(_Tokens, prompts, n=4)]  # 40, 40, 40, 240, 20
    assert chunks == [["a" * 10, "b" * 10], ["c" * 10], ["d" * 60], ["e" * 5]]


def test_results_markdown_table():
    results = {"model_dir": "/m", "config": {"n": 4, "k": [1, 4], "temperature": 0.6, "top_p": 0.95,
                                             "max_tokens": 32, "template": "auto", "seed": 0},
               "sets": {"amc23": {"problems": 40, "avg@n": 0.25, "pass@1": 0.25, "pass@4": 0.6125}}}
    md = evaluate.results_markdown(results)
    assert "| set | problems | avg@4 | pass@1 | pass@4 |" in md
    assert "| amc23 | 40 | 25.0 | 25.0 | 61.3 |" in md
