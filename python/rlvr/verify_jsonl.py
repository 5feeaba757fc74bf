"""Verifies a JSONL file of cases with a verifier client: the body of `bazel run //python:verify`.

Input: one JSON object per line with string fields `response` and `gold`, an optional `id` (default: the line
number) and an optional boolean `truncated` (the response was cut off by the token limit; default false); blank
lines are skipped. Output: each input object plus `verdict`, `extracted`, `canonical_answer`,
`canonical_gold`, `reason` and `elapsed_us`, in input order, written atomically (tmp file + os.replace).
"""
from __future__ import annotations

import collections
import dataclasses
import sys
import time

import tqdm

from rlvr import files


@dataclasses.dataclass
class Summary:
    n: int
    seconds: float
    counts: dict[str, int]  # by verdict

    @property
    def cases_per_s(self) -> float:
        return self.n / self.seconds if self.seconds > 0 else float("inf")

    def text(self) -> str:
        counts = ", ".join(f"{v}={c}" for v, c in sorted(self.counts.items()))
        return f"{self.n} cases in {self.seconds:.2f} s ({self.cases_per_s:,.0f} cases/s): {counts or 'none'}"


def read_cases(path: str) -> list[dict]:
    """The case objects of a JSONL file; ValueError naming file:line and what is wrong on a malformed line."""
    cases = []
    for lineno, case in files.read_jsonl(path):
        if not isinstance(case, dict):
            raise ValueError(f"{path}:{lineno}: expected a JSON object with 'response' and 'gold', "
                             f"got {type(case).__name__}")
        for key in ("response", "gold"):
            if key not in case:
                raise ValueError(f"{path}:{lineno}: missing '{key}' (each line needs 'response' and 'gold', "
                                 f"and may have 'id')")
            if not isinstance(case[key], str):
                raise ValueError(f"{path}:{lineno}: '{key}' must be a string, got {type(case[key]).__name__}")
        if not isinstance(case.get("truncated", False), bool):
            raise ValueError(f"{path}:{lineno}: 'truncated' must be true or false, got {case['truncated']!r}")
        case.setdefault("id", str(lineno))
        case["id"] = str(case["id"])
        cases.append(case)
    return cases


def verify_file(input_path: str, output_path: str, verifier, chunk_size: int = 2048) -> Summary:
    """Verifies every case of `input_path` and writes the verdict lines to `output_path`."""
    cases = read_cases(input_path)
    counts: collections.Counter[str] = collections.Counter()
    start = time.perf_counter()

    def records():
        with tqdm.tqdm(total=len(cases), unit="case", file=sys.stderr, desc="verify") as bar:
            for k in range(0, len(cases), chunk_size):
                chunk = cases[k:k + chunk_size]
                verdicts = verifier.verify([c["response"] for c in chunk], [c["gold"] for c in chunk],
                                           [c["id"] for c in chunk], [c.get("truncated", False) for c in chunk])
                for case, v in zip(chunk, verdicts):
                    counts[v.verdict] += 1
                    yield dict(case, verdict=v.verdict, extracted=v.extracted, canonical_answer=v.canonical_answer,
                               canonical_gold=v.canonical_gold, reason=v.reason, elapsed_us=v.elapsed_us)
                bar.update(len(chunk))

    files.write_jsonl(output_path, records())  # atomic: a failed run leaves no partial file
    return Summary(n=len(cases), seconds=time.perf_counter() - start, counts=dict(counts))
