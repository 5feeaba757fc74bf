"""Profiling: K sampled rollouts per prompt, verified, give each prompt's success rate p̂ = c/K and a Wilson interval.

The profile is JSON Lines, one object per prompt in pool order:
  {"id", "problem", "answer", "level", "n", "successes", "p_hat", "lo", "hi",
   "model", "template", "temperature", "top_p", "max_tokens", "seed", "delta"}
Every row carries the keys it was computed under (model weights hash, prompt template hash, sampling settings),
so a profile made with another model, template or sampling is refused rather than silently reused.

Resumable: prompts are processed in chunks and after each chunk the whole file is rewritten atomically (temp file
+ os.replace), so an interruption loses at most one chunk. A re-run skips the prompts already in the file; since
rollout seeds depend on (seed, prompt) only, the finished file equals that of an uninterrupted run.
"""
from __future__ import annotations

import dataclasses
import glob
import hashlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from tqdm import tqdm

from rlvr import config, data, distributed, files, scoring
from rlvr.config import Sampling, arg, group
from rlvr.estimators import wilson_interval

@dataclasses.dataclass(frozen=True)
class ProfileSettings:
    """How a pool is profiled; `//python:profile` generates its flags from it."""
    k: int = arg(16, "Rollouts per prompt.", min=1)
    sampling: Sampling = group(Sampling)
    seed: int = arg(0, "Sampling seed (a prompt's rollouts depend only on it and the prompt).")
    delta: float = arg(0.05, "Wilson intervals at confidence 1 - delta.")
    chunk_size: int = arg(32, "Prompts per vLLM call and per checkpoint of the output file.", min=1)

    def __post_init__(self) -> None:
        config.check(self)

    def invariants(self) -> None:
        if not 0 < self.delta < 1:
            raise ValueError(f"delta must be in (0, 1), got {self.delta}")


def model_key(model_dir: str) -> str:
    """`<dir name>@<hash>` with the hash over config.json and the weight files, so retrained weights in the same
    directory get a new key."""
    paths = [os.path.join(model_dir, "config.json")]
    paths += sorted(glob.glob(os.path.join(model_dir, "*.safetensors")) + glob.glob(os.path.join(model_dir, "*.bin")))
    digest = hashlib.sha256()
    for path in paths:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"model_dir {model_dir!r}: expected {os.path.basename(path)}")
        digest.update(os.path.basename(path).encode() + b"\0")
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return f"{os.path.basename(os.path.normpath(model_dir))}@{digest.hexdigest()[:12]}"


def template_key(tokenizer=None) -> str:
    """Hash of the prompt template as rendered for a placeholder problem (chat template when the tokenizer has
    one, else the plain template; see data.format_prompt)."""
    return hashlib.sha256(data.format_prompt("{problem}", tokenizer).encode()).hexdigest()[:12]


def _read_existing(path: str, keys: dict[str, Any], by_id: dict[str, data.Problem]) -> dict[str, dict]:
    """Rows already in the profile at `path`, checked against this run's keys and pool."""
    if not os.path.exists(path):
        return {}
    rows: dict[str, dict] = {}
    for lineno, row in files.read_jsonl(path):  # bad JSON raises files.DataError naming the file and line
        where = f"{path}: line {lineno}"
        if not isinstance(row, dict) or "id" not in row:
            raise ValueError(f"{where}: expected a profile row object with an 'id'")
        for field, want in keys.items():
            if row.get(field) != want:
                raise ValueError(f"{where}: profile was made with {field}={row.get(field)!r}, this run has "
                                 f"{field}={want!r}; choose another --output or delete the file to re-profile")
        problem = by_id.get(row["id"])
        if problem is None:
            raise ValueError(f"{where}: id {row['id']!r} is not in this pool; the profile belongs to another pool")
        if (row.get("problem"), row.get("answer")) != (problem.problem, problem.answer):
            raise ValueError(f"{where}: id {row['id']!r} has a different problem/answer than in this pool")
        rows[row["id"]] = row
    return rows


