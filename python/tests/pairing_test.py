"""Pair sampler properties (bands, determinism, exact resume) and the variance baselines on hand-made tables."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr.pairing import (
    PairSampler,
    PromptStats,
    band_candidates,
    load_profile,
    select_by_historical_variance,
    select_by_profile_variance,
)


def pool(counts, n=16):
    return [PromptStats.from_counts(f"q{i:02d}", c, n) for i, c in enumerate(counts)]


# successes out of 16: q00 never, q01 1/16, q02 3/16, q03 8/16, q04 13/16, q05 15/16, q06 always
POOL = pool([0, 1, 3, 8, 13, 15, 16])


def test_bands_hand_made_pool():
    plus, minus = band_candidates(POOL, p_low=0.3, p_high=0.7)
    assert plus == ["q01", "q02"]
    assert minus == ["q04", "q05"]


def test_interval_rule_is_stricter():
    big = [PromptStats.from_counts("hard", 5, 128), PromptStats.from_counts("edge", 35, 128),
           PromptStats.from_counts("easy", 123, 128), PromptStats.from_counts("near", 92, 128)]
    assert band_candidates(big, 0.3, 0.7, rule="point") == (["edge", "hard"], ["easy", "near"])
    # edge: p̂ = 0.27 but U ≈ 0.36 > 0.3; near: p̂ = 0.72 but L ≈ 0.64 < 0.7
    assert band_candidates(big, 0.3, 0.7, rule="interval") == (["hard"], ["easy"])


def test_empty_band_error_names_band_and_histogram():
    with pytest.raises(ValueError, match=r"q\+ \(hard-but-solvable\) band is empty.*p̂=0: 1.*p̂=1: 1"):
        band_candidates(pool([0, 8, 15, 16]), 0.3, 0.7)
    with pytest.raises(ValueError, match=r"q− \(easy-but-brittle\) band is empty"):
        band_candidates(pool([0, 1, 8, 16]), 0.3, 0.7)
    with pytest.raises(ValueError, match="band is empty"):
        PairSampler(pool([16, 16, 2]), p_low=0.3, p_high=0.7)


def test_q_minus_band_in_failure_counts():
    # failures out of 16: q03 8, q04 3, q05 1, q06 0 (never failed: not brittle)
    assert band_candidates(POOL, 0.3, 0.7, max_failures=3)[1] == ["q04", "q05"]
    assert band_candidates(POOL, 0.3, 0.7, max_failures=1)[1] == ["q05"]
    assert band_candidates(POOL, 0.3, 0.7, max_failures=8)[1] == ["q03", "q04", "q05"]  # p_high no longer applies
    with pytest.raises(ValueError, match=r"q− .* band is empty: no prompt has 1 ≤ failures ≤ max_failures=1"):
        band_candidates(pool([1, 8, 13, 16]), 0.3, 0.7, max_failures=1)
    with pytest.raises(ValueError, match="max_failures"):
        band_candidates(POOL, 0.3, 0.7, max_failures=-1)


def _renamed(stats, prefix):
    return [PromptStats(prefix + s.id, s.n, s.successes, s.p_hat, s.lo, s.hi) for s in stats]


def test_two_pools_q_plus_from_one_q_minus_from_the_other():
    hard, easy = _renamed(POOL, "hard-"), _renamed(POOL, "easy-")
    assert band_candidates(hard, 0.3, 0.7, neg_stats=easy) == (["hard-q01", "hard-q02"], ["easy-q04", "easy-q05"])
    # the hard pool alone has no q−, the easy pool alone no q+: only the two together pair
    only_hard, only_easy = pool([0, 1, 2, 16], n=16), _renamed(pool([0, 14, 15, 16]), "e")
    assert band_candidates(only_hard, 0.3, 0.7, neg_stats=only_easy) == (["q01", "q02"], ["eq01", "eq02"])
    with pytest.raises(ValueError, match="q− .* band is empty"):
        band_candidates(only_hard, 0.3, 0.7)
    sampler = PairSampler(only_hard, "resample", seed=1, neg_stats=only_easy, max_failures=2)
    for _ in range(20):
        q_plus, q_minus = sampler.next_pair()
        assert q_plus in {"q01", "q02"} and q_minus in {"eq01", "eq02"}
    with pytest.raises(ValueError, match="share prompt ids"):
        band_candidates(POOL, 0.3, 0.7, neg_stats=POOL)


def test_two_pool_online_sampler_resumes_exactly():
    hard, easy = _renamed(POOL, "h"), _renamed(POOL, "e")
    a = PairSampler(hard, "online", seed=3, neg_stats=easy)
    a.update("eq04", 0, 16)  # failed every time in training: p̂ = 9.75/28 ≈ 0.35 leaves the q− band
    state = json.loads(json.dumps(a.state_dict()))
    b = PairSampler(hard, "online", seed=3, neg_stats=easy)
    b.load_state_dict(state)
    pairs = [a.next_pair() for _ in range(10)]
    assert pairs == [b.next_pair() for _ in range(10)]
    assert {m for _, m in pairs} == {"eq05"}
    with pytest.raises(ValueError, match="config"):
        PairSampler(hard + easy, "online", seed=3).load_state_dict(state)


@pytest.mark.parametrize("bands", [(0.7, 0.3), (0.5, 0.5), (0.0, 0.7), (0.3, 1.0)])
def test_bad_bands_rejected(bands):
    with pytest.raises(ValueError, match="0 < p_low < p_high < 1"):
        band_candidates(POOL, *bands)


profiles = st.lists(st.integers(0, 16), min_size=2, max_size=40).map(lambda cs: pool(cs))


@settings(max_examples=80, deadline=None)
@given(stats=profiles, p_low=st.floats(0.05, 0.45), p_high=st.floats(0.55, 0.95),
       strategy=st.sampled_from(["fixed", "resample"]), seed=st.integers(0, 2**32 - 1),
       rule=st.sampled_from(["point", "interval"]))
def test_sampler_never_picks_degenerate_prompts_and_respects_bands(stats, p_low, p_high, strategy, seed, rule):
    by_id = {s.id: s for s in stats}
    try:
        sampler = PairSampler(stats, strategy, p_low, p_high, seed, rule=rule)
    except ValueError as e:  # only an empty band may refuse
        assert "band is empty" in str(e)
        return
    for _ in range(10):
        plus, minus = sampler.next_pair()
        sp, sm = by_id[plus], by_id[minus]
        assert 0 < sp.successes and sp.p_hat <= p_low and sp.lo > 0
        assert sm.successes < sm.n and sm.p_hat >= p_high and sm.hi < 1
        if rule == "interval":
            assert sp.hi <= p_low and sm.lo >= p_high


def test_deterministic_under_seed_and_seed_matters():
    def seq(seed):
        sampler = PairSampler(POOL, "resample", seed=seed)
        return [sampler.next_pair() for _ in range(30)]

    assert seq(7) == seq(7)
    assert seq(7) != seq(8)
    # input order does not matter: candidates are sorted by id
    a = PairSampler(POOL, "resample", seed=3)
    b = PairSampler(list(reversed(POOL)), "resample", seed=3)
    assert [a.next_pair() for _ in range(20)] == [b.next_pair() for _ in range(20)]


def test_resample_covers_both_bands():
    sampler = PairSampler(POOL, "resample", seed=0)
    pairs = {sampler.next_pair() for _ in range(200)}
    assert pairs == {(p, m) for p in ("q01", "q02") for m in ("q04", "q05")}


def test_fixed_strategy_repeats_one_pair():
    sampler = PairSampler(POOL, "fixed", seed=11)
    first = sampler.next_pair()
    assert all(sampler.next_pair() == first for _ in range(20))
    with pytest.raises(ValueError, match="online"):
        sampler.update("q01", 1, 8)


@pytest.mark.parametrize("strategy", ["fixed", "resample", "online"])
def test_state_dict_round_trip_gives_identical_future(strategy):
    a = PairSampler(POOL, strategy, seed=5)
    for step in range(7):
        plus, minus = a.next_pair()
        if strategy == "online":
            a.update(plus, step % 3, 8)
            a.update(minus, 8 - step % 2, 8)
    state = json.loads(json.dumps(a.state_dict()))  # must survive JSON
    b = PairSampler(POOL, strategy, seed=5)
    b.load_state_dict(state)

    def future(s):
        out = []
        for step in range(25):
            pair = s.next_pair()
            out.append(pair)
            if strategy == "online":
                s.update(pair[0], 1, 8)
                s.update(pair[1], 7, 8)
        return out

    assert future(a) == future(b)
    assert a.stats() == b.stats()


def test_load_state_dict_rejects_other_config():
    state = PairSampler(POOL, "resample", seed=5).state_dict()
    with pytest.raises(ValueError, match="config"):
        PairSampler(POOL, "resample", seed=6).load_state_dict(state)


def test_online_decayed_counts_move_prompts_between_bands():
    sampler = PairSampler(POOL, "online", seed=0, decay=0.5)
    # q02 (3/16) is solved every time in training: C = 0.5·3 + 8 = 9.5, N = 0.5·16 + 8 = 16 → p̂ ≈ 0.59
    sampler.update("q02", 8, 8)
    q02 = {s.id: s for s in sampler.stats()}["q02"]
    assert (q02.successes, q02.n) == (9.5, 16.0)
    assert q02.p_hat == pytest.approx(9.5 / 16)
    assert all(sampler.next_pair()[0] == "q01" for _ in range(30))  # q02 left the q+ band
    sampler.update("q01", 8, 8)
    sampler.update("q01", 8, 8)
    with pytest.raises(ValueError, match=r"q\+ .*band is empty"):
        sampler.next_pair()


def test_online_update_validates_input():
    sampler = PairSampler(POOL, "online")
    with pytest.raises(KeyError, match="nope"):
        sampler.update("nope", 1, 8)
    with pytest.raises(ValueError, match="successes"):
        sampler.update("q01", 9, 8)


# --- baselines ----------------------------------------------------------------------------------------------

def test_historical_variance_ranking_hand_table():
    acc = {
        "flat": [0.5, 0.5, 0.5, 0.5],        # Var 0
        "learned": [0.0, 0.25, 0.75, 1.0],   # mean .5, Var (0.25+0.0625+0.0625+0.25)/4 = 0.15625
        "noisy": [0.0, 1.0, 0.0, 1.0],       # Var 0.25
        "solved": [1.0, 1.0, 1.0, 1.0],      # Var 0
        "twin": [1.0, 0.0, 1.0, 0.0],        # Var 0.25, ties with "noisy" → id order
    }
    assert select_by_historical_variance(acc, k=2) == ["noisy", "twin"]
    assert select_by_historical_variance(acc, k=3) == ["noisy", "twin", "learned"]
    assert select_by_historical_variance(acc, k=5)[3:] == ["flat", "solved"]


def test_profile_variance_ranking_hand_table():
    # p̂(1−p̂): q03 .25, q02 and q04 ≈ .152, q01 and q05 ≈ .059, q00 and q06 0
    assert select_by_profile_variance(POOL, k=2) == ["q03", "q02"]
    assert select_by_profile_variance(POOL, k=3) == ["q03", "q02", "q04"]
    assert select_by_profile_variance(list(reversed(POOL)), k=3) == ["q03", "q02", "q04"]


def test_baselines_validate_inputs():
    with pytest.raises(ValueError, match="k must lie"):
        select_by_profile_variance(POOL, k=8)
    with pytest.raises(ValueError, match="accuracies of prompt 'x'"):
        select_by_historical_variance({"x": [1.5]}, k=1)
    with pytest.raises(ValueError, match="accuracies"):
        select_by_historical_variance({"x": []}, k=1)


# --- profile file -------------------------------------------------------------------------------------------

def _row(i, c, n=16, **extra):
    # the row layout profile.py writes (extra keys are carried, not needed)
    row = {"id": i, "problem": "1+1", "answer": "2", "level": 1, "n": n, "successes": c, "p_hat": c / n,
           "model": "tiny@0123abcd", "template": "9f8e7d", "temperature": 1.0, "top_p": 1.0, "max_tokens": 64,
           "seed": 0, "delta": 0.05}
    row.update(extra)
    return row


def _write(tmp_path, rows, name="profile.jsonl"):
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return str(path)


def test_load_profile_reads_rows_and_keeps_file_intervals(tmp_path):
    path = _write(tmp_path, [_row("a", 2, lo=0.01, hi=0.4), _row("b", 14), ""])
    a, b = load_profile(path)
    assert (a.id, a.n, a.successes, a.p_hat, a.lo, a.hi) == ("a", 16, 2, 0.125, 0.01, 0.4)
    assert b == PromptStats.from_counts("b", 14, 16)


@pytest.mark.parametrize(
    "rows, message",
    [
        ([], "no rows"),
        (["{not json"], r"profile.jsonl: line 1: bad JSON"),
        ([_row("a", 1), {"id": "b", "n": 4}], r"profile.jsonl:2: missing field\(s\) \['successes'\]"),
        ([_row("a", 20)], "0 ≤ successes ≤ n"),
        ([_row("a", 2, p_hat=0.5)], "disagrees with successes/n"),
        ([_row("a", 2, lo=0.2, hi=0.3)], "must contain p_hat"),
        ([_row("a", 2), _row("a", 3)], "duplicate ids"),
        ([_row("a", 2), _row("b", 3, model="other")], "mixes"),
    ],
)
def test_load_profile_clear_errors(tmp_path, rows, message):
    with pytest.raises(ValueError, match=message):
        load_profile(_write(tmp_path, rows))


def test_load_profile_missing_file(tmp_path):
    with pytest.raises(ValueError, match="cannot read profile"):
        load_profile(str(tmp_path / "absent.jsonl"))
