"""Prompt selection: which prompts each update trains on, behind one `Selector` protocol, and the method
vocabulary of the trainer, the experiment grid, the `pair` binary and the reports — written here once.

Trainer methods (`--method`, the keys of SELECTORS; each one class):
    pairs_wgrpo    one (q+, q−) pair per update from pairing.PairSampler (fixed / resample / online bands)
    variance_grpo  the two prompts with the largest profile p̂(1−p̂), or with the largest historical variance of
                   per-epoch training accuracy when a history (a pool_grpo run's accuracy_by_epoch.json) is given —
                   chosen once, trained every update
    pool_grpo      `pool_batch` prompts per update, walking the pool in a fresh permutation per epoch
Experiment arms (ARMS): a trainer method and where its choice comes from (the pool's profile, or a history pass).

Adding a selector is one class here: `@SELECTORS.register(name)`, the methods of `Selector`; train() never
branches on the method.
"""
from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from rlvr import pairing
from rlvr.pairing import NEUTRAL, Q_MINUS, Q_PLUS
from rlvr.registry import Registry
from rlvr.seeds import derived_seed

PAIRS, VARIANCE, POOL = "pairs_wgrpo", "variance_grpo", "pool_grpo"
PAIR_PROMPTS = 2  # prompts per update of pairs_wgrpo (q+, q−) and variance_grpo (its top two)


@dataclass(frozen=True)
class Pick:
    """One update's prompts and each prompt's role (weighted_grpo.Q_PLUS / Q_MINUS / NEUTRAL)."""
    ids: list[str]
    roles: list[str]


Profile = Callable[[], Sequence[pairing.PromptStats]]  # the pool's success profile, computed only when asked for


class Selector(Protocol):
    @classmethod
    def prompts_per_update(cls, cfg) -> int: ...       # known from the config alone (every rank sizes its shard)

    @classmethod
    def build(cls, cfg, pool_ids: Sequence[str], profile: Profile) -> Selector: ...

    def next(self, step: int) -> Pick: ...              # the prompts of update `step` (1-based)

    def observe(self, ids: Sequence[str], rewards: Sequence[Sequence[float]]) -> None: ...  # that update's rewards

    def metrics(self) -> dict[str, Any]: ...            # extra fields of the update's metrics row

    def artifacts(self) -> dict[str, Any]: ...          # JSON files for the run dir at the end: {name: object}

    def state_dict(self) -> dict[str, Any]: ...

    def load_state_dict(self, state: Mapping[str, Any]) -> None: ...


SELECTORS: Registry[type[Selector]] = Registry("method")


@SELECTORS.register(PAIRS)
class PairSelector:
    """pairs_wgrpo: (q+, q−) from the PairSampler. Under pairing=online, re-estimation may empty a band; the last
    pair is then trained again and the update counted (`pairing/band_empty_updates`)."""

    def __init__(self, sampler: pairing.PairSampler):
        self.sampler = sampler
        self.last_pair: list[str] | None = None
        self.band_empty_updates = 0

    @classmethod
    def prompts_per_update(cls, cfg) -> int:
        return PAIR_PROMPTS

    @classmethod
    def build(cls, cfg, pool_ids, profile):
        return cls(pairing.PairSampler(profile(), strategy=cfg.pairing, p_low=cfg.p_low, p_high=cfg.p_high,
                                       seed=cfg.seed, rule=cfg.pair_rule, decay=cfg.online_decay))

    def next(self, step):
        try:
            pair = list(self.sampler.next_pair())
        except ValueError:
            if self.sampler.strategy != "online" or self.last_pair is None:
                raise
            pair = self.last_pair
            self.band_empty_updates += 1
        self.last_pair = pair
        return Pick(pair, [Q_PLUS, Q_MINUS])

    def observe(self, ids, rewards):
        if self.sampler.strategy == "online":
            for i, r in zip(ids, rewards):
                self.sampler.update(i, int(sum(r)), len(r))

    def metrics(self):
        return {"pairing/band_empty_updates": self.band_empty_updates}

    def artifacts(self):
        return {}

    def state_dict(self):
        return {"sampler": self.sampler.state_dict(), "last_pair": self.last_pair,
                "band_empty_updates": self.band_empty_updates}

    def load_state_dict(self, state):
        self.sampler.load_state_dict(state["sampler"])
        self.last_pair, self.band_empty_updates = state["last_pair"], state["band_empty_updates"]


