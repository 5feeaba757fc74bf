#include "cpp/verifier/parse.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

std::string Render(const std::string& s) {
  absl::StatusOr<Expr> e = Parse(s, ParseLimits());
  if (!e.ok()) return "ERROR " + std::string(absl::StatusCodeToString(e.status().code()));
  return ToString(*e);
}

TEST(ParseTest, Rendering) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"42", "42"},
      {"007", "7"},
      {"123456789012345678901234567890", "123456789012345678901234567890"},
      {"0.5", "0.5"},
      {".5", ".5"},
      {"-3", "-3"},
      {"1.2e3", "1.2*10^3"},
      {"1.2E-3", "1.2*10^(-3)"},
      {"1.2\\times10^{3}", "1.2*10^3"},
      {"\\frac{1}{2}", "1/2"},
      {"\\frac12", "1/2"},
      {"\\frac{a}{b}", "a/b"},
      {"1/2", "1/2"},
      {"2\\frac{1}{3}", "2+1/3"},
      {"2 \\frac{1}{3}", "2+1/3"},
      {"2\\frac{\\pi}{3}", "2*pi/3"},
      {"\\sqrt{2}", "sqrt(2)"},
      {"\\sqrt2", "sqrt(2)"},
      {"\\sqrt[3]{x}", "root(x,3)"},
      {"2\\sqrt{3}", "2*sqrt(3)"},
      {"\\pi", "pi"},
      {"2\\pi r", "2*pi*r"},
      {"e^{x}", "e^x"},
      {"3+4i", "3+4*i"},
      {"x^2", "x^2"},
      {"x^{2y}", "x^(2*y)"},
      {"2^{3^2}", "2^3^2"},
      {"(2^3)^2", "(2^3)^2"},
      {"-x^2", "-x^2"},
      {"2x", "2*x"},
      {"x(x+1)", "x*(x+1)"},
      {"(x+1)(x-1)", "(x+1)*(x-1)"},
      {"a-b-c", "a-b-c"},
      {"a-(b-c)", "a-(b-c)"},
      {"a/b/c", "a/b/c"},
      {"a/(b/c)", "a/(b/c)"},
      {"2\\cdot 3", "2*3"},
      {"6\\div 3", "6/3"},
      {"\\sin x", "sin(x)"},
      {"\\sin^2 x", "sin(x)^2"},
      {"\\sin(2x)", "sin(2*x)"},
      {"\\sin 2x", "sin(2*x)"},
      {"\\ln(x+1)", "ln(x+1)"},
      {"\\log_2 8", "log(8,2)"},
      {"sqrt(2)", "sqrt(2)"},
      {"|x-1|", "abs(x-1)"},
      {"5!", "fact(5)"},
      {"\\binom{5}{2}", "binom(5,2)"},
      {"x_1+x_2", "x_1+x_2"},
      {"x_{12}", "x_12"},
      {"1011_2", "1011_2"},
      {"777_{8}", "777_8"},
      {"y=2x+3", "y=2*x+3"},
      {"x\\le 3", "x<=3"},
      {"x \\geq 3", "x>=3"},
      {"x\\ne 1", "x!=1"},
      {"x \\in [1,2]", "x in [1,2]"},
      {"1 < x < 3", "1<x and x<3"},
      {"(1, 2)", "(1,2)"},
      {"[1, 2)", "[1,2)"},
      {"(-\\infty, 3]", "(-oo,3]"},
      {"(-\\infty,0)\\cup(1,\\infty)", "(-oo,0) U (1,oo)"},
      {"\\{1, 2, 3\\}", "{1,2,3}"},
      {"\\{\\}", "{}"},
      {"\\emptyset", "{}"},
      {"1, 2", "1, 2"},
      {"(x)", "x"},
      {"[x]", "x"},
      {"{x+1}", "x+1"},
      {"1 \\pm \\sqrt{2}", "1+-sqrt(2)"},
      {"\\pm 3", "0+-3"},
      {"\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}", "[[1,2],[3,4]]"},
      {"\\begin{bmatrix}1\\\\2\\end{bmatrix}", "[[1],[2]]"},
      {"(A)", "(A)"},
      {"B", "(B)"},
      {"(c)", "(C)"},
      {"(B) 12", "(B) 12"},
      {"(D) no solution", "(D) no solution"},
      {"no solution", "no solution"},
      {"Monday", "monday"},
      {"No", "no"},
      {"NO", "no"},
      {"x<0 or x>1", "x<0 U x>1"},
      {"0<x<1 or x \\ge 2", "0<x and x<1 U x>=2"},
      {"x<0 \\cup x>1", "x<0 U x>1"},
      {"o r", "o*r"},
      // Values and solutions joined by "or" (also after a comma) are one list; "x = 1 or 4" names both values.
      {"2 or 3", "2 or 3"},
      {"2, or 3", "2 or 3"},
      {"1, 2 or 3", "1 or 2 or 3"},
      {"x=1 or x=4", "x=1 or x=4"},
      {"x=1 or 4", "x=1 or x=4"},
      {"x<0, or x>1", "x<0 U x>1"},
      {"\\sin(30\\degree)", "sin(30*pi/180)"},
      {"\\cos^2 45\\degree", "cos(45*pi/180)^2"},
      {"30\\degree", "30"},
      {"(30+15)\\degree", "30+15"},
      {"\\sin x \\cos x", "sin(x)*cos(x)"},
      {"0.\\overline{3}", "0.(3)"},
      {"0.1\\overline{6}", "0.1(6)"},
      {"f(x)=x^2", "f*x=x^2"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(Render(in), want) << "input: " << in;
}

