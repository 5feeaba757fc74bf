// Equivalence rules for answers as models write them (issue 10, docs/verifier.md "Verification semantics"):
// named left-hand sides, relations and sets of reals, text and choices, number formats, symbolic forms and
// huge-but-harmless expressions. Every case goes through Verify with the answer boxed, in both directions.
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cpp/verifier/verify.h"
#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

std::string Verdict(const std::string& answer, const std::string& gold) {
  Outcome o = Verify("so \\boxed{" + answer + "}", gold, Limits(), absl::Now() + absl::Seconds(5));
  return std::string(VerdictName(o.verdict)) + (o.reason.empty() ? "" : " (" + o.reason + ")");
}

// Each pair must be CORRECT (or not) with either string as the gold.
void ExpectEquivalent(const std::vector<std::pair<std::string, std::string>>& pairs, bool equal) {
  for (const auto& [a, b] : pairs) {
    for (const auto& [answer, gold] : {std::pair(a, b), std::pair(b, a)}) {
      std::string v = Verdict(answer, gold);
      EXPECT_EQ(v == "CORRECT", equal) << answer << " vs gold " << gold << ": " << v;
    }
  }
}

TEST(SemanticsTest, NamedLeftHandSide) {
  ExpectEquivalent({{"(a,b)=(2,5)", "(2,5)"}, {"(x, y, z) = (1, 2, 3)", "(1,2,3)"}, {"A:B=3:4", "3:4"},
                    {"|PQ|=5", "5"}, {"PQ = 5", "5"}, {"\\overline{AB}=7", "7"}, {"\\angle ABC = 40^\\circ", "40"},
                    {"x+y=9", "9"}, {"a+b+c = 12", "12"}, {"f(3) = 10", "10"}, {"a_5 = 48", "48"},
                    {"P(A \\cup B) = 0.7", "0.7"}, {"\\sin\\theta = \\frac{3}{5}", "\\frac35"},
                    {"m=3, n=7", "m = 3, n = 7"}, {"n=7, m=3", "m = 3, n = 7"}, {"3 + 4 = 7", "7"},
                    {"f^{-1}(x) = \\frac{x-1}{3}", "\\frac{x-1}{3}"}, {"\\text{Area} = 12", "12"},
                    {"\\frac{10}{3} \\approx 3.33", "\\frac{10}{3}"}, {"m\\angle A = 30^\\circ", "30"},
                    {"(2x+2x)+(9-4) = 4x+5", "4x+5"}, {"xyz = 6", "6"}, {"ABC = 90", "90"}},
                   true);
  ExpectEquivalent({{"(a,b)=(2,5)", "(5,2)"}, {"A:B = 4:3", "3:4"}, {"|PQ| = 6", "5"}, {"x+y=10", "9"},
                    {"m=7, n=3", "m = 3, n = 7"}, {"2x = 10", "5"}, {"x^2 = 5", "\\sqrt5"}, {"\\theta", "\\alpha"},
                    {"x \\approx 3.33", "\\frac{10}{3}"}, {"x^2 = 4x+5", "4x+5"}, {"\\text{xyz}", "6"}},
                   false);
}

TEST(SemanticsTest, SolutionsJoinedByOr) {
  ExpectEquivalent({{"y=1 \\text{ or } y=4", "1, 4"}, {"x = 1 \\text{ or } x = 4", "\\{1,4\\}"},
                    {"x=4 \\text{ or } x=1", "x=1, x=4"}, {"\\pm 2, \\pm 3i", "2,-2,3i,-3i"},
                    {"\\pm 2, 5", "-2, 2, 5"}},
                   true);
  // Solutions are a set of values, not the point (1, 4).
  ExpectEquivalent({{"x=1 \\text{ or } x=4", "1, 5"}, {"x=1 \\text{ or } x=4", "(1,4)"},
                    {"\\pm 2, \\pm 3i", "2,-2,3,-3"}},
                   false);
}

