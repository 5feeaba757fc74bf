"""Choose training prompts from a success profile: positive–negative pairs, or a variance baseline's top k.

  bazel run //python:pair -- --profile=profile.jsonl --p_low=0.3 --p_high=0.7 --strategy=resample --num_pairs=5
  bazel run //python:pair -- --profile=hard.jsonl --profile_neg=easy.jsonl --max_failures=2   # paper-style
  bazel run //python:pair -- --profile=profile.jsonl --method=variance_profile
  bazel run //python:pair -- --method=variance_hist --history=acc_by_epoch.json   # {"id": [acc, ...]}
"""
import json
import sys
from dataclasses import dataclass

from absl import app

from rlvr import config, pairing, runtime, selection
from rlvr.config import arg

@dataclass
class Args:
    profile: str = arg("", "Profile JSONL written by //python:profile (id, n, successes, p_hat, lo, hi).")
    method: str = arg(selection.PAIRS, f"{selection.PAIRS}: q+/q− pairs from the bands; "
                      f"{selection.VARIANCE_PROFILE}: top k by p̂(1−p̂); {selection.VARIANCE_HIST}: top k by variance "
                      "of per-epoch training accuracy (1-shot RLVR).", choices=selection.PICKING)
    p_low: float = arg(0.3, "q+ band: 0 < p ≤ p_low.")
    p_high: float = arg(0.7, "q− band: p_high ≤ p < 1.")
    profile_neg: str = arg("", "Profile of a second pool to draw q− from (q+ then comes from --profile alone), e.g. "
                           "an easy set next to a hard one; ids must not overlap.")
    max_failures: int = arg(0, "> 0: the q− band in failure counts, 1 ≤ failures ≤ max_failures of the profile's "
                            "rollouts, instead of --p_high.", min=0)
    strategy: str = arg("resample", "Pair strategy (online needs training rollouts, so here it behaves like "
                        "resample).", choices=pairing.STRATEGIES)
    rule: str = arg("point", "Band edge on p̂ (point) or on the Wilson bound (interval).", choices=pairing.RULES)
    num_pairs: int = arg(5, "Pairs to print (one per update).", min=1)
    seed: int = arg(0, "Sampler seed.")
    k: int = arg(2, "Prompts a baseline picks.", min=1)
    history: str = arg("", f"JSON {{prompt id: [training accuracy per epoch]}} for {selection.VARIANCE_HIST}.")


config.define_flags(Args)


def _describe(s: pairing.PromptStats) -> str:
    return f"{s.id:<16} p̂={s.p_hat:.3f} ({s.successes:g}/{s.n:g})  CI=[{s.lo:.3f}, {s.hi:.3f}]"


def main(argv):
    del argv
    runtime.enter_caller_directory()
    try:
        args = config.parse(Args)
        if args.method == selection.VARIANCE_HIST:
            if not args.history:
                raise ValueError(f"--method={selection.VARIANCE_HIST} needs --history=<acc_by_epoch.json>")
            with open(args.history, encoding="utf-8") as f:
                history = json.load(f)
            if not isinstance(history, dict):
                raise ValueError(f"--history: expected a JSON object {{id: [accuracy per epoch]}}, got "
                                 f"{type(history).__name__}")
            for rank, pid in enumerate(pairing.select_by_historical_variance(history, args.k), 1):
                print(f"{rank}. {pid:<16} accuracy by epoch {history[pid]}")
            return
        if not args.profile:
            raise ValueError("--profile is required")
        stats = pairing.load_profile(args.profile)
        by_id = {s.id: s for s in stats}
        if args.method == selection.VARIANCE_PROFILE:
            for rank, pid in enumerate(pairing.select_by_profile_variance(stats, args.k), 1):
                print(f"{rank}. {_describe(by_id[pid])}  p̂(1−p̂)={by_id[pid].p_hat * (1 - by_id[pid].p_hat):.3f}")
            return
        neg = pairing.load_profile(args.profile_neg) if args.profile_neg else None
        by_id.update({s.id: s for s in neg or ()})
        plus, minus = pairing.band_candidates(stats, args.p_low, args.p_high, args.rule, neg, args.max_failures)
        print(f"pool {len(stats)} prompts: {pairing.p_hat_histogram(stats)}")
        if neg:
            print(f"q− pool {len(neg)} prompts: {pairing.p_hat_histogram(neg)}")
        minus_band = f"1 ≤ failures ≤ {args.max_failures}" if args.max_failures else f"p ≥ {args.p_high}"
        print(f"q+ band (p ≤ {args.p_low}): {len(plus)} prompts; q− band ({minus_band}): {len(minus)} prompts")
        sampler = pairing.PairSampler(stats, args.strategy, args.p_low, args.p_high, args.seed, rule=args.rule,
                                      neg_stats=neg, max_failures=args.max_failures)
        for step in range(args.num_pairs):
            q_plus, q_minus = sampler.next_pair()
            print(f"update {step}: q+ {_describe(by_id[q_plus])}   q− {_describe(by_id[q_minus])}")
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"error: {e}")


if __name__ == "__main__":
    app.run(main)
