#include "cpp/verifier/verify.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

Outcome VerifyNow(absl::string_view response, absl::string_view gold, const Limits& limits = Limits()) {
  return Verify(response, gold, limits, absl::Now() + absl::Seconds(5));
}

struct Case {
  std::string response, gold;
  Verdict verdict;
};

void ExpectVerdicts(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    Outcome o = VerifyNow(c.response, c.gold);
    EXPECT_EQ(std::string(VerdictName(o.verdict)), std::string(VerdictName(c.verdict)))
        << c.response << " vs gold " << c.gold << " — reason: " << o.reason << ", extracted: " << o.extracted;
    if (o.verdict != Verdict::kCorrect) {
      EXPECT_FALSE(o.reason.empty()) << c.response;
    }
  }
}

TEST(VerifyTest, VerdictNames) {
  EXPECT_EQ(VerdictName(Verdict::kCorrect), "CORRECT");
  EXPECT_EQ(VerdictName(Verdict::kIncorrect), "INCORRECT");
  EXPECT_EQ(VerdictName(Verdict::kNoAnswer), "NO_ANSWER");
  EXPECT_EQ(VerdictName(Verdict::kUnparseable), "UNPARSEABLE");
  EXPECT_EQ(VerdictName(Verdict::kTimeout), "TIMEOUT");
  EXPECT_EQ(VerdictName(Verdict::kInvalid), "INVALID");
}

TEST(VerifyTest, EndToEnd) {
  const std::vector<Case> cases = {
      {"Thus the answer is \\boxed{\\frac{1}{2}}.", "0.5", Verdict::kCorrect},
      {"\\boxed{0.333}", "\\frac13", Verdict::kIncorrect},
      {"We expand: \\boxed{x^2+2x+1}", "(x+1)^2", Verdict::kCorrect},
      {"\\boxed{y = 2x + 3}", "2x+3", Verdict::kCorrect},
      {"\\boxed{x=5}", "5", Verdict::kCorrect},
      {"\\boxed{\\left[ 1, 2 \\right)}", "[1,2)", Verdict::kCorrect},
      {"\\boxed{(1,2]}", "[1,2)", Verdict::kIncorrect},
      {"\\boxed{50\\%}", "0.5", Verdict::kCorrect},
      {"\\boxed{1,000}", "1000", Verdict::kCorrect},
      {"\\boxed{\\$1,000.00}", "1000", Verdict::kCorrect},
      {"\\boxed{30^\\circ}", "30", Verdict::kCorrect},
      {"\\boxed{12 \\text{ cm}^2}", "12", Verdict::kCorrect},
      {"\\boxed{\\text{(B)}}", "B", Verdict::kCorrect},
      {"\\boxed{B}", "\\text{(C)}", Verdict::kIncorrect},
      {"\\boxed{\\text{Evelyn}}", "\\text{Evelyn}", Verdict::kCorrect},
      {"\\boxed{2 \\text{ or } 3}", "2", Verdict::kIncorrect},  // a hedge: 3 is not the gold
      {"\\boxed{1}. Then \\boxed{2}", "2", Verdict::kCorrect},
      {"\\boxed{1} \\boxed{2}", "1", Verdict::kIncorrect},
      {"I could not solve it.", "5", Verdict::kNoAnswer},
      {"The final answer is $\\frac{3}{4}$. I hope it is correct.", "0.75", Verdict::kCorrect},
      {"so 6 \\times 7 = 42", "42", Verdict::kCorrect},
      {"\\boxed{\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}",
       Verdict::kCorrect},
      {"\\boxed{(-\\infty,0)\\cup(1,\\infty)}", "(1,\\infty)\\cup(-\\infty,0)", Verdict::kCorrect},
      {"\\boxed{3+4i}", "4i+3", Verdict::kCorrect},
      {"\\boxed{10110_2}", "10110_2", Verdict::kCorrect},
      {"\\boxed{\\frac{\\sqrt{3}}{2}}", "\\frac{\\sqrt3}2", Verdict::kCorrect},
      {"\\boxed{a+b}", "x+y", Verdict::kIncorrect},
      {"\\boxed{@#?}", "5", Verdict::kUnparseable},
      {"\\boxed{\\unknown{3}}", "3", Verdict::kUnparseable},
      {"\\boxed{5}", "", Verdict::kInvalid},
      {"\\boxed{5", "5", Verdict::kNoAnswer},
      {"\\boxed{5}", "\\boxed{5}", Verdict::kCorrect},
      {"\\boxed{\\frac{1}{2}}", "The answer is $\\boxed{0.5}$", Verdict::kCorrect},
      {"\\boxed{6}", "\\boxed{5}", Verdict::kIncorrect},
  };
  ExpectVerdicts(cases);
}

