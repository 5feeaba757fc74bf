"""Wilson interval, unbiased pass@k and mean ± t-interval against hand-computed and tabulated values."""
import math
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rlvr.estimators import mean_ci, min_detectable_difference, pass_at_k, t_quantile, wilson_interval


# --- Wilson -------------------------------------------------------------------------------------------------

def test_wilson_hand_computed_half():
    # c = 8, n = 16, z = 1.959964: centre = 0.5 exactly, half = z/(1+z²/16)·√(1/64 + z²/1024).
    z = 1.959963984540054
    half = z / (1 + z * z / 16) * math.sqrt(0.25 / 16 + z * z / (4 * 16 * 16))
    lo, hi = wilson_interval(8, 16)
    assert lo == pytest.approx(0.5 - half, abs=1e-12)
    assert hi == pytest.approx(0.5 + half, abs=1e-12)
    assert lo == pytest.approx(0.27999564, abs=1e-8)


def test_wilson_textbook_value():
    # Agresti & Coull style example: 1 success in 10, 95 %: [0.0179, 0.4042].
    lo, hi = wilson_interval(1, 10)
    assert lo == pytest.approx(0.01787, abs=5e-5)
    assert hi == pytest.approx(0.40415, abs=5e-5)


def test_wilson_edges_are_exact():
    assert wilson_interval(0, 16)[0] == 0.0
    assert wilson_interval(16, 16)[1] == 1.0
    assert wilson_interval(0, 16)[1] < 1.0
    assert wilson_interval(16, 16)[0] > 0.0


# No per-example deadline: a loaded 2-core CI machine is slow, not wrong (one run took 253 ms > 200 ms).
@settings(deadline=None)
@given(n=st.integers(1, 500), data=st.data(), delta=st.floats(0.001, 0.5))
def test_wilson_contains_p_hat_and_excludes_edges_iff_counts(n, data, delta):
    c = data.draw(st.integers(0, n))
    lo, hi = wilson_interval(c, n, delta)
    assert 0.0 <= lo <= c / n <= hi <= 1.0
    assert (lo > 0.0) == (c >= 1)  # "solvable with confidence" ⇔ at least one success
    assert (hi < 1.0) == (c <= n - 1)


def test_wilson_narrows_with_confidence_and_samples():
    assert wilson_interval(5, 20, delta=0.01)[0] < wilson_interval(5, 20, delta=0.1)[0]
    w_small = wilson_interval(5, 20)[1] - wilson_interval(5, 20)[0]
    w_big = wilson_interval(50, 200)[1] - wilson_interval(50, 200)[0]
    assert w_big < w_small


@pytest.mark.parametrize("args", [(-1, 5), (6, 5), (1, 0), (float("nan"), 4)])
def test_wilson_rejects_bad_counts(args):
    with pytest.raises(ValueError):
        wilson_interval(*args)


@pytest.mark.parametrize("delta", [0.0, 1.0, -0.1])
def test_wilson_rejects_bad_delta(delta):
    with pytest.raises(ValueError, match="delta"):
        wilson_interval(1, 4, delta)


# --- pass@k -------------------------------------------------------------------------------------------------

def _pass_at_k_by_enumeration(n, c, k):
    samples = [1] * c + [0] * (n - c)
    subsets = list(combinations(samples, k))
    return sum(any(s) for s in subsets) / len(subsets)


def test_pass_at_k_hand_values():
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)  # pass@1 is the mean accuracy
    # 1 − C(2,2)/C(4,2) = 1 − 1/6
    assert pass_at_k(4, 2, 2) == pytest.approx(5 / 6)
    # 1 − C(5,3)/C(8,3) = 1 − 10/56
    assert pass_at_k(8, 3, 3) == pytest.approx(1 - 10 / 56)


def test_pass_at_k_edge_cases():
    assert pass_at_k(16, 0, 8) == 0.0
    assert pass_at_k(16, 16, 8) == 1.0
    assert pass_at_k(10, 3, 8) == 1.0  # n − c = 7 < k: every 8-subset holds a correct sample
    assert pass_at_k(5, 1, 5) == 1.0


@settings(deadline=None)
@given(n=st.integers(1, 12), data=st.data())
def test_pass_at_k_matches_enumeration(n, data):
    c = data.draw(st.integers(0, n))
    k = data.draw(st.integers(1, n))
    assert pass_at_k(n, c, k) == pytest.approx(_pass_at_k_by_enumeration(n, c, k), abs=1e-12)


