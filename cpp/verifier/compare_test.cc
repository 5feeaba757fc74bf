#include "cpp/verifier/compare.h"

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cpp/verifier/canonical.h"
#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

// Canonicalises and parses both strings, then compares (answer first, gold second).
absl::StatusOr<Comparison> Check(const std::string& answer, const std::string& gold) {
  Canonical ca = Canonicalize(answer), cg = Canonicalize(gold);
  absl::StatusOr<Expr> a = Parse(ca.text, ParseLimits());
  absl::StatusOr<Expr> g = Parse(cg.text, ParseLimits());
  if (!a.ok()) return a.status();
  if (!g.ok()) return g.status();
  Budget budget(200000, absl::InfiniteFuture());
  return Equivalent(Side{&*a, ca.percent}, Side{&*g, cg.percent}, 4, &budget);
}

void ExpectAll(const std::vector<std::pair<std::string, std::string>>& pairs, bool equal) {
  for (const auto& [answer, gold] : pairs) {
    absl::StatusOr<Comparison> c = Check(answer, gold);
    ASSERT_TRUE(c.ok()) << answer << " vs " << gold << ": " << c.status();
    EXPECT_EQ(c->equal, equal) << answer << " vs " << gold << " (" << c->reason << ")";
    if (!equal && !c->equal) {
      EXPECT_FALSE(c->reason.empty()) << answer << " vs " << gold;
    }
    // Equivalence is symmetric.
    absl::StatusOr<Comparison> r = Check(gold, answer);
    ASSERT_TRUE(r.ok()) << gold << " vs " << answer << ": " << r.status();
    EXPECT_EQ(r->equal, equal) << "reversed: " << gold << " vs " << answer << " (" << r->reason << ")";
  }
}

TEST(CompareTest, Numbers) {
  ExpectAll({{"5", "5"}, {"005", "5"}, {"-0", "0"}, {"5.0", "5"}, {"0.50", "\\frac{1}{2}"}, {"\\frac{2}{4}", "0.5"},
             {"1/2", "\\frac{1}{2}"}, {"\\dfrac{3}{6}", "\\tfrac{1}{2}"}, {"2\\frac{1}{3}", "\\frac{7}{3}"},
             {"-\\frac{1}{2}", "\\frac{-1}{2}"}, {"\\frac{1}{-2}", "-0.5"}, {"1.2\\times10^{3}", "1200"},
             {"1.2e3", "1200"}, {"1.2E-3", "0.0012"}, {"12345678901234567890123", "12345678901234567890123"},
             {"2^{100}", "1267650600228229401496703205376"}, {"10^{-2}", "0.01"}, {"3!", "6"},
             {"\\binom{6}{3}", "20"}, {"1011_2", "11"}, {"777_8", "511"}, {"1011_2", "1011"},
             {"\\frac{6}{3}", "2"}, {"2^{-1}", "0.5"}, {".5", "0.5"}, {"3 \\cdot 4", "12"}, {"12 \\div 4", "3"},
             {"(2)(3)", "6"}, {"|-3|", "3"}, {"0.\\overline{3}", "\\frac13"}, {"0.1\\overline{6}", "\\frac16"},
             {"1.\\overline{142857}", "\\frac87"}, {"0.\\overline{9}", "1"}, {"0.3333333333", "\\frac{1}{3}"},
             {"0.\\overline{3}", "0.333333"}, {"0.14286", "\\frac17"}, {"-0.66667", "-\\frac23"}},
            true);
  // Decimals are exact; only with >= 5 significant digits may they stand for a value without a finite expansion.
  ExpectAll({{"0.333", "\\frac{1}{3}"}, {"0.3334", "\\frac{1}{3}"}, {"0.33334", "\\frac{1}{3}"}, {"5", "6"}, {"-5", "5"},
             {"1/2", "2"}, {"12345678901234567890123", "12345678901234567890124"}, {"2^{100}", "2^{101}"},
             {"1011_2", "1011_3"}, {"1011_2", "12"}, {"1.2e3", "120"}, {"10", "10.1"}, {"\\frac{1}{3}", "0.33"},
             {"0.\\overline{3}", "0.3"}, {"0.\\overline{3}", "0.3333"}, {"\\frac18", "0.12501"}},
            false);
}

