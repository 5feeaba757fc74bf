"""The console policy of every binary, in one place: quiet by default, everything with absl's --verbosity.

Quiet: the binaries' own progress bars (one per phase) and final lines, no library progress bars; from the libraries (vLLM, DeepSpeed,
torch, transformers, absl) WARNING and above only, minus the warnings known to be harmless here (HARMLESS): each
is vLLM or torch reporting a setting this project chose on purpose or something a CPU run does not need —
  - "RotaryEmbedding: Failed to load weights" on every in-place weight sync: the rotary layer has no weights in
    the checkpoint (its cos/sin cache is computed) and vLLM puts the computed tensors back (reload/layerwise.py);
  - "... after the thread binding, skip it": runtime.py restores the real torch.set_num_threads on purpose;
  - enforce_eager / no inductor, chunked prefill off, the global seed note: the engine settings of rollout.py;
  - Triton (GPU kernels) and LD_PRELOAD (tcmalloc, Intel OpenMP) hints: optional on CPU.
C++ code writes some notes to the stderr file descriptor itself, out of logging's reach: native_stderr() holds them
back around the call that prints them and drops the harmless ones (NATIVE_HARMLESS: torch's "NUMA binding" note,
printed when vLLM's CPU worker binds its memory).

`--verbosity=0` (or -v 0; absl's flag) keeps every library's own level and message. Call `configure()` first
thing in a binary's main, before vLLM is imported: it reads its level from the environment at import.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import tempfile
import warnings

LIBRARY_LOGGERS = ("vllm", "DeepSpeed", "torch", "transformers", "absl")
# Emitting logger -> substrings of its harmless messages. Filters sit on the emitting loggers (created here if the
# library is not imported yet: it then gets the same logger object), because a parent's filters do not see its
# children's records.
HARMLESS = {
    "vllm.model_executor.model_loader.reload.layerwise": ("Failed to load weights",),
    "vllm.v1.worker.cpu_worker": ("after the thread binding, skip it", "is not found in LD_PRELOAD"),
    "vllm.engine.arg_utils": ("The global random seed is set", "does not officially support disabling chunked"),
    "vllm.config.vllm": ("Enforce eager set", "Inductor compilation was disabled", "requires Triton"),
    "vllm.platforms.cpu": ("Triton is not installed", "Reset SSM cache type"),
    "torch._library.triton": ("Triton not available",),
}

_quiet = False  # until configure(): a library user who never calls it sees everything


class _Drop(logging.Filter):
    def __init__(self, texts: tuple[str, ...]):
        super().__init__()
        self.texts = texts

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(text in message for text in self.texts)


def configure(verbose: bool | None = None) -> bool:
    """Applies the policy; `verbose` None: whether absl's --verbosity was given (>= 0) on the command line.
    Returns whether the console is quiet."""
    global _quiet
    if verbose is None:
        from absl import flags

        flag = flags.FLAGS["verbosity"]  # absl turns an absent flag's -1 into 0 (INFO) after parsing
        verbose = flag.present and flag.value >= 0
    _quiet = not verbose
    if verbose:
        return False
    from absl import logging as absl_logging

    absl_logging.set_verbosity(absl_logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    os.environ.setdefault("VLLM_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers' load/save bars, read at import
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name, texts in HARMLESS.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _Drop) for f in logger.filters):
            logger.addFilter(_Drop(texts))
    # Deprecation notices inside the libraries (e.g. vLLM using torch.distributed.reduce_op): not ours to fix.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(vllm|deepspeed|transformers|torch)(\.|$)")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"(vllm|deepspeed|transformers|torch)(\.|$)")
    return True


def quiet() -> bool:
    """Whether the libraries are to be quiet (e.g. vLLM's own weight-loading bar)."""
    return _quiet


# Native lines known to be harmless (matched anywhere in the line), written straight to file descriptor 2.
NATIVE_HARMLESS = ("Warning: NUMA binding: Using MEMBIND policy",)


@contextlib.contextmanager
def native_stderr():
    """Context for an in-process library call whose C++ code writes to stderr itself (vLLM's CPU worker set-up).
    When quiet, file descriptor 2 goes to a temporary file meanwhile, and its lines are written back afterwards
    without the NATIVE_HARMLESS ones — all of them if the call raises. Not around a call that starts processes:
    they would keep the temporary file as their stderr."""
    if not _quiet:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    failed = True
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            lines = held.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines
                                     if failed or not any(text in line for text in NATIVE_HARMLESS)))
            sys.stderr.flush()


def library_prints():
    """Context for a library call that print()s chatter to stdout (DeepSpeed announces its shared-memory op on
    every init_distributed): swallowed when quiet, passed through otherwise."""
    return contextlib.redirect_stdout(io.StringIO()) if _quiet else contextlib.nullcontext()
