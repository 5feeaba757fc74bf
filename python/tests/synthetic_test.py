"""The synthetic task: deterministic, disjoint splits, balanced levels, correct golds in the verifier's forms."""
import re
from fractions import Fraction

import pytest

from rlvr import synthetic


def _value(answer: str) -> Fraction:
    """Reads a gold answer back as a number (integers, decimals, [-]\\frac{a}{b})."""
    m = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", answer)
    if m:
        assert Fraction(int(m[2]), int(m[3])).denominator == int(m[3]), f"{answer} is not reduced"
        return Fraction(int(m[2]), int(m[3])) * (-1 if m[1] else 1)
    assert re.fullmatch(r"-?\d+(\.\d+)?", answer), answer
    assert not answer.endswith(".0"), f"{answer}: integers are written without a decimal point"
    return Fraction(answer)


def _solve(problem: str) -> Fraction:
    """An independent solver for the problem texts (eval of the arithmetic, algebra for a*x+b=c)."""
    m = re.fullmatch(r"Solve (\d+)x([+-]\d+)=(-?\d+)\.", problem)
    if m:
        return Fraction(int(m[3]) - int(m[2]), int(m[1]))
    m = re.fullmatch(r"Compute ([\d./*+-]+)\.", problem)
    assert m, problem
    expr = re.sub(r"(\d+(?:\.\d+)?)", r"Fraction('\1')", m[1])
    return eval(expr, {"Fraction": Fraction})


def test_deterministic_from_seed():
    assert synthetic.make_task(seed=3) == synthetic.make_task(seed=3)
    assert synthetic.make_task(seed=3) != synthetic.make_task(seed=4)
    assert synthetic.practice_problems(1, 50) == synthetic.practice_problems(1, 50)


def test_splits_are_disjoint_distinct_and_balanced():
    train, heldout = synthetic.make_task(seed=0, n_train=200, n_heldout=80)
    assert len(train) == 200 and len(heldout) == 80
    train_texts, heldout_texts = {p.problem for p in train}, {p.problem for p in heldout}
    assert len(train_texts) == 200 and len(heldout_texts) == 80
    assert not train_texts & heldout_texts
    assert len({p.id for p in train + heldout}) == 280
    for split in (train, heldout):
        counts = [sum(p.level == level for p in split) for level in range(1, synthetic.LEVELS + 1)]
        assert max(counts) - min(counts) <= 1, counts


def test_heldout_depends_only_on_seed_and_size():
    _, heldout = synthetic.make_task(seed=0, n_train=10, n_heldout=40)
    assert synthetic.make_task(seed=0, n_train=300, n_heldout=40)[1] == heldout


def test_practice_never_touches_heldout_of_any_seed():
    practice = {p.problem for p in synthetic.practice_problems(0, 3000)}
    for seed in range(5):
        _, heldout = synthetic.make_task(seed=seed, n_train=0, n_heldout=64)
        assert not practice & {p.problem for p in heldout}


def test_golds_are_correct_and_use_the_verifier_forms():
    train, heldout = synthetic.make_task(seed=0, n_train=400, n_heldout=120)
    kinds = set()
    for p in train + heldout:
        assert 1 <= p.level <= synthetic.LEVELS
        assert len(p.problem) <= 24, p.problem  # short texts: the tiny model's context is small
        assert _value(p.answer) == _solve(p.problem), p
        kinds.add("frac" if "frac" in p.answer else "decimal" if "." in p.answer else "int")
        if p.answer.startswith("-"):
            kinds.add("negative")
    assert kinds == {"frac", "decimal", "int", "negative"}


def test_bad_arguments():
    with pytest.raises(ValueError, match="must be >= 0"):
        synthetic.make_task(n_train=-1)
    with pytest.raises(ValueError, match=r"level 1 \(1-digit addition\) ran out of distinct"):
        synthetic.make_task(n_train=synthetic.LEVELS * 100)
    with pytest.raises(ValueError, match="level must be in 1..8"):
        synthetic.practice_problems(0, 5, levels=(9,))
