"""Verify a JSONL file of (response, gold[, id, truncated]) cases with the C++ verifier.

  bazel run //python:verify -- --input cases.jsonl --output verdicts.jsonl [--verifier_address host:port]
Each output line is the input object plus verdict, extracted, canonical_answer, canonical_gold, reason and
elapsed_us. With no --verifier_address a server is started from the Bazel runfiles and stopped at exit.
"""
import os
import sys
from dataclasses import dataclass

from absl import app

from rlvr import config
from rlvr.config import arg, group
from rlvr.verifier_client import VerifierSpec


@dataclass
class Args:
    input: str = arg("", "JSONL file: one object per line with 'response', 'gold', and optional 'id' and "
                     "'truncated' (true: cut off by the token limit, graded NO_ANSWER) (required).")
    output: str = arg("", "Where the verdict JSONL goes, written atomically (required).")
    batch_size: int = arg(512, "Items per VerifyBatch call.", min=1)
    deadline_us: int = arg(0, "Per-item budget in microseconds; 0 = the server's default.", min=0)
    keep_truncated_box: bool = arg(False, "A truncated response still counts a \\boxed{} completed before the cut "
                                   "(docs/verifier.md, Truncated responses).")
    verifier: VerifierSpec = group(VerifierSpec, prefix="verifier_")

    def invariants(self) -> None:
        for name in ("input", "output"):
            if not getattr(self, name):
                raise ValueError(f"--{name} is required")


config.define_flags(Args)


def main(argv):
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {argv[1:]}")
    from rlvr import runtime, verifier_client, verify_jsonl

    runtime.enter_caller_directory()
    try:
        args = config.parse(Args)
        with args.verifier.open(batch_size=args.batch_size, deadline_us=args.deadline_us,
                                keep_truncated_box=args.keep_truncated_box) as verifier:
            summary = verify_jsonl.verify_file(args.input, args.output, verifier)
    except (ValueError, OSError, verifier_client.VerifierError) as e:
        sys.exit(f"error: {e}")
    print(summary.text())
    print(f"verdicts: {os.path.abspath(args.output)}")


if __name__ == "__main__":
    app.run(main)
