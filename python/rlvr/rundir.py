"""A training run's directory, owned by one object: its layout, its checkpoints and the checks that make a
resume exact. Every other module (the trainer, evaluation of a run, the experiment grid) asks a RunDir.

    config.json                    the run's settings, flat (config.flat)
    metrics.jsonl, tensorboard/    one row per update and per evaluation (run_report.MetricsLog)
    profile.jsonl                  the pool's success profile, when profiled here
    eval/step_N.verdicts.jsonl     held-out responses and verdicts
    plots/training.png, report.md, summary.json, and the selector's artifacts (e.g. accuracy_by_epoch.json)
    checkpoints/step_N/{ds/, hf/, trainer_state.pt}, checkpoints/latest (the newest step_N's name)
"""
from __future__ import annotations

import os
import random
import shutil

import numpy as np

from rlvr import files

# Settings a resumed run may change; any other difference would silently make it a different experiment.
# nproc_per_node: the world size itself is checked against the checkpoint's (load_checkpoint), however launched.
RESUME_MAY_CHANGE = ("output_dir", "resume", "steps", "eval_every", "checkpoint_every", "keep_checkpoints",
                     "nproc_per_node", "verifier_address", "verifier_retry_s", "verifier_auth_token_file",
                     "verifier_tls_ca", "max_ungraded_share", "threads", "micro_batch_size", "gradient_checkpointing",
                     "extra")  # micro_batch_size, gradient_checkpointing: memory only
HISTORY = ("metrics.jsonl", "profile.jsonl")  # what a run resumed into a new directory carries over


def check_resumable(saved: dict, now: dict) -> None:
    """The flat configs of a checkpoint and of the run resuming it differ only where RESUME_MAY_CHANGE allows."""
    diff = {k: (saved.get(k), v) for k, v in now.items() if k not in RESUME_MAY_CHANGE and saved.get(k) != v}
    if diff:
        raise ValueError("resume: the checkpoint was written with other settings; " + ", ".join(
            f"{k}={old!r} (now {new!r})" for k, (old, new) in sorted(diff.items())))


def find_checkpoint(path: str) -> str:
    """A checkpoint dir as given, or a run dir's latest checkpoint."""
    if os.path.isfile(os.path.join(path, "trainer_state.pt")):
        return path
    latest = RunDir(path).latest_checkpoint()
    if latest:
        return latest
    raise FileNotFoundError(f"resume {path!r}: neither a checkpoint dir (trainer_state.pt) nor a run dir with "
                            f"checkpoints/latest")


def load_checkpoint(engine, ckpt: str, ranks: int = 1) -> dict:
    """Restores the DeepSpeed engine and the RNGs from `ckpt`, written by a run of as many `ranks` (DeepSpeed's
    optimiser state is laid out per rank); returns the trainer state saved with them."""
    import torch

    state = torch.load(os.path.join(ckpt, "trainer_state.pt"), weights_only=False)
    if state.get("ranks", 1) != ranks:
        raise ValueError(f"resume {ckpt}: written by {state.get('ranks', 1)} rank(s), resumed with {ranks}; resume "
                         f"with --nproc_per_node={state.get('ranks', 1)} (the optimiser state is laid out per rank)")
    engine.load_checkpoint(os.path.join(ckpt, "ds"), tag="state")
    rng = state.pop("rng")
    random.setstate(rng["python"])
    np.random.set_state(rng["numpy"])
    torch.set_rng_state(rng["torch"])
    return state


class RunDir:
    def __init__(self, path: str):
        self.path = path

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def eval_verdicts(self, step: int) -> str:
        return os.path.join(self.path, "eval", f"step_{step:06d}.verdicts.jsonl")

    @property
    def checkpoints(self) -> str:
        return os.path.join(self.path, "checkpoints")

    def checkpoint(self, step: int) -> str:
        return os.path.join(self.checkpoints, f"step_{step:06d}")

    def hf_checkpoint(self, step: int) -> str:
        """The Hugging Face export of step N's checkpoint (what evaluation loads)."""
        return os.path.join(self.checkpoint(step), "hf")

    def latest_checkpoint(self) -> str | None:
        latest = os.path.join(self.checkpoints, "latest")
        if not os.path.isfile(latest):
            return None
        with open(latest, encoding="utf-8") as f:
            return os.path.join(self.checkpoints, f.read().strip())

    def start(self, resume_ckpt: str | None, flat_config: dict, rank: int) -> None:
        """Every rank, before training: refuses to overwrite another run; rank 0 then writes config.json and
        carries the history of a run resumed from another directory into this one."""
        if not resume_ckpt and os.path.isdir(self.checkpoints):
            raise FileExistsError(f"output_dir {self.path} already holds a run (checkpoints/); resume it with "
                                  f"resume={self.path!r} or choose another output_dir")
        if rank != 0:
            return
        os.makedirs(self.file("plots"), exist_ok=True)
        files.write_json(self.file("config.json"), flat_config)
        if resume_ckpt:
            src = RunDir(os.path.dirname(os.path.dirname(os.path.abspath(resume_ckpt))))
            if os.path.abspath(src.path) != os.path.abspath(self.path):
                for name in HISTORY:
                    if os.path.exists(src.file(name)):
                        shutil.copyfile(src.file(name), self.file(name))

    def save_checkpoint(self, engine, tokenizer, step: int, state: dict, rank: int, world: int, keep: int) -> str:
        """checkpoints/step_N/{ds/, hf/, trainer_state.pt}, written under a temporary name and renamed; the oldest
        beyond `keep` are removed. Every rank calls it (DeepSpeed saves its shards collectively)."""
        import torch
        import torch.distributed as dist

        final = self.checkpoint(step)
        tmp = final + ".tmp"
        if rank == 0:
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp)
        if world > 1:
            dist.barrier()
        engine.save_checkpoint(os.path.join(tmp, "ds"), tag="state")
        if world > 1:
            dist.barrier()
        if rank == 0:
            engine.module.save_pretrained(os.path.join(tmp, "hf"))  # what evaluate.py loads
            tokenizer.save_pretrained(os.path.join(tmp, "hf"))
            state = dict(state, rng={"python": random.getstate(), "numpy": np.random.get_state(),
                                     "torch": torch.get_rng_state()})
            torch.save(state, os.path.join(tmp, "trainer_state.pt"))
            shutil.rmtree(final, ignore_errors=True)
            os.replace(tmp, final)
            files.write_text(os.path.join(self.checkpoints, "latest"), os.path.basename(final) + "\n")
            done = sorted(d for d in os.listdir(self.checkpoints) if d.startswith("step_") and not d.endswith(".tmp"))
            for old in done[:-keep]:
                shutil.rmtree(os.path.join(self.checkpoints, old), ignore_errors=True)
        if world > 1:
            dist.barrier()
        return final