// Word answers compare case-insensitively; variables and bare letters keep their case.
TEST(VerifyTest, WordAnswersIgnoreCase) {
  ExpectVerdicts({
      {"\\boxed{No}", "\\text{no}", Verdict::kCorrect},
      {"\\boxed{\\text{No}}", "\\text{no}", Verdict::kCorrect},
      {"The answer is NO.", "no", Verdict::kCorrect},
      {"\\boxed{no}", "\\text{Yes}", Verdict::kIncorrect},
      {"\\boxed{Yes}", "\\text{yes}", Verdict::kCorrect},
      {"\\boxed{Monday}", "\\text{monday}", Verdict::kCorrect},
      {"\\boxed{\\text{No solution}}", "\\text{no}", Verdict::kIncorrect},
      // Model-style endings: a closing sentence after the last math span, choice statements, words, "0.(3)".
      {"She had $12$ apples and gave away $2$. So she has 10 apples left.", "10", Verdict::kCorrect},
      {"She had $12$ apples and gave away $2$. So she has 10 apples left.", "2", Verdict::kIncorrect},
      {"Comparing the two, the correct option is B.", "B", Verdict::kCorrect},
      {"Comparing the two, the correct option is B.", "(C)", Verdict::kIncorrect},
      {"Therefore the answer is option B.", "(B)", Verdict::kCorrect},
      {"Answer: (C)", "C", Verdict::kCorrect},
      {"The answer is B) 12.", "B", Verdict::kCorrect},
      {"The answer is $0.(3)$.", "\\frac13", Verdict::kCorrect},
      {"The answer is $0.(3)$.", "0.3", Verdict::kIncorrect},
      {"The answer is two hundred fifty.", "250", Verdict::kCorrect},
      {"The answer is one thousand two hundred and five.", "1250", Verdict::kIncorrect},
      {"The answer is 12, or twelve.", "12", Verdict::kCorrect},
      {"The answer is 12, or thirteen.", "12", Verdict::kIncorrect},
      {"Therefore, the probability is 1/4.", "\\frac14", Verdict::kCorrect},
      {"Option B is correct.", "B", Verdict::kCorrect},
      {"The correct option is (B) 12.", "B", Verdict::kCorrect},
      {"The answer is one half.", "1", Verdict::kIncorrect},
      {"The answer is negative five.", "-5", Verdict::kCorrect},
      {"The answer is 2^10.", "1024", Verdict::kCorrect},
      {"So the length of each piece is 75mm.", "75", Verdict::kCorrect},
      {"Therefore, the answer is 5 and 7.", "5, 7", Verdict::kCorrect},
      {"Therefore, the answer is 5 and 7.", "5", Verdict::kIncorrect},
      {"The answer is C: 15.", "C", Verdict::kCorrect},
      {"We have $x=3$. Thus, the value of $2x+1$ is 7.", "7", Verdict::kCorrect},
      {"The answer is 7 (seven).", "7", Verdict::kCorrect},
      {"The answer is 7 (eight).", "7", Verdict::kIncorrect},
      {"The answer is C: 15.", "B", Verdict::kIncorrect},
      // Choice letters ignore case, also bare ("d" answers "(D)"); other letters keep their case.
      {"\\boxed{(a)}", "(A)", Verdict::kCorrect},
      {"\\boxed{\\text{(b)}}", "B", Verdict::kCorrect},
      {"\\boxed{a}", "(A)", Verdict::kCorrect},
      {"\\boxed{a}", "(B)", Verdict::kIncorrect},
      {"\\boxed{X}", "x", Verdict::kIncorrect},
      {"\\boxed{x+X}", "2x", Verdict::kIncorrect},
      {"\\boxed{No}", "no^2", Verdict::kIncorrect},
  });
}