TEST(ParseTest, Errors) {
  for (std::string s : {"", "(1,2", "1+", "\\frac{1}", "x^", "\\unknowncommand{3}", "1 = = 2", "[1", "(1]",
                               "\\begin{pmatrix}1&2\\\\3\\end{pmatrix}", "\\begin{tabular}1\\end{tabular}", "12_{1}",
                               "19_2", "12_{123456789012345678901}", "1 2", "x^2 3", "2^2 3 5", ")", "2'",
                               "x=1 or y=2", "x=1 or y", "2 or x=1", "x=1 or x<2", "x<0 or y>1", "x<y or x>1", "x<0 or 2"}) {
    absl::StatusOr<Expr> e = Parse(s, ParseLimits());
    EXPECT_FALSE(e.ok()) << "input: " << s << " parsed as " << (e.ok() ? ToString(*e) : "");
    if (!e.ok()) {
      EXPECT_EQ(e.status().code(), absl::StatusCode::kInvalidArgument) << s << ": " << e.status();
    }
  }
}

TEST(ParseTest, Limits) {
  ParseLimits limits;
  limits.max_depth = 20;
  std::string deep = std::string(30, '(') + "1" + std::string(30, ')');
  EXPECT_EQ(Parse(deep, limits).status().code(), absl::StatusCode::kOutOfRange);
  std::string ok = std::string(15, '(') + "1" + std::string(15, ')');
  EXPECT_TRUE(Parse(ok, limits).ok());
  EXPECT_EQ(Parse(std::string(50, '-') + "1", limits).status().code(), absl::StatusCode::kOutOfRange);
  std::string sum = "1";
  for (int i = 0; i < 200; ++i) sum += "+1";  // tall but flat: bounded by 4 x max_depth
  EXPECT_EQ(Parse(sum, limits).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Parse(std::string(1001, '7'), ParseLimits()).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(Parse(std::string(1000, '7'), ParseLimits()).ok());
  EXPECT_EQ(Parse("1e99999", ParseLimits()).status().code(), absl::StatusCode::kOutOfRange);
  std::string wide = "\\{";
  for (int i = 0; i < 30000; ++i) wide += "1,";
  wide += "1\\}";
  EXPECT_EQ(Parse(wide, ParseLimits()).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(ParseTest, NumberValuesAreExact) {
  absl::StatusOr<Expr> e = Parse("0.125", ParseLimits());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->at(e->root).value.ToString(), "1/8");
  e = Parse("101_2", ParseLimits());
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->at(e->root).value.ToString(), "5");
  EXPECT_EQ(e->at(e->root).base, 2);
}

}  // namespace
}  // namespace rlvr::verifier
