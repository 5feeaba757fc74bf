"""The tiny model: builds (or comes from the cache), loads in transformers, generates, has untied embeddings, and
its sampled success rates spread across (0, 1) — the precondition for q+ and q- to exist."""
import dataclasses
import json
import os
import subprocess
import sys

from rlvr import runtime

runtime.setup()

import pytest  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

from rlvr import data, synthetic, tiny_model, tiny_model_store  # noqa: E402


@pytest.fixture(scope="module")
def model_dir():
    return tiny_model_store.ensure_tiny_model()


@pytest.fixture(scope="module")
def loaded(model_dir):
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    return tok, model


def test_cached_and_complete(model_dir):
    assert tiny_model_store.ensure_tiny_model() == model_dir  # second call: the cache, no rebuild
    assert os.path.basename(model_dir) == tiny_model_store.recipe_hash(tiny_model.TinyModelConfig())
    for name in ("config.json", "model.safetensors", "tokenizer.json", "generation_config.json",
                 tiny_model.REPORT_FILE, tiny_model_store.RECIPE_FILE):
        assert os.path.isfile(os.path.join(model_dir, name)), name


def test_untied_qwen2(loaded):
    tok, model = loaded
    assert model.config.model_type == "qwen2"
    assert model.config.tie_word_embeddings is False
    emb, head = model.get_input_embeddings().weight, model.get_output_embeddings().weight
    assert emb.data_ptr() != head.data_ptr() and not torch.equal(emb, head)
    assert model.config.hidden_size // model.config.num_attention_heads == 32  # vLLM CPU attention head size
    assert tok.eos_token_id is not None and tok.pad_token_id is not None and tok.pad_token_id != tok.eos_token_id
    assert tok.chat_template is None  # so data.format_prompt uses the plain template it was supervised on


def test_tokenizer_round_trips_and_splits_digits(loaded):
    tok, _ = loaded
    text = data.format_prompt("Compute 1/2+1/3.") + tiny_model.completion("-\\frac{1}{6}")
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert tok.decode(ids) == text
    assert all(len(t.strip("Ġ")) <= 1 or not any(c.isdigit() for c in t) for t in tok.convert_ids_to_tokens(ids))


def test_greedy_answer_format(loaded):
    tok, model = loaded
    prompt = data.format_prompt("Compute 2+3.")
    ids = tok(prompt, add_special_tokens=False, return_tensors="pt")["input_ids"]
    out = model.generate(ids, max_new_tokens=24, do_sample=False, pad_token_id=tok.pad_token_id)
    assert out[0, -1].item() == tok.eos_token_id  # stops by itself
    text = tok.decode(out[0, ids.shape[1]:], skip_special_tokens=True)
    assert text.startswith(" The answer is \\boxed{") and data.last_boxed(text) is not None, text


def test_second_guess_completions_box_a_wrong_answer_of_the_same_level():
    cfg = tiny_model.TinyModelConfig()
    problems = synthetic.practice_problems(0, 2000)
    targets = tiny_model.completions(cfg, problems)
    assert targets == tiny_model.completions(cfg, problems)  # deterministic
    guessed = 0
    answers_by_level = {}
    for p in problems:
        answers_by_level.setdefault(p.level, set()).add(p.answer)
    for p, text in zip(problems, targets):
        assert text.startswith(tiny_model.completion(p.answer))
        if text != tiny_model.completion(p.answer):
            guessed += 1
            wrong = data.last_boxed(text)
            assert wrong != p.answer and wrong in answers_by_level[p.level], (p, text)
    assert abs(guessed / len(problems) - cfg.second_guess_share) < 0.05, guessed


def test_sampled_completions_show_the_second_guess_habit(loaded):
    """The habit RL can fix: at temperature 1 some completions box a second answer after the first."""
    tok, model = loaded
    torch.manual_seed(0)
    prompt = data.format_prompt("Compute 2+3.")
    ids = tok([prompt] * 32, add_special_tokens=False, return_tensors="pt")["input_ids"]
    out = model.generate(ids, max_new_tokens=32, do_sample=True, temperature=1.0, top_k=0,
                         pad_token_id=tok.pad_token_id)
    texts = tok.batch_decode(out[:, ids.shape[1]:], skip_special_tokens=True)
    second = sum(t.count("\\boxed{") >= 2 for t in texts)
    assert 0 < second < len(texts), texts


def _by_level(problems, rates):
    return {level: sum(r for p, r in zip(problems, rates) if p.level == level) / sum(p.level == level for p in problems)
            for level in range(1, synthetic.LEVELS + 1)}


def test_sampled_success_rates_spread(loaded):
    """Temperature 1.0, 8 samples per problem, boxed string match: the pool the profiler measures has prompts
    strictly between 0 and 1, easy levels well above hard ones, and held-out problems are not all failed."""
    tok, model = loaded
    torch.manual_seed(0)
    pool, heldout = synthetic.make_task(seed=0)
    pool_rates = tiny_model.sample_success(model, tok, pool, n=8, temperature=1.0, max_new_tokens=24)
    heldout_rates = tiny_model.sample_success(model, tok, heldout, n=8, temperature=1.0, max_new_tokens=24)
    pool_levels, heldout_levels = _by_level(pool, pool_rates), _by_level(heldout, heldout_rates)
    print("pool sampled success by level:", pool_levels)
    print("held-out sampled success by level:", heldout_levels)
    assert sum(0 < r < 1 for r in pool_rates) >= 8, pool_rates          # candidates for q+ and q- exist
    assert any(0 < r <= 0.25 for r in pool_rates), pool_rates            # hard-but-solvable (q+)
    assert any(0.5 <= r < 1 for r in pool_rates), pool_rates             # easy-but-brittle (q-)
    assert pool_levels[1] >= 0.3 and heldout_levels[1] >= 0.25, (pool_levels, heldout_levels)
    assert pool_levels[1] > pool_levels[synthetic.LEVELS], pool_levels  # graded: level 1 is the easiest
    assert 0 < sum(heldout_rates) < len(heldout_rates), heldout_rates    # held-out neither all 0 nor all 1


def test_concurrent_builders_build_once(tmp_path):
    """Two processes asking for the same (small) model: one builds, the other waits and reuses it."""
    small = dataclasses.replace(tiny_model.TinyModelConfig(), steps=4, pool_exposures=1, check_samples=1)
    code = ("from rlvr.tiny_model import TinyModelConfig; from rlvr.tiny_model_store import ensure_tiny_model; "
            f"print(ensure_tiny_model({small!r}, cache_dir={str(tmp_path)!r}))")
    stale = tmp_path / "tiny_model" / f".building-{tiny_model_store.recipe_hash(small)}-killed"  # a killed builder's
    stale.mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, env=env) for _ in range(2)]
    results = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0, 0], [r[1][-2000:] for r in results]
    dirs = {r[0].strip() for r in results}
    assert len(dirs) == 1
    assert sum("supervising" in r[1] for r in results) == 1  # exactly one of them trained
    (built,) = dirs
    key = os.path.basename(built)
    assert sorted(os.listdir(tmp_path / "tiny_model")) == [key, key + ".lock"]  # temp dirs cleaned up
    with open(os.path.join(built, tiny_model.REPORT_FILE)) as f:
        assert json.load(f)["config"]["steps"] == 4