@SELECTORS.register(VARIANCE)
class VariancePicks:
    """variance_grpo: the top PAIR_PROMPTS prompts by historical variance (cfg.history) or by profile p̂(1−p̂),
    chosen once (deterministically, so a resume re-derives them) and trained every update as neutral prompts."""

    def __init__(self, ids: Sequence[str]):
        self.ids = list(ids)

    @classmethod
    def prompts_per_update(cls, cfg) -> int:
        return PAIR_PROMPTS

    @classmethod
    def build(cls, cfg, pool_ids, profile):
        if cfg.history:
            with open(cfg.history, encoding="utf-8") as f:
                return cls(pairing.select_by_historical_variance(json.load(f), k=PAIR_PROMPTS))
        return cls(pairing.select_by_profile_variance(profile(), k=PAIR_PROMPTS))

    def next(self, step):
        return Pick(list(self.ids), [NEUTRAL] * len(self.ids))

    def observe(self, ids, rewards):
        pass

    def metrics(self):
        return {}

    def artifacts(self):
        return {}

    def state_dict(self):
        return {}

    def load_state_dict(self, state):
        pass


@SELECTORS.register(POOL)
class PoolWalk:
    """pool_grpo: the pool in a permutation per epoch derived from (seed, epoch), `batch` prompts per update — no
    state to resume the walk. It records each prompt's training accuracy per epoch, written at the end as
    accuracy_by_epoch.json (the history behind variance_grpo's historical variance)."""

    def __init__(self, ids: Sequence[str], batch: int, seed: int):
        if batch > len(ids):
            raise ValueError(f"pool_batch={batch} exceeds the pool size {len(ids)}")
        self.ids, self.batch, self.seed = list(ids), batch, seed
        self._perms: dict[int, list[str]] = {}
        self._epochs: list[int] = []
        self.acc_by_epoch: dict[str, dict[str, float]] = {}

    @classmethod
    def prompts_per_update(cls, cfg) -> int:
        return cfg.pool_batch

    @classmethod
    def build(cls, cfg, pool_ids, profile):
        return cls(pool_ids, cfg.pool_batch, cfg.seed)

    def _perm(self, epoch: int) -> list[str]:
        if epoch not in self._perms:
            order = list(self.ids)
            random.Random(derived_seed(self.seed, "epoch", epoch)).shuffle(order)
            self._perms = {epoch: order}
        return self._perms[epoch]

    def batch_at(self, step: int) -> list[tuple[str, int]]:
        """(prompt id, epoch) for update `step` (1-based)."""
        n = len(self.ids)
        return [(self._perm(k // n)[k % n], k // n) for k in range((step - 1) * self.batch, step * self.batch)]

    def next(self, step):
        picked = self.batch_at(step)
        self._epochs = [e for _, e in picked]
        return Pick([i for i, _ in picked], [NEUTRAL] * len(picked))

    def observe(self, ids, rewards):
        for i, e, r in zip(ids, self._epochs, rewards):
            self.acc_by_epoch.setdefault(i, {})[str(e)] = math.fsum(r) / len(r)

    def metrics(self):
        return {}

    def artifacts(self):
        return {"accuracy_by_epoch.json": {i: [acc[k] for k in sorted(acc, key=int)]
                                           for i, acc in self.acc_by_epoch.items()}}

    def state_dict(self):
        return {"acc_by_epoch": self.acc_by_epoch}

    def load_state_dict(self, state):
        self.acc_by_epoch = {i: dict(acc) for i, acc in state["acc_by_epoch"].items()}


# --- the experiment's arms ------------------------------------------------------------------------------------

PROFILE, HISTORY = "profile", "history"  # where an arm's prompt choice comes from


@dataclass(frozen=True)
class Arm:
    method: str | None   # the trainer method it runs (None: no training)
    source: str | None   # PROFILE (the pool's success profile), HISTORY (a full-pool GRPO pass) or None


VARIANCE_HIST, VARIANCE_PROFILE, NO_TRAINING = "variance_hist", "variance_profile", "no_training"
ARMS: dict[str, Arm] = {
    PAIRS: Arm(PAIRS, PROFILE),
    VARIANCE_HIST: Arm(VARIANCE, HISTORY),        # 1-shot RLVR's historical-variance pick
    VARIANCE_PROFILE: Arm(VARIANCE, PROFILE),
    POOL: Arm(POOL, None),
    NO_TRAINING: Arm(None, None),
}
TRAINED = tuple(name for name, arm in ARMS.items() if arm.method)


def arm_of(row: str) -> Arm:
    """The arm behind a grid row: an arm's name, or an ablation row `<arm>[key=value+...]` (experiment.py)."""
    return ARMS[row.split("[", 1)[0]]
PICKING = tuple(name for name, arm in ARMS.items() if arm.source)  # arms that choose prompts (the pair binary)
