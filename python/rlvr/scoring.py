"""The one sample → verify → group step, shared by training, profiling and evaluation: n samples per prompt from
the rollout engine, every response verified against its prompt's gold answer, results grouped [prompt][sample].
This is where the reward is made (binary: verdict CORRECT → 1.0), so a second reward lands here and nowhere else.
The verifier is told which responses the engine cut off at max_tokens (Sample.truncated → NO_ANSWER), and the
verdicts are counted here (verdict_monitor): a verifier that cannot answer raises (VerifierError), and one that
cannot grade most responses sets off the caller's alarm; neither turns silently into zero rewards.
"""
from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from rlvr import verdict_monitor
from rlvr.config import Sampling


@dataclass
class Scored:
    samples: list[list]       # [prompt][sample] rollout.Sample
    verdicts: list[list]      # [prompt][sample] verifier_client.Verdict, aligned with samples
    generate_s: float         # seconds in the engine
    verify_s: float           # seconds waiting for the verifier

    def rewards(self) -> list[list[float]]:
        """[prompt][sample] binary rewards: 1.0 for a verified-correct response, else 0.0."""
        return [[float(v.correct) for v in row] for row in self.verdicts]

    def verdict_metrics(self) -> dict[str, float]:
        """`verdict/<NAME>` counts and `verdict/ungraded_share` over every response (verdict_monitor)."""
        return verdict_monitor.verdict_metrics([v for row in self.verdicts for v in row])


def score(engine, prompts: Sequence[str], n: int, sampling: Sampling, verifier, golds: Sequence[str],
          ids: Sequence[str], seed: int | None, alarm: verdict_monitor.UngradedAlarm | None = None,
          where: str = "") -> Scored:
    """n samples of each prompt (seeded: a prompt's samples depend on the weights, seed and prompt only),
    verified against golds[p]; a response's verdict id is `<ids[p]>#<j>`. `alarm` (with `where`, e.g. "update 3")
    checks the batch's ungraded share."""
    if not len(prompts) == len(golds) == len(ids):
        raise ValueError(f"score: {len(prompts)} prompts, {len(golds)} golds and {len(ids)} ids must match")
    t = time.perf_counter()
    samples = engine.generate(list(prompts), n=n, temperature=sampling.temperature, top_p=sampling.top_p,
                              max_tokens=sampling.max_tokens, seed=seed)
    generate_s = time.perf_counter() - t
    t = time.perf_counter()
    responses = [s for row in samples for s in row]
    texts = [s.text for s in responses]
    flat = verifier.verify(texts, [g for g in golds for _ in range(n)], [f"{i}#{j}" for i in ids for j in range(n)],
                           [s.truncated for s in responses])
    if alarm is not None:
        alarm.check(flat, texts, where)
    verdicts = [flat[p * n:(p + 1) * n] for p in range(len(prompts))]
    return Scored(samples, verdicts, generate_s, time.perf_counter() - t)