// A dollar sign escaped inside math mode does not close it.
TEST(VerifyTest, DollarInsideMath) {
  ExpectVerdicts({
      {"The answer is $\\$36.50$.", "36.5", Verdict::kCorrect},
      {"Final answer: $\\$36.50$ in total", "\\$36.50", Verdict::kCorrect},
      {"The answer is $\\$36.50$.", "36.05", Verdict::kIncorrect},
      {"The answer is $\\$3$ or $\\$4$.", "3", Verdict::kIncorrect},  // a hedge
  });
}

// "or" between inequalities in one variable is a union (one answer), not a list of alternatives.
TEST(VerifyTest, UnionOfInequalities) {
  const std::string gold = "(-\\infty,0)\\cup(1,\\infty)";
  ExpectVerdicts({
      {"\\boxed{x<0 \\text{ or } x>1}", gold, Verdict::kCorrect},
      {"\\boxed{x<0 \\text{ or } x>1}", "x<0 or x>1", Verdict::kCorrect},
      {"\\boxed{x<0 \\text{ or } x>1}", "x < 0 \\text{ or } x > 1", Verdict::kCorrect},
      {"\\boxed{x>1 \\text{ or } x<0}", gold, Verdict::kCorrect},
      {"The answer is x<0 or x>1.", gold, Verdict::kCorrect},
      {"\\boxed{x \\le 0 \\text{ or } x \\geq 1}", "(-\\infty,0]\\cup[1,\\infty)", Verdict::kCorrect},
      {"\\boxed{0<x<1 \\text{ or } x>2}", "(0,1)\\cup(2,\\infty)", Verdict::kCorrect},
      {"\\boxed{x<0 \\text{ or } x>1}", "x<0", Verdict::kIncorrect},
      {"\\boxed{x<0}", "x<0 \\text{ or } x>1", Verdict::kIncorrect},
      {"\\boxed{x \\le 0 \\text{ or } x>1}", gold, Verdict::kIncorrect},
      {"\\boxed{x<0 \\text{ or } x>2}", gold, Verdict::kIncorrect},
      {"\\boxed{x<0 \\text{ or } y>1}", gold, Verdict::kUnparseable},
      {"\\boxed{x=0 \\text{ or } x>1}", gold, Verdict::kUnparseable},
      {"\\boxed{x=3 \\text{ or } x=4}", "3", Verdict::kIncorrect},  // the solutions {3, 4}
      {"\\boxed{x=3 \\text{ or } x=4}", "4, 3", Verdict::kCorrect},
      {"\\boxed{x=3 \\text{ or } y=4}", "3, 4", Verdict::kUnparseable},
      {"answer: $x<0$ or $x>1$", gold, Verdict::kCorrect},
  });
}

