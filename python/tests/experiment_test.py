"""The experiment harness in --quick mode end to end: the binary is SIGKILLed after its first finished run and
the same grid resumed; every method trained (real vLLM, verifier, DeepSpeed), checkpoints evaluated, report and
plots written; a re-run of a finished grid redoes nothing. The verifier is a shared, protected one (TLS + bearer
token): the grid and every training run it starts must reach it."""
import json
import os
import signal
import subprocess
import sys
import time

import protected_verifier
import pytest

from rlvr import runtime

runtime.setup()

from rlvr import config, experiment  # noqa: E402


@pytest.fixture(scope="module")
def verifier(tmp_path_factory):
    server, token_file, ca = protected_verifier.start(tmp_path_factory.mktemp("verifier"))
    yield {"verifier_address": server.address, "verifier_auth_token_file": token_file, "verifier_tls_ca": ca}
    assert server.stop() == 0, server.log_tail()


def quick(out: str, verifier: dict) -> experiment.ExperimentConfig:
    return config.build(experiment.ExperimentConfig, verifier, base=experiment.quick_config(out))


MAIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin", "experiment_main.py")


def _killed_after_first_run(out: str, verifier: dict, log: str) -> str:
    """Runs the experiment binary on the quick grid and SIGKILLs it, training child included (its process group),
    as soon as the first run is DONE; returns that DONE file."""
    args = [sys.executable, MAIN, "--quick", f"--output_dir={out}", *(f"--{k}={v}" for k, v in verifier.items())]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("BUILD_WORKING_DIRECTORY", None)
    with open(log, "w") as f:
        proc = subprocess.Popen(args, stdout=f, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    first = os.path.join(out, "runs", experiment.METHODS[0], "seed0", "DONE")
    deadline = time.monotonic() + 600
    while not os.path.exists(first):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"experiment ended ({proc.poll()}) or timed out before its first run:\n"
                        f"{open(log).read()[-6000:]}")
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    # The training child keeps the binary's console policy: vLLM's warning on every weight sync is one it drops.
    assert "Failed to load weights" not in open(log).read()
    return first


def test_quick_grid_killed_resumed_end_to_end(tmp_path, verifier):
    out = str(tmp_path / "exp")
    first = _killed_after_first_run(out, verifier, str(tmp_path / "killed.log"))
    first_stamp = os.stat(first).st_mtime_ns
    unfinished = [m for m in experiment.METHODS if not os.path.exists(os.path.join(out, "runs", m, "seed0", "DONE"))]
    assert unfinished, "the grid finished before the kill: the test would show nothing"
    cfg = quick(out, verifier)
    summary = experiment.run_experiment(cfg, command="experiment --quick")
    assert os.stat(first).st_mtime_ns == first_stamp  # the run finished before the kill was not redone

    runs = {(r["method"], r["seed"]): r for r in summary["runs"]}
    assert set(runs) == {(m, 0) for m in experiment.METHODS}
    trained = [runs[(m, 0)] for m in experiment.TRAINED]
    assert {r["training_rollouts"] for r in trained} == {cfg.steps * 2 * cfg.rollouts_per_prompt}
    assert runs[("no_training", 0)]["training_rollouts"] == 0
    for m in experiment.TRAINED:
        done = json.load(open(os.path.join(out, "runs", m, "seed0", "DONE")))
        assert sorted(int(s) for s in done["evals"]) == cfg.eval_steps()
        for step in cfg.eval_steps()[1:]:
            res = json.load(open(os.path.join(out, "runs", m, "seed0", "eval", f"step_{step:06d}", "results.json")))
            assert res["sets"]["synthetic"]["problems"] == cfg.heldout_size
            assert res["model_dir"].endswith(os.path.join(f"step_{step:06d}", "hf"))
    # Training runs reached the protected verifier through the token file; the token itself is in no saved file.
    for name in ("experiment.json", os.path.join("runs", "pairs_wgrpo", "seed0", "train", "config.json")):
        text = open(os.path.join(out, name)).read()
        assert verifier["verifier_auth_token_file"] in text and protected_verifier.TOKEN not in text
    # Every method starts from the same base-model evaluation.
    base = {json.dumps(json.load(open(os.path.join(out, "runs", m, "seed0", "DONE")))["evals"]["0"], sort_keys=True)
            for m in experiment.METHODS}
    assert len(base) == 1
    # The variance_hist run trained on the two prompts the history pass ranked highest.
    hist = json.load(open(os.path.join(out, "seeds", "seed0", "history", "accuracy_by_epoch.json")))
    assert len(hist) == cfg.pool_size
    for method in experiment.METHODS:
        final = summary["final"][method]["synthetic"]
        assert all(0.0 <= final[m]["mean"] <= 1.0 for m in final)

    report = open(os.path.join(out, "report.md")).read()
    assert "## Primary comparison" in report and "experiment --quick" in report
    for png in ("heldout_synthetic.png", "pool_profile.png"):
        with open(os.path.join(out, "plots", png), "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert summary["picked_p_hat"]["pairs_wgrpo q+"] and summary["picked_p_hat"]["pairs_wgrpo q-"]
    assert max(summary["picked_p_hat"]["pairs_wgrpo q+"]) <= cfg.train_config_defaults().p_low
    assert min(summary["picked_p_hat"]["pairs_wgrpo q-"]) >= cfg.train_config_defaults().p_high

    # Re-running the same config touches no finished run.
    stamps = {p: os.stat(p).st_mtime_ns for p in
              [os.path.join(out, "runs", m, "seed0", "DONE") for m in experiment.METHODS] +
              [os.path.join(out, "runs", m, "seed0", "train", "metrics.jsonl") for m in experiment.TRAINED]}
    again = experiment.run_experiment(quick(out, verifier), command="experiment --quick")
    assert {p: os.stat(p).st_mtime_ns for p in stamps} == stamps
    assert again["final"] == json.loads(json.dumps(summary["final"]))

    changed = quick(out, verifier)
    changed.steps = 4
    with pytest.raises(ValueError, match="different config"):
        experiment.run_experiment(changed)
