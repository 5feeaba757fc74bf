"""console.native_stderr: C++-style writes to file descriptor 2 come back after the call, minus the known-harmless
notes when quiet; everything when the call fails, or when the console is verbose."""
import os

import pytest

from rlvr import console

NUMA = b"[rank0]:[W1202 00:42:31.8 utils.cpp:68] Warning: NUMA binding: Using MEMBIND policy for memory allocation\n"


@pytest.fixture(params=[True, False], ids=["quiet", "verbose"])
def quiet(request, monkeypatch):
    monkeypatch.setattr(console, "_quiet", request.param)
    return request.param


def test_harmless_native_lines_are_dropped_only_when_quiet(quiet, capfd):
    with console.native_stderr():
        os.write(2, NUMA)
        os.write(2, b"a real native warning\n")
    err = capfd.readouterr().err
    assert "a real native warning" in err
    assert ("NUMA binding" in err) != quiet


def test_a_failing_call_shows_every_line(quiet, capfd):
    with pytest.raises(RuntimeError, match="engine failed"):
        with console.native_stderr():
            os.write(2, NUMA)
            raise RuntimeError("engine failed")
    os.write(2, b"after the call\n")  # descriptor 2 is the console's again
    err = capfd.readouterr().err
    assert "NUMA binding" in err and "after the call" in err
