"""Differential test of the C++ answer verifier against sympy as the oracle.

Hypothesis draws expressions inside the documented language (docs/verifier.md): polynomials and rational
expressions in x and y with small integer coefficients, rationals, and rational multiples of square roots of
small integers. Each is rendered with sympy.latex next to
  (a) equivalent forms (expand, factor, together, terms reordered): the verifier must say CORRECT whenever
      sympy.simplify(a - b) == 0;
  (b) perturbed forms (one coefficient + 1, x renamed): where sympy says they differ the verifier must not.
Examples are collected first and verified in one batch, so the server is called once, not once per example.
"""
from __future__ import annotations

import sys

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rlvr.verifier_client import open_verifier

X, Y, Z = sympy.symbols("x y z")
N_EXAMPLES = 200

small_ints = st.integers(min_value=-5, max_value=5)
nonzero_ints = small_ints.filter(lambda n: n != 0)
rationals = st.builds(sympy.Rational, small_ints, st.integers(min_value=1, max_value=6))
surds = st.builds(lambda q, k: q * sympy.sqrt(k), rationals.filter(lambda q: q != 0),
                  st.integers(min_value=2, max_value=12))
constants = st.one_of(small_ints.map(sympy.Integer), rationals, surds)


@st.composite
def polynomials(draw, variables=(X, Y)):
    """A sum of up to 4 monomials c·x^i·y^j with small integer c and degrees ≤ 3 in total."""
    terms = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        c = draw(nonzero_ints)
        var = draw(st.sampled_from(variables))
        i = draw(st.integers(min_value=0, max_value=3))
        other = draw(st.sampled_from(variables))
        j = draw(st.integers(min_value=0, max_value=3 - i))
        terms.append(c * var**i * other**j)
    return sympy.Add(*terms)


@st.composite
def products(draw):
    """A product of up to 3 small linear or quadratic factors in x (and y), times a constant."""
    factors = [draw(constants.filter(lambda c: c != 0))]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        var = draw(st.sampled_from((X, Y)))
        factors.append((draw(nonzero_ints) * var + draw(small_ints)) ** draw(st.integers(min_value=1, max_value=2)))
    return sympy.Mul(*factors)


@st.composite
def rational_expressions(draw):
    """p/q with q a non-constant polynomial, plus optionally a constant."""
    numerator = draw(st.one_of(polynomials(), products()))
    denominator = draw(st.one_of(polynomials(), products()).filter(lambda q: q.free_symbols))
    return numerator / denominator + draw(constants)


expressions = st.one_of(polynomials(), products(), rational_expressions(),
                        st.builds(lambda p, c: p + c, polynomials(), constants), constants)


def _collect(strategy) -> list:
    """Deterministically draws N_EXAMPLES values (derandomized Hypothesis run; no database)."""
    drawn = []

    @settings(max_examples=N_EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value):
        drawn.append(value)

    collect()
    return drawn


def _response(expr_latex: str) -> str:
    return f"Combining the terms, so the answer is \\boxed{{{expr_latex}}}"


def _equal(a, b) -> bool:
    # cancel settles rational functions exactly; simplify is the (slower) fallback for surds.
    d = a - b
    return sympy.cancel(d) == 0 or sympy.simplify(d) == 0


def _equivalent_forms(e) -> list:
    """(name, latex, sympy form): the reordered form renders the expansion with reversed term order."""
    expanded = sympy.expand(e)
    return [("expand", sympy.latex(expanded), expanded), ("factor", sympy.latex(sympy.factor(e)), sympy.factor(e)),
            ("together", sympy.latex(sympy.together(e)), sympy.together(e)),
            ("reordered", sympy.latex(expanded, order="rev-lex"), expanded)]


def _perturbed_forms(e) -> list:
    """One coefficient of the expanded numerator + 1, and x renamed to z."""
    out = []
    numerator, denominator = sympy.fraction(sympy.together(e))
    terms = sympy.Add.make_args(sympy.expand(numerator))
    _, monomial = terms[len(terms) // 2].as_coeff_Mul()
    bumped = (sympy.expand(numerator) + monomial) / denominator
    out.append(("coefficient+1", bumped))
    if X in e.free_symbols:
        out.append(("x->z", e.subs(X, Z)))
    return out


@pytest.fixture(scope="module")
def cases():
    """(kind, gold latex, answer latex, must_be_correct) for every drawn expression."""
    rows = []
    for e in _collect(expressions):
        gold = sympy.latex(e)
        for name, form_latex, form in _equivalent_forms(e):
            if _equal(form, e):
                rows.append((name, gold, form_latex, True))
        for name, other in _perturbed_forms(e):
            if not _equal(e, other):
                rows.append((name, gold, sympy.latex(other), False))
    return rows


def test_verifier_agrees_with_sympy(cases):
    with open_verifier() as verifier:
        verdicts = verifier.verify([_response(a) for _, _, a, _ in cases], [g for _, g, _, _ in cases])
    mismatches = []
    for (kind, gold, answer, must_be_correct), v in zip(cases, verdicts):
        if v.correct != must_be_correct:
            mismatches.append(f"[{kind}] gold={gold!r} answer={answer!r}: verifier said {v.verdict} "
                              f"({v.reason}); sympy says {'equal' if must_be_correct else 'different'}")
    n_equal = sum(c[3] for c in cases)
    # The generator must really exercise both directions.
    assert n_equal >= 2 * N_EXAMPLES and len(cases) - n_equal >= N_EXAMPLES, (n_equal, len(cases))
    assert not mismatches, f"{len(mismatches)} of {len(cases)} disagree with sympy:\n" + "\n".join(mismatches[:40])


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
