"""List the named benchmark sets, or write one (with its options) to parquet or JSONL for use elsewhere.

  bazel run //tools:benchmarks                                          # every name, its rows, package, file
  bazel run //tools:benchmarks -- --export=math500:limit=16 --output=/tmp/math500_16.parquet
Exports hold id, problem, answer and level (the columns `--pool` / `--eval_sets` read back), plus a
`<output>.provenance.json` naming the package, version, file and sha256 they came from.
"""
import os
import sys

from absl import app, flags

from rlvr import runtime

FLAGS = flags.FLAGS
flags.DEFINE_string("export", None, "A benchmark spec to write out, e.g. math500:limit=16 or math_train:level=5.")
flags.DEFINE_string("output", None, "Where to write it: a .parquet or .jsonl path.")


def _listing() -> str:
    from rlvr import benchmarks

    lines = [f"{'name':<12} {'rows':>6}  {'source':<58} description"]
    for name, b in benchmarks.BENCHMARKS.items():
        try:
            used = len(benchmarks.load(name))
        except benchmarks.data.DataError as e:  # not installed: say so on the line, list the rest
            used = f"? ({e})"
        source = f"{b.source.package}=={b.source.version}:{b.source.file}"
        lines.append(f"{name:<12} {used:>6}  {source:<58} {b.description}")
    lines.append("not available offline (pass a local file instead): " + ", ".join(benchmarks.UNAVAILABLE))
    lines.append("options: name:level=3-5:limit=100 (level only where the set has MATH levels)")
    return "\n".join(lines)


def _export(spec: str, output: str) -> None:
    import dataclasses

    from rlvr import benchmarks, data, files

    problems = benchmarks.load(spec)
    ext = os.path.splitext(output)[1].lower()
    if ext == ".jsonl":
        data.write_problems(output, problems)
    elif ext == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        with files.atomic_path(output) as tmp:
            pq.write_table(pa.Table.from_pylist([dataclasses.asdict(p) for p in problems]), tmp)
    else:
        raise ValueError(f"--output {output!r}: expected a .parquet or .jsonl path")
    files.write_json(f"{output}.provenance.json", benchmarks.provenance(spec, problems))
    print(f"{len(problems)} problems of {spec} -> {output}")


def main(argv):
    del argv
    runtime.enter_caller_directory()
    if FLAGS.export is None:
        print(_listing())
        return
    if not FLAGS.output:
        sys.exit("error: --export needs --output=<file.parquet|file.jsonl>")
    try:
        _export(FLAGS.export, FLAGS.output)
    except (ValueError, FileNotFoundError) as e:
        sys.exit(f"error: {e}")


if __name__ == "__main__":
    app.run(main)