TEST(CompareTest, RadicalsPiAndComplex) {
  ExpectAll({{"\\sqrt{8}", "2\\sqrt{2}"}, {"\\frac{\\sqrt{3}}{2}", "\\frac{\\sqrt3}{2}"},
             {"\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}"}, {"\\sqrt{12}", "2\\sqrt3"}, {"\\sqrt[3]{-8}", "-2"},
             {"\\sqrt[3]{27}", "3"}, {"8^{2/3}", "4"}, {"\\sqrt{\\frac{9}{4}}", "1.5"}, {"2\\pi", "\\pi \\cdot 2"},
             {"\\frac{\\pi}{2}", "0.5\\pi"}, {"\\pi r^2", "r^2\\pi"}, {"3+4i", "4i+3"}, {"i^2", "-1"},
             {"\\sqrt{-4}", "2i"}, {"(1+i)^2", "2i"}, {"\\frac{1}{i}", "-i"}, {"e^{i\\pi}", "-1"},
             {"\\ln(e^2)", "2"}, {"\\log_2 8", "3"}, {"\\sin^2 x + \\cos^2 x", "1"}, {"\\tan(\\pi/4)", "1"},
             {"\\frac{\\sqrt{2}}{2}", "0.70710678118654752"}, {"\\sqrt{2}+\\sqrt{3}", "\\sqrt{3}+\\sqrt{2}"},
             {"\\frac{1+\\sqrt{5}}{2}", "\\frac{2}{\\sqrt{5}-1}"},
             {"\\pi", "3.14159"}, {"\\pi", "3.1416"}, {"\\pi", "3.1415"}, {"16\\pi", "50.265"}, {"\\sqrt2", "1.41421"}},
            true);
  ExpectAll({{"\\pi", "3.1414"}, {"\\pi", "3.14"}, {"\\pi", "3.1417"}, {"\\pi", "3"}, {"\\sqrt{2}", "1.414"},
             {"\\sqrt{2}", "\\sqrt{3}"},
             {"3+4i", "3-4i"}, {"i", "1"}, {"2\\pi", "\\pi"}, {"e", "2.718"}, {"\\sqrt{8}", "3\\sqrt{2}"}},
            false);
}

TEST(CompareTest, Algebra) {
  ExpectAll({{"x^2+2x+1", "(x+1)^2"}, {"x^2-1", "(x-1)(x+1)"}, {"2x+3", "3+2x"}, {"\\frac{x}{2}", "\\frac{1}{2}x"},
             {"a+b", "b+a"}, {"x(x+1)", "x^2+x"}, {"\\frac{x^2-1}{x-1}", "x+1"}, {"|x|", "\\sqrt{x^2}"},
             {"(a+b)^3", "a^3+3a^2b+3ab^2+b^3"}, {"x^{-1}", "\\frac{1}{x}"}, {"2^{x+1}", "2\\cdot2^x"},
             {"\\frac{1}{x}+\\frac{1}{y}", "\\frac{x+y}{xy}"}, {"x-x+1", "1"}, {"e^{\\ln x}", "x"},
             {"(x+1)^{20}", "(1+x)^{20}"}, {"x_1+x_2", "x_2+x_1"}, {"\\sqrt{x}\\sqrt{x}", "x"},
             {"3x^2y", "3yx^2"}, {"\\frac{n(n+1)}{2}", "\\frac{n^2+n}{2}"}},
            true);
  ExpectAll({{"x^2+2x", "(x+1)^2"}, {"a+b", "x+y"}, {"x", "y"}, {"t^2", "x^2"}, {"\\sqrt{x^2}", "x"},
             {"2x", "x^2"}, {"x+1", "x-1"}, {"(x+1)^{20}", "(x+1)^{21}"}, {"\\frac{x}{2}", "2x"}, {"x", "X"},
             {"\\sin x", "\\cos x"}, {"x^3", "x^2"}},
            false);
}