// "or" between values: the list of values against a gold of several values (also a gold written with "or", as
// MATH writes "-2 \text{ or } -12"); forms of one value when each part equals the gold; otherwise a hedge.
TEST(VerifyTest, ValuesJoinedByOr) {
  const std::string gold = "-1 \\text{ or } 4";
  ExpectVerdicts({
      {"So $c = \\boxed{-1 \\text{ or } 4}$.", gold, Verdict::kCorrect},
      {"So $c = \\boxed{4 \\text{ or } -1}$.", gold, Verdict::kCorrect},
      {"\\boxed{4, -1}", gold, Verdict::kCorrect},
      {"$c = \\boxed{-1}$ or $c = \\boxed{4}$", gold, Verdict::kCorrect},
      {"The values are $c=-1$ or $c=4$, so the answer is $c = -1 \\text{ or } 4$.", gold, Verdict::kCorrect},
      {"\\boxed{-1, 4, 5}", gold, Verdict::kIncorrect},
      {"\\boxed{4}", gold, Verdict::kIncorrect},
      {"\\boxed{-1 \\text{ or } 4}", "-1, 4", Verdict::kCorrect},
      {"\\boxed{-1 \\text{ or } 4}", "\\{4, -1\\}", Verdict::kCorrect},
      {"\\boxed{-1 \\text{ or } 4}", "(-1, 4)", Verdict::kIncorrect},  // values, not a point
      {"\\boxed{-1, 2, \\text{ or } 4}", "4, 2, -1", Verdict::kCorrect},
      // Forms of one value.
      {"The ratio is $\\boxed{0.5}$, or $\\boxed{\\frac{1}{2}}$.", "\\frac12", Verdict::kCorrect},
      {"The ratio is $\\boxed{0.5}$, or $\\boxed{\\frac{1}{2}}$.", "\\frac14", Verdict::kIncorrect},
      {"In base 8 that is $\\boxed{17}$ or $\\boxed{17_8}$.", "17_8", Verdict::kCorrect},
      {"\\boxed{3-a \\text{ or } -a+3}", "3 - a", Verdict::kCorrect},
      // A hedge between different values is not the gold, whichever comes last.
      {"It is $\\boxed{6}$ or $\\boxed{7}$.", "7", Verdict::kIncorrect},
      {"It is $\\boxed{6}$ or $\\boxed{7}$.", "6", Verdict::kIncorrect},
      {"The answer is 6 or 7.", "7", Verdict::kIncorrect},
      {"The answer is $6$ or $7$.", "7", Verdict::kIncorrect},  // a hedge, read whole
      {"The answer is $6$ or $7$.", "6, 7", Verdict::kCorrect},
      {"So the answer is $\\frac{1}{4}$, or $25\\%$.", "\\frac14", Verdict::kCorrect},
      {"So the answer is $\\frac{1}{4}$, or $25\\%$.", "25\\%", Verdict::kCorrect},
      {"So the answer is $\\frac{1}{4}$, or $20\\%$.", "\\frac14", Verdict::kIncorrect},
  });
}

// A Greek letter on the left of an equation names something: the equation is the answer.
TEST(VerifyTest, GreekLeftSide) {
  const std::string gold = "\\sin \\phi = \\frac{\\phi}{2}";
  ExpectVerdicts({
      {"\\boxed{\\sin\\phi = \\frac{\\phi}{2}}", gold, Verdict::kCorrect},
      {"\\boxed{\\sin\\phi = \\frac12 \\phi}", gold, Verdict::kCorrect},
      {"\\boxed{\\sin\\phi = 2\\phi}", gold, Verdict::kIncorrect},
      {"\\boxed{\\cos\\alpha = \\frac35}", "\\frac35", Verdict::kCorrect},
  });
}

// A degree mark inside a trigonometric argument means x pi/180; elsewhere it is dropped.
TEST(VerifyTest, DegreesInTrigonometry) {
  ExpectVerdicts({
      {"\\boxed{\\sin(30^\\circ)}", "\\frac{1}{2}", Verdict::kCorrect},
      {"\\boxed{\\sin 30^\\circ}", "\\frac12", Verdict::kCorrect},
      {"\\boxed{\\cos^2(45^{\\circ})}", "0.5", Verdict::kCorrect},
      {"\\boxed{\\tan 45\xc2\xb0}", "1", Verdict::kCorrect},
      {"\\boxed{2\\sin(15^\\circ)\\cos(15^\\circ)}", "\\frac12", Verdict::kCorrect},
      {"\\boxed{\\sin(30^\\circ)}", "\\sin\\frac{\\pi}{6}", Verdict::kCorrect},
      {"\\boxed{\\sin(30^\\circ)}", "\\sin 30", Verdict::kIncorrect},
      {"\\boxed{\\sin 30}", "\\frac12", Verdict::kIncorrect},
      {"\\boxed{\\sin(60^\\circ)}", "\\frac12", Verdict::kIncorrect},
      {"\\boxed{30^\\circ}", "30", Verdict::kCorrect},
      {"\\boxed{30\xc2\xb0}", "30^{\\circ}", Verdict::kCorrect},
      {"\\boxed{30^\\circ}", "\\frac{\\pi}{6}", Verdict::kIncorrect},
      {"\\boxed{(30+15)^\\circ}", "45", Verdict::kCorrect},
  });
}

