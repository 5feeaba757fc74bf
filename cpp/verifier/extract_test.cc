#include "cpp/verifier/extract.h"

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

struct Case {
  std::string response;
  std::string answer;  // expected extraction; "" = NotFound
  std::string method;
};

// Extracts every case's response; an empty expected answer means NotFound with a reason.
void ExpectTable(const std::vector<Case>& cases, const Truncation& truncation = {}) {
  for (const Case& c : cases) {
    absl::StatusOr<Extraction> got = ExtractAnswer(c.response, truncation);
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

TEST(ExtractTest, Table) {
  ExpectTable({
      {"So the answer is \\boxed{5}.", "5", "boxed"},
      {"\\boxed{\\frac{1}{2}}", "\\frac{1}{2}", "boxed"},
      {"\\boxed{\\frac{\\sqrt{3}}{2}} done", "\\frac{\\sqrt{3}}{2}", "boxed"},
      {"first \\boxed{1} then \\boxed{2}", "2", "boxed"},
      {"\\fbox{7}", "7", "boxed"},
      {"\\boxed{3}. Then \\fbox{4}", "4", "boxed"},
      {"\\boxed 5", "5", "boxed"},
      {"$\\boxed 12$ is it", "12", "boxed"},
      {"\\boxed{ 42 }", "42", "boxed"},
      {"\\boxed{\\{1,2\\}}", "\\{1,2\\}", "boxed"},
      {"\\boxed{\\left\\{ 1 \\right\\}}", "\\left\\{ 1 \\right\\}", "boxed"},
      {"\\boxed{{{x}}}", "{{x}}", "boxed"},
      {"\\boxed{\\text{(A)}}", "\\text{(A)}", "boxed"},
      {"\\boxed{x^{2}+1}", "x^{2}+1", "boxed"},
      {"\\boxedx{3} \\boxed{9}", "9", "boxed"},
      // "or" inside the answer is the comparison's to judge (a union, solutions, values, forms of one value, or a
      // hedge): extraction passes it on.
      {"\\boxed{2 \\text{ or } 3}", "2 \\text{ or } 3", "boxed"},
      {"\\boxed{2, or 3}", "2, or 3", "boxed"},
      {"\\boxed{x<0 \\text{ or } x>1}", "x<0 \\text{ or } x>1", "boxed"},
      {"\\boxed{x \\le -1 or x \\geq 1}", "x \\le -1 or x \\geq 1", "boxed"},
      {"\\boxed{x=0 \\text{ or } x>1}", "x=0 \\text{ or } x>1", "boxed"},
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
      {"The answer is 2 or 3.", "2 or 3", "phrase"},
      {"answer: $x=3$ or $x=4$", "x=3 or x=4", "phrase"},
      {"The answer is x<0 or x>1.", "x<0 or x>1", "phrase"},
      {"answer: $x<0$ or $x>1$", "x<0 or x>1", "phrase"},
      {"So the answer is $\\frac{1}{4}$, or $25\\%$.", "\\frac{1}{4}, or 25\\%.", "phrase"},
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
      {"The answer is \\boxed{1} answer: 2", "2", "phrase"},
  });
}

// Kind 1 of issue 10: the answer in a math span, no box.
TEST(ExtractTest, MathSpans) {
  ExpectTable({
      {"$(0,2]$", "(0,2]", "math span"},
      {"so the result is $\\frac{y-3}{5}$.", "\\frac{y-3}{5}", "math span"},
      {"Thus the area equals $2-\\frac{1}{\\mathrm{e}}$.", "2-\\frac{1}{\\mathrm{e}}", "math span"},
      {"\\(\\frac{\\sqrt{3}}{2}\\)", "\\frac{\\sqrt{3}}{2}", "math span"},
      {"The vertex is at\n$$(-3, 4)$$", "(-3, 4)", "math span"},
      {"the hypotenuse is \\[\\sqrt{6^2+8^2} = \\sqrt{100} = 10.\\]", "10.", "math span"},
      {"$a$ and $b$ give $a+b$. Done, 12 steps later.", "a+b", "math span"},
      {"\\begin{align*}\nA &= \\int_0^1 x^2\\,dx \\\\\n&= \\frac{1}{3}.\n\\end{align*}", "\\frac{1}{3}.", "math span"},
      {"\\begin{align}x &= 2\\\\\\end{align}", "x = 2", "math span"},
      {"\\begin{align*}216a^2&=1323\n\\\\\\Rightarrow\\qquad a^2&=6.125\n\\end{align*}", "\\qquad a^2=6.125",
       "math span"},
      {"\\begin{align*}P &= (1)(2a)(3a^2) \\\\\n&= 6a^{1+2} = 6a^{3}.\n\\end{align*}", "6a^{3}.", "math span"},
      {"$$\\$5$$ and then $x$", "x", "math span"},
      {"It is $\\$36.50$ in total", "\\$36.50", "math span"},
      // "$5 and $6" is money: a closing $ needs a non-space before it and no digit after it.
      {"She pays $15 for shirts and $12 for a hat, 27 dollars in total.", "27", "last number"},
      {"costs $5 each", "5", "last number"},
      {"So he earns 20*30=$<<20*30=600>>600\nSo he earns 15*16=$<<15*16=240>>240 a week", "240", "last number"},
      {"She pays $100-$38=$<<100-38=62>>62", "62", "last number"},
      {"$x$ is\nnot $y\n$ but $z$", "z", "math span"},
      {"Take $a+b$ and $c=$5 more", "a+b", "math span"},
      {"$ $ $ 7 left", "7", "last number"},
      {"\\(x\\) and \\(", "x", "math span"},
      {"(0,2]", "(0,2]", "whole response"},
      {"x = 5", "x = 5", "whole response"},
      // Words in a text group without digits are a word answer or a unit, not prose.
      {"\\text{Monday}", "\\text{Monday}", "whole response"},
      {"5\\text{ cm}", "5\\text{ cm}", "whole response"},
      {"\\text{The answer is 5}", "5", "phrase"},
      {"\\begin{foo}$4$", "4", "math span"},
      // A `$` followed by a space opens math unless another `$` stands before its closer.
      {"Subtracting, $ x= -10$.", "x= -10", "math span"},
      {"so $BD=\n\\frac{11}{2}$ or $5.5$.", "5.5", "math span"},
      // The last number of the final sentence: a clock time with its meridiem, or a lone choice letter.
      {"The train arrives at 4:30 PM.", "4:30 PM", "last number"},
      {"It started at 9:03:36 a.m.", "9:03:36 a.m.", "last number"},
      {"We meet at 12:30", "12:30", "last number"},
      {"The tax rate is 8 percent.", "8 percent", "last number"},
      {"The tax rate is 8%.", "8%", "last number"},
      {"It grew by 8\\% this year", "8\\%", "last number"},
      {"It is 8 percentages", "8", "last number"},
      {"Comparing the options, the correct one is (C).", "(C)", "last number"},
      {"Option B is correct.", "B", "last number"},
      {"Clearly choice E fits best", "E", "last number"},
      {"The options A and B are close", "", ""},
      // A fraction ending the sentence is one number; one that goes on keeps its denominator as the last number.
      {"Therefore, the probability is 1/4.", "1/4", "last number"},
      {"So the length of each piece is 75mm.", "75", "last number"},
      {"Each piece is 75mm long.", "", ""},
      {"So 325kg were sold beyond the 500kg plans.", "", ""},
      {"So each side is 22cm.", "22", "last number"},
      {"Take 3abc of it", "", ""},
      {"So the recipe needs 3/4 cups.", "3/4", "last number"},
      {"It costs 7 more than 1/3 pound of walnuts", "3", "last number"},
      // A bold span in the final sentence after the last math span answers with it; a bare number only when that
      // sentence holds no math and opens with a conclusion ("So", "Therefore", "In total", ...), and is no question.
      {"We compute $3 \\times 4 = 12$ and subtract $2$. So she has 10 apples left.", "10", "last number"},
      {"She had $12$ apples and gave away $2$.\nIn total, 10 apples are left.", "10", "last number"},
      // A verb right after the last span, with a number closing the response, states the result.
      {"We have $x=3$. Thus, the value of $2x+1$ is 7.", "7", "last number"},
      {"We have $x=3$. Thus, $2x+1$ equals 7 apples.", "7", "last number"},
      {"We have $x=3$. Thus, $2x+1$ is 7 more than $x$.", "x", "math span"},
      {"We have $x=3$, and $2x+1$ is 2 more than 5 here", "2x+1", "math span"},
      {"The value is $12$. So how many are left, 10?", "12", "math span"},
      {"We find $x = 5$. Note: there are 2 cases.", "x = 5", "math span"},
      {"The value is $12$. So we are done.", "12", "math span"},
      {"Therefore, $x = 3$ and there are 2 cases.", "x = 3", "math span"},
      {"Solve $x+1 = 3$. Sorting the 2 roots gives the order.", "x+1 = 3", "math span"},
      {"$\\boxed{7}$. So the total is 12 apples.", "7", "boxed"},
      {"We compute $3 \\times 4 = 12$ and subtract $2$.\n\nShe has **10** apples left.", "10", "bold"},
      {"Counting forward $3$ days from Friday, the day is **Monday**.", "Monday", "bold"},
      {"**Step 1:** Add $2+3=5$.\n**Step 2:** Double it: $5 \\cdot 2 = 10$.", "10", "math span"},
      {"So $x = 5$. Note: this works for **any** $x$.", "x", "math span"},
      {"Option (B) fails, so it is (D) with 4 cases", "4", "last number"},
      {"Both (a) and (b) hold", "", ""},
  });
}

// Kind 2: few-shot formats and which statement wins.
TEST(ExtractTest, StatementsAndPrecedence) {
  ExpectTable({
      {"$7 \\cdot 12 = \\boxed{84}$. Then 1284.\nFinal Answer: The final answer is $1,284$. I hope it is correct.",
       "1,284", "phrase"},
      {"Final Answer: The smallest $k$ is 12.", "12", "phrase"},
      {"Final answer: There are 56 ways.", "56 ways", "phrase"},
      {"**Answer:** 7", "7", "phrase"},
      {"**Final Answer:** $\\frac{3}{4}$", "\\frac{3}{4}", "phrase"},
      {"**Answer**: $-3$", "-3", "phrase"},
      {"**Answer: 7**", "7", "phrase"},
      {"**Answer:** **12**", "12", "phrase"},
      {"### Final Answer\n$-\\frac{1}{3}$", "-\\frac{1}{3}", "phrase"},
      {"The answer is:\n\n$5$", "5", "phrase"},
      // "option" and "choice" mark a statement only of a choice letter.
      {"The correct option is B.", "B", "phrase"},
      {"So the best choice is (D).", "(D)", "phrase"},
      {"The correct option is **C**.", "C", "phrase"},
      {"The correct option is (B) 12.", "(B) 12", "phrase"},
      {"Thus the right option is D).", "D)", "phrase"},
      {"Thus the right option is D) since it works.", "D) since it works", "phrase"},
      {"Thus the right option is D since it works.", "", ""},
      {"The first option is to factor, giving $x = 3$.", "x = 3", "math span"},
      {"Which option is correct? We get $4$.", "4", "math span"},
      {"The answer is $5$. The second choice is cheaper.", "5", "phrase"},
      {"The options are A and B.", "", ""},
      {"The answer is\n\\begin{align*}\nP &= \\frac{1}{2} \\cdot 50 \\\\\n&= 25.\n\\end{align*}", "25.", "phrase"},
      {"The answer is: It is $\\pi$.", "\\pi", "phrase"},
      {"The answer is Monday.", "Monday", "phrase"},
      {"Our final answer is then $12,9$.", "12,9", "phrase"},
      {"\\begin{align*}3a &= 12 \\\\\n\\Rightarrow \\quad a &= 4.\n\\end{align*}", "\\quad a = 4.", "math span"},
      {"\\boxed{2x = 6 \\implies x = 3}", "x = 3", "boxed"},
      {"The answered question has 4 parts", "4", "last number"},
      {"Answers: 4", "4", "last number"},
      // A statement after the box wins when it states math; prose after a box does not.
      {"\\boxed{5}. So the answer is therefore positive.", "5", "boxed"},
      {"The final answer is $\\boxed{5}$.", "5", "boxed"},
      {"\\boxed{5}. Final answer: 5 or 6", "5 or 6", "phrase"},
      // Chat-template debris after the answer is another turn.
      {"The total is $\\boxed{15}$.<|im_end|>\n<|im_start|>user\nWhat is 2+2? Use \\boxed{}.<|im_end|>", "15",
       "boxed"},
      {"Total: \\boxed{15}<|endoftext|>Question: 2+2?\nAnswer: 4", "15", "boxed"},
      {"<|im_start|>assistant\nThe answer is 3.<|im_end|>", "3", "phrase"},
      {"\\boxed{15}</s>\nHuman: and 2+2?\nAssistant: **Answer:** 4", "15", "boxed"},
      // A base model continuing its few-shot prompt with the next problem.
      {"So $\\boxed{5}$.\n\nProblem:\nWhat is 1+1?\n\nSolution: Final Answer: The final answer is $2$.", "5", "boxed"},
      {"The sum is 5.\nQuestion: What is 1+1?\nAnswer: 2", "5", "last number"},
      {"Question: what is 2+3?\nAnswer: 5", "5", "phrase"},
      {"\nHuman: what is 2+3?\nAnswer: 5", "5", "phrase"},
      {"The sum is 5. The question: is it odd?", "", ""},
  });
}

// An answer statement after the last box replaces it only as the closing restatement of a value.
TEST(ExtractTest, StatementAfterTheBox) {
  ExpectTable({
      // Closing restatements win (the Minerva line, "!"/end of text as the sentence end, a value with a unit).
      {"$3 \\cdot 4 = \\boxed{12}$ per row.\nFinal Answer: The final answer is $36$. I hope it is correct.", "36",
       "phrase"},
      {"Each row has $\\boxed{12}$ seats, so the answer is $36$!", "36", "phrase"},
      {"First guess: \\boxed{8}.\nThe final answer is 12 apples.", "12 apples", "phrase"},
      {"Each bag holds $\\boxed{8}$.\nThe final answer is $24$ apples.", "24", "phrase"},
      {"Each bag holds $\\boxed{8}$.\nThe answer is $24$ as before.", "8", "boxed"},
      {"\\boxed{8}\n**Final Answer:** $\\frac{3}{2}$", "\\frac{3}{2}", "phrase"},
      {"Let $\\boxed{P}$ be the foot.\nFinal Answer: The final answer is $PQ=3, QR=5$. I hope it is correct.",
       "PQ=3, QR=5", "phrase"},
      {"Let $\\boxed{P}$ be the foot. The final answer is PQ = 3.", "PQ = 3", "phrase"},
      // A check after the box: a description, a step that goes on, a question.
      {"So $n = \\boxed{5}$.\n\nWe can check our answer: if $n=5$, then $6n + 2 = 32$ is a multiple of $4$.", "5",
       "boxed"},
      {"Hence $\\boxed{14}$.\n\nTo verify the answer: $3 \\cdot 14 = 42 \\equiv 0 \\pmod 7$, so $14$ works.", "14",
       "boxed"},
      {"The total is $\\boxed{20}$.\n\nExercise: why is the answer 20?", "20", "boxed"},
      {"so $4 \\cdot 5 = \\boxed{20}$, and our answer is then \\[ 25 - 5 = 20, \\]as before.", "20", "boxed"},
      {"\\boxed{9}. Our answer: the square of 3.", "9", "boxed"},
      {"\\boxed{5}. So the answer is 5, which is prime.", "5", "boxed"},
      // The same sentences without a box: a question is no statement; a sentence answers with its first math
      // span, also display math, whose trailing comma does not make a list.
      {"Is the answer 15? Yes: it is $15$.", "15", "math span"},
      {"Subtracting, our answer is then \\[ 25 - 5 = 20, \\]as before.", "20,", "phrase"},
  });
}

// Kind 3: several boxes in the final sentence are one answer.
TEST(ExtractTest, SeveralBoxes) {
  ExpectTable({
      {"The roots are $\\boxed{3}$ and $\\boxed{5}$.", "3, 5", "boxed"},
      {"\\boxed{(1,4)} \\text{ and } \\boxed{(4,1)}", "(1,4), (4,1)", "boxed"},
      {"$x = \\boxed{-1}, \\boxed{2}$", "-1, 2", "boxed"},
      {"$\\boxed{m=3}$ and $\\boxed{n=7}$", "m=3, n=7", "boxed"},
      {"$x = \\boxed{3}$ and $y = \\boxed{5}$", "3, 5", "boxed"},
      {"$x_1 = \\boxed{3}$, $x_2 = \\boxed{5}$", "3, 5", "boxed"},
      {"\\boxed{3}\\quad\\boxed{5}", "3, 5", "boxed"},
      // Boxes that are the two sides of one equation: the value written twice, or a named value.
      {"$AF = \\boxed{\\frac{25}{13}} = \\boxed{1\\frac{12}{13}}$ units.", "1\\frac{12}{13}", "boxed"},
      {"$\\boxed{0.75}$ = $\\boxed{\\frac34}$", "\\frac34", "boxed"},
      {"\\boxed{x} = \\boxed{5}", "x = 5", "boxed"},
      // Boxes of earlier steps are not part of the answer.
      {"First $a = \\boxed{2}$, so the product is $2 \\cdot 3 = \\boxed{6}$.", "6", "boxed"},
      {"Step one gives $\\boxed{4}$.\nStep two gives $\\boxed{9}$.", "9", "boxed"},
      {"\\boxed{4}\n\\boxed{9}", "9", "boxed"},
      {"\\boxed{4} (so far) \\boxed{9}", "9", "boxed"},
      // Boxes joined by "or" read as "a or b" (the comparison judges it); an empty box joins nothing.
      {"It is either $\\boxed{2}$ or $\\boxed{3}$.", "2 or 3", "boxed"},
      {"\\boxed{2} \\text{ or } \\boxed{3}", "2 or 3", "boxed"},
      {"$\\boxed{0.5}$, or $\\boxed{\\frac{1}{2}}$", "0.5 or \\frac{1}{2}", "boxed"},
      {"$\\boxed{x=3}$ or $\\boxed{x=4}$", "x=3 or x=4", "boxed"},
      {"$\\boxed{x<0}$ or $\\boxed{x>1}$", "x<0 or x>1", "boxed"},
      {"\\boxed{} and \\boxed{3}", "3", "boxed"},
      {"\\boxed{\\boxed{3}}", "3", "boxed"},
  });
}

// Kind 9: what must not become an answer, and the rules that recover real answers.
TEST(ExtractTest, FalsePositivesAndChains) {
  ExpectTable({
      // The last-number fallback: final sentence only, never a list index.
      {"Let me list:\n1. There are 5 boxes.\n2. Each holds 8 pens.\n3", "", ""},
      {"Plan:\n1. Count.\n2.", "", ""},
      {"1. First we add.\n2. Then we get 12", "12", "last number"},
      {"3. Then we add 5", "5", "last number"},
      {"The problem mentions 12 apples. We do not have enough information.", "", ""},
      {"Step 1: 48 / 2 = 24 clips.\nStep 2: 48 + 24 = 72 clips in total.", "72", "last number"},
      {"Natalia sold 72 clips.\n#### 72", "72", "last number"},
      {"The total is:\n\n42", "42", "last number"},
      // An empty box followed by a complete statement: the statement.
      {"The answer is $\\boxed{}$.\nI forgot to fill it in. The final answer is 24.", "24", "phrase"},
      {"\\boxed{}", "", ""},
      // A chain of equalities answers with its last right-hand side.
      {"\\boxed{3 + 4 \\cdot 5 = 3 + 20 = 23}", "23", "boxed"},
      // An aligned block's last row; a plain arrow outside braces concludes.
      {"\\[\\begin{aligned} a &= 20 + 30 \\\\ &= 50. \\end{aligned}\\]", "50.", "math span"},
      {"Shifting, $(9,141) \\rightarrow 150$.", "150", "math span"},
      {"So $\\lim_{x \\to 0} f(x) = 5$.", "\\lim_{x \\to 0} f(x) = 5", "math span"},
      // A congruence answers with its residue; the modulus goes.
      {"$\\boxed{28501 \\equiv 501 \\pmod{1000}}$", "501", "boxed"},
      {"So $N \\equiv 320 \\pmod{1000}$.", "N = 320", "math span"},
      {"So $x \\equiv 4 \\ (\\mod 7)$.", "x = 4", "math span"},
      {"The final answer is $P(2) = 4 + 2 + 1 = 7$.", "7", "phrase"},
      {"\\boxed{\\frac{26}{52}\\cdot\\frac{25}{51} = \\frac{25}{102}}", "\\frac{25}{102}", "boxed"},
      {"\\boxed{x = 5}", "x = 5", "boxed"},
      {"so our answer is\\[(99+1)^3 = 100^3 = 1,\\!000,\\!000\\]", "1,\\!000,\\!000", "phrase"},
      {"The answer is $3!\\times 4!=144$.", "144", "phrase"},
      {"The total is 14,000", "14,000", "last number"},
      {"scores 3,5,7", "7", "last number"},
      {"\\boxed{x+y = 9}", "x+y = 9", "boxed"},
      // A Greek letter names something too; \pi is a constant.
      {"\\boxed{\\tan\\theta = 2\\theta}", "\\tan\\theta = 2\\theta", "boxed"},
      {"\\boxed{\\alpha + \\beta = 90^\\circ}", "\\alpha + \\beta = 90^\\circ", "boxed"},
      {"\\boxed{2 \\cdot \\pi = 2\\pi}", "2\\pi", "boxed"},
      {"\\boxed{x = 1, y = 2}", "x = 1, y = 2", "boxed"},
      {"\\boxed{x = 1 \\text{ and } y = 2}", "x = 1 \\text{ and } y = 2", "boxed"},
      {"\\boxed{x = 1 \\text{ or } x = 2}", "x = 1 \\text{ or } x = 2", "boxed"},
      {"\\boxed{x \\le 3}", "x \\le 3", "boxed"},
      {"\\boxed{a <= 3}", "a <= 3", "boxed"},
      {"\\boxed{f(x) = g(x) = }", "f(x) = g(x) =", "boxed"},
      {"\\boxed{\\{x : x = 1\\}}", "\\{x : x = 1\\}", "boxed"},
  });
}

TEST(ExtractTest, TruncatedResponses) {
  const Truncation cut{true, false};
  ExpectTable({{"So the answer is \\boxed{7}.", "", ""}, {"We get 12", "", ""}, {"$(0,2]$", "", ""}}, cut);
  absl::StatusOr<Extraction> got = ExtractAnswer("We get 12", cut);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(got.status().message(), "truncated")) << got.status();
  const Truncation keep_box{true, true};
  ExpectTable({
      {"So the answer is \\boxed{7}. To double-check, 3 + 4 =", "7", "boxed"},
      {"\\boxed{3} and \\boxed{5}. Checking", "3, 5", "boxed"},
      {"So the answer is \\boxed{7", "", ""},
      {"No box, but a number 12", "", ""},
      {"The answer is $12$ and", "", ""},
      {"\\boxed{84}. Final Answer: The final answer is $1,2", "", ""},
  }, keep_box);
}

TEST(ExtractTest, ManyJoinedBoxesAreLinear) {
  std::string s;
  for (int i = 0; i < 20000; ++i) s += "\\boxed{" + std::to_string(i % 10) + "}, ";
  absl::StatusOr<Extraction> got = ExtractAnswer(s);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->answer.size(), 20000u * 3 - 2);
}

TEST(ExtractTest, UnclosedDelimitersAreLinear) {
  // Each unclosed opener must not rescan the rest of the text.
  for (absl::string_view unit : {"$a ", "\\( ", "\\[ ", "$$ ", "\\begin{align} ", "\\begin{", "\\begin{foo} ", "answer is ",
                                 "\\boxed{", "1. ", "\\boxed{1} and ", "answer is 5? ", "answer is $5? ", "$ ",
                                 "$ a$ ", "option is to go ",
                                 "choice: x "}) {
    std::string s;
    for (int i = 0; i < 50000; ++i) s += std::string(unit);
    absl::StatusOr<Extraction> got = ExtractAnswer(s);
    (void)got;  // only the time matters; a quadratic scan would take minutes here
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
  for (int i = 0; i < 10000; ++i) s += "\\boxed{" + std::to_string(i) + "}.\n";
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