TEST(SemanticsTest, SetsOfReals) {
  ExpectEquivalent({{"|x-1|\\le 3", "[-2,4]"}, {"|x-1|\\le 3", "-2\\le x\\le 4"}, {"|2x+1| < 5", "(-3,2)"},
                    {"|x| > 2", "(-\\infty,-2)\\cup(2,\\infty)"}, {"2<g(x)<5", "(2,5)"}, {"2 \\le f(x) \\le 5", "[2,5]"},
                    {"2\\le|w|\\le 3", "[-3,-2]\\cup[2,3]"}, {"[0,2)\\cup[2,5]", "[0,5]"},
                    {"x<1 \\text{ or } x>0", "\\mathbb{R}"}, {"(1,3)\\cup(2,4)", "(1,4)"}, {"|x+2| \\le 0", "\\{-2\\}"},
                    {"-\\sqrt2 < x < \\sqrt2", "(-\\sqrt{2},\\sqrt{2})"}, {"x\\in[1,3]", "1\\le x\\le 3"},
                    {"3 > x > 1", "(1,3)"}, {"-2x > 4", "(-\\infty,-2)"}, {"|x| \\ge 0", "(-\\infty, \\infty)"},
                    {"[1,2]\\cup\\{5\\}", "\\{5\\}\\cup[1,2]"}, {"\\frac{x}{2} - 1 \\ge 0", "[2, \\infty)"},
                    {"x \\ne 2", "(-\\infty,2)\\cup(2,\\infty)"}, {"\\{x \\mid x > 0\\}", "(0,\\infty)"},
                    {"\\{x : -1 < x < 2\\}", "(-1,2)"}, {"\\text{all real numbers}", "(-\\infty,\\infty)"}},
                   true);
  ExpectEquivalent({{"|x-1|<3", "[-2,4]"}, {"|x|\\ge 2", "(-\\infty,-2)\\cup(2,\\infty)"}, {"2<g(x)<5", "[2,5]"},
                    {"[0,2)\\cup(2,5]", "[0,5]"}, {"(1,2)\\cup(3,4)", "(1,4)"}, {"x \\le 3", "(-\\infty,3)"},
                    {"2\\le|w|\\le 3", "[2,3]"}, {"x<2", "y<2"}, {"|x-1|\\le 3", "-2\\le y\\le 4"},
                    // Not solved: a non-linear inequality is compared as written.
                    {"x^2 < 4", "(-2,2)"}},
                   false);
}

TEST(SemanticsTest, TextAndChoices) {
  ExpectEquivalent({{"d", "D"}, {"\\text{(d)}", "D"}, {"e", "E"}, {"C", "\\text{C}"}, {"even", "\\text{even}"},
                    {"\\textbf{even}", "\\text{even}"}},
                   true);
  // Word answers ignore case, spacing and sentence punctuation; the words themselves must match.
  ExpectEquivalent({{"\\text{Yes!}", "\\text{yes}"}, {"\\text{Tuesday.}", "Tuesday"}, {"\\text{``odd''}", "\\text{odd}"},
                    {"\\text{No, it is not}", "\\text{no it is not}"}},
                   true);
  ExpectEquivalent({{"c", "D"}, {"\\text{odd}", "\\text{even}"}, {"x", "X"}, {"\\text{not odd}", "\\text{odd}"},
                    {"\\text{neither even nor odd}", "\\text{odd}"}},
                   false);
}

TEST(SemanticsTest, NumberFormats) {
  ExpectEquivalent({{"3,\\! 141,\\! 592", "3141592"}, {"1,\\! 000", "1000"}, {"2 1/4", "\\frac94"},
                    {"2\\ 1/4", "2.25"}, {"-3 2/5", "-\\frac{17}{5}"}, {"09:15", "9:15"}, {"5:8", "\\frac58"},
                    {"2^3 3^2", "72"}, {"2^3 3^2", "2^3 \\cdot 3^2"}, {"3:45 \\text{ p.m.}", "\\text{3:45 p.m.}"},
                    {"\\approx 3.14", "3.14"}},
                   true);
  // Ratios compare as written: "10:16" is not in lowest terms, and 2:30 and 1:15 are different times.
  ExpectEquivalent({{"3,\\! 141", "3, 141"}, {"2 1/4", "\\frac12"}, {"9:15", "9:51"}, {"2:30", "1:15"},
                    {"10:16", "5:8"}, {"8:5", "5:8"}, {"1:2:3", "1:3:2"}},
                   false);
  for (const char* refused : {"2 5/4", "2^2 3 5", "x^2 3"}) {
    EXPECT_EQ(Verdict(refused, "1").substr(0, 11), "UNPARSEABLE") << refused;
  }
}

// A time with a.m./p.m. is a point of the day; one written without may be 12-hour notation (its hour counts
// modulo 12), and a ratio of two times is still compared as written.
TEST(SemanticsTest, ClockTimes) {
  ExpectEquivalent({{"20:34", "8\\!:\\!34 \\text{ p.m.}"}, {"8:34 \\text{ p.m.}", "8:34"}, {"8:34 PM", "20:34"},
                    {"12:05 a.m.", "0:05"}, {"12:05 a.m.", "12:05"}, {"5 p.m.", "17:00"}, {"5 pm", "5"},
                    {"4:30 \\text{PM}", "4:30"}, {"9:03:36 a.m.", "9:03:36"}, {"\\text{11:55 p.m.}", "23:55"}},
                   true);
  ExpectEquivalent({{"8:34 a.m.", "8:34 p.m."}, {"8:34 a.m.", "20:34"}, {"12:05 p.m.", "0:05"},
                    {"8:35 p.m.", "20:34"}, {"8:34 p.m.", "8:43"}, {"8:34 p.m.", "8:3"}, {"20:34", "8:34"}},
                   false);
}

