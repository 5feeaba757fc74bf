"""Deterministic benchmark cases for the verifier: realistic model outputs against MATH-style gold answers.

Each case is {"id", "category", "response", "gold", "expect"} where `expect` is the verdict a correct verifier
gives by construction: "CORRECT" (an equivalent answer written differently), "INCORRECT" (a wrong answer) or
"NO_ANSWER" (no final answer in the response). Categories mix integers, fractions/decimals, radicals and π,
polynomials, equations, intervals, tuples, percent/units, scientific notation, multiple choice and text.
"""
from __future__ import annotations

import math
import random

_INTROS = [
    "Let me work through this step by step.\nFirst we simplify the expression and collect terms. ",
    "We are asked to compute the value. Using the given conditions, we find ",
    "Solution: Substituting $x = 3$ gives $2 \\cdot 3 + 1 = 7$, and continuing, ",
    "By Vieta's formulas the sum of the roots is $-b/a$. Then after some algebra ",
    "",
]
_NO_ANSWER = [
    "Let me think about this. I am not sure how to finish this problem.",
    "We need to consider the cases separately, but the problem statement is ambiguous.",
    "",
]
_OUTROS = [
    "Therefore, the final answer is $\\boxed{{{a}}}$.",
    "So the answer is \\boxed{{{a}}}.",
    "Hence we get $\\boxed{{{a}}}$. I hope it is correct.",
    "Final Answer: The final answer is ${a}$. I hope it is correct.",
    "Thus $\\boxed{{{a}}}$",
]


def _response(rng: random.Random, answer: str) -> str:
    steps = " ".join(f"Step {k}: we get ${rng.randint(2, 99)} + {rng.randint(2, 99)}$." for k in
                     range(rng.randint(0, 4)))
    return rng.choice(_INTROS) + steps + "\n" + rng.choice(_OUTROS).format(a=answer)


def _frac(p: int, q: int, style: str) -> str:
    return {"frac": f"\\frac{{{p}}}{{{q}}}", "dfrac": f"\\dfrac{{{p}}}{{{q}}}", "slash": f"{p}/{q}",
            "tfrac": f"\\tfrac{{{p}}}{{{q}}}"}[style]


def _integer(rng):
    n = rng.randint(-999, 99999)
    right = rng.choice([str(n), f"{n:,}" if abs(n) >= 1000 else str(n), f"{n}.0", f"0{n}" if n > 0 else str(n)])
    return str(n), right, str(n + rng.choice([-1, 1, 10]))


def _fraction(rng):
    q = rng.randint(2, 40)
    p = rng.randint(1, 5 * q)
    while math.gcd(p, q) != 1:
        p += 1
    k = rng.randint(2, 5)
    right = rng.choice([_frac(p, q, "dfrac"), _frac(p, q, "slash"), _frac(k * p, k * q, "frac"),
                        _frac(p, q, "tfrac")])
    if q in (2, 4, 5, 8, 10, 20, 25, 40):  # terminating decimals are exact
        right = rng.choice([right, repr(p / q)])
    wrong = rng.choice([_frac(q, p, "frac"), _frac(p + 1, q, "frac"), f"{p / q:.3f}" if (p * 1000) % q else
                        _frac(p, q + 1, "frac")])
    return _frac(p, q, "frac"), right, wrong


def _radical(rng):
    a, b = rng.randint(2, 9), rng.choice([2, 3, 5, 6, 7, 10])
    gold = f"{a}\\sqrt{{{b}}}"
    short = f"{a}\\sqrt{b}" if b < 10 else gold  # \\sqrt10 would be \\sqrt{1}0
    right = rng.choice([f"\\sqrt{{{a * a * b}}}", short, f"{a} \\sqrt{{{b}}}", f"\\sqrt{{{b}}} \\cdot {a}"])
    wrong = rng.choice([f"{a + 1}\\sqrt{{{b}}}", f"{a}\\sqrt{{{b + 1}}}", f"\\sqrt{{{a * b}}}"])
    return gold, right, wrong


def _pi(rng):
    p, q = rng.randint(1, 7), rng.choice([2, 3, 4, 6, 12])
    while math.gcd(p, q) != 1:
        p += 1
    gold = f"\\frac{{{p}\\pi}}{{{q}}}"
    right = rng.choice([f"\\frac{{{p}}}{{{q}}}\\pi", f"{p}\\pi/{q}", f"\\dfrac{{{p} \\pi}}{{{q}}}"])
    wrong = rng.choice([f"\\frac{{{q}\\pi}}{{{p + q}}}", f"\\frac{{{p}}}{{{q}}}"])
    return gold, right, wrong


