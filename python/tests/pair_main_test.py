"""The `pair` binary end to end on a small profile file: pairs, baselines, and clear errors."""
import json
import os
import subprocess
import sys

import pytest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAIN = os.path.join(PYTHON_DIR, "bin", "pair_main.py")
COUNTS = {"a": 0, "b": 1, "c": 3, "d": 8, "e": 9, "f": 13, "g": 15, "h": 16}


def run(*args):
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    env.pop("BUILD_WORKING_DIRECTORY", None)
    return subprocess.run([sys.executable, MAIN, *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def profile(tmp_path):
    path = tmp_path / "profile.jsonl"
    path.write_text("".join(json.dumps({"id": i, "problem": "x", "answer": "1", "n": 16, "successes": c,
                                        "p_hat": c / 16, "model": "tiny", "template": "auto"}) + "\n"
                            for i, c in COUNTS.items()))
    return str(path)


def test_prints_pairs_from_the_bands(profile):
    out = run("--profile", profile, "--p_low", "0.3", "--p_high", "0.7", "--strategy", "resample",
              "--num_pairs", "5", "--seed", "3")
    assert out.returncode == 0, out.stderr
    lines = [l for l in out.stdout.splitlines() if l.startswith("update ")]
    assert len(lines) == 5
    for line in lines:
        plus, minus = line.split("q+ ")[1].split()[0], line.split("q− ")[1].split()[0]
        assert plus in {"b", "c"} and minus in {"f", "g"}
    assert "q+ band (p ≤ 0.3): 2 prompts; q− band (p ≥ 0.7): 2 prompts" in out.stdout
    assert out.stdout == run("--profile", profile, "--num_pairs", "5", "--seed", "3").stdout  # deterministic


def test_q_minus_from_a_second_pool_in_failure_counts(profile, tmp_path):
    easy = tmp_path / "easy.jsonl"
    easy.write_text("".join(json.dumps({"id": i, "n": 16, "successes": c, "model": "tiny", "template": "auto"}) + "\n"
                            for i, c in {"x": 16, "y": 15, "z": 13, "w": 10}.items()))
    out = run("--profile", profile, "--profile_neg", str(easy), "--max_failures", "3", "--num_pairs", "8")
    assert out.returncode == 0, out.stderr
    assert "q− band (1 ≤ failures ≤ 3): 2 prompts" in out.stdout
    minus = {l.split("q− ")[1].split()[0] for l in out.stdout.splitlines() if l.startswith("update ")}
    assert minus <= {"y", "z"} and minus  # from the second pool only; x never failed, w failed 6 times


def test_profile_variance_baseline(profile):
    out = run("--profile", profile, "--method", "variance_profile")
    assert out.returncode == 0, out.stderr
    assert [l.split()[1] for l in out.stdout.splitlines()] == ["d", "e"]


def test_historical_variance_baseline(tmp_path):
    history = tmp_path / "acc.json"
    history.write_text(json.dumps({"x": [0.5, 0.5], "y": [0.0, 1.0], "z": [0.25, 0.75]}))
    out = run("--method", "variance_hist", "--history", str(history), "--k", "2")
    assert out.returncode == 0, out.stderr
    assert [l.split()[1] for l in out.stdout.splitlines()] == ["y", "z"]


def test_empty_band_and_missing_file_are_clear_errors(profile, tmp_path):
    out = run("--profile", profile, "--p_low", "0.01")
    assert out.returncode != 0
    assert "q+ (hard-but-solvable) band is empty" in out.stderr
    out = run("--profile", str(tmp_path / "nope.jsonl"))
    assert out.returncode != 0 and "cannot read profile" in out.stderr
    out = run("--method", "variance_hist")
    assert out.returncode != 0 and "--history" in out.stderr
