#include "cpp/verifier/extract.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

struct Case {
  std::string response;
  std::string answer;  // expected extraction; "" = NotFound
  std::string method;
};

TEST(ExtractTest, Table) {
  const std::vector<Case> cases = {
      {"So the answer is \\boxed{5}.", "5", "boxed"},
      {"\\boxed{\\frac{1}{2}}", "\\frac{1}{2}", "boxed"},
      {"\\boxed{\\frac{\\sqrt{3}}{2}} done", "\\frac{\\sqrt{3}}{2}", "boxed"},
      {"first \\boxed{1} then \\boxed{2}", "2", "boxed"},
      {"\\fbox{7}", "7", "boxed"},
      {"\\boxed{3} and \\fbox{4}", "4", "boxed"},
      {"\\boxed 5", "5", "boxed"},
      {"$\\boxed 12$ is it", "12", "boxed"},
      {"\\boxed{ 42 }", "42", "boxed"},
      {"\\boxed{\\{1,2\\}}", "\\{1,2\\}", "boxed"},
      {"\\boxed{\\left\\{ 1 \\right\\}}", "\\left\\{ 1 \\right\\}", "boxed"},
      {"\\boxed{{{x}}}", "{{x}}", "boxed"},
      {"\\boxed{\\text{(A)}}", "\\text{(A)}", "boxed"},
      {"\\boxed{x^{2}+1}", "x^{2}+1", "boxed"},
      {"\\boxedx{3} \\boxed{9}", "9", "boxed"},
      {"\\boxed{2 \\text{ or } 3}", "", ""},
      {"\\boxed{2, or 3}", "", ""},
      {"\\boxed{2 OR 3}", "", ""},
      {"\\boxed{\\text{or}}", "", ""},
      // "or" between inequalities is a union, one answer.
      {"\\boxed{x<0 \\text{ or } x>1}", "x<0 \\text{ or } x>1", "boxed"},
      {"\\boxed{x \\le -1 or x \\geq 1}", "x \\le -1 or x \\geq 1", "boxed"},
      {"\\boxed{x=0 \\text{ or } x>1}", "", ""},
      {"\\boxed{x \\left(1\\right) or 2}", "", ""},
      {"\\boxed{\\operatorname{floor}(x)}", "\\operatorname{floor}(x)", "boxed"},
      {"\\boxed{}", "", ""},
      {"\\boxed{5", "", ""},
      {"The final answer is 7.", "7", "phrase"},
      {"Final Answer: The final answer is $\\frac{3}{4}$. I hope it is correct.", "\\frac{3}{4}", "phrase"},
      {"answer: 3.5", "3.5", "phrase"},
      {"The answer is 3.5. Next line", "3.5", "phrase"},
      {"The answer is $x = 2$", "x = 2", "phrase"},
      {"The answer is \\(17\\).", "17", "phrase"},
      {"Answer: 12\nmore text 99", "12", "phrase"},
      {"The answer is 2 or 3.", "", ""},
      {"answer: $x=3$ or $x=4$", "", ""},
      {"The answer is x<0 or x>1.", "x<0 or x>1", "phrase"},
      {"answer: $x<0$ or $x>1$", "", ""},
      {"The answer is $\\$36.50$.", "\\$36.50", "phrase"},
      {"The answer is $$\\$5$$ each", "\\$5", "phrase"},
      {"The answer is $5$. Or is it? No.\nanswer: $6$", "6", "phrase"},
      {"We get 42.", "42", "last number"},
      {"x = 3, so y = 10 and that's it", "10", "last number"},
      {"values -4 appear", "-4", "last number"},
      {"it costs 3.25 dollars", "3.25", "last number"},
      {"x2 and y3", "", ""},
      {"no digits at all", "", ""},
      {"", "", ""},
      {"2^10 is big", "2", "last number"},
      {"\\boxed{1} answer: 2", "1", "boxed"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Extraction> got = ExtractAnswer(c.response);
    if (c.answer.empty()) {
      EXPECT_FALSE(got.ok()) << "response: " << c.response << " extracted: " << (got.ok() ? got->answer : "");
      if (!got.ok()) {
        EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
        EXPECT_FALSE(got.status().message().empty());
      }
    } else {
      ASSERT_TRUE(got.ok()) << "response: " << c.response << " status: " << got.status();
      EXPECT_EQ(got->answer, c.answer) << "response: " << c.response;
      EXPECT_EQ(got->method, c.method) << "response: " << c.response;
    }
  }
}

TEST(ExtractTest, MatchBracesSkipsEscapes) {
  absl::string_view content;
  size_t end = 0;
  ASSERT_TRUE(MatchBraces("{a\\}b{c}}rest", 0, &content, &end));
  EXPECT_EQ(content, "a\\}b{c}");
  EXPECT_EQ(end, 9u);
  EXPECT_FALSE(MatchBraces("{{}", 0, &content, &end));
}

TEST(ExtractTest, ManyBoxesLastWins) {
  std::string s;
  for (int i = 0; i < 10000; ++i) s += "\\boxed{" + std::to_string(i) + "} ";
  absl::StatusOr<Extraction> got = ExtractAnswer(s);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->answer, "9999");
}

TEST(ExtractTest, DeepBracesAreLinear) {
  std::string s = "\\boxed{" + std::string(100000, '{') + "1" + std::string(100000, '}') + "}";
  absl::StatusOr<Extraction> got = ExtractAnswer(s);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->answer.size(), 200001u);
}

}  // namespace
}  // namespace rlvr::verifier
