"""Profiling end to end: the tiny model through real vLLM, verdicts from the real C++ verifier, and resume after an
interruption producing the same file as an uninterrupted run."""

from rlvr import runtime

runtime.setup()

import dataclasses  # noqa: E402
import json  # noqa: E402

import pytest  # noqa: E402

from rlvr import data, pairing, profile, synthetic, tiny_model_store, verifier_client  # noqa: E402
from rlvr.config import Sampling  # noqa: E402
from rlvr.rollout import RolloutEngine  # noqa: E402

SETTINGS = profile.ProfileSettings(k=8, sampling=Sampling(temperature=1.0, top_p=1.0, max_tokens=24), seed=5,
                                   chunk_size=3)
POOL = synthetic.make_task(seed=0, n_train=8, n_heldout=1)[0]


@pytest.fixture(scope="module")
def model_dir():
    return tiny_model_store.ensure_tiny_model()


@pytest.fixture(scope="module")
def engine(model_dir):
    return RolloutEngine(model_dir, seed=0, max_model_len=256)


@pytest.fixture(scope="module")
def verifier():
    with verifier_client.open_verifier() as client:
        yield client


class Interrupted(Exception):
    pass


class InterruptingVerifier:
    """The real verifier, but the run dies (like a Ctrl-C or a lost machine) on call number `fail_on`."""

    def __init__(self, inner, fail_on: int):
        self.inner, self.fail_on, self.calls = inner, fail_on, 0

    def verify(self, *args, **kwargs):
        self.calls += 1
        if self.calls == self.fail_on:
            raise Interrupted()
        return self.inner.verify(*args, **kwargs)


class CountingEngine:
    def __init__(self, inner):
        self.inner, self.prompts = inner, 0

    def generate(self, prompts, **kwargs):
        self.prompts += len(prompts)
        return self.inner.generate(prompts, **kwargs)


def _read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_profile_end_to_end(engine, verifier, model_dir, tmp_path):
    out = str(tmp_path / "profile.jsonl")
    model = profile.model_key(model_dir)
    rows = profile.profile_pool(engine, verifier, POOL, SETTINGS, out, model)
    assert rows == _read(out)
    assert [r["id"] for r in rows] == [p.id for p in POOL]
    for r, p in zip(rows, POOL):
        assert (r["problem"], r["answer"], r["level"]) == (p.problem, p.answer, p.level)
        assert r["n"] == SETTINGS.k and 0 <= r["successes"] <= SETTINGS.k
        assert r["p_hat"] == r["successes"] / r["n"]
        assert 0.0 <= r["lo"] <= r["p_hat"] <= r["hi"] <= 1.0
        assert (r["model"], r["template"]) == (model, profile.template_key(None))
    # The supervised tiny model solves some easy problems; a broken sample→verify path would give all zeros.
    assert sum(r["successes"] for r in rows) > 0
    # Each count belongs to its own prompt: re-sample the pool in reverse order (a prompt's samples depend only
    # on the seed and the prompt) and verify independently.
    again = engine.generate([data.format_prompt(p.problem) for p in reversed(POOL)], n=SETTINGS.k,
                            temperature=SETTINGS.sampling.temperature, top_p=SETTINGS.sampling.top_p,
                            max_tokens=SETTINGS.sampling.max_tokens, seed=SETTINGS.seed)[::-1]
    for r, p, samples in zip(rows, POOL, again):
        verdicts = verifier.verify([s.text for s in samples], [p.answer] * SETTINGS.k)
        assert r["successes"] == sum(v.correct for v in verdicts), p
    # The pairing stage reads what profiling writes.
    assert [s.id for s in pairing.load_profile(out)] == [p.id for p in POOL]
    print(profile.histogram(rows))