TEST(VerifyTest, FillsCanonicalForms) {
  Outcome o = VerifyNow("\\boxed{\\dfrac{2}{4}}", "0.5");
  EXPECT_EQ(o.verdict, Verdict::kCorrect);
  EXPECT_EQ(o.extracted, "\\dfrac{2}{4}");
  EXPECT_EQ(o.canonical_answer, "1/2");
  EXPECT_EQ(o.canonical_gold, "1/2");
  o = VerifyNow("\\boxed{x^2}", "x^2");
  EXPECT_EQ(o.canonical_answer, "x^2");
}

// Each adversarial input gets a verdict quickly (the timing bound is generous; the point is "no hang").
void ExpectQuick(const std::string& name, absl::string_view response, absl::string_view gold, Verdict want,
                 const Limits& limits = Limits()) {
  absl::Time start = absl::Now();
  Outcome o = Verify(response, gold, limits, absl::Now() + absl::Seconds(2));
  absl::Duration took = absl::Now() - start;
  EXPECT_EQ(VerdictName(o.verdict), VerdictName(want)) << name << ": " << o.reason;
  EXPECT_LT(took, absl::Seconds(3)) << name;
  if (want != Verdict::kCorrect) {
    EXPECT_FALSE(o.reason.empty()) << name;
  }
}

