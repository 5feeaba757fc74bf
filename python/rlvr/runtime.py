"""Process environment for every binary: call `setup()` before importing vllm or deepspeed.

vLLM and DeepSpeed read their settings from environment variables at import time, so the defaults have to be in
place first. Values already set by the user are never overridden (os.environ.setdefault).
"""

import contextlib
import fcntl
import glob
import os
import pathlib
import shutil
import tempfile
from typing import Callable


def cache_root() -> pathlib.Path:
    """`$RLVR_CACHE_DIR`, else `~/.cache/rlvr` (./bazelw points it at `<repo>/.cache`)."""
    root = os.environ.get("RLVR_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "rlvr")
    return pathlib.Path(root)


def build_once(final: str, build: Callable[[str], None], force: bool = False) -> bool:
    """Makes the directory `final` with `build(tmp_dir)` unless it exists (or `force`); returns whether it built.

    Built in a temp dir next to `final` and moved in with os.replace under a file lock, so concurrent callers
    (ranks, tests, helpers sharing a cache) build it once and never see a half-written directory.
    """
    if os.path.isdir(final) and not force:
        return False
    parent, name = os.path.split(os.path.abspath(final))
    os.makedirs(parent, exist_ok=True)
    with open(final + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a concurrent builder finishes first; then we find its result
        if os.path.isdir(final) and not force:
            return False
        # Leftovers of builders that were killed before their cleanup ran (we hold the lock: none is live).
        for stale in glob.glob(os.path.join(parent, f".building-{name}-*")):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = tempfile.mkdtemp(prefix=f".building-{name}-", dir=parent)
        try:
            os.chmod(tmp, 0o755)  # mkdtemp makes it private; the result is for every user of the cache
            build(tmp)
            if os.path.isdir(final):  # force: replace the old build
                shutil.rmtree(final)
            os.replace(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return True


def _has_cuda() -> bool:
    import torch  # deferred: importing torch is slow and most callers import it next anyway

    return torch.cuda.is_available()


def enter_caller_directory() -> None:
    """`bazel run` starts a binary inside its runfiles tree; move to the directory it was called from, so relative
    paths on the command line mean what the caller meant. Outside `bazel run`, nothing changes."""
    caller = os.environ.get("BUILD_WORKING_DIRECTORY")
    if caller:
        os.chdir(caller)


def setup() -> pathlib.Path:
    """Sets the environment defaults for vLLM/torch/DeepSpeed, enters the caller's directory and returns the
    (created) cache root."""
    enter_caller_directory()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    env = os.environ
    if not _has_cuda():
        env.setdefault("VLLM_TARGET_DEVICE", "cpu")
        env.setdefault("DS_ACCELERATOR", "cpu")
    # In-process engine: starts in ~3 s instead of 20-40 s for two spawned processes on CPU, and the trainer hands
    # it its weight tensors themselves: on a GPU shared by both, the sync is a device-to-device copy rather than a
    # trip through host memory (RolloutEngine.sync_weights).
    env.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
    env.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB; only read on CPU
    env.setdefault("HF_HUB_OFFLINE", "1")  # no hub here: every model is a local directory
    env.setdefault("VLLM_CACHE_ROOT", str(root / "vllm"))
    env.setdefault("TORCHINDUCTOR_CACHE_DIR", str(root / "torchinductor"))
    return root


def restore_torch_threads(n: int | None = None) -> int:
    """Undoes in-process vLLM's thread clamp so a trainer in the same process uses `n` threads (default: all
    cores this process may run on). Returns the thread count now in effect.

    vLLM's CPU worker replaces `torch.set_num_threads` for the whole process with a stub that only logs a warning
    (vllm/v1/worker/cpu_worker.py, init_device), so a trainer's own thread setting silently does nothing; it also
    means to clamp serving to 1 thread unless OMP_NUM_THREADS is set. The original is `torch._C.set_num_threads`.
    """
    import torch

    if n is None:
        n = len(os.sched_getaffinity(0))
    if n < 1:
        raise ValueError(f"restore_torch_threads: n must be >= 1, got {n}")
    torch.set_num_threads = torch._C.set_num_threads
    torch.set_num_threads(n)
    return torch.get_num_threads()


@contextlib.contextmanager
def torch_threads(n: int):
    """Runs the body with `n` torch intra-op threads, then puts back the count that was in effect (bypassing
    vLLM's stub, like restore_torch_threads)."""
    import torch

    before = torch.get_num_threads()
    torch._C.set_num_threads(n)
    try:
        yield
    finally:
        torch._C.set_num_threads(before)
