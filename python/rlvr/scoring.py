"""The one sample → verify → group step, shared by training, profiling and evaluation: n samples per prompt from
the rollout engine, every response verified against its prompt's gold answer, results grouped [prompt][sample].
This is where the reward is made (binary: verdict CORRECT → 1.0), so a second reward lands here and nowhere else.
The verifier is told which responses the engine cut off at max_tokens (Sample.truncated → NO_ANSWER), and the
verdicts are counted here (verdict_monitor): a verifier that cannot answer raises (VerifierError), and one that
cannot grade most responses sets off the caller's alarm; neither turns silently into zero rewards.

Across ranks (`world`), every rank samples and verifies its share of the responses (distributed.shards: whole
groups of `group` when there are enough) with its own engine and verifier client, and one all-gather gives every
rank every response's verdict, token count and truncation (the rewards and the loss's normaliser) — texts
only when asked for, and those of ungraded responses (the alarm names one). Token ids and logprobs stay on the
rank that trains on them. Since a response's seed depends on (seed, prompt, index) only, any number of ranks draws the same batch.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rlvr import distributed, verdict_monitor
from rlvr.config import Sampling


@dataclass(frozen=True)
class Outcome:
    """What every rank learns of every response of a call."""
    verdict: object           # verifier_client.Verdict
    tokens: int               # response length in tokens
    truncated: bool           # cut off at max_tokens
    text: str | None          # when the caller asked for texts, or the response was not graded (else None)


@dataclass
class Scored:
    samples: list[list]       # [prompt][sample] rollout.Sample: this rank's share (all of them in one process)
    mine: range               # that share: the responses it holds, numbered prompt-major (p·n + j)
    outcomes: list[list]      # [prompt][sample] Outcome of every response, on every rank
    generate_s: float         # seconds in the engine (this rank)
    verify_s: float           # seconds waiting for the verifier (this rank)
    gather_s: float = 0.0     # seconds in the all-gather (waiting for the slowest rank included)

    @property
    def verdicts(self) -> list[list]:
        """[prompt][sample] verifier_client.Verdict of every response."""
        return [[o.verdict for o in row] for row in self.outcomes]

    def rewards(self) -> list[list[float]]:
        """[prompt][sample] binary rewards: 1.0 for a verified-correct response, else 0.0."""
        return [[float(v.correct) for v in row] for row in self.verdicts]

    def verdict_metrics(self) -> dict[str, float]:
        """`verdict/<NAME>` counts and `verdict/ungraded_share` over every response (verdict_monitor)."""
        return verdict_monitor.verdict_metrics([v for row in self.verdicts for v in row])


def _call_key(prompts: Sequence[str], n: int, seed: int | None, group: int) -> str:
    """What every rank of one call must agree on; ranks that disagree would each draw a share of another batch."""
    return hashlib.sha256(repr((list(prompts), n, seed, group)).encode()).hexdigest()[:16]


def score(engine, prompts: Sequence[str], n: int, sampling: Sampling, verifier, golds: Sequence[str],
          ids: Sequence[str], seed: int | None, alarm: verdict_monitor.UngradedAlarm | None = None,
          where: str = "", world: distributed.World = distributed.SOLO, group: int | None = None,
          texts: bool = False, logprobs: int = 0) -> Scored:
    """n samples of each prompt (seeded: a prompt's samples depend on the weights, seed and prompt only),
    verified against golds[p]; a response's verdict id is `<ids[p]>#<j>`. `alarm` (with `where`, e.g. "update 3")
    checks the batch's ungraded share. Every rank of `world` calls it with the same arguments; `group` (default n):
    the samples that must stay together on a rank when there are enough groups; `texts`: gather every text;
    `logprobs`: how many of each prompt's samples on this rank carry sampler logprobs (RolloutEngine.generate)."""
    if not len(prompts) == len(golds) == len(ids):
        raise ValueError(f"score: {len(prompts)} prompts, {len(golds)} golds and {len(ids)} ids must match")
    group = group or n
    mine = distributed.shards(len(prompts) * n, group, world.size)[world.rank]
    share = distributed.per_prompt(mine, n, len(prompts))
    t = time.perf_counter()
    samples = engine.generate(list(prompts), n=n, temperature=sampling.temperature, top_p=sampling.top_p,
                              max_tokens=sampling.max_tokens, seed=seed, samples=share, logprobs=logprobs)
    generate_s = time.perf_counter() - t
    t = time.perf_counter()
    responses = [s for row in samples for s in row]
    verdicts = verifier.verify([s.text for s in responses], [golds[p] for p, r in enumerate(share) for _ in r],
                               [f"{ids[p]}#{j}" for p, r in enumerate(share) for j in r],
                               [s.truncated for s in responses]) if responses else []
    verify_s = time.perf_counter() - t
    ours = [Outcome(v, len(s.token_ids), s.truncated, s.text if texts or v.verdict in verdict_monitor.UNGRADED
                    else None) for v, s in zip(verdicts, responses)]
    t = time.perf_counter()
    gathered = world.all_gather((_call_key(prompts, n, seed, group), ours))
    gather_s = time.perf_counter() - t
    if len({key for key, _ in gathered}) != 1:
        raise RuntimeError(f"score{' (' + where + ')' if where else ''}: ranks were asked for different batches "
                           f"(prompts, n, seed or group differ between ranks)")
    every = distributed.concat([part for _, part in gathered])
    if alarm is not None:
        alarm.check([o.verdict for o in every], [o.text or "" for o in every], where)
    outcomes = [every[p * n:(p + 1) * n] for p in range(len(prompts))]
    return Scored(samples, mine, outcomes, generate_s, verify_s, gather_s)
