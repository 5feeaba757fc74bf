"""Verdict counts per batch, and the alarm that keeps a verifier problem from becoming a silent zero reward.

Every verdict but CORRECT is a zero reward. INCORRECT is a graded wrong answer; the others (NO_ANSWER, UNPARSEABLE,
TIMEOUT, INVALID) mean the verifier could not grade the response — a prompt asking for a format the model does not
write, answers the verifier cannot read, limits too tight. A batch mostly of those trains on noise, so the counts
are logged every update and a warning names an example once their share passes a threshold.
"""
from __future__ import annotations

import collections
import logging
from typing import Sequence

VERDICTS = ("CORRECT", "INCORRECT", "NO_ANSWER", "UNPARSEABLE", "TIMEOUT", "INVALID")
UNGRADED = ("NO_ANSWER", "UNPARSEABLE", "TIMEOUT", "INVALID")
logger = logging.getLogger(__name__)


def verdict_metrics(verdicts: Sequence) -> dict[str, float]:
    """`verdict/<NAME>`: how many of `verdicts` (verifier_client.Verdict) have each verdict (all six, zeros too),
    and `verdict/ungraded_share`: the share that the verifier could not grade."""
    counts = collections.Counter(v.verdict for v in verdicts)
    row = {f"verdict/{name}": counts[name] for name in VERDICTS}
    row["verdict/ungraded_share"] = sum(counts[n] for n in UNGRADED) / len(verdicts) if verdicts else 0.0
    return row


class UngradedAlarm:
    """Warns once per run when a batch's ungraded share exceeds `max_share`, naming an example response."""

    def __init__(self, max_share: float):
        if not 0.0 <= max_share <= 1.0:
            raise ValueError(f"max_ungraded_share must be in [0, 1], got {max_share}")
        self.max_share = max_share
        self.fired = False

    def check(self, verdicts: Sequence, responses: Sequence[str], where: str) -> bool:
        """True when this batch set the alarm off (the first time only). `where`: e.g. "update 3"."""
        ungraded = [(v, r) for v, r in zip(verdicts, responses) if v.verdict in UNGRADED]
        if self.fired or not verdicts or len(ungraded) / len(verdicts) <= self.max_share:
            return False
        self.fired = True
        counts = collections.Counter(v.verdict for v, _ in ungraded)
        example, text = ungraded[0]
        logger.warning(
            "%s: %d of %d responses (%.0f%%) were not graded (%s), over --max_ungraded_share=%g: their zero reward "
            "says nothing about the answer. Check the prompt format, max_tokens (truncated responses are NO_ANSWER) "
            "and the verifier's limits. Example %s, %s (%s): %r. (Warned once per run; verdict/* in the metrics "
            "count every update.)", where, len(ungraded), len(verdicts), 100 * len(ungraded) / len(verdicts),
            ", ".join(f"{n} {c}" for n, c in counts.most_common()), self.max_share, example.id, example.verdict,
            example.reason or "no reason given", text[:300])
        return True