// Finite sums and products with integer bounds are evaluated term by term; a base may be written "_{(2)}" or after
// a parenthesised literal; a number in words is that number; "B)" is a choice.
TEST(SemanticsTest, SumsBasesWordsAndChoices) {
  ExpectEquivalent({{"\\sum_{k=1}^{10} k", "55"}, {"\\sum_{i=1}^{10} i^2", "385"}, {"\\prod_{k=1}^{5} k", "5!"},
                    {"\\sum_{k=0}^{3} 2^k + 1", "16"}, {"\\sum_{k=1}^{3} x^k", "x+x^2+x^3"},
                    {"\\sum_{n=1}^{0} n", "0"}, {"\\displaystyle\\sum\\limits_{j=1}^{4} \\frac{1}{j}", "\\frac{25}{12}"},
                    {"1011_{(2)}", "1011_2"}, {"(1011)_2", "11"}, {"\\text{five}", "5"}, {"twenty-five", "25"},
                    {"B)", "(B)"}, {"{5 \\choose 2}", "10"}, {"2.5 \\text{ million}", "2500000"}, {"3rd", "3"},
                    {"25^\\circ \\text{C}", "25"}, {"5 \\text{ percent}", "0.05"}, {"0.333\\ldots", "\\frac13"},
                    {"3.14159\\ldots", "\\pi"}, {"2 pi", "2\\pi"}, {"2pi", "2\\pi"}, {"one hundred", "100"}, {"\\frac{7}{3} \\approx 2.33", "2.33"},
                    {"64.75 \\approx 65", "65"}, {"\\mathcal{S} = 927", "927"},
                    {"\\lfloor 3.7 \\rfloor", "3"}, {"\\left\\lceil \\frac{7}{2} \\right\\rceil", "4"},
                    {"\\lfloor -3.5 \\rfloor", "-4"}, {"\\lfloor 1000 \\cos 0.5 \\rfloor", "877"},
                    {"\\left\\lfloor \\frac{N}{100} \\right\\rfloor = 137", "137"}, {"D'=(-2,5)", "(-2,5)"},
                    {"f'(x) = 2x", "2x"}, {"pi/2", "\\frac{\\pi}{2}"}},
                   true);
  // Compound numbers, fractions and signs in words, "0.(3)", "option B", "B) 12", and "2^10" as plain text means it.
  ExpectEquivalent({{"two hundred fifty", "250"}, {"two hundred and fifty apples", "250"},
                    {"one thousand two hundred thirty-four", "1234"}, {"twenty-one thousand", "21000"},
                    {"one or two", "1, 2"}, {"0.(3)", "\\frac13"}, {"1.(6)", "\\frac53"},
                    {"0.(142857)", "\\frac17"}, {"0.6(30)", "18"}, {"0.1(6)", "0.6"}, {"option B", "(B)"},
                    {"Choice (C)", "C"}, {"B) 12", "B"}, {"B) 12", "12"}, {"option (C) 15", "C"},
                    {"one half", "\\frac12"}, {"three-fourths", "0.75"}, {"negative five", "-5"}, {"minus 5", "-5"},
                    {"2^10", "1024"}, {"2^10x", "1024x"}, {"20mph", "20"}, {"5 and 7", "5, 7"},
                    {"5 and 7", "\\{7, 5\\}"}, {"C: 15", "C"}, {"C: 15", "15"}, {"(C): 15", "C"},
                    {"option D: 15", "D"}, {"A: B", "A:B"}},
                   true);
  ExpectEquivalent({{"two hundred fifty", "2050"}, {"12, or thirteen", "12"}, {"one or two", "1"},
                    {"0.(3)", "0.3"}, {"0.(3)", "0.33"}, {"0.1(6)", "\\frac16"}, {"option B", "C"},
                    {"B) 12", "13"}, {"B) 12", "C"}, {"one half", "1"}, {"two thirds", "2"},
                    {"negative five", "5"}, {"2^10", "20"}, {"2^1 0", "20"}, {"5 and 7", "5"}, {"3abc", "3"},
                    {"C: 15", "16"}, {"C: 15", "D"}, {"C:D", "C"}},
                   false);
  ExpectEquivalent({{"\\sum_{k=1}^{10} k", "56"}, {"\\sum_{i=1}^{10} i", "\\sum_{k=1}^{10} k^2"},
                    {"\\text{six}", "5"}, {"B)", "C"}, {"3 x^2", "3"}, {"\\frac{1}{2} ab", "\\frac12"},
                    {"5 \\text{ thousand}", "5"}, {"0.33\\ldots", "\\frac13"}, {"2 pi", "2"}, {"2 pi", "2pq"},
                    {"\\text{one hundred}", "1"}, {"two hundred fifty", "200"}, {"\\frac{7}{3} \\approx 2.5", "2.5"},
                    {"\\frac{7}{3} \\approx 2.33", "2.34"}, {"x \\approx 2.33", "\\frac73"},
                    {"\\lfloor 3.7 \\rfloor", "4"}, {"\\lceil 3.2 \\rceil", "3"}},
                   false);
}

