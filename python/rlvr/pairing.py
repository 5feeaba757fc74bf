"""Positive–negative pair sampling from a success profile, and the variance-based baseline selectors.

    q+ (hard-but-solvable):  0 < p ≤ p_low     q− (easy-but-brittle):  p_high ≤ p < 1
                                                or, in failure counts:  1 ≤ n − c ≤ max_failures

One q+ and one q− per update (docs/method.md). The profile is the table written by profiling: per prompt, n
rollouts with c verified successes, p̂ = c/n and a Wilson interval [L, U] (estimators.wilson_interval).
q+ and q− may come from one pool or, as in the paper's recipe, from two (a hard pool for q+, an easy one for q−).
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from rlvr import files
from rlvr.estimators import wilson_interval

Strategy = Literal["fixed", "resample", "online"]
Rule = Literal["point", "interval"]
STRATEGIES = ("fixed", "resample", "online")
RULES = ("point", "interval")

# Roles of a prompt in an update (weighted_grpo weights by them).
Q_PLUS = "q+"      # hard-but-solvable: rare successes get weight α
Q_MINUS = "q-"     # easy-but-brittle: rare failures get weight β
NEUTRAL = "neutral"  # baselines (variance-selected prompts, full pool): plain GRPO
ROLES = (Q_PLUS, Q_MINUS, NEUTRAL)


@dataclass(frozen=True)
class PromptStats:
    """Success profile of one prompt: `successes` verified correct out of `n` rollouts, p̂ and Wilson [lo, hi].

    n and successes are floats only for online estimates with decayed (effective) counts.
    """
    id: str
    n: float
    successes: float
    p_hat: float
    lo: float
    hi: float

    @classmethod
    def from_counts(cls, id: str, successes: float, n: float, delta: float = 0.05) -> "PromptStats":
        lo, hi = wilson_interval(successes, n, delta)
        return cls(id=id, n=n, successes=successes, p_hat=successes / n, lo=lo, hi=hi)


# --- bands --------------------------------------------------------------------------------------------------

def _check_band(p_low: float, p_high: float) -> None:
    if not 0.0 < p_low < p_high < 1.0:
        raise ValueError(f"bands need 0 < p_low < p_high < 1, got p_low={p_low}, p_high={p_high}")


def is_q_plus(s: PromptStats, p_low: float, rule: Rule = "point") -> bool:
    """Hard-but-solvable: certainly solvable (L > 0, i.e. at least one verified success) and hard.

    rule="point":    p̂ ≤ p_low — the default. With a profile of K = 8–32 rollouts, U ≤ p_low would leave
                     almost nobody (K = 16, c = 1 gives U ≈ 0.28), so the band edge uses the point estimate and
                     the interval guards the degenerate end: L > 0 ⇔ c ≥ 1 for Wilson, and a single verified
                     success proves p > 0 (the verifier is deterministic), so q+ can never be an unsolvable prompt.
    rule="interval": U ≤ p_low — hard with confidence 1 − δ as well; for large profiles (K ≥ 64).
    """
    hard = s.hi <= p_low if rule == "interval" else s.p_hat <= p_low
    return s.lo > 0.0 and s.successes > 0 and hard


def is_q_minus(s: PromptStats, p_high: float, rule: Rule = "point", max_failures: int = 0) -> bool:
    """Easy-but-brittle, the mirror image: U < 1 (at least one verified failure) and p̂ ≥ p_high
    (rule="point") or L ≥ p_high (rule="interval").

    max_failures = c > 0 replaces the p̂ edge with failure counts, the form reported for the paper:
    1 ≤ failures ≤ c among the profile's n rollouts (p̂ ∈ [1 − c/n, 1 − 1/n]; with n = G, "1 to c of G failed")."""
    if max_failures:
        return s.hi < 1.0 and 1 <= s.n - s.successes <= max_failures
    easy = s.lo >= p_high if rule == "interval" else s.p_hat >= p_high
    return s.hi < 1.0 and s.successes < s.n and easy


