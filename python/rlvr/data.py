"""Problems from local files (HF-style parquet / JSONL / JSON) and the prompt template that asks for \\boxed{}.

Accepted row shapes (checked per row, errors name the file and the line or row):
  - `problem` + `answer`                       (MATH-500, DeepScaleR, ...; a GSM8K-style "... #### 72" answer
                                                keeps the part after the last ####)
  - `problem` + `solution`                     (MATH train: the gold is the last \\boxed{...} of the solution)
  - `problem` + `final_answer`                 (OlympiadBench: a string or a list of strings, e.g. ["$\\frac{1}{2}$"];
                                                several answers are joined with ", ", math-mode $ removed)
  - `question` or `prompt` instead of `problem` when exactly one of them is present.
Column names match in any case (AIME 2024's `Problem` / `Answer` / `ID`); an answer that is a whole float (AMC23's
70.0) is written as an integer. Ids come from an `id` / `unique_id` column, else from a short hash of the problem
text (stable across runs and machines; repeated texts get a `-2`, `-3`, ... suffix in file order so every id stays
unique).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Iterator

from rlvr.files import DataError, read_jsonl, write_jsonl

# The instruction real math models (Qwen2.5-Math and its RLVR descendants) are trained to follow; it goes into
# the user turn of a chat template.
INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
# Without a chat template: a short instruction first, so the problem sits right before the answer (the tiny model,
# supervised on this form, learns its arithmetic markedly faster than with a long instruction in between).
PLAIN_TEMPLATE = "Give the final answer in \\boxed{{}}.\nQuestion: {problem}\nAnswer:"

_PROBLEM_ALIASES = ("question", "prompt")
_ID_COLUMNS = ("id", "unique_id")
_BOX_COMMANDS = ("\\boxed", "\\fbox")
_BRACELESS_BOX = re.compile(r"\\(?:boxed|fbox)\s+([^\s{$][^\s$]*)")  # `\boxed 2`: no brace, one token


@dataclass(frozen=True)
class Problem:
    id: str          # stable key (from the file, else a hash of the problem text)
    problem: str
    answer: str      # gold answer, MATH-style LaTeX
    level: int = 0   # difficulty when known (synthetic task), else 0


def text_id(text: str) -> str:
    """A short stable id for a problem text (12 hex digits of its SHA-256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def last_boxed_span(text: str) -> tuple[int, int, int] | None:
    """Where the last \\boxed{...} (or \\fbox{...}) of `text` is: (start of the command, start of its content,
    end of its content); None if there is none. Raises ValueError when its braces never close."""
    start = max(text.rfind(cmd + "{") for cmd in _BOX_COMMANDS)
    return None if start < 0 else _box_span(text, start, "last")


def first_boxed(text: str) -> str | None:
    """Content of the first \\boxed{...} (or \\fbox{...}) in `text`, like last_boxed (a response that boxes a
    right answer and then another one is judged by its last box; the first tells what it had before)."""
    starts = [i for i in (text.find(cmd + "{") for cmd in _BOX_COMMANDS) if i >= 0]
    if not starts:
        return None
    _, begin, end = _box_span(text, min(starts), "first")
    return text[begin:end].strip()


def _box_span(text: str, start: int, which: str) -> tuple[int, int, int]:
    open_brace = text.index("{", start)
    depth = 0
    for i in range(open_brace, len(text)):
        if text[i] == "{" and text[i - 1] != "\\":
            depth += 1
        elif text[i] == "}" and text[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                return start, open_brace + 1, i
    raise ValueError(f"unbalanced braces in the {which} \\boxed{{...}}: {text[start:start + 60]!r}")


def last_boxed(text: str) -> str | None:
    """Content of the last \\boxed{...} (or \\fbox{...}) in `text`, braces balanced; None if there is none.
    A box without braces takes the token after it, as TeX does: `\\boxed 2` (MATH train writes this twice).

    Raises ValueError when the last box is opened but its braces never close.
    """
    span = last_boxed_span(text)
    bare = None
    for bare in _BRACELESS_BOX.finditer(text):
        pass
    if bare is not None and (span is None or bare.start() > span[0]):
        return bare.group(1).rstrip(".,") or None
    return None if span is None else text[span[1]:span[2]].strip()


def iter_rows(path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yields (where, row) with `where` like 'line 3' or 'row 2' for error messages."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".parquet":
        yield from _parquet_rows(path)
    elif ext == ".jsonl":
        yield from _jsonl_rows(path)
    elif ext == ".json":
        yield from _json_rows(path)
    else:
        raise DataError(f"{path}: unsupported extension {ext!r}; expected .parquet, .jsonl or .json")


def _parquet_rows(path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    import pyarrow.parquet as pq  # deferred: only parquet users pay for the import

    try:
        table = pq.read_table(path)
    except Exception as e:  # pyarrow raises several unrelated types for corrupt files
        raise DataError(f"{path}: not a readable parquet file ({type(e).__name__}: {e})") from e
    for i, row in enumerate(table.to_pylist()):
        yield f"row {i}", row


def _jsonl_rows(path: str) -> Iterator[tuple[str, Any]]:
    for lineno, row in read_jsonl(path):
        yield f"line {lineno}", row


def _json_rows(path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A JSON array of objects, or an object holding one under data/rows/problems/examples. HF's
    `Dataset.to_json` writes JSON Lines even into a .json file, so that is accepted too."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        if text.lstrip().startswith("["):
            raise DataError(f"{path}: line {e.lineno}: bad JSON ({e.msg} at column {e.colno})") from e
        yield from _jsonl_rows(path)
        return
    if isinstance(doc, dict):
        lists = [k for k in ("data", "rows", "problems", "examples") if isinstance(doc.get(k), list)]
        if len(lists) != 1:
            # A single-object file is one row (JSON Lines with one line).
            yield "line 1", doc
            return
        doc = doc[lists[0]]
    if not isinstance(doc, list):
        raise DataError(f"{path}: expected a JSON array of objects, got {type(doc).__name__}")
    for i, row in enumerate(doc):
        yield f"item {i}", row


def _columns(row: dict[str, Any]) -> dict[str, str]:
    """Lower-cased column name -> the row's own spelling (an exactly lower-case column wins over 'Answer')."""
    cols: dict[str, str] = {}
    for name in row:
        if name.lower() not in cols or name == name.lower():
            cols[name.lower()] = name
    return cols


def _text_field(row: dict[str, Any], column: str, where: str) -> str:
    value = row[column]
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise DataError(f"{where}: column {column!r} must be a string or number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 70.0 → "70"
    text = str(value).strip()
    if not text:
        raise DataError(f"{where}: column {column!r} is empty")
    return text


def _final_answer(row: dict[str, Any], column: str, where: str) -> str:
    """OlympiadBench's final_answer: one answer or a list of them, each possibly in $...$."""
    values = row[column] if isinstance(row[column], list) else [row[column]]
    parts = [_text_field({column: v}, column, f"{where} (item {i})") for i, v in enumerate(values)]
    if not parts:
        raise DataError(f"{where}: column {column!r} is an empty list")
    return ", ".join(p[1:-1].strip() if len(p) > 1 and p[0] == p[-1] == "$" else p for p in parts)


def _problem_column(row: dict[str, Any], cols: dict[str, str], where: str) -> str:
    if "problem" in cols:
        return cols["problem"]
    present = [cols[c] for c in _PROBLEM_ALIASES if c in cols]
    if len(present) == 1:
        return present[0]
    if present:
        raise DataError(f"{where}: no 'problem' column and the aliases {present} are both present "
                        f"(ambiguous); rename the one holding the problem text to 'problem'")
    raise DataError(f"{where}: missing column 'problem' (or one of {list(_PROBLEM_ALIASES)}); "
                    f"found columns {sorted(row)}")


def _gold(row: dict[str, Any], cols: dict[str, str], where: str) -> str:
    if "answer" in cols:
        answer = _text_field(row, cols["answer"], where)
        if "####" in answer:  # GSM8K: worked solution, then "#### <final answer>"
            answer = answer.rsplit("####", 1)[1].strip().replace(",", "")
            if not answer:
                raise DataError(f"{where}: column 'answer' has nothing after its last '####'")
        return answer
    if "final_answer" in cols:
        return _final_answer(row, cols["final_answer"], where)
    if "solution" in cols:
        solution = _text_field(row, cols["solution"], where)
        try:
            boxed = last_boxed(solution)
        except ValueError as e:
            raise DataError(f"{where}: column 'solution': {e}") from e
        if not boxed:
            raise DataError(f"{where}: column 'solution' has no non-empty \\boxed{{...}} to take the gold "
                            f"answer from (and there is no 'answer' column)")
        return boxed
    raise DataError(f"{where}: missing column 'answer' (or 'final_answer', or 'solution' with a \\boxed{{}} "
                    f"answer); found columns {sorted(row)}")


def _level(value: Any) -> int:
    """MATH writes 'Level 5', MATH-500 writes 5; anything else is unknown (0)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = re.fullmatch(r"\s*(?:level\s*)?(\d+)\s*", str(value), flags=re.IGNORECASE)
    return int(match.group(1)) if match else 0


def load_problems(path: str, limit: int | None = None) -> list[Problem]:
    """Reads a .parquet / .jsonl / .json pool or benchmark; `limit` keeps the first `limit` problems."""
    if not os.path.isfile(path):
        raise DataError(f"{path}: no such file (expected a .parquet, .jsonl or .json problem file)")
    return problems_from_rows(((f"{path}: {where}", row) for where, row in iter_rows(path)), path, limit)


def problems_from_rows(rows: Iterable[tuple[str, Any]], source: str, limit: int | None = None) -> list[Problem]:
    """Problems from (where, row) pairs in any accepted row shape (module docstring); `source` names the file in
    the error raised when there are none."""
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be >= 1 (or None for all), got {limit}")
    problems: list[Problem] = []
    seen: dict[str, str] = {}  # id -> where it was first seen
    for where, row in rows:
        if not isinstance(row, dict):
            raise DataError(f"{where}: expected an object with 'problem' and 'answer', got {type(row).__name__}")
        cols = _columns(row)
        text = _text_field(row, _problem_column(row, cols, where), where)
        gold = _gold(row, cols, where)
        id_column = next((cols[c] for c in _ID_COLUMNS if row.get(cols.get(c)) not in (None, "")), None)
        if id_column is not None:
            pid = str(row[id_column])
            if pid in seen:
                raise DataError(f"{where}: duplicate {id_column} {pid!r} (first seen at {seen[pid]})")
        else:
            base = pid = text_id(text)
            copy = 1
            while pid in seen:
                copy += 1
                pid = f"{base}-{copy}"
        seen[pid] = where
        problems.append(Problem(id=pid, problem=text, answer=gold, level=_level(row.get(cols.get("level"), 0))))
        if limit is not None and len(problems) >= limit:
            break
    if not problems:
        raise DataError(f"{source}: no problems found (empty file?)")
    return problems


TEMPLATES = ("auto", "plain")  # auto: the tokenizer's chat template when it has one; plain: never


def template_tokenizer(template: str, tokenizer):
    """The tokenizer format_prompt should render with under `template` (one of TEMPLATES): None for plain."""
    return tokenizer if template == "auto" else None


def format_prompt(problem: str, tokenizer=None) -> str:
    """The prompt for one problem, asking for the final answer in \\boxed{}.

    With a tokenizer that has a chat template, the problem and instruction form one user turn rendered by that
    template (generation prompt appended); otherwise a plain text template that ends where the answer begins.
    """
    if tokenizer is not None and getattr(tokenizer, "chat_template", None):
        messages = [{"role": "user", "content": f"{problem}\n{INSTRUCTION}"}]
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return PLAIN_TEMPLATE.format(problem=problem)


def write_problems(path: str, problems: Iterable[Problem]) -> None:
    """Saves problems as a JSONL pool that `load_problems` reads back unchanged."""
    write_jsonl(path, (asdict(p) for p in problems))
