"""The one home of atomic writes and JSON/JSONL reading. Leaf module.

Every file the package writes is written to a temp file next to its target and renamed over it (os.replace is
atomic on POSIX), so a reader — or a run resumed after a SIGKILL — never sees half a file.
"""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from typing import Any


class DataError(ValueError):
    """A file that does not have the expected shape; the message names the file and line/row."""


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """The temp path `<path>.tmp.<pid>` next to `path` (one writer per process; a leftover names its target) that
    replaces `path` when the block finishes and is removed if it fails. Creates the directory. Writers create the
    temp file with open(), so it keeps the umask's mode (mkstemp would make it 0600)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp.{os.getpid()}"
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: str, text: str) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        f.write(text)


def write_json(path: str, obj: Any, indent: int = 2) -> None:
    write_text(path, json.dumps(obj, indent=indent) + "\n")


def write_jsonl(path: str, rows: Iterable[Any]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_figure(fig, path: str, **savefig_kwargs: Any) -> None:
    """A matplotlib figure, in the format `path`'s extension names (the temp name has none of its own)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=os.path.splitext(path)[1].lstrip(".") or None, **savefig_kwargs)


def read_json(path: str) -> Any:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def read_jsonl(path: str, drop_torn_tail: bool = False) -> Iterator[tuple[int, Any]]:
    """Yields (line number, parsed value) for each non-blank line; DataError naming file and line on bad JSON.
    drop_torn_tail: a last line without its newline was cut by a kill mid-write (append-only logs) and is
    skipped; a malformed complete line is still an error. Callers check the shape of each value themselves."""
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
    if drop_torn_tail and lines and not lines[-1].endswith("\n"):
        lines.pop()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}: line {lineno}: bad JSON ({e.msg} at column {e.colno})") from e
        yield lineno, row


def jsonl_rows(path: str, drop_torn_tail: bool = False) -> list[Any]:
    """The parsed values of a JSONL file, in order."""
    return [row for _, row in read_jsonl(path, drop_torn_tail)]
