"""Small-sample estimators: Wilson score interval, unbiased pass@k, mean ± Student-t confidence interval, and the
minimum difference a paired comparison over seeds can detect.

Pure math on Python numbers (no I/O, no numpy/scipy), so every caller — profiling, pairing, evaluation, the
experiment harness — shares one definition of each number it reports.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist


def _check_counts(successes: float, n: float, name: str = "successes") -> None:
    if not (math.isfinite(n) and n > 0):
        raise ValueError(f"n must be a positive count, got n={n!r}")
    if not (math.isfinite(successes) and 0 <= successes <= n):
        raise ValueError(f"{name} must lie in [0, n={n}], got {name}={successes!r}")


def wilson_interval(successes: float, n: float, delta: float = 0.05) -> tuple[float, float]:
    """Wilson score interval [L, U] for a binomial success rate at confidence 1 − δ.

        p̂ = c / n,  z = Φ⁻¹(1 − δ/2)
        centre = (p̂ + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/4n² )
        [L, U] = [centre − half, centre + half]

    Unlike the normal (Wald) interval it never leaves [0, 1] and is not degenerate at c = 0 or c = n, which is
    exactly where pairing needs it: L > 0 ⇔ c ≥ 1 and U < 1 ⇔ c ≤ n − 1 (so "solvable with confidence" and
    "at least one verified success" coincide). `successes` and `n` may be non-integer effective counts
    (e.g. exponentially decayed online counts); the formula is the same.
    """
    _check_counts(successes, n)
    if not 0.0 < delta < 1.0:
        raise ValueError(f"delta must lie in (0, 1), got delta={delta!r}")
    z = NormalDist().inv_cdf(1.0 - delta / 2.0)
    p_hat = successes / n
    z2_n = z * z / n
    centre = (p_hat + z2_n / 2.0) / (1.0 + z2_n)
    half = z / (1.0 + z2_n) * math.sqrt(p_hat * (1.0 - p_hat) / n + z2_n / (4.0 * n))
    # The bounds are exactly 0 / 1 at c = 0 / c = n in exact arithmetic; pin them so float rounding
    # cannot turn "never solved" into "solvable with confidence".
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples with c correct (Chen et al., 2021):

        pass@k = 1 − C(n − c, k) / C(n, k) = 1 − ∏_{i = n−c+1}^{n} (1 − k / i)

    The product form avoids the huge binomials of the ratio form (n = 1024, k = 64 overflows floats).
    """
    for name, value in (("n", n), ("c", c), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"pass_at_k: {name} must be an int, got {type(value).__name__} {value!r}")
    if n < 1:
        raise ValueError(f"pass_at_k: n must be ≥ 1, got n={n}")
    if not 0 <= c <= n:
        raise ValueError(f"pass_at_k: c must lie in [0, n={n}], got c={c}")
    if not 1 <= k <= n:
        raise ValueError(f"pass_at_k: k must lie in [1, n={n}] (cannot estimate pass@{k} from {n} samples)")
    if n - c < k:  # every k-subset contains a correct sample
        return 1.0
    miss = 1.0
    for i in range(n - c + 1, n + 1):
        miss *= 1.0 - k / i
    return 1.0 - miss


def _t_two_sided_mass(t: float, df: int) -> float:
    """A(t | ν) = P(|T| ≤ t) for Student's t with integer ν, closed form (Abramowitz & Stegun 26.7.3–4):

        θ = atan(t / √ν)
        ν odd:  A = (2/π) [θ + sin θ (cos θ + (2/3) cos³θ + … + (2·4⋯(ν−3))/(1·3⋯(ν−2)) cos^{ν−2}θ)]
        ν even: A = sin θ [1 + (1/2) cos²θ + (1·3)/(2·4) cos⁴θ + … + (1·3⋯(ν−3))/(2·4⋯(ν−2)) cos^{ν−2}θ]
    """
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 1:
        total, term = 0.0, math.cos(theta)
        for j in range(1, (df - 1) // 2 + 1):  # terms cos^{2j−1}θ · (2·4⋯(2j−2)) / (1·3⋯(2j−1))
            total += term
            term *= c2 * (2 * j) / (2 * j + 1)
        return 2.0 / math.pi * (theta + s * total)  # ν = 1: the sum is empty, A = 2θ/π
    total, term = 0.0, 1.0
    for j in range(df // 2):  # terms cos^{2j}θ · (1·3⋯(2j−1)) / (2·4⋯2j)
        total += term
        term *= c2 * (2 * j + 1) / (2 * j + 2)
    return s * total


def t_quantile(confidence: float, df: int) -> float:
    """t* with P(|T_ν| ≤ t*) = confidence, by bisection on the exact CDF above (scipy is not a dependency)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence!r}")
    if isinstance(df, bool) or not isinstance(df, int) or df < 1:
        raise ValueError(f"degrees of freedom must be an int ≥ 1, got {df!r}")
    lo, hi = 0.0, 1.0
    while _t_two_sided_mass(hi, df) < confidence:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _t_two_sided_mass(mid, df) < confidence:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return 0.5 * (lo + hi)


def mean_ci(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, lo, hi): the sample mean and its Student-t interval  x̄ ± t*_{ν=m−1} · s / √m  (s: sample std).

    With one value the interval is undefined and returned as (x̄, nan, nan) rather than a misleading zero width.
    """
    xs = [float(v) for v in values]
    if not xs:
        raise ValueError("mean_ci: values is empty")
    if not all(math.isfinite(x) for x in xs):
        raise ValueError(f"mean_ci: values must be finite, got {xs!r}")
    m = len(xs)
    mean = math.fsum(xs) / m
    if m == 1:
        return mean, math.nan, math.nan
    s = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (m - 1))
    half = t_quantile(confidence, m - 1) * s / math.sqrt(m)
    return mean, mean - half, mean + half


def min_detectable_difference(differences: Sequence[float], power: float = 0.8, alpha: float = 0.05) -> float:
    """Smallest true mean paired difference a two-sided level-α paired t-test over these m seeds detects with
    probability `power`, taking the observed spread of the differences as the true one:

        δ_min = (t_{1−α/2, m−1} + t_{power, m−1}) · s_d / √m      (s_d: sample std of the m differences)

    (the usual t-based approximation to the noncentral-t power equation). With m = 8 seeds, 80 % power and
    α = 0.05 the factor is 2.365 + 0.896 = 3.261, so δ_min ≈ 1.15 · s_d. Needs m ≥ 2.
    """
    ds = [float(d) for d in differences]
    if len(ds) < 2:
        raise ValueError(f"min_detectable_difference needs >= 2 paired differences, got {len(ds)}")
    if not all(math.isfinite(d) for d in ds):
        raise ValueError(f"min_detectable_difference: differences must be finite, got {ds!r}")
    if not 0.0 < alpha < 1.0 or not 0.5 <= power < 1.0:
        raise ValueError(f"need 0 < alpha < 1 and 0.5 <= power < 1, got alpha={alpha!r}, power={power!r}")
    m = len(ds)
    mean = math.fsum(ds) / m
    s_d = math.sqrt(math.fsum((d - mean) ** 2 for d in ds) / (m - 1))
    # One-sided quantiles from the two-sided routine: P(T ≤ t) = q  ⇔  P(|T| ≤ t) = 2q − 1.
    t_alpha = t_quantile(1.0 - alpha, m - 1)
    t_power = t_quantile(2.0 * power - 1.0, m - 1) if power > 0.5 else 0.0
    return (t_alpha + t_power) * s_d / math.sqrt(m)