def p_hat_histogram(stats: Sequence[PromptStats], bins: int = 10) -> str:
    """Text histogram of the pool's p̂, with the degenerate p̂ = 0 and p̂ = 1 counted apart (for error messages)."""
    zero = sum(1 for s in stats if s.successes == 0)
    one = sum(1 for s in stats if s.successes == s.n)
    counts = [0] * bins
    for s in stats:
        if 0 < s.successes < s.n:
            counts[min(int(s.p_hat * bins), bins - 1)] += 1
    parts = [f"p̂=0: {zero}"]
    parts += [f"{'(' if i == 0 else '['}{i / bins:.1f},{(i + 1) / bins:.1f}): {c}" for i, c in enumerate(counts) if c]
    parts.append(f"p̂=1: {one}")
    return ", ".join(parts)


def _check_two_pools(stats: Sequence[PromptStats], neg_stats: Sequence[PromptStats] | None) -> None:
    if neg_stats is not None:
        shared = sorted({s.id for s in stats} & {s.id for s in neg_stats})
        if shared:
            raise ValueError(f"the q+ and q− pools share prompt ids {shared[:5]}; two pools must be disjoint")


def band_candidates(
    stats: Sequence[PromptStats], p_low: float, p_high: float, rule: Rule = "point",
    neg_stats: Sequence[PromptStats] | None = None, max_failures: int = 0,
) -> tuple[list[str], list[str]]:
    """(q+ ids, q− ids), each sorted by id; ValueError naming the empty band and showing the p̂ histogram.

    q+ comes from `stats`, q− from `neg_stats` when given (two pools, e.g. a hard and an easy file), else from
    `stats` too. max_failures > 0: the q− band in failure counts (see is_q_minus)."""
    _check_band(p_low, p_high)
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    if isinstance(max_failures, bool) or not isinstance(max_failures, int) or max_failures < 0:
        raise ValueError(f"max_failures must be an int >= 0 (0: the band edge is p_high), got {max_failures!r}")
    _check_two_pools(stats, neg_stats)
    neg = stats if neg_stats is None else neg_stats
    plus = sorted(s.id for s in stats if is_q_plus(s, p_low, rule))
    minus = sorted(s.id for s in neg if is_q_minus(s, p_high, rule, max_failures))
    minus_need = (f"1 ≤ failures ≤ max_failures={max_failures}" if max_failures else
                  f"failures ≥ 1 and {'L' if rule == 'interval' else 'p̂'} ≥ p_high={p_high}")
    for name, ids, need, pool in (
        ("q+ (hard-but-solvable)", plus, f"successes ≥ 1 and {'U' if rule == 'interval' else 'p̂'} ≤ p_low={p_low}",
         stats),
        ("q− (easy-but-brittle)", minus, minus_need, neg),
    ):
        if not ids:
            raise ValueError(
                f"the {name} band is empty: no prompt has {need} (rule={rule!r}); pool of {len(pool)} prompts, "
                f"{p_hat_histogram(pool)}. Widen the band, profile with more rollouts, or use another pool."
            )
    return plus, minus


# --- sampler ------------------------------------------------------------------------------------------------

