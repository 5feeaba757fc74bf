"""The built-in synthetic math task: short problems in graded levels, deterministic from a seed.

Levels run from 1-digit addition to multi-digit multiplication; their answers exercise the verifier's forms
(negative integers, decimals like 0.5, reduced fractions \\frac{3}{4} and -\\frac{1}{6}).

Train and held-out never share a problem, for any seed: the problem space itself is split by a hash of the
problem text (a quarter is held-out territory). So the tiny model, supervised on train-side problems only, has
never seen a held-out problem of any seed.
"""
from __future__ import annotations

import hashlib
import random
from fractions import Fraction
from typing import Callable

from rlvr.data import Problem, text_id

_HELDOUT_SHARE = 4  # one problem text in 4 belongs to held-out territory


def _add1(rng: random.Random) -> tuple[str, str]:
    a, b = rng.randint(0, 9), rng.randint(0, 9)
    return f"Compute {a}+{b}.", str(a + b)


def _add21(rng: random.Random) -> tuple[str, str]:
    a, b = rng.randint(10, 99), rng.randint(1, 9)
    return f"Compute {a}+{b}.", str(a + b)


def _sub2(rng: random.Random) -> tuple[str, str]:
    a, b = rng.randint(10, 99), rng.randint(10, 99)
    return f"Compute {a}-{b}.", str(a - b)


def _linear(rng: random.Random) -> tuple[str, str]:
    """a*x + b = c with an integer root x (possibly negative)."""
    a, x, b = rng.randint(2, 9), rng.randint(-9, 9), rng.choice([i for i in range(-9, 10) if i])
    sign = "+" if b > 0 else "-"
    return f"Solve {a}x{sign}{abs(b)}={a * x + b}.", str(x)


def _decimal(rng: random.Random) -> tuple[str, str]:
    """Sums of one-decimal numbers; the gold is written without trailing zeros (4.0 -> 4)."""
    a, b = rng.randint(1, 99), rng.randint(1, 99)  # tenths
    total = Fraction(a + b, 10)
    gold = str(total.numerator) if total.denominator == 1 else f"{float(total):.1f}"
    return f"Compute {a / 10:.1f}+{b / 10:.1f}.", gold


def _mul12(rng: random.Random) -> tuple[str, str]:
    a, b = rng.randint(2, 9), rng.randint(10, 99)
    return f"Compute {a}*{b}.", str(a * b)


def _latex_fraction(q: Fraction) -> str:
    if q.denominator == 1:
        return str(q.numerator)
    sign = "-" if q < 0 else ""
    return f"{sign}\\frac{{{abs(q.numerator)}}}{{{q.denominator}}}"


def _fraction(rng: random.Random) -> tuple[str, str]:
    """p/q ± r/s with small denominators; the gold is reduced (and may be negative or an integer)."""
    q, s = rng.randint(2, 9), rng.randint(2, 9)
    p, r = rng.randint(1, q - 1), rng.randint(1, s - 1)
    op = rng.choice("+-")
    value = Fraction(p, q) + Fraction(r, s) if op == "+" else Fraction(p, q) - Fraction(r, s)
    return f"Compute {p}/{q}{op}{r}/{s}.", _latex_fraction(value)


def _mul31(rng: random.Random) -> tuple[str, str]:
    a, b = rng.randint(100, 999), rng.randint(2, 9)
    return f"Compute {a}*{b}.", str(a * b)


# Level k (1-based) is _GENERATORS[k - 1]; ordered by how hard they are for a small model answering directly.
_GENERATORS: tuple[Callable[[random.Random], tuple[str, str]], ...] = (
    _add1, _add21, _sub2, _linear, _decimal, _mul12, _fraction, _mul31)
LEVELS = len(_GENERATORS)
LEVEL_NAMES = ("1-digit addition", "2-digit + 1-digit", "2-digit subtraction", "linear equation",
               "decimal addition", "1-digit x 2-digit", "fraction sum", "3-digit x 1-digit")


def is_heldout_text(text: str) -> bool:
    """Whether a problem text lies in held-out territory (independent of the seed)."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:8], 16) % _HELDOUT_SHARE == 0


def _draw(rng: random.Random, level: int, heldout: bool) -> Problem:
    """One problem of `level` from the held-out or the train side of the problem space."""
    generate = _GENERATORS[level - 1]
    for _ in range(10_000):
        text, answer = generate(rng)
        if is_heldout_text(text) == heldout:
            return Problem(id=text_id(text), problem=text, answer=answer, level=level)
    raise AssertionError(f"level {level} generator never produced a {'held-out' if heldout else 'train'} problem")


def _unique_split(seed: int, n: int, heldout: bool) -> list[Problem]:
    """n distinct problems, levels round-robin (balanced), from one side of the problem space."""
    if n < 0:
        raise ValueError(f"the number of problems must be >= 0, got {n}")
    rng = random.Random(f"rlvr-synthetic/{seed}/{'heldout' if heldout else 'train'}")
    out: list[Problem] = []
    seen: set[str] = set()
    for i in range(n):
        level = i % LEVELS + 1
        for _ in range(1_000):
            p = _draw(rng, level, heldout)
            if p.problem not in seen:
                break
        else:
            have = sum(q.level == level for q in out)
            raise ValueError(f"synthetic level {level} ({LEVEL_NAMES[level - 1]}) ran out of distinct "
                             f"{'held-out' if heldout else 'train'} problems after {have}; ask for fewer")
        seen.add(p.problem)
        out.append(p)
    return out


def make_task(seed: int = 0, n_train: int = 64, n_heldout: int = 64) -> tuple[list[Problem], list[Problem]]:
    """(train pool, held-out set): distinct problems, levels balanced, disjoint, the same for the same seed.

    The held-out set depends only on (seed, n_heldout), not on n_train."""
    return _unique_split(seed, n_train, heldout=False), _unique_split(seed, n_heldout, heldout=True)


def practice_problems(seed: int, n: int, levels: tuple[int, ...] | None = None) -> list[Problem]:
    """n train-side problems (repeats allowed) for supervised warm-up; never a held-out problem of any seed.

    `levels` restricts (and, by repetition, weights) the levels drawn from; default all, uniformly."""
    levels = levels or tuple(range(1, LEVELS + 1))
    for level in levels:
        if not 1 <= level <= LEVELS:
            raise ValueError(f"synthetic level must be in 1..{LEVELS}, got {level}")
    rng = random.Random(f"rlvr-synthetic/{seed}/practice")
    return [_draw(rng, rng.choice(levels), heldout=False) for _ in range(n)]