TEST(VerifyTest, Adversarial) {
  ExpectQuick("10^5 nested braces", "\\boxed{" + std::string(100000, '{') + "1" + std::string(100000, '}') + "}",
              "1", Verdict::kInvalid);
  ExpectQuick("10^5 nested parens", "\\boxed{" + std::string(100000, '(') + "1" + std::string(100000, ')') + "}",
              "1", Verdict::kInvalid);
  ExpectQuick("nested braces in gold", "\\boxed{1}", std::string(100000, '{') + "1" + std::string(100000, '}'),
              Verdict::kInvalid);
  ExpectQuick("1 MB of text", std::string(1 << 20, 'a'), "1", Verdict::kNoAnswer);
  ExpectQuick("over 1 MB", std::string((1 << 20) + 1, 'a'), "1", Verdict::kInvalid);
  ExpectQuick("1 MB number", "\\boxed{" + std::string((1 << 20) - 8, '7') + "}", "1", Verdict::kInvalid);
  std::string sum = "\\boxed{";
  for (int i = 0; i < 300000; ++i) sum += "1+";
  ExpectQuick("1 MB sum", sum + "1}", "1", Verdict::kInvalid);
  ExpectQuick("invalid UTF-8", "\\boxed{5}\xff\xfe", "5", Verdict::kInvalid);
  ExpectQuick("overlong UTF-8", "\\boxed{5}\xc0\xaf", "5", Verdict::kInvalid);
  ExpectQuick("truncated UTF-8", "\\boxed{5}\xe2\x88", "5", Verdict::kInvalid);
  ExpectQuick("valid UTF-8", "\\boxed{\xe2\x88\x92" "5}", "-5", Verdict::kCorrect);
  ExpectQuick("NUL byte", std::string("\\boxed{5}\0", 10), "5", Verdict::kInvalid);
  ExpectQuick("NUL in gold", "\\boxed{5}", std::string("5\0", 2), Verdict::kInvalid);
  ExpectQuick("10^{10^{10}}", "\\boxed{10^{10^{10}}}", "1", Verdict::kInvalid);
  ExpectQuick("10^{10^{10}} gold", "\\boxed{1}", "10^{10^{10}}", Verdict::kInvalid);
  ExpectQuick("1e99999", "\\boxed{1e99999}", "1", Verdict::kInvalid);
  ExpectQuick("2^{9999} exact", "\\boxed{2^{9999}}", "2^{9999}", Verdict::kCorrect);
  ExpectQuick("power tower", "\\boxed{2^{2^{2^{2^{2}}}}}", "1", Verdict::kInvalid);
  ExpectQuick("huge factorial", "\\boxed{((10!)!)!}", "1", Verdict::kIncorrect);
  std::string boxes;
  for (int i = 0; i < 10000; ++i) boxes += "\\boxed{" + std::to_string(i) + "}.\n";
  ExpectQuick("10^4 boxes", boxes, "9999", Verdict::kCorrect);
  std::string joined;  // boxes of one sentence form one list answer
  for (int i = 0; i < 10000; ++i) joined += "\\boxed{" + std::to_string(i) + "}, ";
  ExpectQuick("10^4 joined boxes", joined, "9999", Verdict::kIncorrect);
  std::string choices = "\\boxed{";
  for (int i = 0; i < 100000; ++i) choices += "(A)";
  ExpectQuick("10^5 choice markers", choices + "}", "A", Verdict::kInvalid);
  ExpectQuick("10^5 minus signs", "\\boxed{" + std::string(100000, '-') + "1}", "1", Verdict::kInvalid);
  std::string set_a = "\\{", set_b = "\\{";
  for (int i = 0; i < 3000; ++i) {
    set_a += std::to_string(i) + ",";
    set_b += std::to_string(3000 - i) + ",";
  }
  ExpectQuick("quadratic set matching", "\\boxed{" + set_a + "0\\}}", set_b + "0\\}", Verdict::kTimeout);
  // Found by the fuzzer: a root of degree 10^12 of an integer, and a base subscript overflowing int64.
  ExpectQuick("huge root degree", "\\boxed{10^{0.1^{12}}}", "2", Verdict::kIncorrect);
  ExpectQuick("huge root of one", "\\boxed{1^{0.1^{12}}}", "1", Verdict::kCorrect);
  ExpectQuick("huge base", "\\boxed{66_{22666666666666666666}}", "1", Verdict::kUnparseable);
  std::string tuples_a = "\\{", tuples_b = "\\{";
  for (int i = 0; i < 3000; ++i) {
    tuples_a += "(1,2),";
    tuples_b += "(1,2,3),";
  }
  ExpectQuick("mismatched tuples", "\\boxed{" + tuples_a + "(1,2)\\}}", tuples_b + "(1,2,3)\\}",
              Verdict::kIncorrect);
  std::string pairs_a = "\\{", pairs_b = "\\{";
  for (int i = 0; i < 3000; ++i) {
    pairs_a += "(1,2),";
    pairs_b += "(1,2,3),";
  }
  ExpectQuick("quadratic tuple matching", "\\boxed{" + pairs_a + "(1,2,3)\\}}", pairs_b + "(1,2)\\}",
              Verdict::kTimeout);
  Limits small;
  small.max_steps = 50;
  ExpectQuick("step budget", "\\boxed{(x+1)^{12}}", "(1+x)^{12}", Verdict::kTimeout, small);
}

TEST(VerifyTest, DeadlineInThePast) {
  Outcome o = Verify("\\boxed{1}", "1", Limits(), absl::InfinitePast());
  EXPECT_EQ(o.verdict, Verdict::kTimeout);
  EXPECT_FALSE(o.reason.empty());
}

TEST(VerifyTest, ThreadSafe) {
  // The same inputs verified concurrently give the same outcomes (no shared state).
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"\\boxed{(x+1)^2}", "x^2+2x+1"}, {"\\boxed{\\frac{\\pi}{2}}", "\\pi/2"}, {"\\boxed{0.333}", "1/3"}};
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 300; ++k) {
        const auto& [r, g] = inputs[static_cast<size_t>(k) % inputs.size()];
        Verdict want = k % 3 == 2 ? Verdict::kIncorrect : Verdict::kCorrect;
        if (VerifyNow(r, g).verdict != want) ++mismatches[static_cast<size_t>(t)];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace rlvr::verifier
