"""The sample → verify → group step against the real C++ verifier: rewards come from verdicts, grouped per prompt,
with the ids and seeds the callers rely on; truncated responses are graded as such and every verdict is counted;
a verifier failure raises instead of becoming a zero reward."""
import logging

import pytest

from rlvr import scoring, verdict_monitor
from rlvr.config import Sampling
from rlvr.rollout import Sample
from rlvr.verifier_client import EmbeddedServer, VerifierClient, VerifierError, open_verifier


class ScriptedEngine:
    """A rollout engine whose responses are given: sample j of a prompt is answers[prompt][j]; answers in
    `truncated` come back cut off at max_tokens."""

    def __init__(self, answers: dict[str, list[str]], truncated: frozenset = frozenset()):
        self.answers, self.truncated, self.calls = answers, truncated, []

    def generate(self, prompts, n, temperature, top_p, max_tokens, seed=None):
        self.calls.append((list(prompts), n, temperature, top_p, max_tokens, seed))
        return [[Sample(f"so \\boxed{{{a}}}", [1], [0.0], truncated=a in self.truncated) for a in self.answers[p][:n]]
                for p in prompts]


@pytest.fixture(scope="module")
def verifier():
    with open_verifier() as client:
        yield client


def test_rewards_are_the_verdicts_grouped_per_prompt(verifier):
    engine = ScriptedEngine({"p1": ["4", "5", "2+2"], "p2": ["1/2", "0.5", "x"]})
    sampling = Sampling(temperature=0.7, top_p=0.9, max_tokens=12)
    scored = scoring.score(engine, ["p1", "p2"], 3, sampling, verifier, ["4", "\\frac{1}{2}"], ["a", "b"], seed=9)
    assert engine.calls == [(["p1", "p2"], 3, 0.7, 0.9, 12, 9)]
    assert scored.rewards() == [[1.0, 0.0, 1.0], [1.0, 1.0, 0.0]]
    assert [[v.id for v in row] for row in scored.verdicts] == [["a#0", "a#1", "a#2"], ["b#0", "b#1", "b#2"]]
    assert [v.verdict for v in scored.verdicts[0]] == ["CORRECT", "INCORRECT", "CORRECT"]
    assert scored.samples[1][2].text == "so \\boxed{x}"


def test_mismatched_inputs_and_an_unreachable_verifier_fail_loudly():
    engine = ScriptedEngine({"p": ["1"]})
    with pytest.raises(ValueError, match="1 prompts, 2 golds and 1 ids must match"):
        scoring.score(engine, ["p"], 1, Sampling(), None, ["1", "2"], ["a"], seed=0)
    server = EmbeddedServer()
    with VerifierClient(server.address, max_retries=1, backoff_s=0.01) as client:
        assert server.stop() == 0  # the verifier goes away after the client connected
        with pytest.raises(VerifierError, match="failed after 2"):
            scoring.score(engine, ["p"], 1, Sampling(), client, ["1"], ["a"], seed=0)


def test_truncated_responses_are_ungraded_and_counted(verifier, caplog):
    engine = ScriptedEngine({"p1": ["4", "4", "4"], "p2": ["7", "8", "7"]}, truncated=frozenset({"7"}))
    alarm = verdict_monitor.UngradedAlarm(0.3)
    with caplog.at_level(logging.WARNING, logger=verdict_monitor.__name__):
        scored = scoring.score(engine, ["p1", "p2"], 3, Sampling(), verifier, ["4", "7"], ["a", "b"], seed=0,
                               alarm=alarm, where="update 5")
    # A complete box cut off by the token limit is not an answer: NO_ANSWER, zero reward, counted as ungraded.
    assert [v.verdict for v in scored.verdicts[1]] == ["NO_ANSWER", "INCORRECT", "NO_ANSWER"]
    assert scored.rewards() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    metrics = scored.verdict_metrics()
    assert (metrics["verdict/CORRECT"], metrics["verdict/INCORRECT"], metrics["verdict/NO_ANSWER"]) == (3, 1, 2)
    assert metrics["verdict/ungraded_share"] == pytest.approx(2 / 6)
    assert alarm.fired and "update 5: 2 of 6 responses" in caplog.text and "b#0" in caplog.text
