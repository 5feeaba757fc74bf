"""distributed: how a batch is dealt to ranks (pure arithmetic; the ranks themselves run in trainer_test)."""
import pytest

from rlvr import distributed


def test_whole_groups_when_there_are_enough():
    # 3 groups of 8 over 2 ranks: the first rank takes the extra group; no group is cut.
    assert distributed.shards(24, 8, 2) == [range(0, 16), range(16, 24)]
    assert distributed.shards(16, 8, 2) == [range(0, 8), range(8, 16)]
    assert distributed.shards(16, 8, 1) == [range(0, 16)]
    for total, unit, size in [(64, 4, 3), (96, 8, 8), (40, 8, 5), (24, 8, 3)]:
        parts = distributed.shards(total, unit, size)
        assert [i for r in parts for i in r] == list(range(total))  # contiguous, in order, complete
        assert all(r.start % unit == 0 and r.stop % unit == 0 for r in parts)
        assert max(map(len, parts)) - min(map(len, parts)) <= unit


def test_single_responses_when_groups_are_fewer_than_ranks():
    # 2 groups of 4 over 3 ranks: a rank holding no group would idle, so responses are dealt instead.
    assert distributed.shards(8, 4, 3) == [range(0, 3), range(3, 6), range(6, 8)]
    assert distributed.shards(2, 2, 4) == [range(0, 1), range(1, 2), range(2, 2), range(2, 2)]


def test_bad_batches_are_refused():
    for total, unit, size in [(10, 4, 2), (8, 0, 2), (8, 4, 0), (-4, 4, 1)]:
        with pytest.raises(ValueError, match="shards"):
            distributed.shards(total, unit, size)


def test_per_prompt_ranges():
    # Responses 3..9 of 3 prompts × 4 samples: the end of prompt 0, all of prompt 1, the start of prompt 2.
    assert distributed.per_prompt(range(3, 10), 4, 3) == [range(3, 4), range(0, 4), range(0, 2)]
    assert distributed.per_prompt(range(4, 8), 4, 3) == [range(0, 0), range(0, 4), range(0, 0)]
    assert distributed.per_prompt(range(0, 0), 4, 2) == [range(0, 0), range(0, 0)]


def test_a_world_of_one_needs_no_collective():
    solo = distributed.SOLO
    assert solo.is_main and solo.all_gather({"a": 1}) == [{"a": 1}] and solo.broadcast(3) == 3
    assert distributed.concat([[1, 2], [], [3]]) == [1, 2, 3]


def test_relaunch_is_a_no_op_for_one_rank_or_inside_a_rank(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    distributed.relaunch(1)  # returns: nothing to launch
    monkeypatch.setenv("RANK", "1")
    assert distributed.is_launched()
    distributed.relaunch(2)  # already a rank: never launches ranks of ranks