def test_resume_after_interruption_equals_uninterrupted_run(engine, verifier, model_dir, tmp_path):
    model = profile.model_key(model_dir)
    whole = str(tmp_path / "whole.jsonl")
    profile.profile_pool(engine, verifier, POOL, SETTINGS, whole, model)

    resumed = str(tmp_path / "resumed.jsonl")
    with pytest.raises(Interrupted):  # dies while verifying the second chunk
        profile.profile_pool(engine, InterruptingVerifier(verifier, fail_on=2), POOL, SETTINGS, resumed, model)
    assert [r["id"] for r in _read(resumed)] == [p.id for p in POOL[:SETTINGS.chunk_size]]

    counting = CountingEngine(engine)
    profile.profile_pool(counting, verifier, POOL, SETTINGS, resumed, model)
    assert counting.prompts == len(POOL) - SETTINGS.chunk_size  # done prompts are not sampled again
    with open(whole, "rb") as a, open(resumed, "rb") as b:
        assert a.read() == b.read()

    # Finished: a re-run samples nothing.
    counting.prompts = 0
    assert profile.profile_pool(counting, verifier, POOL, SETTINGS, resumed, model) == _read(whole)
    assert counting.prompts == 0


def test_profile_from_other_settings_is_refused(engine, verifier, model_dir, tmp_path):
    model = profile.model_key(model_dir)
    out = str(tmp_path / "profile.jsonl")
    small = POOL[:2]
    profile.profile_pool(engine, verifier, small, SETTINGS, out, model)
    with pytest.raises(ValueError, match="temperature"):
        hotter = dataclasses.replace(SETTINGS, sampling=Sampling(temperature=0.7, max_tokens=24))
        profile.profile_pool(engine, verifier, small, hotter, out, model)
    with pytest.raises(ValueError, match="model"):
        profile.profile_pool(engine, verifier, small, SETTINGS, out, "other-model@0123456789ab")
    with pytest.raises(ValueError, match="template"):
        profile.profile_pool(engine, verifier, small, SETTINGS, out, model, tokenizer=_ChatTokenizer())
    changed = [dataclasses.replace(small[0], answer="-1"), small[1]]
    with pytest.raises(ValueError, match="different problem/answer"):
        profile.profile_pool(engine, verifier, changed, SETTINGS, out, model)
    with pytest.raises(ValueError, match="not in this pool"):
        profile.profile_pool(engine, verifier, small[:1], SETTINGS, out, model)
    with open(out, "a", encoding="utf-8") as f:
        f.write('{"id": "x", "n": ')  # a hand-edited, truncated line
    with pytest.raises(ValueError, match="line 3: bad JSON"):
        profile.profile_pool(engine, verifier, small, SETTINGS, out, model)


class _ChatTokenizer:
    """Just enough of a tokenizer for data.format_prompt to render a chat template."""

    chat_template = "<user>{content}</user>"

    def apply_chat_template(self, messages, tokenize, add_generation_prompt):
        return f"<user>{messages[0]['content']}</user><assistant>"


def test_model_key_follows_weights(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(b"weights-1")
    first = profile.model_key(str(tmp_path))
    (tmp_path / "model.safetensors").write_bytes(b"weights-2")
    assert profile.model_key(str(tmp_path)) != first
    assert first.startswith(tmp_path.name + "@")
    with pytest.raises(FileNotFoundError, match="config.json"):
        profile.model_key(str(tmp_path / "missing"))


def test_histogram_bins():
    p_hats = [0.0, 0.0, 0.1, 0.15, 0.5, 0.95, 1.0]
    counts = dict(profile.histogram_counts(p_hats, bins=10))
    assert counts["p = 0"] == 2 and counts["p = 1"] == 1
    assert counts["(0.0, 0.1]"] == 1 and counts["(0.1, 0.2]"] == 1
    assert counts["(0.4, 0.5]"] == 1 and counts["(0.9, 1.0)"] == 1
    assert sum(counts.values()) == len(p_hats)
    text = profile.histogram([{"p_hat": p} for p in p_hats])
    assert "7 prompts" in text and "(0.4, 0.5]" in text
