"""The experiment summary: per-method means with Student-t intervals, paired differences, the written report."""
import json
import os

import pytest

from rlvr import experiment, experiment_report


def _evals(acc_by_step):
    return {str(step): {"syn": {"problems": 4, "avg@n": a, "pass@1": a, "pass@2": min(1.0, 1.5 * a)}}
            for step, a in acc_by_step.items()}


def _record(method, seed, acc_by_step):
    return {"method": method, "seed": seed, "evals": _evals(acc_by_step), "updates": 2, "training_rollouts": 16,
            "selection_rollouts": 32, "wall_seconds": 1.0}


@pytest.fixture
def cfg(tmp_path):
    return experiment.ExperimentConfig(output_dir=str(tmp_path), seeds=(0, 1), steps=2, eval_every=1, eval_n=2,
                                       eval_ks=(1, 2))


@pytest.fixture
def records():
    return [
        _record("pairs_wgrpo", 0, {0: 0.2, 1: 0.3, 2: 0.5}),
        _record("pairs_wgrpo", 1, {0: 0.3, 1: 0.4, 2: 0.6}),
        _record("variance_profile", 0, {0: 0.2, 1: 0.2, 2: 0.3}),
        _record("variance_profile", 1, {0: 0.3, 1: 0.3, 2: 0.4}),
        _record("no_training", 0, {0: 0.2}),
        _record("no_training", 1, {0: 0.3}),
    ]


def test_summary_means_and_t_intervals(cfg, records):
    s = experiment_report.summarise(cfg, records)
    assert s["metrics"] == ["avg@n", "pass@2"]  # pass@1 would repeat avg@n
    final = s["final"]["pairs_wgrpo"]["syn"]["avg@n"]
    # Two seeds, 0.5 and 0.6: mean 0.55, sample sd 0.0707, t*(0.975, ν=1) = 12.7062 → half-width 0.6353.
    assert final["mean"] == pytest.approx(0.55)
    assert (final["hi"] - final["lo"]) / 2 == pytest.approx(12.7062 * 0.070711 / 2 ** 0.5, rel=1e-4)
    assert final["n"] == 2
    # no_training is scored at step 0, the base model.
    assert s["final"]["no_training"]["syn"]["avg@n"]["mean"] == pytest.approx(0.25)
    assert sorted(s["curves"]["variance_profile"]["syn"]["avg@n"]) == [0, 1, 2]


def test_paired_differences_use_matching_seeds(cfg, records):
    s = experiment_report.summarise(cfg, records)
    d = s["vs_reference"]["variance_profile"]["syn"]["avg@n"]
    # Seed 0: 0.5 − 0.3; seed 1: 0.6 − 0.4 — the same gain, so the interval collapses onto it.
    assert d["mean"] == pytest.approx(0.2)
    assert d["lo"] == pytest.approx(0.2) and d["hi"] == pytest.approx(0.2)
    assert d["n"] == 2 and d["mde"] == pytest.approx(0.0, abs=1e-12)  # no spread: any true difference shows
    d0 = s["vs_reference"]["no_training"]["syn"]["avg@n"]
    assert d0["mean"] == pytest.approx(((0.5 - 0.2) + (0.6 - 0.3)) / 2)
    assert "pairs_wgrpo" not in s["vs_reference"]