TEST(CompareTest, Equations) {
  ExpectAll({{"y=2x+3", "2x+3"}, {"x=5", "5"}, {"5=x", "5"}, {"y=2x+3", "y=3+2x"}, {"2x+3=y", "y=2x+3"},
             {"y=2x+3", "y-2x=3"}, {"2x+2y=2", "x+y=1"}, {"x \\in [1,2]", "[1,2]"}, {"x>3", "3<x"},
             {"x\\geq 3", "3 \\le x"}, {"x=2, y=3", "(2,3)"}, {"f(x)=x^2", "x^2"}, {"g(x, y) = xy", "yx"}},
            true);
  ExpectAll({{"y=2x+3", "y=2x+4"}, {"x=5", "6"}, {"x>3", "x<3"}, {"x>3", "x\\ge3"}, {"x+y=1", "x-y=1"},
             {"2x+3", "y=2x+4"}, {"x(x+1)=5", "6"}},
            false);
}

TEST(CompareTest, IntervalsTuplesSets) {
  ExpectAll({{"[1,2)", "[1,2)"}, {"(-\\infty, 3]", "(-\\infty,3]"}, {"(0,\\infty)", "\\left(0, \\infty\\right)"},
             {"(-\\infty,0)\\cup(1,\\infty)", "(1,\\infty)\\cup(-\\infty,0)"}, {"(1,2)", "(1,2)"},
             {"(1,2)", "1, 2"}, {"(\\frac12, 3)", "(0.5, 3)"}, {"\\{1,2\\}", "\\{2,1\\}"}, {"\\{1,2\\}", "2, 1"},
             {"1, 2, 3", "3, 1, 2"}, {"\\{1,1,2\\}", "\\{1,2\\}"}, {"\\{5\\}", "5"}, {"\\emptyset", "\\{\\}"},
             {"1\\pm\\sqrt{2}", "1+\\sqrt2, 1-\\sqrt2"}, {"\\frac{-1\\pm\\sqrt5}{2}", "\\frac{-1-\\sqrt5}{2}, \\frac{-1+\\sqrt5}{2}"},
             {"\\pm 3", "3, -3"}, {"(1, 2, 3)", "\\begin{pmatrix}1\\\\2\\\\3\\end{pmatrix}"},
             {"x<2", "(-\\infty, 2)"}, {"x \\geq 3", "[3,\\infty)"}, {"1 < x \\le 2", "(1,2]"},
             {"2 > x > 1", "(1,2)"}, {"-\\frac12 \\le x < 3", "[-0.5, 3)"}, {"3 \\ge x", "(-\\infty,3]"},
             {"\\mathbb{R}", "(-\\infty, \\infty)"}, {"x \\in \\mathbb{R}", "(-\\infty,\\infty)"}},
            true);
  ExpectAll({{"(1,2]", "[1,2)"}, {"(1,2)", "[1,2]"}, {"(1,2)", "(2,1)"}, {"(1,2)", "2, 1"}, {"\\{1,2\\}", "\\{1,3\\}"},
             {"1, 2", "1, 2, 3"}, {"1, 1, 2", "1, 2"}, {"(-\\infty,0)\\cup(1,\\infty)", "(-\\infty,0)"},
             {"(-\\infty, 3]", "(\\infty, 3]"}, {"(1,2)", "(1,2,3)"}, {"\\{5\\}", "6"}, {"(1,2)", "3"},
             {"[0,1]", "\\{0,1\\}"}, {"x>3", "[3,\\infty)"}, {"x<3", "(3,\\infty)"}, {"1<x<2", "(1,3)"},
             {"y<2", "(-\\infty,2) \\cup (3, 4)"}},
            false);
}

