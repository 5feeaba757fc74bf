"""Real model responses as verifier material: collect them from `evaluate` output, grade them with our verifier
(as built now, not the verdicts recorded at evaluation time) and with Math-Verify, and show where the two disagree.

  bazel run //tools:model_responses -- --eval_dirs=/tmp/base_t06 --output=tools/data/smollm2_responses.jsonl

Each input directory is an `//python:evaluate --output_dir` (its `<set>.verdicts.jsonl` files). The output has one
line per response: set, problem id, sample index, response, gold, truncated (cut at max_tokens: our verifier is
told so and gives NO_ANSWER, docs/verifier.md "Truncated responses"), our verdict, extracted answer and reason,
Math-Verify's verdict. The disagreements are printed for triage
(docs/verifier.md, "Real model responses").
"""
import collections
import glob
import os
import pathlib
import sys

from absl import app, flags

from rlvr import config, files, runtime, verifier_client

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import math_verify_oracle  # noqa: E402  (a sibling file: the tools' one way of calling Math-Verify)

FLAGS = flags.FLAGS
flags.DEFINE_list("eval_dirs", None, "evaluate output directories holding <set>.verdicts.jsonl files.")
flags.DEFINE_string("output", None, "JSONL to write (one line per response).")
config.define_flags(verifier_client.VerifierSpec, prefix="verifier_")


def collect(eval_dirs: list[str]) -> list[dict]:
    rows = []
    for directory in eval_dirs:
        paths = sorted(glob.glob(os.path.join(directory, "*.verdicts.jsonl")))
        if not paths:
            raise FileNotFoundError(f"{directory}: no <set>.verdicts.jsonl (expected an evaluate --output_dir)")
        for path in paths:
            name = os.path.basename(path)[:-len(".verdicts.jsonl")]
            for _, problem in files.read_jsonl(path):
                for j, r in enumerate(problem["responses"]):
                    rows.append({"set": name, "id": problem["id"], "sample": j, "response": r["text"],
                                 "gold": problem["gold"], "truncated": r["truncated"]})
    return rows


def main(argv):
    del argv
    runtime.enter_caller_directory()
    if not FLAGS.eval_dirs or not FLAGS.output:
        sys.exit("error: give --eval_dirs=<dir>[,<dir>...] and --output=<file.jsonl>")
    try:
        rows = collect(FLAGS.eval_dirs)
    except (FileNotFoundError, files.DataError) as e:
        sys.exit(f"error: {e}")
    try:
        spec = config.from_flags(verifier_client.VerifierSpec, prefix="verifier_")
        config.check(spec)
        verifier = spec.open()
    except ValueError as e:
        sys.exit(f"error: {e}")
    with verifier:
        ours = verifier.verify([r["response"] for r in rows], [r["gold"] for r in rows],
                               [f"{r['set']}/{r['id']}#{r['sample']}" for r in rows], [r["truncated"] for r in rows])
    grade = math_verify_oracle.grader()
    theirs = [grade(r["response"], r["gold"])[0] for r in rows]
    for row, v, verdict in zip(rows, ours, theirs):
        row.update(ours=v.verdict, ours_extracted=v.extracted, ours_reason=v.reason, math_verify=verdict)
    files.write_jsonl(FLAGS.output, rows)
    agree = collections.Counter((r["ours"] == "CORRECT") == (r["math_verify"] == "CORRECT") for r in rows)
    print(f"{len(rows)} responses -> {FLAGS.output}; rewards agree on {agree[True]}, differ on {agree[False]}")
    for r in rows:
        if (r["ours"] == "CORRECT") != (r["math_verify"] == "CORRECT"):
            print(f"- {r['set']} {r['id']}#{r['sample']}: gold {r['gold']!r}, ours {r['ours']} "
                  f"({r['ours_extracted']!r}: {r['ours_reason']}), Math-Verify {r['math_verify']}, "
                  f"truncated {r['truncated']}; "
                  f"…{r['response'][-160:]!r}")


if __name__ == "__main__":
    app.run(main)