def test_primary_comparison_declared_with_detectable_effect(cfg, records):
    # variance_hist's differences to pairs_wgrpo: seed 0 0.5 − 0.4 = 0.1, seed 1 0.6 − 0.3 = 0.3 → s_d = √0.02;
    # m = 2: t_{0.975, 1} = 12.7062, t_{0.80, 1} = 1.3764 → detectable (12.7062 + 1.3764)·√0.02/√2 = 1.408,
    # i.e. two seeds could only see a 141-point difference: the report must say so, not hide it.
    records = records + [_record("variance_hist", 0, {0: 0.2, 2: 0.4}), _record("variance_hist", 1, {0: 0.3, 2: 0.3})]
    d = experiment_report.summarise(cfg, records)["vs_reference"]["variance_hist"]["syn"]["avg@n"]
    assert d["mean"] == pytest.approx(0.2)
    assert d["mde"] == pytest.approx((12.7062 + 1.3764) * 0.02 ** 0.5 / 2 ** 0.5, rel=1e-4)
    experiment_report.write(cfg, records, "cmd", 1.0)
    report = open(os.path.join(cfg.output_dir, "report.md")).read()
    primary = report.index("## Primary comparison")
    assert primary < report.index("## All comparisons") < report.index("## Held-out results")
    section = report[primary:report.index("## All comparisons")]
    assert "`pairs_wgrpo` − `variance_hist`" in section and "avg@2 and pass@2" in section
    assert "- avg@2: +20.0 points, 95 % CI [-107.1, +147.1] over 2 seed(s); detectable 140.8 points" in section
    assert "Pass@" not in report.replace('"Pass@8"', "")  # never a bare Pass@k, only the paper's, quoted
    assert json.load(open(os.path.join(cfg.output_dir, "summary.json")))["primary"]["baseline"] == "variance_hist"


def _base_eval(seed_dir, avg, pass2, rows):
    os.makedirs(os.path.join(seed_dir, "base_eval"), exist_ok=True)
    with open(os.path.join(seed_dir, "base_eval", "results.json"), "w") as f:
        json.dump({"sets": {"syn": {"problems": len(rows), "avg@n": avg, "pass@1": avg, "pass@2": pass2}}}, f)
    with open(os.path.join(seed_dir, "base_eval", "syn.verdicts.jsonl"), "w") as f:
        for level, gold, responses in rows:
            f.write(json.dumps({"gold": gold, "level": level, "responses": [
                {"text": t, "correct": c} for t, c in responses]}) + "\n")


def _profile(seed_dir, counts, n=10):
    with open(os.path.join(seed_dir, "profile.jsonl"), "w") as f:
        for i, c in enumerate(counts):
            f.write(json.dumps({"id": f"q{i}", "n": n, "successes": c}) + "\n")


def test_testbed_premise_measured_from_base_evals_and_profiles(cfg):
    guess = ("is \\boxed{7}. Wait, \\boxed{9}.", False)  # right first, overwritten: a second guess
    wrong = ("is \\boxed{8}.", False)
    right = ("is \\boxed{7}.", True)
    s0, s1 = (os.path.join(cfg.output_dir, "seeds", f"seed{i}") for i in (0, 1))
    # seed 0: avg 0.2, pass@2 0.5; seed 1: avg 0.3, pass@2 0.5 → ratio 0.5 / 0.25 = 2.0 (holds, at the edge)
    _base_eval(s0, 0.2, 0.5, [(1, "7", [guess, wrong]), (2, "7", [right, wrong])])
    _base_eval(s1, 0.3, 0.5, [(1, "7", [wrong, right]), (2, "7", [guess, right])])
    # 10 prompts each: q+ = 0 < c ≤ 3, q− = 7 ≤ c < 10 (p_low 0.3, p_high 0.7 by default)
    _profile(s0, [0, 1, 2, 5, 5, 5, 5, 7, 9, 10])   # q+ 2, q− 2
    _profile(s1, [0, 3, 5, 5, 5, 5, 5, 5, 8, 10])   # q+ 1, q− 1
    premise = experiment_report.testbed_premise(cfg, "syn")
    assert premise["latent"]["ratio"] == pytest.approx(2.0) and premise["latent"]["holds"]
    assert premise["bands"]["q+"] == pytest.approx(0.1) and premise["bands"]["q-"] == pytest.approx(0.1)
    assert premise["bands"]["q+ mean"] == pytest.approx(0.15) and premise["bands"]["holds"]
    # 5 wrong responses, 2 second guesses (one per level): 40 %
    assert premise["second_guess"]["share"] == pytest.approx(0.4)
    assert premise["second_guess"]["by_level"] == {1: pytest.approx(1 / 3), 2: pytest.approx(0.5)}
    assert premise["second_guess"]["holds"]
    lines = "\n".join(experiment_report._premise_lines(cfg, premise))
    assert "| 2.00 (50.0 / 25.0, 2 seed(s)) | yes |" in lines and "The premise holds" in lines

    _profile(s1, [0, 3, 5, 5, 5, 5, 5, 5, 5, 10])   # seed 1 loses its only q−: (b) fails
    _base_eval(s1, 0.3, 0.5, [(1, "7", [wrong, right]), (2, "7", [wrong, right])])  # no second guess at level 2
    premise = experiment_report.testbed_premise(cfg, "syn")
    assert not premise["bands"]["holds"] and premise["bands"]["q-"] == 0.0
    assert premise["second_guess"]["by_level"][2] == 0.0 and not premise["second_guess"]["holds"]
    assert "**The premise does not hold here**" in "\n".join(experiment_report._premise_lines(cfg, premise))


