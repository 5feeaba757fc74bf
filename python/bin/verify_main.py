"""Verify a JSONL file of (response, gold[, id, truncated]) cases with the C++ verifier.

  bazel run //python:verify -- --input cases.jsonl --output verdicts.jsonl [--verifier_address host:port]
Each output line is the input object plus verdict, extracted, canonical_answer, canonical_gold, reason and
elapsed_us. With no --verifier_address a server is started from the Bazel runfiles and stopped at exit.
"""
import os
import sys

from absl import app, flags

from rlvr import verifier_flags

FLAGS = flags.FLAGS
flags.adopt_module_key_flags(verifier_flags)  # --verifier_* in --help
flags.DEFINE_string("input", None, "JSONL file: one object per line with 'response', 'gold', and optional 'id' and "
                    "'truncated' (true: cut off by the token limit, graded NO_ANSWER).")
flags.DEFINE_string("output", None, "Where the verdict JSONL goes (written atomically).")
flags.DEFINE_integer("batch_size", 512, "Items per VerifyBatch call.")
flags.DEFINE_integer("deadline_us", 0, "Per-item budget in microseconds; 0 = the server's default.")
flags.DEFINE_boolean("keep_truncated_box", False, "A truncated response still counts a \\boxed{} completed before "
                     "the cut (docs/verifier.md, Truncated responses).")
flags.mark_flags_as_required(["input", "output"])


def main(argv):
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {argv[1:]}")
    from rlvr import runtime, verifier_client, verify_jsonl

    runtime.enter_caller_directory()
    try:
        with verifier_flags.open_verifier(batch_size=FLAGS.batch_size, deadline_us=FLAGS.deadline_us,
                                          keep_truncated_box=FLAGS.keep_truncated_box) as verifier:
            summary = verify_jsonl.verify_file(FLAGS.input, FLAGS.output, verifier)
    except (ValueError, OSError, verifier_client.VerifierError) as e:
        sys.exit(f"error: {e}")
    print(summary.text())
    print(f"verdicts: {os.path.abspath(FLAGS.output)}")


if __name__ == "__main__":
    app.run(main)