TEST(SemanticsTest, DecimalApproximations) {
  ExpectEquivalent({{"0.142857142857", "\\frac{1}{7}"}, {"0.14286", "\\frac17"}, {"0.14285", "\\frac17"},
                    {"50.265", "16\\pi"}, {"3.14159", "\\pi"}, {"1.41421", "\\sqrt2"}, {"-0.66667", "-\\frac23"},
                    {"0.000142857", "\\frac{1}{7000}"}, {"(0.33333, 1)", "(\\frac13, 1)"}},
                   true);
  ExpectEquivalent({{"0.14", "\\frac17"}, {"0.1429", "\\frac17"}, {"50.266", "16\\pi"}, {"50.27", "16\\pi"},
                    {"3", "\\pi"}, {"0.66667", "-\\frac23"}, {"0.12501", "\\frac18"}, {"1.41422", "\\sqrt2"},
                    {"0.14286", "\\frac17 + x - x + y"}},
                   false);
}

TEST(SemanticsTest, SymbolicForms) {
  ExpectEquivalent({{"\\binom{m}{2}", "\\frac{m(m-1)}{2}"}, {"\\binom{n}{3}", "\\frac{n(n-1)(n-2)}{6}"},
                    {"\\frac{n!}{(n-2)!}", "n(n-1)"}, {"(n+1)!", "(n+1) n!"}, {"\\binom{n}{k}", "\\binom{n}{n-k}"},
                    {"\\binom{7}{3}", "35"}},
                   true);
  ExpectEquivalent({{"\\cos^2\\theta - \\sin^2\\theta", "\\cos 2\\theta"}, {"\\sin 2\\pi", "0"}, {"\\langle 1, 2 \\rangle", "(1,2)"},
                    {"1^{10^{10^{10}}}", "1"}},
                   true);
  ExpectEquivalent({{"\\binom{m}{2}", "\\frac{m(m+1)}{2}"}, {"\\frac{n!}{(n-2)!}", "n^2"}, {"\\binom{n}{2}", "n^2"}},
                   false);
}

TEST(SemanticsTest, MatrixArithmetic) {
  const std::string v36 = "\\begin{pmatrix}3\\\\6\\end{pmatrix}";
  ExpectEquivalent({{"3\\begin{pmatrix}1\\\\2\\end{pmatrix}", v36}, {"\\begin{pmatrix}1\\\\2\\end{pmatrix} \\cdot 3", v36},
                    {"\\frac12\\begin{pmatrix}2&4\\\\6&8\\end{pmatrix}", "\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"},
                    {"\\begin{pmatrix}1\\\\2\\end{pmatrix}+\\begin{pmatrix}2\\\\4\\end{pmatrix}", v36},
                    {"-\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix}-1\\\\-2\\end{pmatrix}"},
                    {"\\begin{pmatrix}6\\\\12\\end{pmatrix}/2", "(3, 6)"}},
                   true);
  ExpectEquivalent({{"3\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix}3\\\\5\\end{pmatrix}"},
                    {"\\begin{pmatrix}1\\\\2\\end{pmatrix}+\\begin{pmatrix}1&2\\end{pmatrix}", v36}},
                   false);
}

TEST(SemanticsTest, EquationsWithTheSameSolutions) {
  ExpectEquivalent({{"xy=4", "y=\\frac4x"}, {"x = 2y+1", "y=\\frac{x-1}{2}"}, {"y^2 = 4x", "x = \\frac{y^2}{4}"},
                    {"2x+2y=2", "y = 1 - x"}},
                   true);
  // Not the same curves: a second branch, or a different function.
  ExpectEquivalent({{"xy=4", "y=\\frac{2}{x}"}, {"x^2+y^2=1", "y=\\sqrt{1-x^2}"}, {"(y-\\frac4x)(y-1)=0", "y=\\frac4x"},
                    {"y^2 = x", "y = \\sqrt{x}"}},
                   false);
}

