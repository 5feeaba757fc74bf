"""Ranks: the world a binary runs in, which responses of a batch each rank generates (and trains on), the
collectives that put the ranks' slices back together, and re-running a binary as N ranks (`--nproc_per_node`).

A batch of `total` responses is prompt-major: prompt p's samples are p·n … p·n + n − 1 (training: copy c of a
prompt is samples c·G … c·G + G − 1, one GRPO group). A rank's share is one contiguous run of it (`shard`), cut at
group boundaries when there are at least as many groups as ranks, so a group's rewards stay on one rank; with
fewer groups than ranks, single responses are dealt so that no rank idles. A response's sampling seed depends on
its prompt and index only (rollout.RolloutEngine), so any split draws the same batch as one process does.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rlvr import console


@dataclass(frozen=True)
class World:
    """This process's rank among `size` (torch.distributed's default group when size > 1)."""
    rank: int = 0
    size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the one that writes files and logs."""
        return self.rank == 0

    def all_gather(self, obj: Any) -> list[Any]:
        """Every rank's `obj` (picklable), in rank order, on every rank."""
        if self.size == 1:
            return [obj]
        import torch.distributed as dist

        out: list[Any] = [None] * self.size
        dist.all_gather_object(out, obj)
        return out

    def broadcast(self, obj: Any) -> Any:
        """Rank 0's `obj` on every rank."""
        if self.size == 1:
            return obj
        import torch.distributed as dist

        box = [obj if self.rank == 0 else None]
        dist.broadcast_object_list(box, src=0)
        return box[0]


SOLO = World()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def init() -> World:
    """torch.distributed through DeepSpeed (the trainer's engine; vLLM builds its groups over the same world):
    NCCL on GPUs, each rank on the device of its LOCAL_RANK, else gloo. A process not started by torchrun / the
    DeepSpeed launcher becomes a world of one."""
    import deepspeed
    import torch
    import torch.distributed as dist

    if "RANK" not in os.environ:
        os.environ.update(RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1",
                          MASTER_PORT=str(_free_port()))
    if not dist.is_initialized():
        if os.environ["WORLD_SIZE"] == "1":
            # DeepSpeed's shared-memory all-reduce op has nothing to reduce across one rank, and its JIT build
            # (two C++ files against torch's headers, minutes on a fresh machine) would precede everything else.
            deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
        with console.library_prints():
            deepspeed.init_distributed(dist_backend="nccl" if torch.cuda.is_available() else "gloo")
    return World(dist.get_rank(), dist.get_world_size())


def join() -> World:
    """For binaries without a DeepSpeed engine (profile, evaluate): the launched world's ranks (init), or a world
    of one with no process group at all."""
    return init() if is_launched() else SOLO


def shards(total: int, unit: int, size: int) -> list[range]:
    """Each rank's responses [lo, hi) of a prompt-major batch of `total` made of units (groups) of `unit`: whole
    units, as evenly as possible (the first ranks take one more), when there are at least `size` of them; else
    single responses the same way."""
    if total < 0 or unit < 1 or size < 1 or total % unit:
        raise ValueError(f"shards: a batch of {total} responses in units of {unit} over {size} ranks")
    step = unit if total // unit >= size else 1
    count = total // step
    bounds = [step * (r * (count // size) + min(r, count % size)) for r in range(size + 1)]
    return [range(lo, hi) for lo, hi in zip(bounds, bounds[1:])]


def per_prompt(mine: range, n: int, prompts: int) -> list[range]:
    """The sample indices of each of `prompts` prompts (n samples each) that fall in the responses `mine`."""
    return [range(min(max(mine.start - p * n, 0), n), min(max(mine.stop - p * n, 0), n)) for p in range(prompts)]


def concat(parts: Sequence[Sequence[Any]]) -> list[Any]:
    """The ranks' gathered slices (rank order is batch order) as one list."""
    return [x for part in parts for x in part]


# --- launching ranks ----------------------------------------------------------------------------------------

def is_launched() -> bool:
    """Whether this process is one rank of a launched world (torchrun / the DeepSpeed launcher set RANK)."""
    return "RANK" in os.environ


def relaunch(nproc_per_node: int) -> None:
    """With nproc_per_node > 1 in a process that is not yet a rank: re-runs this same binary (same arguments) as
    that many ranks on this machine through torch.distributed.run, then exits with their status. Otherwise
    returns (a world of one, or already a rank). Multi-node runs call torchrun / the DeepSpeed launcher on the
    binary directly (docs/scaling.md)."""
    if nproc_per_node <= 1 or is_launched():
        return
    from torch.distributed import run
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError

    script = sys.modules["__main__"].__file__  # absolute (sys.argv[0] may be relative to a directory we left)
    args = run.parse_args([f"--nproc_per_node={nproc_per_node}", "--standalone", script])
    # Given after parsing: torchrun's parser would take e.g. our --n=4 for an abbreviation of its own options.
    args.training_script_args = sys.argv[1:]
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # torchrun's default for several ranks, without its warning
    try:
        run.run(args)
    except ChildFailedError as e:
        codes = {failure.exitcode for failure in e.failures.values()}
        sys.exit(max(codes) if codes and max(codes) > 0 else 1)
    sys.exit(0)