def test_verdicts():
    assert "better" in experiment_report._verdict({"mean": 0.1, "lo": 0.01, "hi": 0.2, "n": 5})
    assert "worse" in experiment_report._verdict({"mean": -0.1, "lo": -0.2, "hi": -0.01, "n": 5})
    assert experiment_report._verdict({"mean": 0.1, "lo": -0.01, "hi": 0.2, "n": 5}) == "not distinguishable"
    assert "one seed" in experiment_report._verdict({"mean": 0.1, "lo": None, "hi": None, "n": 1})


def test_write_produces_report_table_and_plots(cfg, records):
    # A profile and a pairs run's metrics, as the grid leaves them, for the histogram's markers.
    seed_dir = os.path.join(cfg.output_dir, "seeds", "seed0")
    os.makedirs(seed_dir)
    with open(os.path.join(seed_dir, "profile.jsonl"), "w") as f:
        for i, c in enumerate([0, 1, 4, 7, 8]):
            f.write(json.dumps({"id": f"q{i}", "n": 8, "successes": c, "p_hat": c / 8}) + "\n")
    train = os.path.join(cfg.output_dir, "runs", "pairs_wgrpo", "seed0", "train")
    os.makedirs(train)
    with open(os.path.join(train, "metrics.jsonl"), "w") as f:
        f.write(json.dumps({"kind": "eval", "step": 0}) + "\n")
        f.write(json.dumps({"kind": "update", "step": 1, "prompts": ["q1", "q3"], "roles": ["q+", "q-"],
                            "reward/per_prompt": {"q1": 0.0, "q3": 0.75}}) + "\n")
        f.write(json.dumps({"kind": "update", "step": 2, "prompts": ["q1", "q3"], "roles": ["q+", "q-"],
                            "reward/per_prompt": {"q1": 0.25, "q3": 0.75}}) + "\n")
    summary = experiment_report.write(cfg, records, "./bazelw run //python:experiment -- --quick", 12.0)
    assert summary["picked_p_hat"] == {"pairs_wgrpo q+": [0.125], "pairs_wgrpo q-": [0.875]}
    # Four groups, one all-wrong (q1 at step 1): 25 % without signal; q+ alone 50 %, q− none.
    signal = summary["training_signal"]
    assert signal["pairs_wgrpo"] == {"groups": 4, "no_signal": 0.25, "reward": pytest.approx(1.75 / 4)}
    assert signal["pairs_wgrpo q+"]["no_signal"] == 0.5 and signal["pairs_wgrpo q-"]["no_signal"] == 0.0
    report = open(os.path.join(cfg.output_dir, "report.md")).read()
    assert "./bazelw run //python:experiment -- --quick" in report
    # vs variance_profile and no_training on pass@1 and pass@2: constant paired gains, so all four significant.
    assert "significantly better in 4 of 4 comparisons" in report
    assert "| pairs_wgrpo | 2 | 55.0 ± 63.5 |" in report
    assert "| pairs_wgrpo q+ | 2 | 50 % | 0.12 |" in report
    for png in ("heldout_syn.png", "pool_profile.png"):
        with open(os.path.join(cfg.output_dir, "plots", png), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert json.load(open(os.path.join(cfg.output_dir, "summary.json")))["final"]["pairs_wgrpo"]["syn"]


def test_ablation_rows_are_summarised_and_plotted_as_their_arm(tmp_path, records):
    cfg = experiment.ExperimentConfig(output_dir=str(tmp_path), seeds=(0, 1), steps=2, eval_every=1, eval_n=2,
                                      eval_ks=(1, 2), ablations=("alpha=1",))
    rows = records + [_record("pairs_wgrpo[alpha=1]", s, {0: 0.2 + s / 10, 1: 0.3, 2: 0.4}) for s in (0, 1)]
    summary = experiment_report.write(cfg, rows, "", 1.0)
    assert summary["final"]["pairs_wgrpo[alpha=1]"]["syn"]["avg@n"]["mean"] == pytest.approx(0.4)  # its last step
    with open(os.path.join(cfg.output_dir, "plots", "heldout_syn.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_ablation_rows_config(tmp_path):
    cfg = experiment.ExperimentConfig(output_dir=str(tmp_path), seeds=(0, 1), ablations=("alpha=1+beta=1",
                                      "pairing=fixed"), ablation_seeds=(1,))
    cfg.validate()
    assert cfg.grid_cells() == [(0, m) for m in experiment.METHODS] + [(1, m) for m in experiment.METHODS] + [
        (1, "pairs_wgrpo[alpha=1+beta=1]"), (1, "pairs_wgrpo[pairing=fixed]")]
    assert experiment._split_label("pairs_wgrpo[alpha=1+beta=1]") == ("pairs_wgrpo", {"alpha": 1.0, "beta": 1.0})
    assert experiment._split_label("variance_hist") == ("variance_hist", {})
    for bad, match in ((("alpha=x",), "alpha: expected float"), (("steps=3",), "harness sets"),
                       (("nope=1",), "TrainConfig's settings"), (("pairing=sometimes",), "pairing must be")):
        with pytest.raises(ValueError, match=match):
            experiment.ExperimentConfig(output_dir=str(tmp_path), ablations=bad).validate()
    with pytest.raises(ValueError, match="must be among seeds"):
        experiment.ExperimentConfig(output_dir=str(tmp_path), seeds=(0,), ablation_seeds=(1,)).validate()
    with pytest.raises(ValueError, match="not among the methods"):
        experiment.ExperimentConfig(output_dir=str(tmp_path), methods=("variance_hist",),
                                    ablations=("alpha=1",)).validate()


def test_level_mix_parse_and_draw():
    from rlvr import synthetic

    assert experiment.parse_mix("1:3, 4:5") == {1: 3, 4: 5} and experiment.parse_mix("") == {}
    for bad in ("9:1", "1:0", "1", "1:2,1:3", "a:b"):
        with pytest.raises(ValueError, match="level:count"):
            experiment.parse_mix(bad, "heldout_mix")
    held = experiment.synthetic_mix(0, {1: 16, 4: 100}, heldout=True)
    assert [p.level for p in held] == [1] * 16 + [4] * 100  # more than one make_task split holds of level 4
    assert len({p.id for p in held}) == 116 and all(synthetic.is_heldout_text(p.problem) for p in held)
    assert held == experiment.synthetic_mix(0, {1: 16, 4: 100}, heldout=True)  # deterministic
    train = experiment.synthetic_mix(0, {1: 4, 2: 4}, heldout=False)
    assert not any(synthetic.is_heldout_text(p.problem) for p in train)
    # the train side starts with the seed's own pool (the one the tiny model was supervised on), level by level
    pool = synthetic.make_task(seed=0, n_train=64)[0]
    assert train == [p for p in pool if p.level == 1][:4] + [p for p in pool if p.level == 2][:4]
    with pytest.raises(ValueError, match=r"too few distinct problems.*1: '16/17'"):  # 1-digit sums: 16 held-out
        experiment.synthetic_mix(0, {1: 17}, heldout=True)


def test_default_and_full_grids_validate(tmp_path):
    default, full = experiment.ExperimentConfig(output_dir=str(tmp_path)), experiment.full_config(str(tmp_path))
    default.validate()
    full.validate()
    assert len(default.seeds) == 8 and len(full.seeds) == 16  # docs/method.md §8: ≥ 8 seeds
    assert sum(m.startswith("pairs_wgrpo[") for _, m in default.grid_cells()) == 2 * len(default.ablations)
    assert sum(experiment.parse_mix(default.heldout_mix).values()) == 240
    quick = experiment.quick_config(str(tmp_path))
    quick.validate()  # the smoke grid stays valid with one seed
    assert quick.ablations == ()
