#include "cpp/verifier/canonical.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

struct Case {
  std::string in, out;
  bool percent = false;
};

TEST(CanonicalTest, Table) {
  const std::vector<Case> cases = {
      {"\\left( 1, 2 \\right)", "( 1, 2 )"},
      {"\\left[0,1\\right)", "[0,1)"},
      {"\\left.\\frac{1}{2}\\right|", "\\frac{1}{2}|"},
      {"\\dfrac{1}{2}", "\\frac{1}{2}"},
      {"\\tfrac{3}{4}", "\\frac{3}{4}"},
      {"\\cfrac{3}{4}", "\\frac{3}{4}"},
      {"1\\,000", "1000"},
      {"x\\!+\\!1", "x+1"},
      {"a\\quad b", "a b"},
      {"5\\text{ cm}", "5"},
      {"12 \\text{ cm}^2", "12"},
      {"12\\text{ m}^{3}", "12"},
      {"1 \\text{ and } 2", "1 , 2"},
      {"5 \\text{ inches}", "5"},
      {"\\text{Monday}", "Monday"},
      {"\\text{(B)}", "(B)"},
      {"\\textbf{(C)}", "(C)"},
      {"\\mathrm{e}^{x}", "e^{x}"},
      {"\\$5.00", "5.00"},
      {"$\\$12$", "12"},
      {"50\\%", "50", true},
      {"5 percent", "5", true},
      {"5 \\text{ percent}", "5", true},
      {"12%", "12", true},
      // Degree marks become one marker; the parser reads it (x pi/180 in a trigonometric argument, else 1).
      {"30^\\circ", "30\\degree"},
      {"30^{\\circ}", "30\\degree"},
      {"45\xc2\xb0", "45\\degree"},
      {"\\sin(30^\\circ)", "\\sin(30\\degree )"},
      {"\\sin(30\\text{ degrees})", "\\sin(30\\degree )"},
      {"x<0 \\text{ or } x>1", "x<0 or x>1"},
      {"$\\$36.50$", "36.50"},
      {"1,000", "1000"},
      {"1,234,567", "1234567"},
      {"1{,}000", "1000"},
      {"(1,2)", "(1,2)"},
      {"1, 234", "1, 234"},
      {"1,2,3", "1,2,3"},
      {"1,000,5", "1,000,5"},
      {"1,000.50", "1000.50"},
      {"3.", "3"},
      {"x = 5.", "x = 5"},
      {"7;", "7"},
      {"\\displaystyle\\frac{1}{2}", "\\frac{1}{2}"},
      {"\\(x+1\\)", "x+1"},
      {"\\[ 2 \\]", "2"},
      {"5 cm", "5"},
      {"12 square feet", "12"},
      {"6 ft^2", "6"},
      {"4 lbs.", "4"},
      {"60 km/h", "60"},
      {"3 miles/hour", "3"},
      {"5 x/y", "5 x/y"},
      {"5 m/s", "5 m/s"},
      {"5 1/2", "5 1/2"},
      // Letter pairs and single letters after a number are variables, not units.
      {"\\frac{1}{2} ab", "\\frac{1}{2} ab"},
      {"3 x^2", "3 x^2"},
      {"2 pi", "2 pi"},
      // Numbers written in words, with at most two unit words; each alternative of an "or" on its own.
      {"five", "5"},
      {"Twelve apples", "12"},
      {"twenty-five cents", "25"},
      {"forty two", "42"},
      {"one of the roots", "one of the roots"},
      {"fives", "fives"},
      {"one hundred", "100"},
      {"two hundred fifty", "250"},
      {"Two hundred and fifty", "250"},
      {"one thousand two hundred thirty-four dollars", "1234"},
      {"twelve hundred", "1200"},
      {"one million two hundred thousand", "1200000"},
      {"two fifty", "two fifty"},
      {"twenty twenty", "twenty twenty"},
      {"one thousand one million", "one thousand one million"},
      {"thousand", "thousand"},
      {"zero hundred", "zero hundred"},
      {"one hundred and", "one hundred and"},
      {"12, or twelve", "12, or 12"},
      {"7 (seven)", "7"},
      {"Twelve (12)", "12"},
      {"7 (eight)", "7 (eight)"},
      {"7 (seven apples)", "7 (seven apples)"},
      {"one or two", "1 or 2"},
      {"one or the other", "1 or the other"},
      {"one half", "\\frac{1}{2}"},
      {"three-fourths", "\\frac{3}{4}"},
      {"two thirds cup", "\\frac{2}{3}"},
      {"negative five", "-5"},
      {"Minus 5", "-5"},
      {"two seconds", "2"},
      {"one and a half", "one and a half"},
      {"negative", "negative"},
      // Unit abbreviations glued to a number; numbers joined by a plain "and".
      {"20mph", "20"},
      {"75MM", "75"},
      {"6cm^2", "6"},
      {"3abc", "3abc"},
      {"5 and 7", "5, 7"},
      {"2, 3, and 4", "2, 3, 4"},
      {"between 5 and 7", "between 5 and 7"},
      // Scale words, ordinals, temperatures, ellipses, other currencies.
      {"2.5 million", "2.5\\times10^{6}"},
      {"5 \\text{ thousand}", "5\\times10^{3}"},
      {"3 million dollars", "3\\times10^{6}"},
      {"3rd", "3"},
      {"21st", "21"},
      {"90^{\\circ}\\text{C}", "90\\degree"},
      {"100\xc2\xb0" "F", "100\\degree"},
      {"x^\\circ Cx", "x\\degree Cx"},
      {"0.333...", "0.\\overline{3}"},
      {"0.1666\\ldots", "0.1\\overline{6}"},
      {"3.14159\\dots", "3.14159"},
      {"\xe2\x82\xac" "12.50", "12.50"},
      {"\xe2\x88\x92" "3", "-3"},
      {"2\xcf\x80", "2\\pi"},
      {"\\operatorname{lcm}(2,3)", "\\lcm(2,3)"},
      {"\\bigl(1\\bigr)", "(1)"},
      {"  7  ", "7"},
      {"x\\in\\mathbb{R}", "x\\in(-\\infty,\\infty)"},
      {"\\mathbb R", "(-\\infty,\\infty)"},
      // A 12-hour clock time with its meridiem is written in 24-hour form (not dropped like a unit word).
      {"8\\!:\\!34 \\text{ p.m.}", "20:34"},
      {"8:34 a.m.", "8:34"},
      {"12:05 a.m.", "0:05"},
      {"12:30 PM", "12:30"},
      {"5 pm", "17:00"},
      {"\\text{11:55 P.M.}", "23:55"},
      {"13:00 p.m.", "13:00"},
      {"2am + b", "2am + b"},
      {"x - 3pm", "x - 3pm"},
      {"8:15 a.m. or 8:15 p.m.", "8:15 or 20:15"},
  };
  for (const Case& c : cases) {
    Canonical got = Canonicalize(c.in);
    EXPECT_EQ(got.text, c.out) << "input: " << c.in;
    EXPECT_EQ(got.percent, c.percent) << "input: " << c.in;
  }
}

TEST(CanonicalTest, LinearOnLargeInput) {
  std::string big;
  for (int i = 0; i < 100000; ++i) big += "\\left(1,000\\right)\\,";
  Canonical got = Canonicalize(big);
  EXPECT_EQ(got.text.substr(0, 12), "(1000)(1000)");
}

}  // namespace
}  // namespace rlvr::verifier