class PairSampler:
    """Picks (q+, q−) for each update.

    strategy="fixed":    one pair drawn (uniformly within each band, from `seed`) and returned every update.
    strategy="resample": a fresh pair drawn uniformly from the two bands at every update.
    strategy="online":   like "resample", but bands are re-estimated from training rollouts via `update()`:
                         per prompt, exponentially decayed counts
                             C ← γ·C + c,   N ← γ·N + n      (γ = decay, starting from the profile's counts)
                         so p̂ = C/N follows the current policy; the steady-state memory is n/(1 − γ) rollouts
                         (γ = 0.75 and G = 8: the last ~4 visits). γ = 1 pools everything (stationary policy).
                         Prompts never trained on keep their profile estimate.

    Two pools: with `neg_stats`, q+ is drawn from `stats` and q− from `neg_stats` (disjoint ids); online
    re-estimation covers both. max_failures > 0 sets the q− band in failure counts (is_q_minus).

    The RNG is a private `random.Random(seed)`; `state_dict()` captures it, so a resumed sampler continues the
    exact sequence.
    """

    def __init__(
        self,
        stats: Sequence[PromptStats],
        strategy: Strategy = "resample",
        p_low: float = 0.3,
        p_high: float = 0.7,
        seed: int = 0,
        rule: Rule = "point",
        decay: float = 0.75,
        delta: float = 0.05,
        neg_stats: Sequence[PromptStats] | None = None,
        max_failures: int = 0,
    ):
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
        if not 0.0 < decay <= 1.0:
            raise ValueError(f"decay must lie in (0, 1], got {decay!r}")
        for pool in (stats, neg_stats or ()):
            ids = [s.id for s in pool]
            if len(set(ids)) != len(ids):
                raise ValueError("profile has duplicate prompt ids")
        self.strategy, self.p_low, self.p_high = strategy, p_low, p_high
        self.seed, self.rule, self.decay, self.delta = seed, rule, decay, delta
        self.max_failures = max_failures
        # fail at construction, not at the first update (also checks that two pools are disjoint)
        band_candidates(stats, p_low, p_high, rule, neg_stats, max_failures)
        self._stats = {s.id: s for s in [*stats, *(neg_stats or ())]}
        self._neg_ids = None if neg_stats is None else frozenset(s.id for s in neg_stats)
        self._rng = random.Random(seed)
        self._fixed = self._draw() if strategy == "fixed" else None

    def stats(self) -> list[PromptStats]:
        """Current per-prompt estimates (the profile, plus training rollouts under the online strategy)."""
        return list(self._stats.values())

    def _draw(self) -> tuple[str, str]:
        if self._neg_ids is None:
            pos, neg = list(self._stats.values()), None
        else:
            pos = [s for i, s in self._stats.items() if i not in self._neg_ids]
            neg = [s for i, s in self._stats.items() if i in self._neg_ids]
        plus, minus = band_candidates(pos, self.p_low, self.p_high, self.rule, neg, self.max_failures)
        return self._rng.choice(plus), self._rng.choice(minus)

    def next_pair(self) -> tuple[str, str]:
        """(q_plus_id, q_minus_id) for the next update."""
        return self._fixed if self._fixed is not None else self._draw()

    def update(self, prompt_id: str, successes: int, n: int) -> None:
        """Fold n training rollouts with `successes` verified correct into prompt_id's estimate (online only)."""
        if self.strategy != "online":
            raise ValueError(f"update() re-estimates bands for strategy='online' only, this sampler is {self.strategy!r}")
        if prompt_id not in self._stats:
            raise KeyError(f"unknown prompt id {prompt_id!r}")
        if not (isinstance(n, int) and n >= 1 and isinstance(successes, int) and 0 <= successes <= n):
            raise ValueError(f"update needs ints 0 ≤ successes ≤ n, n ≥ 1; got successes={successes!r}, n={n!r}")
        old = self._stats[prompt_id]
        self._stats[prompt_id] = PromptStats.from_counts(
            prompt_id, self.decay * old.successes + successes, self.decay * old.n + n, self.delta)

    def _config(self) -> dict:
        return {"strategy": self.strategy, "p_low": self.p_low, "p_high": self.p_high, "seed": self.seed,
                "rule": self.rule, "decay": self.decay, "delta": self.delta, "max_failures": self.max_failures,
                "two_pools": self._neg_ids is not None}

    def state_dict(self) -> dict:
        """JSON-serialisable state: config (checked on load), RNG state, fixed pair and online counts."""
        version, internal, gauss_next = self._rng.getstate()
        return {
            "config": self._config(),
            "rng": [version, list(internal), gauss_next],
            "fixed": list(self._fixed) if self._fixed is not None else None,
            "counts": {i: [s.successes, s.n] for i, s in self._stats.items()} if self.strategy == "online" else None,
        }

    def load_state_dict(self, state: Mapping) -> None:
        """Restore a state from `state_dict()`; the sampler must have been built with the same config and pool."""
        if dict(state["config"]) != self._config():
            raise ValueError(f"sampler state was saved with config {state['config']}, this sampler has {self._config()}")
        version, internal, gauss_next = state["rng"]
        self._rng.setstate((version, tuple(internal), gauss_next))
        self._fixed = tuple(state["fixed"]) if state["fixed"] is not None else None
        if state["counts"] is not None:
            if set(state["counts"]) != set(self._stats):
                raise ValueError("sampler state was saved for a different prompt pool (ids differ)")
            self._stats = {i: PromptStats.from_counts(i, c, n, self.delta) for i, (c, n) in state["counts"].items()}


