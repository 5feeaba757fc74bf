// Recursive-descent parser from canonical LaTeX / plain math (see canonical.h) to an expression tree.
// Covers numbers (big integers, decimals, 1.2e3, base subscripts 1011_2, mixed numbers 2\frac{1}{3}),
// \frac, a/b, \sqrt, \sqrt[n], \binom, powers, factorials, implicit multiplication, \pi, e, i, functions
// (\sin, \ln, \log_b, ...), sums and products \sum_{k=1}^{10}, |x|, variables (x, x_1), relations (=, <, \le,
// \in, ...), \pm, bracketed tuples/intervals ((a,b], [a,b)), sets \{..\}, unions \cup (and "or" between inequalities in one variable),
// values and solutions joined by "or" (a list named "or"),
// ratios a:b, Greek-letter variables, decorations (\angle ABC, \overline{AB}) that only name a quantity,
// degree marks \degree (x pi/180 inside trigonometric arguments), bare comma lists, matrices (pmatrix, bmatrix,
// matrix), multiple-choice letters ((A)) and short text. Recursion depth is bounded by `max_depth`.
#ifndef RLVR_CPP_VERIFIER_PARSE_H_
#define RLVR_CPP_VERIFIER_PARSE_H_

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cpp/verifier/rational.h"

namespace rlvr::verifier {

enum class Kind {
  kNumber,      // value (exact); name = literal digits, base for subscripted literals
  kVar,         // name, e.g. "x", "x_1", "A"
  kConst,       // name: "pi", "e", "i"
  kInfinity,    // +∞ (−∞ is kNeg of it)
  kAdd, kSub, kMul, kDiv, kPow,  // binary, kids = {a, b}
  kNeg,         // unary minus
  kPlusMinus,   // a \pm b (kids {a, b}); unary ±b has a = 0
  kFunc,        // name ("sin", "sqrt", "root", "log", "abs", "fact", "binom", ...), kids = arguments
  kRelation,    // name = "=", "<", "<=", ">", ">=", "!=", "in"; kids = {lhs, rhs}
  kTuple,       // open/close in "([" / ")]"; ordered elements (points, vectors, intervals)
  kSet,         // \{...\}: unordered
  kList,        // bare comma list "1, 2"
  kUnion,       // A \cup B \cup ...
  kRatio,       // a : b (: c ...), also clock times 9:15; kids in order
  kMatrix,      // rows x cols, kids row-major
  kChoice,      // multiple-choice letter, name = "A".."E"; "(B) 12" keeps the value 12 as its kid
  kText,        // name = lower-cased, space-collapsed text
};

struct Node {
  Kind kind;
  std::string name;
  Rational value;
  std::vector<int> kids;
  char open = 0, close = 0;
  int rows = 0, cols = 0;
  int base = 10;
};

// An expression tree stored in an arena; kids are indices into `nodes`.
struct Expr {
  std::vector<Node> nodes;
  int root = -1;
  const Node& at(int i) const { return nodes[static_cast<size_t>(i)]; }
};

struct ParseLimits {
  int max_depth = 200;             // nesting of groups / recursion
  int max_number_digits = 1000;    // digits in one numeric literal
  int max_exponent_digits = 4;     // digits in a scientific-notation exponent (1e9999)
  int max_nodes = 20000;           // tree size: far beyond any real answer, bounds time and memory
};

// InvalidArgument: not valid math (the caller may fall back to text); OutOfRange: a limit was exceeded.
absl::StatusOr<Expr> Parse(absl::string_view canonical, const ParseLimits& limits);

// The answer as a short text (lower-cased, backslashes and braces dropped, spaces collapsed): used for prose
// answers and as the fallback when a string is not valid math.
Expr TextExpr(absl::string_view canonical);

// Whether a command name is a Greek letter ("theta", "Omega"): a variable name (\pi is the constant, not one).
bool IsGreekLetter(absl::string_view name);

// Multiple-choice answer: a single letter A-E, optionally in parentheses ("(c)" too) or closed by one ("B)");
// *letter receives it in capitals.
bool ChoiceLetter(absl::string_view s, char* letter);

// A sum or product \sum_{k=a}^{b} t: kFunc "sum" / "prod" with kids {t, a, b, k (the index, a kVar)}.
bool IsSeries(const Node& n);

// Adds the free variable names of the subtree at `node` to `out` (not the index of a sum or product).
void CollectVariables(const Expr& e, int node, std::set<std::string>* out);

// Does the subtree name a quantity rather than compute one? A variable "x", a product of names "PQ" or a
// function head "f(x)", a length "|PQ|", a tuple or ratio of names "(a, b)", "A:B".
bool IsName(const Expr& e, int node);

// Readable, unambiguous rendering (used for canonical forms and in tests), e.g. "(x+1)*(x-1)", "1/3".
std::string ToString(const Expr& e);
std::string ToString(const Expr& e, int node);

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_PARSE_H_
