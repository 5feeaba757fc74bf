"""Labelled cases for the differential harness (//tools:diff_verifier): hand-written cases per kind of issue 10,
the benchmark's generated cases, and variants generated from reference solutions (MATH train, GSM8K train).

A case is a dict: id, kind (the issue-10 kind number, 0 = as published), variant, source, response, gold,
expect ("CORRECT" / "INCORRECT" / "NO_ANSWER": what a correct grader says) and truncated (the response was cut
off by the token limit). Only CORRECT-or-not is scored: the reward.

Kinds: 1 math span, no box; 2 few-shot formats and precedence; 3 several boxes; 4 named left-hand sides;
5 relations, intervals, sets; 6 text; 7 numbers; 8 symbolic forms; 9 false positives; 10 huge but harmless.
"""
from __future__ import annotations

import json
import re
from typing import Iterator

from rlvr import data

KIND_NAMES = {0: "as published", 1: "math span, no box", 2: "few-shot formats", 3: "several boxes",
              4: "named left side", 5: "relations/sets", 6: "text", 7: "numbers", 8: "symbolic forms",
              9: "false positives", 10: "huge but harmless"}


def _case(kind, variant, source, response, gold, expect, truncated=False):
    return {"kind": kind, "variant": variant, "source": source, "response": response, "gold": gold,
            "expect": expect, "truncated": truncated}


# Hand-written cases, written for this project (realistic model outputs, not taken from any other test suite).
# (kind, response, gold, expect[, truncated])
_OWN = [
    # 1. The answer in a math span, no box.
    (1, r"$(0,2]$", r"(0,2]", "CORRECT"),
    (1, r"We isolate $x$: subtract 3, then divide by 5, so the result is $\frac{y-3}{5}$.", r"\frac{y-3}{5}",
     "CORRECT"),
    (1, r"We isolate $x$: subtract 3, then divide by 5, so the result is $\frac{y-3}{5}$.", r"\frac{y+3}{5}",
     "INCORRECT"),
    (1, r"\(\frac{\sqrt{3}}{2}\)", r"\frac{\sqrt3}{2}", "CORRECT"),
    (1, "The two legs are 6 and 8, so the hypotenuse is\n\\[\\sqrt{6^2+8^2} = \\sqrt{100} = 10.\\]", "10",
     "CORRECT"),
    (1, "Completing the square, the vertex is at\n$$(-3, 4)$$", "(-3,4)", "CORRECT"),
    (1, "Expanding the product term by term gives $x^2 + 5x + 6$, which is the required polynomial.",
     "(x+2)(x+3)", "CORRECT"),
    (1, "The probability of drawing two red cards is $\\frac{26}{52}\\cdot\\frac{25}{51} = \\frac{25}{102}$.",
     r"\frac{25}{102}", "CORRECT"),
    (1, "Summing the series, we obtain $\\frac{\\pi^2}{6}$. This completes the solution.", r"\frac{\pi^2}{6}",
     "CORRECT"),
    (1, "The area is\n\\begin{align*}\nA &= \\int_0^1 x^2\\,dx \\\\\n&= \\frac{1}{3}.\n\\end{align*}",
     r"\frac13", "CORRECT"),
    (1, "So she pays $15 for the shirts and $12 for the hat, 27 dollars in total.", "27", "CORRECT"),
    # 2. Few-shot formats and precedence.
    (2, "First, $7 \\cdot 12 = \\boxed{84}$ eggs per crate. Then $84 \\cdot 15 + 24 = 1284$.\nFinal Answer: The "
        "final answer is $1,284$. I hope it is correct.", "1284", "CORRECT"),
    (2, "First, $7 \\cdot 12 = \\boxed{84}$ eggs per crate. Then $84 \\cdot 15 + 24 = 1284$.\nFinal Answer: The "
        "final answer is $1,284$. I hope it is correct.", "84", "INCORRECT"),
    (2, "We test $k = 10, 11$ and both fail; $k = 12$ works.\nFinal Answer: The smallest $k$ is 12.", "12",
     "CORRECT"),
    (2, "Adding the three numbers gives 7.\n\n**Answer:** 7", "7", "CORRECT"),
    (2, "The slope is the ratio of the changes.\n\n**Final Answer:** $\\frac{3}{4}$", "0.75", "CORRECT"),
    (2, "### Final Answer\n$-\\frac{1}{3}$", r"-\frac13", "CORRECT"),
    (2, "**Answer**: $x=-3$", "-3", "CORRECT"),
    (2, "Counting the arrangements, there are 56 of them.\nFinal Answer: There are 56 ways.", "56", "CORRECT"),
    (2, "The total is $\\boxed{15}$.<|im_end|>\n<|im_start|>user\nAnd what is 2+2? Put it in \\boxed{}.<|im_end|>"
        "\n<|im_start|>assistant\nThe answer is 4.", "15", "CORRECT"),
    (2, "The total is $\\boxed{15}$.<|endoftext|>Question: What is 2+2?\nAnswer: 4", "15", "CORRECT"),
    (2, "The total is $\\boxed{15}$.</s>", "15", "CORRECT"),
    # 3. Several boxes.
    (3, "The roots are $\\boxed{3}$ and $\\boxed{5}$.", "3, 5", "CORRECT"),
    (3, "The ordered pairs are $\\boxed{(1,4)} \\text{ and } \\boxed{(4,1)}$.", "(1,4), (4,1)", "CORRECT"),
    (3, "$x = \\boxed{-1}, \\boxed{2}$", "-1, 2", "CORRECT"),
    (3, "The roots are $\\boxed{3}$ and $\\boxed{5}$.", "5", "INCORRECT"),
    (3, "First $a = \\boxed{2}$, and so the product is $2 \\cdot 3 = \\boxed{6}$.", "6", "CORRECT"),
    (3, "Step one gives $\\boxed{4}$.\nStep two gives $\\boxed{9}$.", "9", "CORRECT"),
    (3, "It is either $\\boxed{2}$ or $\\boxed{3}$.", "3", "NO_ANSWER"),
    # 8. Symbolic forms whose failure is extraction.
    (8, "Evaluating the integral from 0 to 1 gives $2-\\frac{1}{\\mathrm{e}}$.", r"2-\frac{1}{e}", "CORRECT"),
    # 9. False positives, and correct answers lost to a neighbouring rule.
    (9, "Let me list what we know:\n1. There are 5 boxes.\n2. Each box holds 8 pens.\n3", "3", "NO_ANSWER"),
    (9, "The shop sold 12 cakes on Monday. Then I need to think about Tuesday, when", "12", "NO_ANSWER", True),
    (9, "So the answer is $\\boxed{7}$. To double-check, we add 3 and 4 and get", "7", "NO_ANSWER", True),
    (9, "The problem mentions 12 apples. We do not have enough information to finish.", "12", "NO_ANSWER"),
    (9, "The answer is $\\boxed{}$.\nI forgot to fill it in. The final answer is 24.", "24", "CORRECT"),
    (9, "$\\boxed{3 + 4 \\cdot 5 = 3 + 20 = 23}$", "23", "CORRECT"),
    (9, "The final answer is $P(2) = 4 + 2 + 1 = 7$.", "7", "CORRECT"),
    (9, "So the total is 9 dollars.", "9", "CORRECT"),
    (9, "Step 1: 48 / 2 = 24 clips in May.\nStep 2: 48 + 24 = 72 clips in total.", "72", "CORRECT"),
    (9, "Step 1: 48 / 2 = 24 clips in May.\nStep 2: 48 + 24 = 72 clips in total.", "24", "INCORRECT"),
    (9, "Hmm, 5 and 7 and 12. I keep going around in circles", "12", "NO_ANSWER", True),
]