def _row(problem: data.Problem, successes: int, keys: dict[str, Any]) -> dict[str, Any]:
    n = keys["n"]
    lo, hi = wilson_interval(successes, n, keys["delta"])
    return {"id": problem.id, "problem": problem.problem, "answer": problem.answer, "level": problem.level,
            "n": n, "successes": successes, "p_hat": successes / n, "lo": lo, "hi": hi, **keys}


def profile_pool(engine, verifier, problems: Sequence[data.Problem], settings: ProfileSettings, out_path: str,
                 model: str, tokenizer=None, progress: bool = True,
                 world: distributed.World = distributed.SOLO) -> list[dict[str, Any]]:
    """Profiles `problems` into `out_path` (resuming it if present) and returns all rows in pool order.

    engine: a rollout.RolloutEngine; verifier: a verifier_client.VerifierClient; model: the model's key
    (model_key); tokenizer: renders the chat template into prompts (None: the plain template). Across ranks
    (`world`, every rank calling it alike) each rank samples and verifies its share of every chunk's prompts; rank
    0 writes the file, every rank returns the rows."""
    if not problems:
        raise ValueError("profile_pool: the pool is empty")
    by_id = {p.id: p for p in problems}
    if len(by_id) != len(problems):
        raise ValueError("profile_pool: the pool has duplicate problem ids")
    # Row fields that must agree between an existing profile and the run resuming it.
    keys = {"model": model, "template": template_key(tokenizer), "n": settings.k,
            **dataclasses.asdict(settings.sampling),
            "seed": settings.seed, "delta": settings.delta}
    done = _read_existing(out_path, keys, by_id)
    todo = [p for p in problems if p.id not in done]
    bar = tqdm(total=len(problems), initial=len(problems) - len(todo), desc="profile", unit="prompt",
               file=sys.stderr, disable=not progress or not world.is_main)
    with bar:
        for start in range(0, len(todo), settings.chunk_size):
            chunk = todo[start:start + settings.chunk_size]
            prompts = [data.format_prompt(p.problem, tokenizer) for p in chunk]
            scored = scoring.score(engine, prompts, settings.k, settings.sampling, verifier,
                                   [p.answer for p in chunk], [p.id for p in chunk], settings.seed, world=world)
            for problem, rewards in zip(chunk, scored.rewards()):
                done[problem.id] = _row(problem, int(sum(rewards)), keys)
            if world.is_main:
                files.write_jsonl(out_path, (done[p.id] for p in problems if p.id in done))
            bar.update(len(chunk))
            mean = sum(r["p_hat"] for r in done.values()) / len(done)
            bar.set_postfix(mean_p=f"{mean:.3f}")
    return [done[p.id] for p in problems]


def histogram_counts(p_hats: Sequence[float], bins: int = 10) -> list[tuple[str, int]]:
    """(label, count) rows: exact 0 and exact 1 get their own rows (such prompts can never be paired), the open
    interval (0, 1) is split into `bins` equal bins, right-closed."""
    labels = ["p = 0"] + [f"({b / bins:.1f}, {(b + 1) / bins:.1f}{')' if b == bins - 1 else ']'}"
                          for b in range(bins)] + ["p = 1"]
    counts = [sum(p == 0 for p in p_hats)] + [0] * bins + [sum(p == 1 for p in p_hats)]
    for p in p_hats:
        if 0 < p < 1:
            counts[1 + min(int(p * bins - 1e-12), bins - 1)] += 1
    return list(zip(labels, counts))


def histogram(rows: Sequence[dict[str, Any]], bins: int = 10, width: int = 40) -> str:
    """The profile's p̂ distribution as a text histogram."""
    p_hats = [r["p_hat"] for r in rows]
    counts = histogram_counts(p_hats, bins)
    top = max(c for _, c in counts) or 1
    lines = [f"p̂ over {len(p_hats)} prompts (mean {sum(p_hats) / len(p_hats):.3f}):"]
    lines += [f"  {label:>12} {count:6d} {'#' * round(width * count / top)}" for label, count in counts]
    return "\n".join(lines)
