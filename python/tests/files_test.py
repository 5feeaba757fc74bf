"""The one home of atomic writes: every writer goes through `<path>.tmp.<pid>` + rename, keeps the umask's mode,
and leaves the old file whole when it fails; JSONL reading names the bad line and drops only a torn tail."""
import os

import pytest

from rlvr import files


def test_writers_replace_the_file_and_keep_the_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        target = tmp_path / "sub" / "a.jsonl"  # the directory is created
        files.write_jsonl(str(target), [{"x": 1}, {"y": "é"}])
        files.write_jsonl(str(target), [{"x": 2}])
        json_path, text_path = tmp_path / "b.json", tmp_path / "c.md"
        files.write_json(str(json_path), {"k": [1, 2]})
        files.write_text(str(text_path), "# hi\n")
    finally:
        os.umask(old)
    assert files.jsonl_rows(str(target)) == [{"x": 2}]
    assert files.read_json(str(json_path)) == {"k": [1, 2]} and text_path.read_text() == "# hi\n"
    for path in (target, json_path, text_path):
        assert path.stat().st_mode & 0o777 == 0o644, path  # mkstemp would have made 0600
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.jsonl", "b.json", "c.md"]


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "rows.jsonl"
    files.write_jsonl(str(target), [{"ok": True}])

    def rows():
        yield {"partial": 1}
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError, match="killed mid-write"):
        files.write_jsonl(str(target), rows())
    assert files.jsonl_rows(str(target)) == [{"ok": True}]
    assert os.listdir(tmp_path) == ["rows.jsonl"]
    with files.atomic_path(str(target)) as tmp:
        assert tmp == f"{target}.tmp.{os.getpid()}"
        open(tmp, "w").write("{}\n")
    assert files.jsonl_rows(str(target)) == [{}]


def test_figures_are_written_in_their_extensions_format(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    files.write_figure(fig, str(tmp_path / "p.png"), dpi=50)
    files.write_figure(fig, str(tmp_path / "p.svg"))
    plt.close(fig)
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "p.svg").read_bytes()[:500]
    assert sorted(os.listdir(tmp_path)) == ["p.png", "p.svg"]


def test_jsonl_reading_names_bad_lines_and_drops_only_a_torn_tail(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text('{"step": 1}\n\n{"step": 2}\n{"step": 3')
    assert files.jsonl_rows(str(path), drop_torn_tail=True) == [{"step": 1}, {"step": 2}]
    with pytest.raises(files.DataError, match=r"log\.jsonl: line 4: bad JSON"):
        files.jsonl_rows(str(path))
    path.write_text('{"step": 1}\nnot json\n{"step": 3}\n')
    with pytest.raises(files.DataError, match=r"line 2: bad JSON"):
        files.jsonl_rows(str(path), drop_torn_tail=True)
