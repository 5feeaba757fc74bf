"""Choose training prompts from a success profile: positive–negative pairs, or a variance baseline's top k.

  bazel run //python:pair -- --profile=profile.jsonl --p_low=0.3 --p_high=0.7 --strategy=resample --num_pairs=5
  bazel run //python:pair -- --profile=hard.jsonl --profile_neg=easy.jsonl --max_failures=2   # paper-style
  bazel run //python:pair -- --profile=profile.jsonl --method=profile_variance
  bazel run //python:pair -- --method=historical_variance --history=acc_by_epoch.json   # {"id": [acc, ...]}
"""
import json
import sys

from absl import app, flags

from rlvr import pairing, runtime

FLAGS = flags.FLAGS
flags.DEFINE_string("profile", None, "Profile JSONL written by //python:profile (id, n, successes, p_hat, lo, hi).")
flags.DEFINE_enum("method", "pairs", ["pairs", "profile_variance", "historical_variance"],
                  "pairs: q+/q− pairs from the bands; profile_variance: top k by p̂(1−p̂); historical_variance: "
                  "top k by variance of per-epoch training accuracy (1-shot RLVR).")
flags.DEFINE_float("p_low", 0.3, "q+ band: 0 < p ≤ p_low.")
flags.DEFINE_float("p_high", 0.7, "q− band: p_high ≤ p < 1.")
flags.DEFINE_string("profile_neg", None, "Profile of a second pool to draw q− from (q+ then comes from --profile "
                    "alone), e.g. an easy set next to a hard one; ids must not overlap.")
flags.DEFINE_integer("max_failures", 0, "> 0: the q− band in failure counts, 1 ≤ failures ≤ max_failures of the "
                     "profile's rollouts, instead of --p_high.")
flags.DEFINE_enum("strategy", "resample", list(pairing.STRATEGIES), "Pair strategy (online needs training "
                  "rollouts, so here it behaves like resample).")
flags.DEFINE_enum("rule", "point", list(pairing.RULES), "Band edge on p̂ (point) or on the Wilson bound (interval).")
flags.DEFINE_integer("num_pairs", 5, "Pairs to print (one per update).")
flags.DEFINE_integer("seed", 0, "Sampler seed.")
flags.DEFINE_integer("k", 2, "Prompts a baseline picks.")
flags.DEFINE_string("history", None, "JSON {prompt id: [training accuracy per epoch]} for historical_variance.")


def _describe(s: pairing.PromptStats) -> str:
    return f"{s.id:<16} p̂={s.p_hat:.3f} ({s.successes:g}/{s.n:g})  CI=[{s.lo:.3f}, {s.hi:.3f}]"


def main(argv):
    del argv
    runtime.enter_caller_directory()
    try:
        if FLAGS.method == "historical_variance":
            if not FLAGS.history:
                raise ValueError("--method=historical_variance needs --history=<acc_by_epoch.json>")
            with open(FLAGS.history, encoding="utf-8") as f:
                history = json.load(f)
            if not isinstance(history, dict):
                raise ValueError(f"--history: expected a JSON object {{id: [accuracy per epoch]}}, got {type(history).__name__}")
            for rank, pid in enumerate(pairing.select_by_historical_variance(history, FLAGS.k), 1):
                print(f"{rank}. {pid:<16} accuracy by epoch {history[pid]}")
            return
        if not FLAGS.profile:
            raise ValueError("--profile is required")
        stats = pairing.load_profile(FLAGS.profile)
        by_id = {s.id: s for s in stats}
        if FLAGS.method == "profile_variance":
            for rank, pid in enumerate(pairing.select_by_profile_variance(stats, FLAGS.k), 1):
                print(f"{rank}. {_describe(by_id[pid])}  p̂(1−p̂)={by_id[pid].p_hat * (1 - by_id[pid].p_hat):.3f}")
            return
        neg = pairing.load_profile(FLAGS.profile_neg) if FLAGS.profile_neg else None
        by_id.update({s.id: s for s in neg or ()})
        plus, minus = pairing.band_candidates(stats, FLAGS.p_low, FLAGS.p_high, FLAGS.rule, neg, FLAGS.max_failures)
        print(f"pool {len(stats)} prompts: {pairing.p_hat_histogram(stats)}")
        if neg:
            print(f"q− pool {len(neg)} prompts: {pairing.p_hat_histogram(neg)}")
        minus_band = f"1 ≤ failures ≤ {FLAGS.max_failures}" if FLAGS.max_failures else f"p ≥ {FLAGS.p_high}"
        print(f"q+ band (p ≤ {FLAGS.p_low}): {len(plus)} prompts; q− band ({minus_band}): {len(minus)} prompts")
        sampler = pairing.PairSampler(stats, FLAGS.strategy, FLAGS.p_low, FLAGS.p_high, FLAGS.seed, rule=FLAGS.rule,
                                      neg_stats=neg, max_failures=FLAGS.max_failures)
        for step in range(FLAGS.num_pairs):
            q_plus, q_minus = sampler.next_pair()
            print(f"update {step}: q+ {_describe(by_id[q_plus])}   q− {_describe(by_id[q_minus])}")
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"error: {e}")


if __name__ == "__main__":
    app.run(main)
