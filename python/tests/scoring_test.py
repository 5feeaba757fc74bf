"""The sample → verify → group step against the real C++ verifier: rewards come from verdicts, grouped per prompt,
with the ids and seeds the callers rely on; truncated responses are graded as such and every verdict is counted;
a verifier failure raises instead of becoming a zero reward."""
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rlvr import distributed, scoring, verdict_monitor
from rlvr.config import Sampling
from rlvr.rollout import Sample
from rlvr.verifier_client import EmbeddedServer, VerifierClient, VerifierError, open_verifier


class ScriptedEngine:
    """A rollout engine whose responses are given: sample j of a prompt is answers[prompt][j]; answers in
    `truncated` come back cut off at max_tokens."""

    def __init__(self, answers: dict[str, list[str]], truncated: frozenset = frozenset()):
        self.answers, self.truncated, self.calls = answers, truncated, []

    def generate(self, prompts, n, temperature, top_p, max_tokens, seed=None, samples=None, logprobs=0):
        self.calls.append((list(prompts), n, temperature, top_p, max_tokens, seed))
        self.shares = samples
        return [[Sample(f"so \\boxed{{{self.answers[p][j]}}}", [1] * (j + 1), [0.0] * (j + 1),
                        truncated=self.answers[p][j] in self.truncated) for j in (samples[i] if samples else range(n))]
                for i, p in enumerate(prompts)]


class ThreadRanks:
    """`size` ranks as threads of this process, exchanging objects through a barrier as torch.distributed's
    all_gather_object does between processes."""

    def __init__(self, size: int):
        self.size, self.slots, self.barrier = size, [None] * size, threading.Barrier(size, timeout=30)

    def rank(self, rank: int):
        ranks = self

        class Rank(distributed.World):
            def all_gather(self, obj):
                ranks.slots[rank] = obj
                ranks.barrier.wait()
                out = list(ranks.slots)
                ranks.barrier.wait()  # nobody overwrites a slot before every rank has read them all
                return out

        return Rank(rank, self.size)

    def run(self, fn):
        """fn(world) on every rank at once; the results in rank order."""
        with ThreadPoolExecutor(self.size) as pool:
            return list(pool.map(lambda r: fn(self.rank(r)), range(self.size)))


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


def test_ranks_score_their_share_and_all_learn_every_verdict(verifier):
    answers = {"p1": ["4", "5", "4", "x"], "p2": ["1/2", "7", "0.5", "3"]}
    args = (["p1", "p2"], 4, Sampling(), verifier, ["4", "\\frac{1}{2}"], ["a", "b"])
    alone = scoring.score(ScriptedEngine(answers, truncated=frozenset({"7"})), *args, seed=3, group=2)
    engines = [ScriptedEngine(answers, truncated=frozenset({"7"})) for _ in range(3)]
    # 4 groups of 2 over 3 ranks: whole groups, 2 + 1 + 1.
    scored = ThreadRanks(3).run(lambda w: scoring.score(engines[w.rank], *args, seed=3, world=w, group=2))
    assert [s.mine for s in scored] == [range(0, 4), range(4, 6), range(6, 8)]
    assert [e.shares for e in engines] == [[range(0, 4), range(0, 0)], [range(0, 0), range(0, 2)],
                                           [range(0, 0), range(2, 4)]]
    assert [[len(row) for row in s.samples] for s in scored] == [[4, 0], [0, 2], [0, 2]]
    for s in scored:  # every rank knows every response's verdict, length and truncation
        assert [[v.id for v in row] for row in s.verdicts] == [[v.id for v in row] for row in alone.verdicts]
        assert s.rewards() == alone.rewards() == [[1.0, 0.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0]]
        assert [[o.tokens for o in row] for row in s.outcomes] == [[1, 2, 3, 4]] * 2
        assert s.outcomes[1][1].truncated and s.outcomes[1][1].verdict.verdict == "NO_ANSWER"
        # Texts cross ranks only when ungraded (for the alarm) unless asked for.
        assert s.outcomes[1][1].text == "so \\boxed{7}" and s.outcomes[0][0].text is None
        assert s.verdict_metrics() == alone.verdict_metrics()
    with_texts = ThreadRanks(2).run(lambda w: scoring.score(ScriptedEngine(answers), *args, seed=3, world=w,
                                                              texts=True))
    assert [o.text for o in with_texts[1].outcomes[0]] == [f"so \\boxed{{{a}}}" for a in answers["p1"]]


def test_ranks_asked_for_different_batches_fail_together(verifier):
    answers = {"p1": ["4"] * 2, "p2": ["1"] * 2}

    def call(w):
        try:
            scoring.score(ScriptedEngine(answers), ["p1", "p2"], 2, Sampling(), verifier, ["4", "1"], ["a", "b"],
                          seed=w.rank, world=w, where="update 2")  # a rank-dependent seed: ranks disagree
        except RuntimeError as e:
            return str(e)

    assert ThreadRanks(2).run(call) == ["score (update 2): ranks were asked for different batches (prompts, n, "
                                        "seed or group differ between ranks)"] * 2
