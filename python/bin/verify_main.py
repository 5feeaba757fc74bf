"""Verify a JSONL file of (response, gold[, id]) cases with the C++ verifier.

  bazel run //python:verify -- --input cases.jsonl --output verdicts.jsonl [--verifier_address host:port]
Each output line is the input object plus verdict, extracted, canonical_answer, canonical_gold, reason and
elapsed_us. With no --verifier_address a server is started from the Bazel runfiles and stopped at exit.
"""
import os
import pathlib
import sys

from absl import app, flags

FLAGS = flags.FLAGS
flags.DEFINE_string("input", None, "JSONL file: one object per line with 'response', 'gold' and optional 'id'.")
flags.DEFINE_string("output", None, "Where the verdict JSONL goes (written atomically).")
flags.DEFINE_string("verifier_address", None, "host:port of a running verifier (comma-separated replicas, or "
                    "dns:///name:port); default: start one.")
flags.DEFINE_integer("batch_size", 512, "Items per VerifyBatch call.")
flags.DEFINE_integer("deadline_us", 0, "Per-item budget in microseconds; 0 = the server's default.")
flags.DEFINE_string("auth_token_file", None, "File holding the bearer token the verifier expects.")
flags.DEFINE_string("verifier_tls_ca", None, "PEM CA certificate: talk TLS to the verifier.")
flags.mark_flags_as_required(["input", "output"])


def _user_path(path: str) -> str:
    """Relative paths are relative to where `bazel run` was called, not to the runfiles directory it runs in."""
    return os.path.join(os.environ.get("BUILD_WORKING_DIRECTORY", ""), path)


def main(argv):
    if len(argv) > 1:
        sys.exit(f"error: unexpected arguments {argv[1:]}")
    from rlvr import verifier_client, verify_jsonl
    token = pathlib.Path(FLAGS.auth_token_file).read_text().strip() if FLAGS.auth_token_file else None
    try:
        with verifier_client.open_verifier(FLAGS.verifier_address, batch_size=FLAGS.batch_size,
                                           deadline_us=FLAGS.deadline_us, auth_token=token,
                                           tls_ca=FLAGS.verifier_tls_ca) as verifier:
            summary = verify_jsonl.verify_file(_user_path(FLAGS.input), _user_path(FLAGS.output), verifier)
    except (ValueError, OSError, verifier_client.VerifierError) as e:
        sys.exit(f"error: {e}")
    print(summary.text())
    print(f"verdicts: {_user_path(FLAGS.output)}")


if __name__ == "__main__":
    app.run(main)