TEST(SemanticsTest, HugeButHarmless) {
  ExpectEquivalent({{"(-1)^{10^{50}}", "1"}, {"(-1)^{10^{50}+1}", "-1"}, {"1^{10^{20}}", "1"},
                    {"0^{10^{20}}", "0"}, {"i^{10^{20}+3}", "-i"}, {"(-i)^{10^{20}+1}", "-i"}},
                   true);
  ExpectEquivalent({{"(-1)^{10^{50}}", "-1"}}, false);
  // Identical terms and factors cancel before the exponent bound applies.
  ExpectEquivalent({{"7^{10^{12}}-7^{10^{12}}+3", "3"}, {"3 + 7^{10^{12}} - 7^{10^{12}}", "3"},
                    {"x^{10^{9}} - x^{10^{9}} + x", "x"}, {"\\frac{5 \\cdot 9^{10^{9}}}{9^{10^{9}}}", "5"},
                    {"-2^{10^{12}} + 2^{10^{12}}", "0"}},
                   true);
  ExpectEquivalent({{"7^{10^{12}}-7^{10^{12}}+3", "4"}}, false);
  // The bounds stay: a base other than 0, ±1, ±i with a huge exponent is refused, also when terms are left over.
  EXPECT_EQ(Verdict("7^{10^{12}}+7^{10^{12}}-7^{10^{12}}", "0").substr(0, 7), "INVALID");
  EXPECT_EQ(Verdict("7^{10^{12}}-7^{10^{13}}", "0").substr(0, 7), "INVALID");
  EXPECT_EQ(Verdict("2^{10^{20}}", "1").substr(0, 7), "INVALID");
  EXPECT_EQ(Verdict("0^{-10^{20}}", "0").substr(0, 7), "INVALID");
}

// Near misses of the rules above stay INCORRECT: a wrong constant side, a closed end, a missing point, one digit
// off in an approximation, a proportional ratio, a second solution branch.
TEST(SemanticsTest, NearMissesAreNotEquivalent) {
  ExpectEquivalent({{"x+y=9", "10"}, {"x = y + 1", "y+2"}, {"x^2 = 4x+5", "4x+5"}, {"a = 3, b = 4", "(4, 3)"},
                    {"\\frac{10}{3} \\approx 3.34", "3.34"}, {"(1,2)", "x>1"}, {"|x| < 1", "(-1, 1]"},
                    {"-3 < x < 3", "|x| \\le 3"}, {"|x-2| > 1", "(1,3)"}, {"x \\ne 2", "\\mathbb{R}"},
                    {"(-\\infty, 0) \\cup (0, \\infty)", "\\mathbb{R}"}, {"x = 1 \\text{ or } x = 4", "[1,4]"},
                    {"a", "(B)"}, {"0.14287", "\\frac17"}, {"3.1416", "3.14159265"}, {"12.567", "4\\pi"},
                    {"10:30", "10.5"}, {"xy=4", "y = 4x"}, {"y = x^2", "x = y^2"}, {"2^3 3^2", "2^3 + 3^2"},
                    {"i^{10^{20}+1}", "1"}},
                   false);
}

// Rewrites stay linear: nested scalar multiples of a large matrix and long sums of cancelling huge powers finish
// (with any verdict) instead of growing the tree without bound.
TEST(SemanticsTest, RewritesStayBounded) {
  std::string row, matrix = "\\begin{pmatrix}";
  for (int c = 0; c < 20; ++c) row += c ? "&1" : "1";
  for (int r = 0; r < 20; ++r) matrix += (r ? "\\\\" : "") + row;
  matrix += "\\end{pmatrix}";
  std::string nested = matrix;
  for (int k = 0; k < 150; ++k) nested = "2(" + nested + ")";
  std::string sum = "1";
  for (int k = 0; k < 600; ++k) sum += k % 2 ? "-7^{10^{12}}" : "+7^{10^{12}}";
  for (const std::string& answer : {nested, sum}) {
    std::string v = Verdict(answer, "1");
    EXPECT_TRUE(v.rfind("CORRECT", 0) == 0 || v.rfind("INCORRECT", 0) == 0 || v.rfind("INVALID", 0) == 0 ||
                v.rfind("TIMEOUT", 0) == 0)
        << v;
  }
  EXPECT_EQ(Verdict(sum, "1"), "CORRECT");
}

}  // namespace
}  // namespace rlvr::verifier
