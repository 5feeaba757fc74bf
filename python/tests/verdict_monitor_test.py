"""Verdict counts and the ungraded-share alarm, on verdicts of the real C++ verifier."""
import logging

import pytest

from rlvr import verdict_monitor
from rlvr.verifier_client import open_verifier

JUNK = ["I am not sure.", "Let me think about this", "\\boxed{", "\\boxed{}", "$$$", "So the answer is \\boxed{4"]


@pytest.fixture(scope="module")
def verifier():
    with open_verifier() as client:
        yield client


def test_metrics_count_every_verdict(verifier):
    responses = ["\\boxed{4}", "\\boxed{5}", "no idea", "\\boxed{1 2}"]
    verdicts = verifier.verify(responses, ["4"] * 4)
    row = verdict_monitor.verdict_metrics(verdicts)
    assert row == {"verdict/CORRECT": 1, "verdict/INCORRECT": 1, "verdict/NO_ANSWER": 1, "verdict/UNPARSEABLE": 1,
                   "verdict/TIMEOUT": 0, "verdict/INVALID": 0, "verdict/ungraded_share": 0.5}
    assert verdict_monitor.verdict_metrics([])["verdict/ungraded_share"] == 0.0


def test_alarm_fires_once_on_a_batch_of_junk_naming_an_example(verifier, caplog):
    alarm = verdict_monitor.UngradedAlarm(max_share=0.5)
    graded = ["\\boxed{4}", "\\boxed{5}", "\\boxed{4}", "I am not sure."]
    with caplog.at_level(logging.WARNING, logger="rlvr.verdict_monitor"):
        assert not alarm.check(verifier.verify(graded, ["4"] * 4), graded, "update 1")  # 1 of 4 ungraded
        junk = verifier.verify(JUNK, ["4"] * len(JUNK), [f"q#{j}" for j in range(len(JUNK))])
        assert alarm.check(junk, JUNK, "update 2")
        assert not alarm.check(junk, JUNK, "update 3")  # once per run
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    message = warnings[0]
    assert "update 2: 6 of 6 responses (100%) were not graded" in message
    assert "NO_ANSWER 6" in message and "--max_ungraded_share=0.5" in message
    assert "Example q#0, NO_ANSWER" in message and "'I am not sure.'" in message


def test_truncated_responses_count_as_ungraded(verifier):
    responses = ["\\boxed{4}. Checking: 2 + 2 ="] * 4
    verdicts = verifier.verify(responses, ["4"] * 4, truncated=[True, True, True, False])
    assert verdict_monitor.verdict_metrics(verdicts)["verdict/NO_ANSWER"] == 3
    assert verdict_monitor.UngradedAlarm(0.5).check(verdicts, responses, "update 1")


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_bad_threshold_is_named(share):
    with pytest.raises(ValueError, match="max_ungraded_share must be in"):
        verdict_monitor.UngradedAlarm(share)