# --- baselines ----------------------------------------------------------------------------------------------

def _top_k(scores: Mapping[str, float], k: int, what: str) -> list[str]:
    if not 1 <= k <= len(scores):
        raise ValueError(f"k must lie in [1, {len(scores)}] for {what}, got k={k}")
    return sorted(scores, key=lambda i: (-scores[i], i))[:k]  # ties: smaller id first


def select_by_historical_variance(acc_by_epoch: Mapping[str, Sequence[float]], k: int = 2) -> list[str]:
    """1-shot RLVR's ranking: the k prompts with the largest variance of training accuracy across epochs,

        score(q) = Var_e(s_{q,e}) = 1/E Σ_e (s_{q,e} − s̄_q)²

    from a GRPO run over the whole pool (s_{q,e}: prompt q's accuracy in epoch e). Ties go to the smaller id.
    """
    scores = {}
    for i, accs in acc_by_epoch.items():
        accs = [float(a) for a in accs]
        if not accs or not all(0.0 <= a <= 1.0 for a in accs):
            raise ValueError(f"accuracies of prompt {i!r} must be a non-empty list in [0, 1], got {accs!r}")
        mean = math.fsum(accs) / len(accs)
        scores[i] = math.fsum((a - mean) ** 2 for a in accs) / len(accs)
    return _top_k(scores, k, "historical variance")


def select_by_profile_variance(stats: Sequence[PromptStats], k: int = 2) -> list[str]:
    """The k prompts with the largest Bernoulli variance p̂(1 − p̂) from the profile (maximal at p̂ = 1/2).
    Ties go to the smaller id."""
    return _top_k({s.id: s.p_hat * (1.0 - s.p_hat) for s in stats}, k, "profile variance")


# --- profile file -------------------------------------------------------------------------------------------

def load_profile(path: str, delta: float = 0.05) -> list[PromptStats]:
    """Read a profile JSONL (one object per prompt: id, problem, answer, n, successes, p_hat, lo, hi, model,
    template). n and successes are required; p_hat must equal successes/n; lo/hi are taken from the file when
    present (profiling chose their δ) and computed with `delta` otherwise. One model and template per file."""
    stats, keys = [], set()
    try:
        rows = list(files.read_jsonl(path))
    except OSError as e:
        raise ValueError(f"cannot read profile {path!r}: {e}") from e
    for lineno, row in rows:
        where = f"{path}:{lineno}"
        if not isinstance(row, dict):
            raise ValueError(f"{where}: expected a JSON object, got {type(row).__name__}")
        missing = [k for k in ("id", "n", "successes") if k not in row]
        if missing:
            raise ValueError(f"{where}: missing field(s) {missing}; a profile row needs id, n, successes")
        pid, n, c = str(row["id"]), row["n"], row["successes"]
        if not (isinstance(n, int) and isinstance(c, int) and n >= 1 and 0 <= c <= n):
            raise ValueError(f"{where}: need integers n ≥ 1 and 0 ≤ successes ≤ n, got n={n!r}, successes={c!r}")
        if "p_hat" in row and abs(float(row["p_hat"]) - c / n) > 1e-9:
            raise ValueError(f"{where}: p_hat={row['p_hat']} disagrees with successes/n = {c}/{n}")
        if "lo" in row and "hi" in row:
            lo, hi = float(row["lo"]), float(row["hi"])
            if not 0.0 <= lo <= c / n <= hi <= 1.0:
                raise ValueError(f"{where}: interval [lo={lo}, hi={hi}] must contain p_hat={c / n} within [0, 1]")
            stats.append(PromptStats(pid, n, c, c / n, lo, hi))
        else:
            stats.append(PromptStats.from_counts(pid, c, n, delta))
        keys.add((row.get("model"), row.get("template")))
    if not stats:
        raise ValueError(f"profile {path!r} has no rows")
    if len(keys) > 1:
        raise ValueError(f"profile {path!r} mixes (model, template) keys {sorted(map(str, keys))}; use one per file")
    ids = [s.id for s in stats]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"profile {path!r} has duplicate ids {dup[:5]}")
    return stats