def _polynomial(rng):
    r, s = rng.randint(-6, 6), rng.randint(-6, 6)
    var = rng.choice("xyt")
    b, c = -(r + s), r * s

    def poly(b, c):
        terms = f"{var}^2"
        if b:
            terms += f" {'+' if b > 0 else '-'} {abs(b) if abs(b) != 1 else ''}{var}"
        if c:
            terms += f" {'+' if c > 0 else '-'} {abs(c)}"
        return terms

    def factor(root):
        return f"({var} {'-' if root >= 0 else '+'} {abs(root)})"

    gold = poly(b, c)
    right = rng.choice([f"{factor(r)}{factor(s)}", f"{factor(s)}{factor(r)}"])
    wrong = rng.choice([poly(b, c + 1), f"{factor(r)}{factor(-s)}" if s else poly(b + 1, c)])
    return gold, right, wrong


def _equation(rng):
    m, k = rng.randint(-5, 9) or 2, rng.randint(-9, 9)
    rhs = f"{m}x {'+' if k >= 0 else '-'} {abs(k)}"
    return f"y = {rhs}", rng.choice([rhs, f"y={rhs.replace(' ', '')}"]), f"y = {m + 1}x"


def _interval(rng):
    a = rng.randint(-9, 5)
    b = a + rng.randint(1, 9)
    lo, hi = rng.choice("[("), rng.choice("])")
    gold = rng.choice([f"{lo}{a}, {b}{hi}", f"(-\\infty, {b}{hi}", f"{lo}{a}, \\infty)"])
    right = rng.choice([gold.replace(" ", ""), f"\\left{gold[0]}{gold[1:-1]}\\right{gold[-1]}"])
    flipped = {"[": "(", "(": "[", "]": ")", ")": "]"}
    wrong = gold[:-1] + flipped[gold[-1]] if gold.startswith("(-\\infty") else flipped[gold[0]] + gold[1:]
    return gold, right, wrong


def _tuple(rng):
    x, y = rng.randint(-9, 9), rng.randint(-9, 9)
    if x == y:
        y += 1
    return f"({x}, {y})", rng.choice([f"({x},{y})", f"\\left( {x}, {y} \\right)"]), f"({y}, {x})"


def _units(rng):
    n = rng.randint(1, 99)
    kind = rng.choice(["percent", "degrees", "dollars", "text"])
    if kind == "percent":
        return f"{n}\\%", rng.choice([f"{n}\\%", f"{n}"]), f"{n + 1}\\%"
    if kind == "degrees":
        return f"{n}^\\circ", rng.choice([f"{n}^{{\\circ}}", f"{n}", f"{n}^\\circ"]), f"{n + 5}^\\circ"
    if kind == "dollars":
        return f"\\${n}.50", rng.choice([f"\\${n}.50", f"{n}.5", f"{n}.50"]), f"\\${n}.05"
    return f"{n}\\text{{ cm}}", rng.choice([f"{n}", f"{n} \\text{{cm}}", f"{n}\\mbox{{ cm}}"]), f"{n + 2}\\text{{ cm}}"


def _scientific(rng):
    m, e = rng.randint(11, 99), rng.randint(3, 7)
    value = m * 10 ** (e - 1)
    gold = f"{m / 10}\\times 10^{{{e}}}"
    return gold, rng.choice([str(value), f"{m / 10} \\times 10^{e}"]), str(value * 10)


def _choice(rng):
    letter = rng.choice("ABCDE")
    other = rng.choice([c for c in "ABCDE" if c != letter])
    return f"\\text{{({letter})}}", rng.choice([letter, f"({letter})", f"\\text{{{letter}}}"]), other


def _text(rng):
    word = rng.choice(["yes", "no", "Monday", "odd", "even", "north"])
    other = {"yes": "no", "no": "yes", "Monday": "Tuesday", "odd": "even", "even": "odd", "north": "south"}[word]
    return f"\\text{{{word}}}", rng.choice([word, f"\\text{{{word}}}", word.capitalize()]), other


CATEGORIES = {
    "integer": (_integer, 6), "fraction": (_fraction, 5), "radical": (_radical, 3), "pi": (_pi, 2),
    "polynomial": (_polynomial, 3), "equation": (_equation, 1), "interval": (_interval, 2), "tuple": (_tuple, 2),
    "units": (_units, 2), "scientific": (_scientific, 1), "choice": (_choice, 1), "text": (_text, 1),
}


def make_cases(n: int = 3000, seed: int = 0) -> list[dict]:
    """`n` cases: about 60% equivalent answers, 32% wrong ones, 8% responses without a final answer."""
    rng = random.Random(seed)
    names = list(CATEGORIES)
    weights = [CATEGORIES[c][1] for c in names]
    cases = []
    for i in range(n):
        category = rng.choices(names, weights)[0]
        gold, right, wrong = CATEGORIES[category][0](rng)
        roll = rng.random()
        if roll < 0.08:
            # No digits at all: a lone number would count as the answer when nothing else is found.
            response, expect = rng.choice(_NO_ANSWER), "NO_ANSWER"
        elif roll < 0.40:
            response, expect = _response(rng, wrong), "INCORRECT"
        else:
            response, expect = _response(rng, right), "CORRECT"
        cases.append({"id": f"c{i}", "category": category, "response": response, "gold": gold, "expect": expect})
    return cases