TEST(CompareTest, Matrices) {
  ExpectAll({{"\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}"},
             {"\\begin{pmatrix}\\frac12&0\\\\0&1\\end{pmatrix}", "\\begin{pmatrix}0.5&0\\\\0&1\\end{pmatrix}"},
             {"\\begin{pmatrix}1\\\\2\\end{pmatrix}", "(1,2)"}},
            true);
  ExpectAll({{"\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "\\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}"},
             {"\\begin{pmatrix}1&2\\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"},
             {"\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "1"}},
            false);
}

TEST(CompareTest, PercentTextAndChoices) {
  ExpectAll({{"50\\%", "50"}, {"50\\%", "0.5"}, {"12.5\\%", "\\frac18"}, {"\\text{Monday}", "monday"},
             {"\\text{no solution}", "No Solution"}, {"(A)", "A"}, {"\\text{(B)}", "B"}, {"(c)", "C"},
             {"(B) 12", "B"}, {"\\textbf{(B) }12", "12"}, {"(B)\\ \\frac12", "0.5"}, {"(E) \\text{none}", "E"}},
            true);
  ExpectAll({{"50", "0.5"}, {"50\\%", "5"}, {"\\text{Monday}", "\\text{Tuesday}"}, {"(A)", "(B)"}, {"A", "5"},
             {"yes", "no solution"},
             {"(B) 12", "C"}, {"(B) 12", "13"}, {"(A) 5", "(B) 5"}},
            false);
}

TEST(CompareTest, UnionsOfInequalitiesAndDegrees) {
  ExpectAll({{"x<0 \\text{ or } x>1", "(-\\infty,0)\\cup(1,\\infty)"}, {"x>1 or x<0", "x<0 \\text{ or } x>1"},
             {"x\\le 0 or 1 \\le x", "(-\\infty,0]\\cup[1,\\infty)"}, {"\\sin 30^\\circ", "\\frac12"},
             {"\\cos(60^{\\circ})", "\\sin(30^\\circ)"}, {"30^\\circ", "30"}, {"\\text{No}", "no"}},
            true);
  ExpectAll({{"x<0 or x>1", "x<0"}, {"x<0 or x>1", "(-\\infty,0]\\cup(1,\\infty)"}, {"x<0 or x>1", "t<0 or t>1"},
             {"\\sin 30^\\circ", "\\sin 30"}, {"30^\\circ", "\\frac{\\pi}{6}"}, {"X", "x"}, {"\\text{No}", "n"}},
            false);
}

TEST(CompareTest, BudgetAndLimitsSurface) {
  Canonical c = Canonicalize("\\{1,2,3,4,5,6,7,8,9,10\\}");
  absl::StatusOr<Expr> e = Parse(c.text, ParseLimits());
  ASSERT_TRUE(e.ok());
  Budget tiny(5, absl::InfiniteFuture());
  EXPECT_EQ(Equivalent(Side{&*e}, Side{&*e}, 4, &tiny).status().code(), absl::StatusCode::kResourceExhausted);
  absl::StatusOr<Expr> big = Parse("2^{10000}", ParseLimits());
  ASSERT_TRUE(big.ok());
  Budget budget(200000, absl::InfiniteFuture());
  EXPECT_EQ(Equivalent(Side{&*big}, Side{&*big}, 4, &budget).status().code(), absl::StatusCode::kOutOfRange);
  Budget past(200000, absl::InfinitePast());
  absl::StatusOr<Expr> poly = Parse("(x+1)^{30}", ParseLimits());
  ASSERT_TRUE(poly.ok());
  EXPECT_EQ(Equivalent(Side{&*poly}, Side{&*poly}, 4, &past).status().code(), absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace rlvr::verifier