def own_cases() -> list[dict]:
    return [_case(c[0], "own", "own", c[1], c[2], c[3], *c[4:]) for c in _OWN]


def bench_cases(n: int) -> list[dict]:
    """The benchmark's generated cases (tools/bench_verifier_cases.py), labelled by construction."""
    import bench_verifier_cases
    return [_case(0, "bench:" + c["category"], "bench", c["response"], c["gold"], c["expect"])
            for c in bench_verifier_cases.make_cases(n)]


def _wrong(gold: str, other: str) -> str | None:
    """A different answer: n+1 for an integer gold, else another problem's gold (None if it reads the same)."""
    if re.fullmatch(r"-?\d+", gold):
        return str(int(gold) + 1)
    return None if _loose(other) == _loose(gold) else other


def _loose(s: str) -> str:
    return re.sub(r"\\[dt]frac", r"\\frac", re.sub(r"\s|\\!|\\,|\\left|\\right", "", s))


def _top_level_parts(s: str) -> list[str]:
    """`s` split at commas outside brackets ("1, (2,3)" -> ["1", "(2,3)"])."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0 and s[i - 1] not in "{\\" and not re.match(r"(\\!)?\d{3}(?!\d)", s[i + 1:]):
            parts.append(s[start:i].strip())
            start = i + 1
    parts.append(s[start:].strip())
    return parts


_DEBRIS = ["<|im_end|>\n<|im_start|>user\nThanks! Now another one: what is {q}?<|im_end|>\n<|im_start|>assistant\n"
           "The answer is ${a}$.",
           "<|endoftext|>\n\nProblem: {q}\nSolution: Final Answer: The final answer is ${a}$.",
           "</s>\nHuman: And {q}?\nAssistant: **Answer:** {a}"]

# Text allowed after the last box for the solution to be used: closing delimiters and punctuation only.
_TAIL = re.compile(r"(\s|\$|\\\]|\\\)|\\end\{[a-z*]+\}|[.,;!])*")


def solution_variants(i: int, solution: str, gold: str, other_gold: str, source: str) -> Iterator[dict]:
    """Variants of one reference solution whose last box holds `gold` (see the module docstring)."""
    span = data.last_boxed_span(solution)
    if span is None or not _TAIL.fullmatch(solution[span[2] + 1:]):
        return
    start, content_start, content_end = span
    pre, post = solution[:start], solution[content_end + 1:]
    unboxed = pre + solution[content_start:content_end] + post
    wrong = _wrong(gold, other_gold)
    # A solution that states its answer in words ("so the answer is $41$") contradicts an appended wrong answer:
    # no label is right for that, so such solutions give only the right-answer variants.
    states_answer = re.search(r"answer", unboxed, re.IGNORECASE) is not None

    def both(kind, variant, make):  # the right answer expects CORRECT, a wrong one INCORRECT (kind 9)
        yield _case(kind, variant, source, make(gold), gold, "CORRECT")
        if wrong is not None and not (states_answer and variant in ("dollar", "display", "markdown")):
            yield _case(9, variant + "_wrong", source, make(wrong), gold, "INCORRECT")

    yield from both(0, "reference", lambda a: pre + "\\boxed{" + a + "}" + post)
    if re.search(r"\\boxed|\\fbox", unboxed):
        return  # an earlier box would still answer every unboxed variant below
    yield _case(1, "unboxed", source, unboxed, gold, "CORRECT")
    yield from both(1, "dollar", lambda a: unboxed + f"\n\nSo the result is ${a}$.")
    yield from both(1, "display", lambda a: unboxed + (f"\n\n\\[{a}\\]" if i % 2 else f"\n\n$${a}$$"))
    yield from both(1, "span_only", lambda a: f"${a}$")
    first_span = re.search(r"(?<![\\$])\$([^$]*[^$\\])\$", pre)
    if first_span:  # an intermediate result boxed, the final answer in the Minerva line
        steps = pre[:first_span.start(1)] + "\\boxed{" + first_span.group(1) + "}" + pre[first_span.end(1):]
        yield from both(2, "minerva", lambda a: steps + solution[content_start:content_end] + post +
                        f"\nFinal Answer: The final answer is ${a}$. I hope it is correct.")
    yield from both(2, "markdown", lambda a: unboxed + (f"\n\n**Answer:** ${a}$" if i % 2 else
                                                        f"\n\n**Final Answer:** {a}"))
    debris = _DEBRIS[i % len(_DEBRIS)]
    yield from both(2, "chat_debris", lambda a: pre + "\\boxed{" + a + "}" + post +
                    debris.format(q="2+2", a=other_gold if a == gold else gold))
    parts = _top_level_parts(gold)
    if len(parts) >= 2 and all(parts):
        yield _case(3, "several_boxes", source,
                    unboxed + "\n\nThe answers are " + " and ".join(f"$\\boxed{{{p}}}$" for p in parts) + ".",
                    gold, "CORRECT")
    if "=" not in gold and "x" not in gold:
        yield from both(4, "named", lambda a: pre + "\\boxed{x = " + a + "}" + post)
    if re.fullmatch(r"\d{4,}", gold):
        sep = ",", "{,}", "\\,"
        yield _case(7, "thousands", source, pre + "\\boxed{" + f"{int(gold):,}".replace(",", sep[i % 3]) + "}" +
                    post, gold, "CORRECT")


def math_train_cases(path: str, limit: int) -> list[dict]:
    """Variants of the first `limit` MATH train reference solutions, and of the first limit/4 whose gold is a
    list (the several-boxes variant needs one)."""
    rows, lists = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            solution = json.loads(line)["solution"]
            gold = data.last_boxed(solution)
            if not gold:
                continue
            if len(rows) < limit:
                rows.append((solution, gold))
            elif len(lists) < limit // 4 and len(_top_level_parts(gold)) >= 2:
                lists.append((solution, gold))
            if len(rows) >= limit and len(lists) >= limit // 4:
                break
    cases = []
    for i, (solution, gold) in enumerate(rows + lists):
        cases.extend(solution_variants(i, solution, gold, rows[(i + 7) % len(rows)][1], "math_train"))
    return cases


def gsm8k_cases(path: str, limit: int) -> list[dict]:
    """GSM8K train reference answers: as published (ending '#### N'), without that line (the answer is the last
    number of the final sentence), and with a wrong final number."""
    cases = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= limit:
                break
            text = json.loads(line)["answer"]
            body, _, gold = text.rpartition("####")
            gold = gold.strip().replace(",", "")
            cases.append(_case(0, "gsm8k_reference", "gsm8k_train", text, gold, "CORRECT"))
            cases.append(_case(9, "gsm8k_reference_wrong", "gsm8k_train", f"{body}#### {int(gold) + 1}", gold,
                               "INCORRECT"))
            cases.append(_case(1, "gsm8k_no_marker", "gsm8k_train", body.rstrip(), gold, "CORRECT"))
    return cases