def test_pass_at_k_stable_for_large_n():
    value = pass_at_k(1024, 10, 64)
    exact = 1 - math.comb(1014, 64) / math.comb(1024, 64)  # exact integer arithmetic, then one division
    assert value == pytest.approx(exact, rel=1e-12)


def test_pass_at_k_rejects_k_above_n_and_bad_types():
    with pytest.raises(ValueError, match="pass@9 from 8"):
        pass_at_k(8, 2, 9)
    with pytest.raises(ValueError):
        pass_at_k(8, 9, 1)
    with pytest.raises(ValueError):
        pass_at_k(8, 2, 0)
    with pytest.raises(TypeError):
        pass_at_k(8.0, 2, 1)


# --- Student t and mean_ci ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "df, t95, t99",
    [(1, 12.7062, 63.6567), (2, 4.3027, 9.9248), (4, 2.7764, 4.6041), (9, 2.2622, 3.2498), (29, 2.0452, 2.7564)],
)
def test_t_quantile_matches_tables(df, t95, t99):
    assert t_quantile(0.95, df) == pytest.approx(t95, abs=1e-4)
    assert t_quantile(0.99, df) == pytest.approx(t99, abs=1e-4)


def test_t_quantile_tends_to_normal():
    assert t_quantile(0.95, 2000) == pytest.approx(1.95996, abs=2e-3)
    assert t_quantile(0.95, 2000) > 1.959963984540054


def test_mean_ci_hand_computed():
    mean, lo, hi = mean_ci([1, 2, 3, 4, 5])
    # s = √2.5, t*_{4} = 2.776445
    half = 2.776445105 * math.sqrt(2.5) / math.sqrt(5)
    assert mean == 3.0
    assert lo == pytest.approx(3 - half, abs=1e-8)
    assert hi == pytest.approx(3 + half, abs=1e-8)


def test_mean_ci_degenerate_inputs():
    mean, lo, hi = mean_ci([0.25])
    assert mean == 0.25 and math.isnan(lo) and math.isnan(hi)
    assert mean_ci([0.5, 0.5, 0.5]) == (0.5, 0.5, 0.5)
    with pytest.raises(ValueError, match="empty"):
        mean_ci([])
    with pytest.raises(ValueError, match="finite"):
        mean_ci([1.0, float("inf")])


# --- minimum detectable paired difference -------------------------------------------------------------------

def test_min_detectable_difference_hand_computed():
    # m = 8: t_{0.975, 7} = 2.364624 and t_{0.80, 7} = 0.896030 (tables); s_d of ±1 alternating = √(8/7).
    assert min_detectable_difference([1, -1] * 4) == pytest.approx(
        (2.364624 + 0.896030) * math.sqrt(8 / 7) / math.sqrt(8), rel=1e-5)
    # m = 5: t_{0.975, 4} = 2.776445, t_{0.80, 4} = 0.940965; s_d of 1..5 = √2.5. The mean does not enter.
    assert min_detectable_difference([1, 2, 3, 4, 5]) == pytest.approx(
        (2.776445 + 0.940965) * math.sqrt(2.5) / math.sqrt(5), rel=1e-5)
    assert min_detectable_difference([11, 12, 13, 14, 15]) == pytest.approx(min_detectable_difference([1, 2, 3, 4, 5]))


def test_min_detectable_difference_shrinks_with_seeds_and_grows_with_power():
    spread = [0.05, -0.03, 0.02, -0.04]
    assert min_detectable_difference(spread * 4) < min_detectable_difference(spread)
    assert min_detectable_difference(spread, power=0.9) > min_detectable_difference(spread, power=0.8)
    # power 0.5: only the test's own critical value, i.e. the 95 % CI half-width.
    _, lo, hi = mean_ci(spread)
    assert min_detectable_difference(spread, power=0.5) == pytest.approx((hi - lo) / 2)


def test_min_detectable_difference_rejects_bad_input():
    with pytest.raises(ValueError, match=">= 2"):
        min_detectable_difference([0.1])
    with pytest.raises(ValueError, match="power"):
        min_detectable_difference([0.1, 0.2], power=1.0)
