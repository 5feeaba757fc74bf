"""Labelled cases for the differential harness (//tools:diff_verifier): hand-written cases per kind of issue 10,
the benchmark's generated cases, and variants generated from reference solutions (MATH train, GSM8K train).

A case is a dict: id, kind (the issue-10 kind number, 0 = as published), variant, source, response, gold,
expect ("CORRECT" / "INCORRECT" / "NO_ANSWER": what a correct grader says) and truncated (the response was cut
off by the token limit). Only CORRECT-or-not is scored: the reward.

Kinds: 1 math span, no box; 2 few-shot formats and precedence; 3 several boxes; 4 named left-hand sides;
5 relations, intervals, sets; 6 text; 7 numbers; 8 symbolic forms; 9 false positives; 10 huge but harmless;
11 answer forms as models write them (units, currency, percent, degrees, number words, markdown, GSM8K "####"
lines with text, chat endings, other box commands, fraction and bracket macros, bases, choice letters).
"""
from __future__ import annotations

import json
import re
from typing import Iterator

from rlvr import data

KIND_NAMES = {0: "as published", 1: "math span, no box", 2: "few-shot formats", 3: "several boxes",
              4: "named left side", 5: "relations/sets", 6: "text", 7: "numbers", 8: "symbolic forms",
              9: "false positives", 10: "huge but harmless", 11: "answer forms"}


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
    (2, "So the total is $\\boxed{15}$.\n\nProblem:\nWhat is $2+2$?\n\nSolution:\nFinal Answer: The final answer is $4$. "
        "I hope it is correct.", "15", "CORRECT"),
    (2, "Final Answer: The final answer is $15$. I hope it is correct.\n\nQuestion: What is 2+2?\nAnswer: 4", "15",
     "CORRECT"),
    # 3. Several boxes.
    (3, "The roots are $\\boxed{3}$ and $\\boxed{5}$.", "3, 5", "CORRECT"),
    (3, "The ordered pairs are $\\boxed{(1,4)} \\text{ and } \\boxed{(4,1)}$.", "(1,4), (4,1)", "CORRECT"),
    (3, "$x = \\boxed{-1}, \\boxed{2}$", "-1, 2", "CORRECT"),
    (3, "The roots are $\\boxed{3}$ and $\\boxed{5}$.", "5", "INCORRECT"),
    (3, "First $a = \\boxed{2}$, and so the product is $2 \\cdot 3 = \\boxed{6}$.", "6", "CORRECT"),
    (3, "Step one gives $\\boxed{4}$.\nStep two gives $\\boxed{9}$.", "9", "CORRECT"),
    (3, "It is either $\\boxed{2}$ or $\\boxed{3}$.", "3", "INCORRECT"),  # a hedge
    # Values joined by "or": the list a gold of several values wants, or two forms of one value.
    (3, "Both work, so $c = \\boxed{-1}$ or $c = \\boxed{4}$.", "-1 \\text{ or } 4", "CORRECT"),
    (3, "Both work, so $c = \\boxed{-1 \\text{ or } 4}$.", "-1 \\text{ or } 4", "CORRECT"),
    (3, "Both work, so $c = \\boxed{-1 \\text{ or } 4}$.", "4, -1", "CORRECT"),
    (3, "Both work, so $c = \\boxed{-1 \\text{ or } 4}$.", "4", "INCORRECT"),
    (3, "Written in base 8, this is $\\boxed{17}$ or $\\boxed{17_8}$.", "17_8", "CORRECT"),
    (3, "This simplifies to $\\boxed{3-a}$, or $\\boxed{-a+3}$.", "3-a", "CORRECT"),
    (3, "This simplifies to $\\boxed{3-a}$, or $\\boxed{-a+3}$.", "3+a", "INCORRECT"),
    # A check after the box does not replace it; a closing restatement does.
    (2, "So $n = \\boxed{40}$.\n\nWe can check our answer: $40 \\cdot 3 = 120$, which is what we needed.", "40",
     "CORRECT"),
    (2, "So $n = \\boxed{40}$.\n\nWe can check our answer: $40 \\cdot 3 = 120$, which is what we needed.", "120",
     "INCORRECT"),
    (2, "So $n = \\boxed{40}$.\n\nChallenge: is it a coincidence that the answer is $4 \\cdot 10$?", "40", "CORRECT"),
    (2, "So $n = \\boxed{40}$.\n\nWe can check our answer: if $n = 40$, then $n + 2 = 42$ is a multiple of $6$.",
     "40", "CORRECT"),
    (2, "So $n = \\boxed{40}$ per box, and the answer is $120$.", "120", "CORRECT"),
    (2, "So $n = \\boxed{40}$ per box, and the answer is $120$ pens.", "120", "CORRECT"),
    (4, "Setting the areas equal gives $\\boxed{\\tan\\theta = 2\\theta}$.", "\\tan \\theta = 2\\theta", "CORRECT"),
    (4, "Setting the areas equal gives $\\boxed{\\tan\\theta = 2\\theta}$.", "\\tan \\theta = \\theta", "INCORRECT"),
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
    # 4-8, 10: equivalence once the answer is extracted (the semantics rules of docs/verifier.md), each answer in
    # one of three wrappers: a box, an answer sentence with a math span, the Minerva line.
    # 4. Named left-hand sides.
    (4, 'Putting everything together, the answer is $\\boxed{(a,b)=(2,5)}$.', '(2,5)', "CORRECT"),
    (4, 'Therefore, the answer is $(2,5)$.', '(a,b)=(2,5)', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $(a,b)=(2,5)$. I hop'
     'e it is correct.',
     '(5,2)', "INCORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{(p, q) = (3, -1)}$.', '(3,-1)', "CORRECT"),
    (4, 'Therefore, the answer is $(x,y,z)=(1,2,3)$.', '(1,2,3)', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $(x,y)=(1,2)$. I hop'
     'e it is correct.',
     '(x,y)=(1,2)', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{A:B=3:4}$.', '3:4', "CORRECT"),
    (4, 'Therefore, the answer is $3:4$.', 'A:B=3:4', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $A:B = 4:3$. I hope '
     'it is correct.',
     '3:4', "INCORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{|PQ|=5}$.', '5', "CORRECT"),
    (4, 'Therefore, the answer is $PQ = 5$.', '5', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $|PQ| = 6$. I hope i'
     't is correct.',
     '5', "INCORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{\\overline{AB}=7}$.', '7', "CORRECT"),
    (4, 'Therefore, the answer is $x+y=9$.', '9', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $9$. I hope it is correct.', 'x+y=9', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{x+y=10}$.', '9', "INCORRECT"),
    (4, 'Therefore, the answer is $a+b+c=12$.', '12', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $m=3, n=7$. I hope i'
     't is correct.',
     'm = 3, n = 7', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{n=7, m=3}$.', 'm = 3, n = 7', "CORRECT"),
    (4, 'Therefore, the answer is $m=7, n=3$.', 'm = 3, n = 7', "INCORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $m=3, n=7$. I hope i'
     't is correct.',
     '(3,7)', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{\\angle ABC = 40^\\circ}$.', '40', "CORRECT"),
    (4, 'Therefore, the answer is $f(3) = 10$.', '10', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $a_5 = 48$. I hope i'
     't is correct.',
     '48', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{xy = 12}$.', '12', "CORRECT"),
    (4, 'Therefore, the answer is $2x = 10$.', '5', "INCORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $x^2 = 5$. I hope it'
     ' is correct.',
     '\\sqrt5', "INCORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{P(A \\cup B) = 0.7}$.', '0.7', "CORRECT"),
    (4, 'Therefore, the answer is $S_{10} = 55$.', '55', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $\\sin\\theta = \\frac{'
     '3}{5}$. I hope it is correct.',
     '\\frac35', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{a = 2, b = 5}$.', '(2,5)', "CORRECT"),
    (4, 'Therefore, the answer is $(a, b) = (2, 5)$.', 'a=2, b=5', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $k = 12$. I hope it '
     'is correct.',
     '12', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{\\text{The area is } 12}$.', '12', "CORRECT"),
    (4, 'Therefore, the answer is $AB = 2\\sqrt{3}$.', '2\\sqrt3', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $m+n = 17$. I hope i'
     't is correct.',
     '17', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{x = 2}$.', 'y=2', "INCORRECT"),
    (4, 'Therefore, the answer is $f(x)=3x+1$.', '3x+1', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $f^{-1}(x) = \\frac{x'
     '-1}{3}$. I hope it is correct.',
     '\\frac{x-1}{3}', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{P = (1, 2)}$.', '(1,2)', "CORRECT"),
    (4, 'Therefore, the answer is $\\text{Area} = 12$.', '12', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $x = 3 \\text{ cm}$. '
     'I hope it is correct.',
     '3', "CORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{m\\angle A = 30^\\circ}$.', '30', "CORRECT"),
    (4, 'Therefore, the answer is $\\frac{10}{3} \\approx 3.33$.', '\\frac{10}{3}', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $x \\approx 3.33$. I '
     'hope it is correct.',
     '\\frac{10}{3}', "INCORRECT"),
    (4, 'Putting everything together, the answer is $\\boxed{h(2) = 5}$.', '5', "CORRECT"),
    (4, 'Therefore, the answer is $a_n = 2n+1$.', '2n+1', "CORRECT"),
    (4, 'We simplify step by step.\nFinal Answer: The final answer is $S = \\{1, 2\\}$. I ho'
     'pe it is correct.',
     '\\{1,2\\}', "CORRECT"),
    # 5. Relations, intervals and sets.
    (5, 'Putting everything together, the answer is $\\boxed{|x-1|\\le 3}$.', '[-2,4]', "CORRECT"),
    (5, 'Therefore, the answer is $[-2,4]$.', '|x-1|\\le 3', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $|x-1|<3$. I hope it'
     ' is correct.',
     '[-2,4]', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{|2x+1| < 5}$.', '(-3,2)', "CORRECT"),
    (5, 'Therefore, the answer is $|x| > 2$.', '(-\\infty,-2)\\cup(2,\\infty)', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $|x|\\ge 2$. I hope i'
     't is correct.',
     '(-\\infty,-2)\\cup(2,\\infty)', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{2<g(x)<5}$.', '(2,5)', "CORRECT"),
    (5, 'Therefore, the answer is $2 \\le f(x) \\le 5$.', '[2,5]', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $2<g(x)<5$. I hope i'
     't is correct.',
     '[2,5]', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{2\\le|w|\\le 3}$.', '[-3,-2]\\cup[2,3]', "CORRECT"),
    (5, 'Therefore, the answer is $[2,3]\\cup[-3,-2]$.', '2\\le|w|\\le 3', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $2\\le|w|\\le 3$. I ho'
     'pe it is correct.',
     '[2,3]', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{y=1 \\text{ or } y=4}$.', '1, 4', "CORRECT"),
    (5, 'Therefore, the answer is $x = 1 \\text{ or } x = 4$.', '\\{1,4\\}', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $x=1 \\text{ or } x=4'
     '$. I hope it is correct.',
     '1, 5', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{\\pm 2, \\pm 3i}$.', '2,-2,3i,-3i', "CORRECT"),
    (5, 'Therefore, the answer is $\\pm 2, \\pm 3$.', '2,-2,3,-3', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $\\pm 2, \\pm 3i$. I h'
     'ope it is correct.',
     '2,-2,3,-3', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{[0,2)\\cup[2,5]}$.', '[0,5]', "CORRECT"),
    (5, 'Therefore, the answer is $[0,5]$.', '[0,2)\\cup[2,5]', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $[0,2)\\cup(2,5]$. I '
     'hope it is correct.',
     '[0,5]', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{(-\\infty,1)\\cup(0,\\infty)}$.',
     '(-\\infty,\\infty)', "CORRECT"),
    (5, 'Therefore, the answer is $x<1 \\text{ or } x>0$.', '\\mathbb{R}', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $(1,3)\\cup(2,4)$. I '
     'hope it is correct.',
     '(1,4)', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{(1,2)\\cup(3,4)}$.', '(1,4)', "INCORRECT"),
    (5, 'Therefore, the answer is $x \\ge -2$.', '[-2,\\infty)', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $-2 \\le x$. I hope i'
     't is correct.',
     '[-2, \\infty)', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{x\\in[1,3]}$.', '1\\le x\\le 3', "CORRECT"),
    (5, 'Therefore, the answer is $x \\le 3$.', '(-\\infty,3)', "INCORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $(3,-1)$. I hope it '
     'is correct.',
     '(-1,3)', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{x<0 \\text{ or } x>1}$.',
     '(-\\infty,0)\\cup(1,\\infty)', "CORRECT"),
    (5, 'Therefore, the answer is $|x+2| \\le 0$.', '\\{-2\\}', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $3 > x > 1$. I hope '
     'it is correct.',
     '(1,3)', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{-\\sqrt2 < x < \\sqrt2}$.',
     '(-\\sqrt{2},\\sqrt{2})', "CORRECT"),
    (5, 'Therefore, the answer is $|x-1|\\le 3$.', '-2\\le x\\le 4', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $(-\\infty, -3] \\cup '
     '[3, \\infty)$. I hope it is correct.',
     '|x| \\ge 3', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{x \\in (-\\infty, 2) \\cup (2, \\'
     'infty)}$.',
     'x \\neq 2', "CORRECT"),
    (5, 'Therefore, the answer is $[-1, 1]$.', '-1 \\le x \\le 1', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $x > \\frac{1}{2}$. I'
     ' hope it is correct.',
     '(\\frac12, \\infty)', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{\\left(-\\infty, \\frac{1}{2}\\ri'
     'ght)}$.',
     'x<\\frac12', "CORRECT"),
    (5, 'Therefore, the answer is $\\{x \\mid x > 0\\}$.', '(0,\\infty)', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $\\{x : -1 < x < 2\\}$'
     '. I hope it is correct.',
     '(-1,2)', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{x<-2 \\text{ or } x>3}$.',
     '(-\\infty,-2)\\cup(3,\\infty)', "CORRECT"),
    (5, 'Therefore, the answer is $x\\in[2,5)$.', '[2,5)', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $[2,5)$. I hope it i'
     's correct.',
     '[2,5]', "INCORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{\\mathbb{R}}$.', '(-\\infty,\\infty)', "CORRECT"),
    (5, 'Therefore, the answer is $\\text{all real numbers}$.', '(-\\infty,\\infty)', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $(-\\infty,\\infty)$. '
     'I hope it is correct.',
     '\\text{All real numbers}', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{\\{1, 2, 3\\}}$.', '1,2,3', "CORRECT"),
    (5, 'Therefore, the answer is $x=\\pm 3$.', '3,-3', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $\\pm\\sqrt{2}$. I hop'
     'e it is correct.',
     '\\sqrt2, -\\sqrt2', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{x=2, x=-3}$.', '-3, 2', "CORRECT"),
    (5, 'Therefore, the answer is $2 \\text{ and } -3$.', '-3, 2', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $x = 2 \\text{ and } '
     'x = -3$. I hope it is correct.',
     '-3,2', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{x \\ne 2}$.', '(-\\infty,2)\\cup(2,\\infty)', "CORRECT"),
    (5, 'Therefore, the answer is $(0, 1]$.', '0 < x \\le 1', "CORRECT"),
    (5, 'We simplify step by step.\nFinal Answer: The final answer is $t \\geq 5$. I hope i'
     't is correct.',
     '[5, \\infty)', "CORRECT"),
    (5, 'Putting everything together, the answer is $\\boxed{[5, \\infty)}$.', 't > 5', "INCORRECT"),
    # 6. Text and choices.
    (6, 'Therefore, the answer is $d$.', 'D', "CORRECT"),
    (6, 'We simplify step by step.\nFinal Answer: The final answer is $D$. I hope it is correct.', 'd', "CORRECT"),
    (6, 'Putting everything together, the answer is $\\boxed{\\text{(d)}}$.', 'D', "CORRECT"),
    (6, 'Therefore, the answer is $c$.', 'D', "INCORRECT"),
    (6, 'We simplify step by step.\nFinal Answer: The final answer is $\\text{odd}$. I hope'
     ' it is correct.',
     '\\text{even}', "INCORRECT"),
    (6, 'Putting everything together, the answer is $\\boxed{\\textbf{even}}$.', '\\text{even}', "CORRECT"),
    (6, 'Therefore, the answer is $\\text{The function is even}$.', '\\text{even}', "INCORRECT"),
    (6, 'We simplify step by step.\nFinal Answer: The final answer is $\\text{Neither}$. I '
     'hope it is correct.',
     '\\text{neither}', "CORRECT"),
    (6, 'Putting everything together, the answer is $\\boxed{\\text{no solution}}$.', '\\text{No solution}', "CORRECT"),
    (6, 'Therefore, the answer is $\\text{Tuesday.}$.', '\\text{Tuesday}', "CORRECT"),
    (6, 'We simplify step by step.\nFinal Answer: The final answer is $\\text{Yes!}$. I hop'
     'e it is correct.',
     '\\text{yes}', "CORRECT"),
    (6, "Putting everything together, the answer is $\\boxed{\\text{John's}}$.", '\\text{Johns}', "CORRECT"),
    (6, 'Therefore, the answer is $(E)$.', 'E', "CORRECT"),
    (6, 'We simplify step by step.\nFinal Answer: The final answer is $e$. I hope it is correct.', 'E', "CORRECT"),
    (6, 'Putting everything together, the answer is $\\boxed{\\text{blue}}$.', '\\text{Blue}', "CORRECT"),
    # 7. Numbers.
    (7, 'Therefore, the answer is $3,\\! 141,\\! 592$.', '3141592', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $3,\\!141,\\!592$. I h'
     'ope it is correct.',
     '3141592', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{1,\\! 000}$.', '1000', "CORRECT"),
    (7, 'Therefore, the answer is $3,\\! 141$.', '3, 141', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $2 1/4$. I hope it i'
     's correct.',
     '\\frac94', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{2\\ 1/4}$.', '2.25', "CORRECT"),
    (7, 'Therefore, the answer is $3 2/5$.', '\\frac{17}{5}', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $2 1/4$. I hope it i'
     's correct.',
     '\\frac12', "INCORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{2 5/4}$.', '\\frac{13}{4}', "INCORRECT"),
    (7, 'Therefore, the answer is $09:15$.', '9:15', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $9:15$. I hope it is'
     ' correct.',
     '09:15', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{9:15}$.', '9:51', "INCORRECT"),
    (7, 'Therefore, the answer is $2:30$.', '1:15', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $5:8$. I hope it is correct.', '5:8', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{10:16}$.', '5:8', "INCORRECT"),
    (7, 'Therefore, the answer is $6:9$.', '2:3', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $5:8$. I hope it is '
     'correct.',
     '\\frac58', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{8:5}$.', '5:8', "INCORRECT"),
    (7, 'Therefore, the answer is $1:2:3$.', '2:4:6', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $1:2:3$. I hope it i'
     's correct.',
     '1:3:2', "INCORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{0.142857142857}$.', '\\frac{1}{7}', "CORRECT"),
    (7, 'Therefore, the answer is $0.14$.', '\\frac17', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $0.1429$. I hope it '
     'is correct.',
     '\\frac17', "INCORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{0.14286}$.', '\\frac17', "CORRECT"),
    (7, 'Therefore, the answer is $0.14285$.', '\\frac17', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $50.265$. I hope it '
     'is correct.',
     '16\\pi', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{50.266}$.', '16\\pi', "INCORRECT"),
    (7, 'Therefore, the answer is $50.27$.', '16\\pi', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $3$. I hope it is correct.', '\\pi', "INCORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{3.1416}$.', '\\pi', "CORRECT"),
    (7, 'Therefore, the answer is $3.14159$.', '\\pi', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $1.41421$. I hope it'
     ' is correct.',
     '\\sqrt{2}', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{1.41422}$.', '\\sqrt2', "INCORRECT"),
    (7, 'Therefore, the answer is $0.33333$.', '\\frac13', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $0.3333$. I hope it '
     'is correct.',
     '\\frac13', "INCORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{0.12500}$.', '\\frac18', "CORRECT"),
    (7, 'Therefore, the answer is $0.12501$.', '\\frac18', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $-0.66667$. I hope i'
     't is correct.',
     '-\\frac23', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{0.66667}$.', '-\\frac23', "INCORRECT"),
    (7, 'Therefore, the answer is $2.7182818$.', 'e', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $\\frac17$. I hope it'
     ' is correct.',
     '0.142857142857', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{16\\pi}$.', '50.265', "CORRECT"),
    (7, 'Therefore, the answer is $16\\pi$.', '50.27', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $1\\,234\\,567$. I hop'
     'e it is correct.',
     '1234567', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{12{,}345}$.', '12345', "CORRECT"),
    (7, 'Therefore, the answer is $1,000,000$.', '10^6', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $12\\%$. I hope it is'
     ' correct.',
     '0.12', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{0.5}$.', '\\frac12', "CORRECT"),
    (7, 'Therefore, the answer is $3.0$.', '3', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $2.5 \\text{ hours}$.'
     ' I hope it is correct.',
     '\\frac52', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{5\\frac{1}{2}}$.', '5.5', "CORRECT"),
    (7, 'Therefore, the answer is $1 \\frac{1}{2}$.', '\\frac32', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $4:30$. I hope it is'
     ' correct.',
     '4:30', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{4:30 \\text{ PM}}$.', '4:30', "CORRECT"),
    (7, 'Therefore, the answer is $\\frac{22}{7}$.', '\\pi', "INCORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $1.5 \\times 10^{3}$.'
     ' I hope it is correct.',
     '1500', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{0.3\\overline{6}}$.', '\\frac{11}{30}', "CORRECT"),
    (7, 'Therefore, the answer is $2.\\overline{5}$.', '\\frac{23}{9}', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $\\$1,234.50$. I hope'
     ' it is correct.',
     '1234.5', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{-1,\\!024}$.', '-1024', "CORRECT"),
    (7, 'Therefore, the answer is $10,\\!000,\\!000$.', '10^7', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $3\\tfrac{3}{4}$. I h'
     'ope it is correct.',
     '3.75', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{1.33333}$.', '\\frac43', "CORRECT"),
    (7, 'Therefore, the answer is $1.3333$.', '\\frac43', "CORRECT"),
    (7, 'We simplify step by step.\nFinal Answer: The final answer is $2.23607$. I hope it'
     ' is correct.',
     '\\sqrt5', "CORRECT"),
    (7, 'Putting everything together, the answer is $\\boxed{0.785398}$.', '\\frac{\\pi}{4}', "CORRECT"),
    # 8. Symbolic forms.
    (8, 'Therefore, the answer is $\\binom{m}{2}$.', '\\frac{m(m-1)}{2}', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $\\binom{n}{3}$. I ho'
     'pe it is correct.',
     '\\frac{n(n-1)(n-2)}{6}', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{\\binom{m}{2}}$.', '\\frac{m(m+1)}{2}', "INCORRECT"),
    (8, 'Therefore, the answer is $\\frac{n!}{(n-2)!}$.', 'n(n-1)', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $(n+1)!$. I hope it '
     'is correct.',
     '(n+1) n!', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{\\frac{n!}{(n-2)!}}$.', 'n^2', "INCORRECT"),
    (8, 'Therefore, the answer is $3\\begin{pmatrix}1\\\\2\\end{pmatrix}$.',
     '\\begin{pmatrix}3\\\\6\\end{pmatrix}', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $3\\begin{pmatrix}1\\\\'
     '2\\end{pmatrix}$. I hope it is correct.',
     '\\begin{pmatrix}3\\\\5\\end{pmatrix}', "INCORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{\\frac12\\begin{pmatrix}2&4\\\\6&'
     '8\\end{pmatrix}}$.',
     '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', "CORRECT"),
    (8, 'Therefore, the answer is $\\begin{pmatrix}1\\\\2\\end{pmatrix}+\\begin{pmatrix}3\\\\4\\e'
     'nd{pmatrix}$.',
     '\\begin{pmatrix}4\\\\6\\end{pmatrix}', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $-\\begin{pmatrix}1\\\\'
     '2\\end{pmatrix}$. I hope it is correct.',
     '\\begin{pmatrix}-1\\\\-2\\end{pmatrix}', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{xy=4}$.', 'y=\\frac4x', "CORRECT"),
    (8, 'Therefore, the answer is $y=\\frac{4}{x}$.', 'xy=4', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $xy=4$. I hope it is'
     ' correct.',
     'y=\\frac{2}{x}', "INCORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{x = 2y+1}$.', 'y=\\frac{x-1}{2}', "CORRECT"),
    (8, 'Therefore, the answer is $x^2+y^2=1$.', 'y=\\sqrt{1-x^2}', "INCORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $(y-\\frac4x)(y-1)=0$'
     '. I hope it is correct.',
     'y=\\frac4x', "INCORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{y^2 = 4x}$.', 'x = \\frac{y^2}{4}', "CORRECT"),
    (8, 'Therefore, the answer is $2^3 3^2$.', '2^3 * 3^2', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $2^3 3^2$. I hope it'
     ' is correct.',
     '72', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{2^3 3^2}$.', '71', "INCORRECT"),
    (8, 'Therefore, the answer is $2^2 3 5$.', '60', "INCORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $\\frac{\\sqrt{3}}{2}$'
     '. I hope it is correct.',
     '\\frac{1}{2}\\sqrt3', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{(x-1)(x+2)}$.', 'x^2+x-2', "CORRECT"),
    (8, 'Therefore, the answer is $e^{2x}$.', '(e^x)^2', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $\\ln 2 + \\ln 3$. I h'
     'ope it is correct.',
     '\\ln 6', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{\\sin(2x)}$.', '2\\sin x\\cos x', "CORRECT"),
    (8, 'Therefore, the answer is $\\cos^2\\theta - \\sin^2\\theta$.', '\\cos 2\\theta', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $y = -\\frac{1}{2}x +'
     ' 3$. I hope it is correct.',
     'x + 2y = 6', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{10!/(3!7!)}$.', '120', "CORRECT"),
    (8, 'Therefore, the answer is $\\sqrt[3]{2}$.', '2^{1/3}', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $\\vec{v} = (1,2)$. I'
     ' hope it is correct.',
     '(1,2)', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{\\langle 1, 2 \\rangle}$.', '(1,2)', "CORRECT"),
    (8, 'Therefore, the answer is $\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}$.', '(1,2)', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $\\frac{d}{dx}$. I ho'
     'pe it is correct.',
     '1', "INCORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{\\binom{n+1}{2}}$.', '\\frac{n(n+1)}{2}', "CORRECT"),
    (8, 'Therefore, the answer is $\\frac{(n+1)!}{n!}$.', 'n+1', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $2\\cdot 3^2$. I hope'
     ' it is correct.',
     '18', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{x^2 y}$.', 'y x^2', "CORRECT"),
    (8, 'Therefore, the answer is $\\tan\\alpha$.', '\\frac{\\sin\\alpha}{\\cos\\alpha}', "CORRECT"),
    (8, 'We simplify step by step.\nFinal Answer: The final answer is $\\begin{bmatrix}1&0\\'
     '\\0&1\\end{bmatrix}$. I hope it is correct.',
     '\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}', "CORRECT"),
    (8, 'Putting everything together, the answer is $\\boxed{2\\begin{pmatrix}1&0\\\\0&1\\end{'
     'pmatrix} - \\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}}$.',
     '\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}', "CORRECT"),
    # 11. Answer forms as models write them.
    (11, "So the bakery made $\\boxed{\\$1,\\!250}$ in total.", "1250", "CORRECT"),
    (11, "So the bakery made $\\boxed{\\$1,\\!250}$ in total.", "\\$1,\\!205", "INCORRECT"),
    (11, "The tank holds $\\boxed{40\\text{ L}}$ of water.", "40", "CORRECT"),
    (11, "The speed is $\\boxed{12 \\text{ m/s}}$.", "12", "CORRECT"),
    (11, "The discount is $\\boxed{15\\%}$.", "0.15", "CORRECT"),
    (11, "The discount is $\\boxed{0.15}$.", "15\\%", "CORRECT"),
    (11, "The discount is $\\boxed{15\\%}$.", "0.25", "INCORRECT"),
    (11, "The angle is $\\boxed{30^{\\circ}}$.", "30", "CORRECT"),
    (11, "The angle is $\\boxed{30^{\\circ}}$.", "\\frac{\\pi}{6}", "INCORRECT"),
    (11, "Solving the inequality gives $\\boxed{x \\in [1, 2]}$.", "[1,2]", "CORRECT"),
    (11, "Solving the inequality gives $\\boxed{x \\in [1, 2)}$.", "[1,2]", "INCORRECT"),
    (11, "The mass is about $\\boxed{6.0 \\times 10^{24}}$ kg.", "6 \\times 10^{24}", "CORRECT"),
    (11, "In scientific notation, the number is $\\boxed{3.2 \\times 10^{-4}}$.", "0.00032", "CORRECT"),
    (11, "In scientific notation, the number is $\\boxed{3.2 \\times 10^{4}}$.", "0.00032", "INCORRECT"),
    (11, "Multiplying out, $z = \\boxed{7 - 4i}$.", "7-4i", "CORRECT"),
    (11, "Multiplying out, $z = \\boxed{-4i + 7}$.", "7-4i", "CORRECT"),
    (11, "Multiplying out, $z = \\boxed{7 + 4i}$.", "7-4i", "INCORRECT"),
    (11, "Converting, we get $\\boxed{10110_2}$.", "10110_2", "CORRECT"),
    (11, "Converting, we get $\\boxed{10110_{(2)}}$.", "10110_2", "CORRECT"),
    (11, "Converting, we get $\\boxed{(10110)_2}$.", "22", "CORRECT"),
    (11, "Converting, we get $\\boxed{(10111)_2}$.", "22", "INCORRECT"),
    (11, "The probability is $\\boxed{\\dfrac{3}{8}}$.", "\\frac38", "CORRECT"),
    (11, "The probability is $\\boxed{\\tfrac38}$.", "0.375", "CORRECT"),
    (11, "The probability is $\\boxed{\\frac38}$.", "\\frac{3}{4}", "INCORRECT"),
    (11, "The midpoint is $\\boxed{\\left( \\frac{1}{2}, -3 \\right)}$.", "\\left(\\frac12,-3\\right)", "CORRECT"),
    (11, "The population is now $\\boxed{12\\,500}$.", "12500", "CORRECT"),
    (11, "The population is now 12,500.", "12500", "CORRECT"),
    (11, "The population is now 12,500.", "1250", "INCORRECT"),
    (11, "The answer is $\\boxed{7}.$", "7", "CORRECT"),
    (11, "The answer is seven.", "7", "CORRECT"),
    (11, "There are twelve marbles left, so the answer is twelve.", "12", "CORRECT"),
    (11, "The answer is seven.", "8", "INCORRECT"),
    (11, "Therefore, the answer is **7**.", "7", "CORRECT"),
    (11, "Therefore, the answer is **7**.", "8", "INCORRECT"),
    (11, "She has 7 apples left.\n#### 7 apples", "7", "CORRECT"),
    (11, "Each box costs $3, so 4 boxes cost $12.\n#### $12", "12", "CORRECT"),
    (11, "So the answer is $\\boxed{42}$.<|im_end|>\n<|endoftext|>", "42", "CORRECT"),
    (11, "So the answer is $\\boxed{42}$.<|im_end|>\n<|im_start|>assistant\nThe answer is 43.", "43", "INCORRECT"),
    (11, "\\text{The final answer is \\boxed{42}}", "42", "CORRECT"),
    (11, "The result is \\fbox{42}.", "42", "CORRECT"),
    (11, "\\text{Tuesday}", "\\text{Tuesday}", "CORRECT"),
    (11, "\\text{Tuesday}", "\\text{Monday}", "INCORRECT"),
    (11, "$\\sum_{k=1}^{10} k^2$", "385", "CORRECT"),
    (11, "$\\sum_{k=1}^{10} k^2$", "384", "INCORRECT"),
    (11, "The meeting ends at $\\boxed{8\\!:\\!34 \\text{ p.m.}}$.", "20:34", "CORRECT"),
    (11, "The meeting ends at $\\boxed{8\\!:\\!34 \\text{ a.m.}}$.", "8\\!:\\!34 \\text{ p.m.}", "INCORRECT"),
    (11, "The train arrives at 4:30 PM.", "4:30 \\text{ p.m.}", "CORRECT"),
    (11, "The answer is (B).", "B", "CORRECT"),
    (11, "The answer is B).", "B", "CORRECT"),
    (11, "The answer is $\\textbf{(B)}$.", "\\text{(B)}", "CORRECT"),
    (11, "The answer is $\\boxed{\\textbf{(B) } 12}$.", "12", "CORRECT"),
    (11, "The answer is $\\boxed{\\textbf{(B) } 12}$.", "B", "CORRECT"),
    (11, "The answer is $\\boxed{\\textbf{(C) } 15}$.", "B", "INCORRECT"),
    (11, "The answer is $\\boxed{B}$.", "12", "INCORRECT"),
    (11, "**Answer: (D)**", "D", "CORRECT"),
    (11, "Comparing the options, the correct one is (C).", "C", "CORRECT"),
    (11, "The water boils at $\\boxed{100^{\\circ}\\text{C}}$.", "100", "CORRECT"),
    (11, "The high was $\\boxed{75^\\circ F}$.", "75", "CORRECT"),
    (11, "The tax rate is 8 percent.", "0.08", "CORRECT"),
    (11, "The tax rate is 8 percent.", "0.8", "INCORRECT"),
    (11, "The city has about $\\boxed{2.5 \\text{ million}}$ people.", "2500000", "CORRECT"),
    (11, "The city has about $\\boxed{2.5 \\text{ million}}$ people.", "2.5", "INCORRECT"),
    (11, "So the answer is 3rd.", "3", "CORRECT"),
    (11, "As a decimal, the answer is $\\boxed{0.1666\\ldots}$.", "\\frac16", "CORRECT"),
    (11, "As a decimal, the answer is $\\boxed{0.16\\ldots}$.", "\\frac16", "INCORRECT"),
    (11, "The number of committees is $\\boxed{{8 \\choose 3}}$.", "56", "CORRECT"),
    (11, "The ticket costs $\\boxed{€12.50}$.", "12.5", "CORRECT"),
    (11, "So the answer is $\\frac{1}{4}$, or $25\\%$.", "\\frac14", "CORRECT"),
    (11, "So the answer is $\\frac{1}{4}$, or $25\\%$.", "25\\%", "CORRECT"),
    (11, "So the answer is $\\frac{1}{4}$, or $20\\%$.", "\\frac14", "INCORRECT"),
    (11, "The answer is $x<0$ or $x>1$.", "(-\\infty,0)\\cup(1,\\infty)", "CORRECT"),
    (11, "So the answer is 2 pi.", "2\\pi", "CORRECT"),
    (11, "Counting forward $3$ days from Friday, the day is **Monday**.", "\\text{Monday}", "CORRECT"),
    (11, "The total comes to $\\frac{7}{3} \\approx 2.33$ hours.", "2.33", "CORRECT"),
    (11, "The total comes to $\\frac{7}{3} \\approx 2.34$ hours.", "2.34", "INCORRECT"),
    (11, "Reducing, $2^{100} \\equiv 376 \\pmod{1000}$.", "376", "CORRECT"),
    (11, "Therefore $\\left\\lfloor \\frac{N}{100} \\right\\rfloor = 137$.", "137", "CORRECT"),
    (11, "Therefore $\\left\\lfloor \\frac{N}{100} \\right\\rfloor = 137$.", "138", "INCORRECT"),
    (11, "Reflecting twice, $D'' = (-2, 5)$.", "(-2,5)", "CORRECT"),
    (11, "Reducing, $2^{100} \\equiv 376 \\pmod{1000}$.", "1000", "INCORRECT"),
    (11, "We add $4$ and $6$, so she has **10** apples.", "10", "CORRECT"),
    (11, "We add $4$ and $6$, so she has **10** apples.", "4", "INCORRECT"),
    (11, "The volume is $\\boxed{3 x^2}$.", "3", "INCORRECT"),
    (11, "The area is $\\boxed{\\frac{1}{2} ab}$.", "\\frac12", "INCORRECT"),
    # Model-style endings of 2026-12-02 (second session): a closing sentence after the last math span, choice
    # statements, compound numbers in words, one value written two ways, repeating decimals in parentheses.
    (2, "She had $12$ apples and gave away $2$. So she has 10 apples left.", "10", "CORRECT"),
    (2, "She had $12$ apples and gave away $2$. So she has 10 apples left.", "2", "INCORRECT"),
    (2, "Each box holds $6$ pens and there are $4$ boxes.\nIn total, 24 pens are packed.", "24", "CORRECT"),
    (2, "Each box holds $6$ pens and there are $4$ boxes.\nIn total, 24 pens are packed.", "6", "INCORRECT"),
    (2, "We find $x = 5$. Note: there are 2 cases to check.", "5", "CORRECT"),
    (2, "The value is $12$. So how many are left, 10?", "12", "CORRECT"),
    (11, "Comparing the four graphs, the correct option is B.", "B", "CORRECT"),
    (11, "Comparing the four graphs, the correct option is B.", "C", "INCORRECT"),
    (11, "Only the third one works, so the best choice is (C).", "C", "CORRECT"),
    (11, "Therefore the answer is option D.", "(D)", "CORRECT"),
    (11, "Therefore the answer is option D.", "(A)", "INCORRECT"),
    (11, "Answer: (C)", "C", "CORRECT"),
    (11, "The answer is B) 12.", "B", "CORRECT"),
    (11, "The first option is to factor, which gives $x = 3$.", "3", "CORRECT"),
    (11, "So the answer is two hundred fifty.", "250", "CORRECT"),
    (11, "So the answer is two hundred fifty.", "200", "INCORRECT"),
    (11, "The answer is one thousand two hundred and forty.", "1240", "CORRECT"),
    (11, "The answer is twelve hundred dollars.", "1200", "CORRECT"),
    (11, "The answer is 12, or twelve.", "12", "CORRECT"),
    (11, "The answer is 12, or thirteen.", "12", "INCORRECT"),
    (11, "As a decimal the answer is $0.(3)$.", "\\frac13", "CORRECT"),
    (11, "As a decimal the answer is $0.(3)$.", "0.3", "INCORRECT"),
    (11, "As a decimal the answer is $1.(142857)$.", "\\frac87", "CORRECT"),
    (11, "Scaling, $0.6(30) = 18$.", "18", "CORRECT"),
    (11, "Only one of the four graphs passes the test. Option B is correct.", "B", "CORRECT"),
    (11, "Only one of the four graphs passes the test. Option B is correct.", "D", "INCORRECT"),
    (11, "Checking each value, the correct option is (B) 12.", "B", "CORRECT"),
    (11, "Two of the eight outcomes work. Therefore, the probability is 1/4.", "\\frac14", "CORRECT"),
    (11, "Two of the eight outcomes work. Therefore, the probability is 1/4.", "4", "INCORRECT"),
    (11, "Half of the pie is left, so the answer is one half.", "\\frac12", "CORRECT"),
    (11, "Half of the pie is left, so the answer is one half.", "1", "INCORRECT"),
    (11, "The answer is three-fourths.", "0.75", "CORRECT"),
    (11, "The temperature dropped to negative five degrees, so the answer is negative five.", "-5", "CORRECT"),
    (11, "The temperature dropped to negative five degrees, so the answer is negative five.", "5", "INCORRECT"),
    (11, "There are 1024 subsets, so the answer is 2^10.", "1024", "CORRECT"),
    (11, "He covers 40 miles in 2 hours, so his average speed is 20mph.", "20", "CORRECT"),
    (11, "He covers 40 miles in 2 hours, so his average speed is 20mph.", "40", "INCORRECT"),
    (11, "Solving the quadratic, the answer is 5 and 7.", "5, 7", "CORRECT"),
    (11, "Solving the quadratic, the answer is 5 and 7.", "5", "INCORRECT"),
    (11, "Checking each value, the answer is C: 15.", "C", "CORRECT"),
    (11, "Checking each value, the answer is C: 15.", "B", "INCORRECT"),
    (2, "We have $x=3$. Thus, the value of $2x+1$ is 7.", "7", "CORRECT"),
    (2, "We have $x=3$. Thus, the value of $2x+1$ is 7.", "3", "INCORRECT"),
    (11, "Counting the apples, the answer is 7 (seven).", "7", "CORRECT"),
    (11, "Counting the apples, the answer is 7 (seven).", "8", "INCORRECT"),
    # 10. Huge but harmless.
    (10, 'Therefore, the answer is $7^{10^{12}}-7^{10^{12}}+3$.', '3', "CORRECT"),
    (10, 'We simplify step by step.\nFinal Answer: The final answer is $(-1)^{10^{50}}$. I '
     'hope it is correct.',
     '1', "CORRECT"),
    (10, 'Putting everything together, the answer is $\\boxed{(-1)^{10^{50}+1}}$.', '-1', "CORRECT"),
    (10, 'Therefore, the answer is $(-1)^{10^{50}}$.', '-1', "INCORRECT"),
    (10, 'We simplify step by step.\nFinal Answer: The final answer is $1^{10^{20}}$. I hop'
     'e it is correct.',
     '1', "CORRECT"),
    (10, 'Putting everything together, the answer is $\\boxed{0^{10^{20}}}$.', '0', "CORRECT"),
    (10, 'Therefore, the answer is $3 + 7^{10^{12}} - 7^{10^{12}}$.', '3', "CORRECT"),
    (10, 'We simplify step by step.\nFinal Answer: The final answer is $7^{10^{12}}-7^{10^{'
     '12}}+3$. I hope it is correct.',
     '4', "INCORRECT"),
    (10, 'Putting everything together, the answer is $\\boxed{i^{10^{20}}}$.', '1', "CORRECT"),
    (10, 'Therefore, the answer is $2^{10^{12}}-2^{10^{12}}$.', '0', "CORRECT"),
    (10, 'We simplify step by step.\nFinal Answer: The final answer is $x^{10^{9}} - x^{10^'
     '{9}} + x$. I hope it is correct.',
     'x', "CORRECT"),
    (10, 'Putting everything together, the answer is $\\boxed{0^{10^{100}}}$.', '0', "CORRECT"),
    (10, 'Therefore, the answer is $10^{100} - 10^{100}$.', '0', "CORRECT"),
    (10, 'We simplify step by step.\nFinal Answer: The final answer is $(-1)^{2023}$. I hop'
     'e it is correct.',
     '-1', "CORRECT"),
    (10, 'Putting everything together, the answer is $\\boxed{1^{10^{10^{10}}}}$.', '1', "CORRECT"),
    (10, 'Therefore, the answer is $\\left(\\frac{1}{2}\\right)^{10^{12}}$.', '0', "INCORRECT"),
    (10, 'We simplify step by step.\nFinal Answer: The final answer is $i^{4n}$. I hope it '
     'is correct.',
     '1', "INCORRECT"),
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

_CHECKS = ["\n\nWe can check our answer: substituting it back gives $0 = 0$, as required.",
           "\n\nChallenge: is it a coincidence that the answer is $7$?",
           "\n\nTo double-check the answer: it satisfies all $3$ conditions of the problem."]

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
    # A check after the final box (a step that goes on, a question, a description) leaves the box the answer.
    yield from both(2, "checked", lambda a: pre + "\\boxed{" + a + "}" + post + _CHECKS[i % len(_CHECKS)])
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
    yield from form_variants(i, unboxed, gold, wrong, source)
    if re.fullmatch(r"\d{4,}", gold):
        sep = ",", "{,}", "\\,"
        yield _case(7, "thousands", source, pre + "\\boxed{" + f"{int(gold):,}".replace(",", sep[i % 3]) + "}" +
                    post, gold, "CORRECT")


_NUMBER_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def _in_words(n: int) -> str:
    """0-99 in English words ("twenty-five")."""
    return _NUMBER_WORDS[n] if n < 20 else _TENS[n // 10 - 2] + ("" if n % 10 == 0 else "-" + _NUMBER_WORDS[n % 10])


# Ways models write a non-negative integer answer N around a correct final value (kind 11). Each is a function
# of the answer text; the same form with a wrong answer is a kind-9 case. (variant, writes N)
_INTEGER_FORMS = [
    ("form_dollars", lambda a: f"The total cost is $\\boxed{{\\${a}}}$."),
    ("form_dollar_words", lambda a: f"So she pays $\\boxed{{{a} \\text{{ dollars}}}}$."),
    ("form_unit", lambda a: f"The length is $\\boxed{{{a}\\text{{ cm}}}}$."),
    ("form_unit_squared", lambda a: f"The area is $\\boxed{{{a} \\, \\text{{cm}}^2}}$."),
    ("form_unit_plain", lambda a: f"The answer is {a} square units."),
    ("form_percent", lambda a: f"The answer is $\\boxed{{{a}\\%}}$."),
    ("form_degrees", lambda a: f"The angle measures $\\boxed{{{a}^\\circ}}$."),
    ("form_bold", lambda a: f"Therefore, the answer is **{a}**."),
    ("form_bold_statement", lambda a: f"**The final answer is {a}.**"),
    ("form_boxed_period", lambda a: f"Thus the answer is $\\boxed{{{a}.}}$"),
    ("form_fbox", lambda a: f"Hence the result is $\\fbox{{{a}}}$."),
    ("form_box_in_text", lambda a: f"\\text{{The answer is }} \\boxed{{{a}}}"),
    ("form_left_right", lambda a: f"So the answer is $\\boxed{{\\left({a}\\right)}}$."),
    ("form_qwen_end", lambda a: f"Therefore, the final answer is $\\boxed{{{a}}}$.<|im_end|>\n<|endoftext|>"),
]


def form_variants(i: int, unboxed: str, gold: str, wrong: str | None, source: str) -> Iterator[dict]:
    """Kind 11: the final answer of an unboxed solution restated in a form models produce, chosen by the gold's
    shape (integer, fraction, pair, base subscript); each form also with the wrong answer (kind 9)."""
    def both(variant, make, right=gold, bad=wrong, lead=unboxed + "\n\n"):
        yield _case(11, variant, source, lead + make(right), gold, "CORRECT")
        if bad is not None:
            yield _case(9, variant + "_wrong", source, lead + make(bad), gold, "INCORRECT")

    if re.fullmatch(r"\d+", gold):
        n = int(gold)
        for k in (0, 6, 12):  # three of the forms per solution, rotating
            variant, make = _INTEGER_FORMS[(i + k) % len(_INTEGER_FORMS)]
            yield from both(variant, make)
        yield from both("form_text_only", lambda a: f"\\text{{{a} meters}}", lead="")  # the whole response
        if n < 99:  # the answer restated in words (the wrong one too)
            yield from both("form_words", lambda a: f"The answer is {_in_words(int(a))}.", bad=str(n + 1))
        if n >= 1000:
            yield from both("form_thousands_text", lambda a: f"The answer is {int(a):,}.", bad=str(n + 1))
            yield from both("form_thin_space", lambda a: f"The answer is $\\boxed{{{int(a):,}}}$.".replace(",", "\\,"),
                            bad=str(n + 1))
        return
    fraction = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", gold)
    if fraction:
        sign, num, den = fraction.groups()
        forms = [("form_dfrac", f"{sign}\\dfrac{{{num}}}{{{den}}}"), ("form_tfrac", f"{sign}\\tfrac{{{num}}}{{{den}}}"),
                 ("form_slash", f"{sign}{num}/{den}")]
        if len(num) == 1 and len(den) == 1:
            forms.append(("form_frac_digits", f"{sign}\\frac{num}{den}"))
        variant, text = forms[i % len(forms)]
        yield _case(11, variant, source, unboxed + f"\n\nThe answer is $\\boxed{{{text}}}$.", gold, "CORRECT")
        return
    pair = re.fullmatch(r"\((-?[\w\\{}]+),\s*(-?[\w\\{}]+)\)", gold)
    if pair:
        yield _case(11, "form_left_right_pair", source,
                    unboxed + f"\n\nThe answer is $\\boxed{{\\left( {pair[1]}, {pair[2]} \\right)}}$.", gold, "CORRECT")
        return
    base = re.fullmatch(r"(\d+)_\{?(\d+)\}?", gold)
    if base:
        forms = [("form_base_paren", f"{base[1]}_{{({base[2]})}}"), ("form_base_outer", f"({base[1]})_{{{base[2]}}}")]
        variant, text = forms[i % len(forms)]
        yield _case(11, variant, source, unboxed + f"\n\nThe answer is $\\boxed{{{text}}}$.", gold, "CORRECT")


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


# GSM8K-style endings as models write them: the "####" line with words, a unit or a currency sign, a chat
# template's end-of-turn markers after the answer.
_GSM8K_MARKERS = ["#### The answer is {a}", "#### {a} apples", "#### \\${a}", "#### {a}<|im_end|>\n<|endoftext|>",
                  "The answer is: {a}<|eot_id|>", "#### **{a}**"]


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
            # The marker line with text after it, or a chat ending (kind 11), right and wrong.
            marker = _GSM8K_MARKERS[i % len(_GSM8K_MARKERS)]
            cases.append(_case(11, "gsm8k_form", "gsm8k_train", body + marker.format(a=gold), gold, "CORRECT"))
            cases.append(_case(9, "gsm8k_form_wrong", "gsm8k_train", body + marker.format(a=int(gold) + 1), gold,
                               "INCORRECT"))
    return cases
