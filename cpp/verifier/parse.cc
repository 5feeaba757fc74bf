#include "cpp/verifier/parse.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cpp/verifier/chars.h"

namespace rlvr::verifier {
namespace {

// Propagates a failed absl::Status.
#define RLVR_RETURN_IF_ERROR_STATUS(expr) \
  do {                                     \
    absl::Status _s = (expr);              \
    if (!_s.ok()) return _s;               \
  } while (0)

// Propagates a failed StatusOr<int>, else binds the node index.
#define RLVR_ASSIGN_OR_RETURN(lhs, expr)       \
  auto lhs##_or = (expr);                      \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  int lhs = *lhs##_or

// Function names also recognised without a backslash ("sin x", "sqrt(2)").
constexpr absl::string_view kPlainFunctions[] = {"arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sqrt",
                                                 "sin",    "cos",    "tan",    "cot",  "sec",  "csc",  "log",
                                                 "exp",    "ln"};
constexpr absl::string_view kCommandFunctions[] = {
    "sin", "cos", "tan", "cot", "sec", "csc", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "ln", "log",
    "exp", "lg"};

// Greek letters are variable names (\pi is the constant).
constexpr absl::string_view kGreekLetters[] = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta",   "theta", "vartheta", "iota",
    "kappa", "lambda", "mu",  "nu",    "xi",      "rho",        "sigma", "tau", "phi",   "varphi",   "chi",
    "psi",   "omega", "Gamma", "Delta", "Theta",  "Lambda",     "Xi",    "Sigma", "Phi", "Psi",      "Omega"};
// Decorations naming a geometric quantity; the marked letters are read as a product of variables.
constexpr absl::string_view kDecorations[] = {"angle", "measuredangle", "triangle", "overline", "overrightarrow",
                                              "vec",   "arc",           "overarc"};

bool IsDecoration(absl::string_view name) {
  for (absl::string_view d : kDecorations) {
    if (name == d) return true;
  }
  return false;
}

size_t PlainFunctionAt(absl::string_view s, size_t i) {
  for (absl::string_view f : kPlainFunctions) {
    if (s.substr(i, f.size()) == f) return f.size();
  }
  return 0;
}

// A run of three or more letters that is not a function name marks prose ("Monday", "no solution").
bool LooksLikeText(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (!IsLetter(s[i])) {
      ++i;
      continue;
    }
    bool command = i > 0 && s[i - 1] == '\\';
    size_t j = i;
    while (j < s.size() && IsLetter(s[j])) ++j;
    if (!command) {
      size_t k = i, loose = 0;
      while (k < j) {
        size_t f = PlainFunctionAt(s.substr(0, j), k);
        if (f != 0) {
          k += f;
        } else {
          ++loose;
          ++k;
        }
      }
      // "xyz = 6", "ABC = 90": a short run of letters named by an equation is a product, not a word.
      size_t next = s.find_first_not_of(' ', j);
      bool named = j - i <= 4 && next != absl::string_view::npos && s[next] == '=';
      if (loose >= 3 && !named) return true;
    } else if (absl::string_view name = s.substr(i, j - i); name == "begin" || name == "end") {
      // \begin{pmatrix}: skip the environment name
      if (j < s.size() && s[j] == '{') {
        while (j < s.size() && s[j] != '}') ++j;
      }
    } else if (IsDecoration(name)) {
      // "\angle ABC", "\overline{AB}": point names, not a word
      while (j < s.size() && (s[j] == ' ' || s[j] == '{')) ++j;
      while (j < s.size() && IsLetter(s[j])) ++j;
    }
    i = j;
  }
  return false;
}

constexpr int kHeightFactor = 4;

enum class Tok { kEnd, kNum, kLetter, kCmd, kSym, kBegin, kEndEnv };

struct Token {
  Tok type;
  absl::string_view text;  // kCmd without the backslash; kBegin/kEndEnv: environment name
  size_t pos;
};

std::vector<Token> Tokenize(absl::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    size_t start = i;
    if (IsDigit(c) || (c == '.' && i + 1 < s.size() && IsDigit(s[i + 1]))) {
      while (i < s.size() && IsDigit(s[i])) ++i;
      if (i < s.size() && s[i] == '.' && i + 1 < s.size() && IsDigit(s[i + 1])) {
        ++i;
        while (i < s.size() && IsDigit(s[i])) ++i;
      } else if (i < s.size() && s[i] == '.' &&
                 (s.substr(i + 1, 9) == "\\overline" || (s.substr(i + 1, 1) == "(" && i + 2 < s.size() &&
                                                           IsDigit(s[i + 2])))) {
        ++i;  // "0.\overline{3}", "0.(3)": the repeating part follows
      }
      // Scientific notation 1.2e3 / 1.2E-3 (an 'e' followed by a digit, optionally signed).
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t k = i + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && IsDigit(s[k])) {
          i = k;
          while (i < s.size() && IsDigit(s[i])) ++i;
        }
      }
      out.push_back({Tok::kNum, s.substr(start, i - start), start});
      continue;
    }
    if (IsLetter(c)) {
      // "2 pi", "2pi": the word pi standing alone is the constant, as \pi.
      if (s.substr(i, 2) == "pi" && (i == 0 || !IsLetter(s[i - 1])) && (i + 2 == s.size() || !IsLetter(s[i + 2]))) {
        out.push_back({Tok::kCmd, s.substr(i, 2), start});
        i += 2;
        continue;
      }
      size_t f = PlainFunctionAt(s, i);
      if (f != 0) {
        out.push_back({Tok::kCmd, s.substr(i, f), start});
        i += f;
      } else {
        out.push_back({Tok::kLetter, s.substr(i, 1), start});
        ++i;
      }
      continue;
    }
    if (c == '\\' && i + 1 < s.size()) {
      if (IsLetter(s[i + 1])) {
        size_t j = i + 1;
        while (j < s.size() && IsLetter(s[j])) ++j;
        absl::string_view name = s.substr(i + 1, j - i - 1);
        if ((name == "begin" || name == "end") && j < s.size() && s[j] == '{') {
          size_t close = s.find('}', j);
          if (close != absl::string_view::npos) {
            out.push_back({name == "begin" ? Tok::kBegin : Tok::kEndEnv, s.substr(j + 1, close - j - 1), start});
            i = close + 1;
            continue;
          }
        }
        out.push_back({Tok::kCmd, name, start});
        i = j;
        continue;
      }
      out.push_back({Tok::kSym, s.substr(i, 2), start});
      i += 2;
      continue;
    }
    out.push_back({Tok::kSym, s.substr(i, 1), start});
    ++i;
  }
  out.push_back({Tok::kEnd, absl::string_view(), s.size()});
  return out;
}

class Parser {
 public:
  Parser(absl::string_view src, const ParseLimits& limits) : src_(src), limits_(limits), toks_(Tokenize(src)) {
    // One allocation for the arena (a node per token, about, up to the node limit): growing a large vector of
    // nodes step by step costs more than parsing a long list.
    size_t expected = std::min(toks_.size() + 8, static_cast<size_t>(limits_.max_nodes) + 1);
    expr_.nodes.reserve(expected);
    heights_.reserve(expected);
  }

  absl::StatusOr<Expr> Run() {
    RLVR_ASSIGN_OR_RETURN(root, ParseList(Tok::kEnd, ""));
    if (!overflow_.ok()) return overflow_;
    if (Peek().type != Tok::kEnd) return Error("unexpected");
    expr_.root = root;
    return std::move(expr_);
  }

 private:
  // Depth guard: every recursive production holds one.
  class Depth {
   public:
    explicit Depth(Parser* p) : p_(p) { ++p_->depth_; }
    ~Depth() { --p_->depth_; }
    bool exceeded() const { return p_->depth_ > p_->limits_.max_depth; }

   private:
    Parser* p_;
  };

  const Token& Peek(size_t ahead = 0) const {
    size_t k = pos_ + ahead;
    return k < toks_.size() ? toks_[k] : toks_.back();
  }
  bool IsSym(absl::string_view s, size_t ahead = 0) const {
    return Peek(ahead).type == Tok::kSym && Peek(ahead).text == s;
  }
  bool IsCmd(absl::string_view s) const { return Peek().type == Tok::kCmd && Peek().text == s; }
  bool IsCmdIn(std::initializer_list<absl::string_view> names) const {
    if (Peek().type != Tok::kCmd) return false;
    for (absl::string_view n : names) {
      if (Peek().text == n) return true;
    }
    return false;
  }

  absl::Status Error(absl::string_view what) const {
    const Token& t = Peek();
    if (t.type == Tok::kEnd) return absl::InvalidArgumentError(absl::StrCat(what, " end of input"));
    return absl::InvalidArgumentError(
        absl::StrCat(what, " '", src_.substr(t.pos, 16), "' at offset ", t.pos));
  }
  absl::Status TooDeep() const {
    return absl::OutOfRangeError(absl::StrCat("nesting deeper than ", limits_.max_depth));
  }
  absl::Status Expect(absl::string_view sym) {
    if (!IsSym(sym)) return Error(absl::StrCat("expected '", sym, "' before"));
    ++pos_;
    return absl::OkStatus();
  }

  // Also tracks tree height: long operator chains ("1+1+...+1") nest without recursing in the parser, but
  // every later pass over the tree recurses, so height is bounded too (kHeightFactor × max_depth).
  int Add(Node n) {
    int h = 1;
    for (int k : n.kids) h = std::max(h, heights_[static_cast<size_t>(k)] + 1);
    if (overflow_.ok() && h > kHeightFactor * limits_.max_depth) {
      overflow_ = absl::OutOfRangeError(absl::StrCat("expression tree taller than ", kHeightFactor * limits_.max_depth));
    }
    if (overflow_.ok() && expr_.nodes.size() >= static_cast<size_t>(limits_.max_nodes)) {
      overflow_ = absl::OutOfRangeError(absl::StrCat("expression with more than ", limits_.max_nodes, " nodes"));
    }
    heights_.push_back(h);
    expr_.nodes.push_back(std::move(n));
    return static_cast<int>(expr_.nodes.size() - 1);
  }
  int Make(Kind k, std::vector<int> kids, std::string name = "") {
    Node n{k, std::move(name), Rational(), std::move(kids)};
    return Add(std::move(n));
  }
  int Number(Rational v, std::string literal = "") {
    Node n{Kind::kNumber, std::move(literal), std::move(v), {}};
    return Add(std::move(n));
  }

  bool AtListEnd(Tok end_type, absl::string_view end_sym) const {
    const Token& t = Peek();
    if (t.type == Tok::kEnd) return true;
    if (end_type == Tok::kEnd) return false;
    return t.type == end_type && t.text == end_sym;
  }

  // list := union ((',' | ', or') union)*  — a single element is returned as is. "1, 2, or 3" and "1, 2 or 3"
  // are one list joined by "or".
  absl::StatusOr<int> ParseList(Tok end_type, absl::string_view end_sym) {
    std::vector<int> items;
    bool by_or = false;
    while (true) {
      if (!overflow_.ok()) return overflow_;
      RLVR_ASSIGN_OR_RETURN(item, ParseUnion());
      const Node& n = expr_.at(item);
      if (n.kind == Kind::kList && n.name == "or") {
        by_or = true;
        items.insert(items.end(), n.kids.begin(), n.kids.end());
      } else {
        items.push_back(item);
      }
      if (!IsSym(",") && !IsSym(";")) break;
      ++pos_;
      if (AtOrWord()) {
        by_or = true;
        pos_ += 2;
      }
      if (AtListEnd(end_type, end_sym)) break;  // trailing comma
    }
    if (by_or) return JoinedByOr(std::move(items));
    if (items.size() == 1) return items[0];
    return Make(Kind::kList, std::move(items));
  }

  // union := relation (('\cup' | 'or') relation)*
  absl::StatusOr<int> ParseUnion() {
    RLVR_ASSIGN_OR_RETURN(first, ParseRelation());
    if (!IsCmd("cup") && !AtOrWord()) return first;
    std::vector<int> parts{first};
    bool by_or = false;
    while (IsCmd("cup") || AtOrWord()) {
      if (AtOrWord()) {
        by_or = true;
        ++pos_;
      }
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(next, ParseRelation());
      parts.push_back(next);
    }
    if (by_or) return JoinedByOr(std::move(parts));
    return Make(Kind::kUnion, std::move(parts));
  }

  // Parts joined by "or": "x < 0 or x > 1" is a set (a union); "x = 1 or x = 4" (also "x = 1 or 4") lists the
  // solutions of one variable and "-2 or -12" values (a list named "or": the comparison reads it as the values, or
  // as forms of one value, see compare.cc); a mix ("x = 1 or y = 2", "x = 0 or x > 1") is not one answer.
  absl::StatusOr<int> JoinedByOr(std::vector<int> parts) {
    if (OneVariableInequalities(parts)) return Make(Kind::kUnion, std::move(parts));
    const std::string var = AssignedVar(parts[0]);
    bool values = true;
    for (int& p : parts) {
      if (Has(p, Kind::kRelation)) {
        values = false;
      } else if (!var.empty()) {  // "x = 1 or 4": the value 4 of x
        const int name = Make(Kind::kVar, {}, var);
        p = Make(Kind::kRelation, {name, p}, "=");
      }
    }
    if (values || OneVariableSolutions(parts)) return Make(Kind::kList, std::move(parts), "or");
    return absl::InvalidArgumentError("'or' joins only values, inequalities or solutions of one variable");
  }

  // The word "or": the letter tokens "o", "r" forming a whole word of the source.
  bool AtOrWord() const {
    const Token& o = Peek();
    const Token& r = Peek(1);
    if (o.type != Tok::kLetter || r.type != Tok::kLetter || r.pos != o.pos + 1) return false;
    if (absl::ascii_tolower(o.text[0]) != 'o' || absl::ascii_tolower(r.text[0]) != 'r') return false;
    return (o.pos == 0 || !IsLetter(src_[o.pos - 1])) && (r.pos + 1 >= src_.size() || !IsLetter(src_[r.pos + 1]));
  }

  // Whether the subtree at i has a node of `kind`.
  bool Has(int i, Kind kind) const {
    const Node& n = expr_.at(i);
    if (n.kind == kind) return true;
    for (int k : n.kids) {
      if (Has(k, kind)) return true;
    }
    return false;
  }
  bool HasVar(int i) const { return Has(i, Kind::kVar); }

  // The variable an inequality bounds ("x < 3", "3 \ge x"), or "" if it is not of that shape.
  std::string BoundedVar(int i) const {
    const Node& n = expr_.at(i);
    if (n.kind != Kind::kRelation || !(n.name == "<" || n.name == "<=" || n.name == ">" || n.name == ">=")) return "";
    for (int side = 0; side < 2; ++side) {
      const Node& v = expr_.at(n.kids[static_cast<size_t>(side)]);
      if (v.kind == Kind::kVar && !HasVar(n.kids[static_cast<size_t>(1 - side)])) return v.name;
    }
    return "";
  }

  // The variable an equation assigns ("x = 3", "3 = x"), or "" if it is not of that shape.
  std::string AssignedVar(int i) const {
    const Node& n = expr_.at(i);
    if (n.kind != Kind::kRelation || n.name != "=") return "";
    for (int side = 0; side < 2; ++side) {
      const Node& v = expr_.at(n.kids[static_cast<size_t>(side)]);
      if (v.kind == Kind::kVar && !HasVar(n.kids[static_cast<size_t>(1 - side)])) return v.name;
    }
    return "";
  }

  // Every part an equation "x = value" for the same single variable.
  bool OneVariableSolutions(const std::vector<int>& parts) const {
    std::string var = AssignedVar(parts[0]);
    for (int p : parts) {
      if (var.empty() || AssignedVar(p) != var) return false;
    }
    return true;
  }

  // Every part an inequality ("x > 1") or a chain of two ("0 < x < 1") bounding the same single variable.
  bool OneVariableInequalities(const std::vector<int>& parts) const {
    std::string var;
    for (int p : parts) {
      const Node& n = expr_.at(p);
      std::vector<int> relations = n.kind == Kind::kList && n.name == "chain" ? n.kids : std::vector<int>{p};
      for (int r : relations) {
        std::string v = BoundedVar(r);
        if (v.empty() || (!var.empty() && v != var)) return false;
        var = v;
      }
    }
    return true;
  }

  // Relation operator at the cursor ("" if none); advances past it.
  std::string TakeRelop() {
    if (IsSym("=")) {
      ++pos_;
      return "=";
    }
    if (IsSym("<") || IsSym(">")) {
      std::string op(Peek().text);
      ++pos_;
      if (IsSym("=")) {
        ++pos_;
        op += "=";
      }
      return op;
    }
    if (IsCmdIn({"le", "leq", "leqslant"})) {
      ++pos_;
      return "<=";
    }
    if (IsCmdIn({"ge", "geq", "geqslant"})) {
      ++pos_;
      return ">=";
    }
    if (IsCmdIn({"ne", "neq"})) {
      ++pos_;
      return "!=";
    }
    if (IsCmd("in")) {
      ++pos_;
      return "in";
    }
    if (IsCmdIn({"lt"})) {
      ++pos_;
      return "<";
    }
    if (IsCmdIn({"approx", "simeq"})) {  // "\frac{10}{3} \approx 3.33": see compare.cc
      ++pos_;
      return "~";
    }
    if (IsCmdIn({"gt"})) {
      ++pos_;
      return ">";
    }
    return "";
  }

  absl::StatusOr<int> ParseRelation() {
    RLVR_ASSIGN_OR_RETURN(lhs, ParseRatio());
    std::string op = TakeRelop();
    if (op.empty()) return lhs;
    if (op == "in") {
      RLVR_ASSIGN_OR_RETURN(set, ParseUnion());
      return Make(Kind::kRelation, {lhs, set}, op);
    }
    RLVR_ASSIGN_OR_RETURN(rhs, ParseRatio());
    int rel = Make(Kind::kRelation, {lhs, rhs}, op);
    // Chains "1 < x < 3" become a list of two relations sharing the middle term.
    std::string op2 = TakeRelop();
    if (op2.empty()) return rel;
    if (op2 == "in") return Error("unsupported relation chain before");
    RLVR_ASSIGN_OR_RETURN(third, ParseRatio());
    int rel2 = Make(Kind::kRelation, {rhs, third}, op2);
    return Make(Kind::kList, {rel, rel2}, "chain");
  }

  // ratio := additive (':' additive)*  — "3:4", "A:B", clock times "9:15".
  absl::StatusOr<int> ParseRatio() {
    RLVR_ASSIGN_OR_RETURN(first, ParseAdditive());
    if (!IsSym(":")) return first;
    std::vector<int> parts{first};
    while (IsSym(":")) {
      if (!overflow_.ok()) return overflow_;
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(next, ParseAdditive());
      parts.push_back(next);
    }
    return Make(Kind::kRatio, std::move(parts));
  }

  absl::StatusOr<int> ParseAdditive() {
    int acc;
    if (IsCmdIn({"pm", "mp"})) {  // leading ±b
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(t, ParseTerm());
      acc = Make(Kind::kPlusMinus, {Number(Rational(0)), t});
    } else {
      RLVR_ASSIGN_OR_RETURN(t, ParseTerm());
      acc = t;
    }
    while (true) {
      if (!overflow_.ok()) return overflow_;
      Kind k;
      if (IsSym("+")) {
        k = Kind::kAdd;
      } else if (IsSym("-")) {
        k = Kind::kSub;
      } else if (IsCmdIn({"pm", "mp"})) {
        k = Kind::kPlusMinus;
      } else {
        return acc;
      }
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(t, ParseTerm());
      acc = Make(k, {acc, t});
    }
  }

  // Can the token at the cursor start an implicitly multiplied factor ("2x", "3\sqrt{2}", "x(x+1)")?
  bool StartsImplicitFactor() const {
    const Token& t = Peek();
    switch (t.type) {
      case Tok::kNum:
      case Tok::kBegin:
        return true;
      case Tok::kLetter:
        return !AtOrWord();
      case Tok::kCmd:
        return !(t.text == "cdot" || t.text == "choose" || t.text == "rfloor" || t.text == "rceil" ||
                 t.text == "approx" || t.text == "simeq" || t.text == "mid" || t.text == "times" || t.text == "div" ||
                 t.text == "cup" || t.text == "pm" || t.text == "mp" || t.text == "le" || t.text == "leq" ||
                 t.text == "ge" || t.text == "geq" ||
                 t.text == "ne" || t.text == "neq" || t.text == "in" || t.text == "lt" || t.text == "gt" ||
                 t.text == "leqslant" || t.text == "geqslant");
      case Tok::kSym:
        return t.text == "(" || t.text == "{";
      default:
        return false;
    }
  }

  absl::StatusOr<int> ParseTerm() {
    RLVR_ASSIGN_OR_RETURN(first, ParseUnary());
    int acc = first;
    while (true) {
      if (!overflow_.ok()) return overflow_;
      if (IsSym("*") || IsCmd("cdot") || IsCmd("times")) {
        ++pos_;
        RLVR_ASSIGN_OR_RETURN(f, ParseUnary());
        acc = Make(Kind::kMul, {acc, f});
      } else if (IsSym("/") || IsCmd("div")) {
        ++pos_;
        RLVR_ASSIGN_OR_RETURN(f, ParseUnary());
        acc = Make(Kind::kDiv, {acc, f});
      } else if (StartsImplicitFactor()) {
        // "1 2" is not a product anyone writes: more likely a list or a typo, so refuse it; a power times a
        // power is conventional ("2^3 3^2" = 72, while "x^2 3" stays refused).
        if (Peek().type == Tok::kNum && pos_ > 0 && toks_[pos_ - 1].type == Tok::kNum &&
            (EndsWithLiteral(acc) || !IsSym("^", 1))) {
          return Error("two numbers side by side:");
        }
        RLVR_ASSIGN_OR_RETURN(f, ParsePower());
        acc = Make(Kind::kMul, {acc, f});
      } else {
        return acc;
      }
    }
  }

  // Is the last factor of the product `i` a bare number literal ("2", "3 \cdot 4")?
  bool EndsWithLiteral(int i) const {
    while (expr_.at(i).kind == Kind::kMul || expr_.at(i).kind == Kind::kDiv) i = expr_.at(i).kids[1];
    return expr_.at(i).kind == Kind::kNumber;
  }

  absl::StatusOr<int> ParseUnary() {
    if (!IsSym("-") && !IsSym("+")) return ParsePower();
    Depth d(this);  // "- - - x" recurses without brackets
    if (d.exceeded()) return TooDeep();
    if (IsSym("-")) {
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(u, ParseUnary());
      return Make(Kind::kNeg, {u});
    }
    if (IsSym("+")) {
      ++pos_;
      return ParseUnary();
    }
    return ParsePower();
  }

  absl::StatusOr<int> ParsePower() {
    RLVR_ASSIGN_OR_RETURN(base, ParsePostfix());
    if (!IsSym("^")) return base;
    ++pos_;
    RLVR_ASSIGN_OR_RETURN(exp, ParseExponent());
    return Make(Kind::kPow, {base, exp});
  }

  // Exponent: a braced group, a signed single token, or a further power (right-associative).
  absl::StatusOr<int> ParseExponent() {
    Depth d(this);
    if (d.exceeded()) return TooDeep();
    if (IsSym("-")) {
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(e, ParseExponent());
      return Make(Kind::kNeg, {e});
    }
    // "2^10" is 2^{10}, as plain text means it (TeX would set 2^1 followed by 0, which no answer means).
    const bool integer = AtIntegerLiteral() && Peek().text.size() > 1;
    RLVR_ASSIGN_OR_RETURN(e, integer ? WholeInteger() : ParseArgument());
    if (IsSym("^")) {
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(e2, ParseExponent());
      return Make(Kind::kPow, {e, e2});
    }
    return e;
  }

  absl::StatusOr<int> ParsePostfix() {
    RLVR_ASSIGN_OR_RETURN(p, ParsePrimary());
    int acc = p;
    while (true) {
      if (IsSym("!")) {
        ++pos_;
        acc = Make(Kind::kFunc, {acc}, "fact");
      } else if (IsCmd("degree")) {
        ++pos_;
        // A degree mark (canonical form of ^\circ) is x pi/180 inside a trigonometric argument
        // (\sin 30^\circ = 1/2) and dropped elsewhere (30^\circ = 30).
        if (in_trig_) {
          acc = Make(Kind::kMul, {acc, Make(Kind::kDiv, {Make(Kind::kConst, {}, "pi"), Number(Rational(180))})});
        }
      } else if (IsSym("'")) {
        return Error("unsupported prime");
      } else {
        return acc;
      }
    }
  }

  // A LaTeX macro argument: {group} or a single token (one digit of a number: \frac12 = 1/2).
  absl::StatusOr<int> ParseArgument() {
    if (IsSym("{")) {
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(g, ParseList(Tok::kSym, "}"));
      RLVR_RETURN_IF_ERROR_STATUS(Expect("}"));
      return g;
    }
    if (pos_ >= toks_.size()) return Error("unexpected");
    Token& t = toks_[pos_];
    if (t.type == Tok::kNum && t.text.size() > 1 && IsDigit(t.text[0])) {
      absl::string_view digit = t.text.substr(0, 1);
      t.text.remove_prefix(1);
      ++t.pos;
      if (!IsDigit(t.text[0])) return Error("malformed number");
      return NumberLiteral(digit);
    }
    return ParsePrimary();
  }

  absl::StatusOr<int> WholeInteger() {
    const absl::string_view digits = Peek().text;
    ++pos_;
    return NumberLiteral(digits);
  }

  absl::StatusOr<int> NumberLiteral(absl::string_view text) {
    size_t e = text.find_first_of("eE");
    absl::string_view mant = text.substr(0, e);
    size_t dot = mant.find('.');
    std::string digits(mant.substr(0, dot));
    size_t frac_digits = 0;
    if (dot != absl::string_view::npos) {
      frac_digits = mant.size() - dot - 1;
      digits.append(mant.data() + dot + 1, frac_digits);
    }
    if (digits.size() > static_cast<size_t>(limits_.max_number_digits)) {
      return absl::OutOfRangeError(absl::StrCat("number with more than ", limits_.max_number_digits, " digits"));
    }
    BigInt num, den;
    if (!BigInt::FromDigits(digits, 10, &num)) return Error("malformed number");
    // Integers need no denominator or reduction (the common case, and long lists are mostly integers).
    if (frac_digits > 0) BigInt::FromDigits(absl::StrCat("1", std::string(frac_digits, '0')), 10, &den);
    int n = Number(frac_digits > 0 ? Rational(num, den) : Rational(num), std::string(mant));
    if (e == absl::string_view::npos) return n;
    // 1.2e3 = 1.2 * 10^3, evaluated lazily so the exponent limit applies in one place.
    absl::string_view exp = text.substr(e + 1);
    bool neg = !exp.empty() && exp[0] == '-';
    if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) exp.remove_prefix(1);
    while (exp.size() > 1 && exp[0] == '0') exp.remove_prefix(1);
    if (exp.size() > static_cast<size_t>(limits_.max_exponent_digits)) {
      return absl::OutOfRangeError(absl::StrCat("exponent with more than ", limits_.max_exponent_digits, " digits"));
    }
    BigInt ev;
    BigInt::FromDigits(exp, 10, &ev);
    int exponent = Number(Rational(neg ? -ev : ev));
    return Make(Kind::kMul, {n, Make(Kind::kPow, {Number(Rational(10)), exponent})});
  }

  static Rational LiteralValue(absl::string_view digits) {
    BigInt v;
    BigInt::FromDigits(digits, 10, &v);
    return Rational(v);
  }

  // "2 1/4" (after the integer token `whole`): an integer, a space, then a proper fraction int/int that ends
  // the term. Read as 2 + 1/4, as people write mixed numbers in plain text; "2 5/4" stays refused.
  bool MixedNumberAhead(const Token& whole) const {
    const Token &num = Peek(), &slash = Peek(1), &den = Peek(2), &after = Peek(3);
    auto integer = [](const Token& t) {
      return t.type == Tok::kNum && t.text.find_first_of(".eE") == absl::string_view::npos && t.text.size() <= 18;
    };
    if (!integer(whole) || !integer(num) || !integer(den) || !IsSym("/", 1)) return false;
    if (num.pos == whole.pos + whole.text.size() || slash.pos != num.pos + num.text.size()) return false;
    if (pos_ >= 2 && toks_[pos_ - 2].type == Tok::kSym &&
        (toks_[pos_ - 2].text == "^" || toks_[pos_ - 2].text == "_" || toks_[pos_ - 2].text == "/")) {
      return false;
    }
    bool ends = after.type == Tok::kEnd ||
                (after.type == Tok::kSym && (after.text == "," || after.text == ")" || after.text == "]" ||
                                             after.text == "}" || after.text == ";" || after.text == "\\}"));
    if (!ends) return false;
    Rational a = LiteralValue(num.text), b = LiteralValue(den.text);
    return !b.is_zero() && Compare(a.num(), b.num()) < 0;
  }

  // Integer literal (no decimal point or exponent) at the cursor?
  bool AtIntegerLiteral() const {
    return Peek().type == Tok::kNum && Peek().text.find_first_of(".eE") == absl::string_view::npos;
  }

  // The integer `digits` in the base written after it (the cursor is at '_'): "_2", "_{8}", "_{(2)}".
  absl::StatusOr<int> BaseLiteral(absl::string_view digits) {
    ++pos_;
    const bool braced = IsSym("{");
    if (braced) ++pos_;
    const bool paren = IsSym("(");
    if (paren) ++pos_;
    if (!AtIntegerLiteral()) return Error("expected a base after '_' before");
    if (Peek().text.size() > 2) return Error("unsupported base");
    int64_t base = 0;
    for (char c : Peek().text) base = base * 10 + (c - '0');
    if (base < 2 || base > 36) return Error("unsupported base");
    ++pos_;
    if (paren) RLVR_RETURN_IF_ERROR_STATUS(Expect(")"));
    if (braced) RLVR_RETURN_IF_ERROR_STATUS(Expect("}"));
    if (digits.size() > static_cast<size_t>(limits_.max_number_digits)) {
      return absl::OutOfRangeError(absl::StrCat("number with more than ", limits_.max_number_digits, " digits"));
    }
    BigInt v;
    if (!BigInt::FromDigits(digits, static_cast<int>(base), &v)) {
      return absl::InvalidArgumentError(absl::StrCat("'", digits, "' is not a base-", base, " number"));
    }
    int n = Number(Rational(v), std::string(digits));
    expr_.nodes[static_cast<size_t>(n)].base = static_cast<int>(base);
    return n;
  }

  absl::StatusOr<int> ParseNumber() {
    Token t = Peek();
    ++pos_;
    // Base subscript: 1011_2, 777_{8}, 1011_{(2)}.
    if (IsSym("_") && t.text.find_first_of(".eE") == absl::string_view::npos) return BaseLiteral(t.text);
    RLVR_ASSIGN_OR_RETURN(n, NumberLiteral(t.text));
    // "0.\overline{3}", "0.(3)": a repeating block after a decimal. In parentheses only right after the point:
    // "0.6(30)", "2.25(60)" are products in 12 of 12 MATH solutions that write a decimal before "(digits)".
    const bool decimal = absl::StrContains(t.text, '.') && t.text.find_first_of("eE") == absl::string_view::npos;
    if (decimal && (IsCmd("overline") || (absl::EndsWith(t.text, ".") && IsSym("(") &&
                                          Peek().pos == t.pos + t.text.size()))) {
      return RepeatingDecimal(n, t.text);
    }
    if (MixedNumberAhead(t)) {
      int whole = n;
      int num = Number(LiteralValue(Peek().text));
      int den = Number(LiteralValue(Peek(2).text));
      pos_ += 3;
      return Make(Kind::kAdd, {whole, Make(Kind::kDiv, {num, den})});
    }
    // Mixed number: an integer directly followed by \frac{int}{int}, e.g. 2\frac{1}{3} = 7/3.
    if (t.text.find_first_of(".eE") == absl::string_view::npos && IsCmd("frac") && IsSym("{", 1) &&
        Peek(2).type == Tok::kNum && IsSym("}", 3) && IsSym("{", 4) && Peek(5).type == Tok::kNum && IsSym("}", 6)) {
      RLVR_ASSIGN_OR_RETURN(f, ParsePrimary());
      return Make(Kind::kAdd, {n, f});
    }
    return n;
  }

  // 0.1\overline{6} = 0.1 + 6 / (10 * 9) = 1/6, 0.(3) = 3/9: the literal plus the repeating block r (m digits) over
  // 10^k (10^m − 1), k being the literal's decimal places.
  absl::StatusOr<int> RepeatingDecimal(int literal, absl::string_view text) {
    const bool paren = IsSym("(");
    ++pos_;
    const bool braced = !paren && IsSym("{");
    if (braced) ++pos_;
    if (!AtIntegerLiteral()) return Error("expected the digits of a repeating block before");
    absl::string_view block = Peek().text;
    ++pos_;
    if (braced || paren) RLVR_RETURN_IF_ERROR_STATUS(Expect(paren ? ")" : "}"));
    size_t k = text.size() - text.find('.') - 1;
    if (block.size() + k > static_cast<size_t>(limits_.max_number_digits)) {
      return absl::OutOfRangeError(absl::StrCat("number with more than ", limits_.max_number_digits, " digits"));
    }
    BigInt r, den;
    BigInt::FromDigits(block, 10, &r);
    BigInt::FromDigits(std::string(block.size(), '9'), 10, &den);
    BigInt scale;
    BigInt::FromDigits(absl::StrCat("1", std::string(k, '0')), 10, &scale);
    Rational value = expr_.at(literal).value + Rational(r, den * scale);
    return Number(std::move(value), absl::StrCat(text, "(", block, ")"));
  }

  // "\{x \mid x > 0\}", "\{x : ...\}", "\{x | ...\}" after the opening brace: a variable and a separator.
  bool AtSetBuilder() const {
    return Peek().type == Tok::kLetter && (IsSym("|", 1) || IsSym(":", 1) ||
                                           (Peek(1).type == Tok::kCmd && Peek(1).text == "mid"));
  }

  // The set of x satisfying the condition is read as the condition itself ("x > 0" is a set of reals of x).
  absl::StatusOr<int> ParseSetBuilder() {
    pos_ += 2;
    RLVR_ASSIGN_OR_RETURN(condition, ParseUnion());
    RLVR_RETURN_IF_ERROR_STATUS(Expect("\\}"));
    return condition;
  }

  // Bracketed group: "(x)" is grouping; "(a, b]" is a tuple / interval with its delimiters.
  absl::StatusOr<int> ParseBracket() {
    char open = Peek().text[0];
    ++pos_;
    std::vector<int> items;
    while (true) {
      if (!overflow_.ok()) return overflow_;
      RLVR_ASSIGN_OR_RETURN(item, ParseUnion());
      items.push_back(item);
      if (!IsSym(",")) break;
      ++pos_;
    }
    if (!IsSym(")") && !IsSym("]")) return Error("expected ')' or ']' before");
    char close = Peek().text[0];
    ++pos_;
    if (items.size() == 1 && ((open == '(' && close == ')') || (open == '[' && close == ']'))) {
      // "(1011)_2": a parenthesised integer literal with a base subscript.
      const Node& only = expr_.at(items[0]);
      if (open == '(' && IsSym("_") && only.kind == Kind::kNumber && only.base == 10 && !only.name.empty() &&
          only.name.find_first_not_of("0123456789") == std::string::npos) {
        return BaseLiteral(std::string(only.name));
      }
      return items[0];
    }
    if (items.size() == 1) return Error("half-open group with one element before");
    int t = Make(Kind::kTuple, std::move(items));
    expr_.nodes[static_cast<size_t>(t)].open = open;
    expr_.nodes[static_cast<size_t>(t)].close = close;
    return t;
  }

  absl::StatusOr<int> ParseMatrix(absl::string_view env) {
    if (env != "pmatrix" && env != "bmatrix" && env != "matrix" && env != "Bmatrix" && env != "smallmatrix") {
      return Error("unsupported environment");
    }
    ++pos_;
    std::vector<int> cells;
    int rows = 0, cols = -1, in_row = 0;
    while (true) {
      if (!overflow_.ok()) return overflow_;
      RLVR_ASSIGN_OR_RETURN(cell, ParseAdditive());
      cells.push_back(cell);
      ++in_row;
      if (IsSym("&")) {
        ++pos_;
        continue;
      }
      bool row_end = IsSym("\\\\");
      if (row_end) ++pos_;
      if (cols >= 0 && in_row != cols) return Error("ragged matrix row before");
      cols = in_row;
      in_row = 0;
      ++rows;
      if (Peek().type == Tok::kEndEnv) break;
      if (!row_end) return Error("expected '&', '\\\\' or \\end before");
    }
    if (Peek().text != env) return Error("mismatched \\end");
    ++pos_;
    int m = Make(Kind::kMatrix, std::move(cells));
    expr_.nodes[static_cast<size_t>(m)].rows = rows;
    expr_.nodes[static_cast<size_t>(m)].cols = cols;
    return m;
  }

  // \sin x, \sin^2(x), \log_2 8, \ln(x+1): argument is a parenthesised group or an implicit product.
  absl::StatusOr<int> ParseFunction(std::string name) {
    ++pos_;
    int power = -1, base = -1;
    for (int k = 0; k < 2; ++k) {
      if (IsSym("^") && power < 0) {
        ++pos_;
        RLVR_ASSIGN_OR_RETURN(p, ParseExponent());
        power = p;
      } else if (IsSym("_") && base < 0 && name == "log") {
        ++pos_;
        RLVR_ASSIGN_OR_RETURN(b, ParseArgument());
        base = b;
      }
    }
    bool outer = in_trig_;
    in_trig_ = outer || name == "sin" || name == "cos" || name == "tan" || name == "cot" || name == "sec" ||
               name == "csc";
    absl::StatusOr<int> arg = ParseFunctionArgument();
    in_trig_ = outer;
    if (!arg.ok()) return arg.status();
    std::vector<int> kids{*arg};
    if (base >= 0) kids.push_back(base);
    if (name == "lg") {
      name = "log";
      kids.push_back(Number(Rational(10)));
    }
    int call = Make(Kind::kFunc, std::move(kids), std::move(name));
    if (power >= 0) return Make(Kind::kPow, {call, power});
    return call;
  }

  // A parenthesised group or an implicit product: \sin(2x), \sin 2x.
  absl::StatusOr<int> ParseFunctionArgument() {
    if (IsSym("(")) return ParseBracket();
    RLVR_ASSIGN_OR_RETURN(a, ParsePower());
    int arg = a;
    // A further command starts a new factor ("\sin x \cos x") unless it names a number ("\sin 2\pi", "\cos 2\theta").
    while (StartsImplicitFactor() && (Peek().type != Tok::kCmd || IsCmd("pi") || IsGreekLetter(Peek().text))) {
      RLVR_ASSIGN_OR_RETURN(f, ParsePower());
      arg = Make(Kind::kMul, {arg, f});
    }
    return arg;
  }

  absl::StatusOr<int> ParsePrimary() {
    Depth d(this);
    if (d.exceeded()) return TooDeep();
    const Token& t = Peek();
    switch (t.type) {
      case Tok::kNum:
        return ParseNumber();
      case Tok::kLetter: {
        std::string name(t.text);
        ++pos_;
        if ((name == "e" || name == "i") && std::find(indices_.begin(), indices_.end(), name) == indices_.end()) {
          return Make(Kind::kConst, {}, name);
        }
        if (IsSym("_")) {  // x_1, x_{12}
          ++pos_;
          if (IsSym("{")) {
            ++pos_;
            while (!IsSym("}") && Peek().type != Tok::kEnd) {
              absl::StrAppend(&name, "_", Peek().text);
              ++pos_;
            }
            RLVR_RETURN_IF_ERROR_STATUS(Expect("}"));
          } else if (Peek().type == Tok::kNum || Peek().type == Tok::kLetter) {
            absl::StrAppend(&name, "_", Peek().text);
            ++pos_;
          } else {
            return Error("bad subscript");
          }
        }
        while (IsSym("'")) {  // a primed name: D', f''
          name.push_back('\'');
          ++pos_;
        }
        return Make(Kind::kVar, {}, name);
      }
      case Tok::kBegin:
        return ParseMatrix(t.text);
      case Tok::kSym:
        if (t.text == "(" || t.text == "[") return ParseBracket();
        if (t.text == "{") {
          ++pos_;
          RLVR_ASSIGN_OR_RETURN(g, ParseList(Tok::kSym, "}"));
          if (IsCmd("choose")) {  // "{5 \choose 2}" is \binom{5}{2}
            ++pos_;
            RLVR_ASSIGN_OR_RETURN(k, ParseList(Tok::kSym, "}"));
            RLVR_RETURN_IF_ERROR_STATUS(Expect("}"));
            return Make(Kind::kFunc, {g, k}, "binom");
          }
          RLVR_RETURN_IF_ERROR_STATUS(Expect("}"));
          return g;
        }
        if (t.text == "\\{") {
          ++pos_;
          if (AtSetBuilder()) return ParseSetBuilder();
          std::vector<int> items;
          if (!IsSym("\\}")) {
            RLVR_ASSIGN_OR_RETURN(g, ParseList(Tok::kSym, "\\}"));
            const Node& n = expr_.at(g);
            if (n.kind == Kind::kList && n.name.empty()) {
              items = n.kids;
            } else {
              items.push_back(g);
            }
          }
          RLVR_RETURN_IF_ERROR_STATUS(Expect("\\}"));
          return Make(Kind::kSet, std::move(items));
        }
        if (t.text == "|") {
          ++pos_;
          RLVR_ASSIGN_OR_RETURN(a, ParseAdditive());
          RLVR_RETURN_IF_ERROR_STATUS(Expect("|"));
          return Make(Kind::kFunc, {a}, "abs");
        }
        return Error("unexpected");
      case Tok::kCmd:
        return ParseCommand();
      default:
        return Error("unexpected");
    }
  }

  absl::StatusOr<int> ParseCommand() {
    absl::string_view name = Peek().text;
    if (name == "frac" || name == "binom" || name == "dbinom" || name == "tbinom") {
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(a, ParseArgument());
      RLVR_ASSIGN_OR_RETURN(b, ParseArgument());
      if (name == "frac") return Make(Kind::kDiv, {a, b});
      return Make(Kind::kFunc, {a, b}, "binom");
    }
    if (name == "sqrt") {
      ++pos_;
      if (IsSym("[")) {
        ++pos_;
        RLVR_ASSIGN_OR_RETURN(n, ParseAdditive());
        RLVR_RETURN_IF_ERROR_STATUS(Expect("]"));
        RLVR_ASSIGN_OR_RETURN(x, ParseArgument());
        return Make(Kind::kFunc, {x, n}, "root");
      }
      RLVR_ASSIGN_OR_RETURN(x, ParseArgument());
      return Make(Kind::kFunc, {x}, "sqrt");
    }
    if (name == "pi") {
      ++pos_;
      return Make(Kind::kConst, {}, "pi");
    }
    if (name == "infty" || name == "infin") {
      ++pos_;
      return Make(Kind::kInfinity, {});
    }
    if (name == "emptyset" || name == "varnothing") {
      ++pos_;
      return Make(Kind::kSet, {});
    }
    for (absl::string_view f : kCommandFunctions) {
      if (name == f) return ParseFunction(std::string(name));
    }
    if (name == "sum" || name == "prod") return ParseSeries(std::string(name));
    if (name == "lfloor" || name == "lceil") {  // \lfloor x \rfloor, \lceil x \rceil
      const bool floor = name == "lfloor";
      ++pos_;
      RLVR_ASSIGN_OR_RETURN(x, ParseAdditive());
      if (!IsCmd(floor ? "rfloor" : "rceil")) return Error(floor ? "expected \\rfloor before" : "expected \\rceil before");
      ++pos_;
      return Make(Kind::kFunc, {x}, floor ? "floor" : "ceil");
    }
    if (IsGreekLetter(name)) {
      ++pos_;
      return Make(Kind::kVar, {}, std::string(name));
    }
    // Marks that only name a quantity: "\angle ABC", "\overline{AB}", "\vec{v}" are read as what they mark.
    if (IsDecoration(name)) {
      ++pos_;
      return ParseArgument();
    }
    if (name == "sqrt") return ParseFunction("sqrt");
    return Error("unsupported command");
  }

  // \sum_{k=1}^{10} k^2, \prod_{i=2}^{5} \frac{i}{i-1}: a function "sum" / "prod" of {term, lower bound, upper
  // bound, index}; the term is the product that follows (\sum_{k=1}^{3} k + 1 is (1+2+3)+1). The index is a
  // variable in the term even when it is named i or e.
  absl::StatusOr<int> ParseSeries(std::string name) {
    ++pos_;
    RLVR_RETURN_IF_ERROR_STATUS(Expect("_"));
    RLVR_RETURN_IF_ERROR_STATUS(Expect("{"));
    if (Peek().type != Tok::kLetter && !(Peek().type == Tok::kCmd && IsGreekLetter(Peek().text))) {
      return Error("expected the index of the sum before");
    }
    std::string index(Peek().text);
    ++pos_;
    RLVR_RETURN_IF_ERROR_STATUS(Expect("="));
    RLVR_ASSIGN_OR_RETURN(lo, ParseAdditive());
    RLVR_RETURN_IF_ERROR_STATUS(Expect("}"));
    RLVR_RETURN_IF_ERROR_STATUS(Expect("^"));
    RLVR_ASSIGN_OR_RETURN(hi, ParseArgument());
    indices_.push_back(index);
    absl::StatusOr<int> term = ParseTerm();
    indices_.pop_back();
    if (!term.ok()) return term.status();
    int var = Make(Kind::kVar, {}, std::move(index));
    return Make(Kind::kFunc, {*term, lo, hi, var}, std::move(name));
  }

  absl::string_view src_;
  const ParseLimits& limits_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool in_trig_ = false;  // inside the argument of sin, cos, tan, cot, sec or csc
  std::vector<std::string> indices_;  // indices of the sums and products being parsed
  std::vector<int> heights_;
  absl::Status overflow_;  // first size limit hit; loops stop at once
  Expr expr_;
};

int Precedence(Kind k) {
  switch (k) {
    case Kind::kAdd:
    case Kind::kSub:
    case Kind::kPlusMinus:
      return 1;
    case Kind::kMul:
    case Kind::kDiv:
      return 2;
    case Kind::kNeg:
      return 3;
    case Kind::kPow:
      return 4;
    default:
      return 5;
  }
}

void Render(const Expr& e, int i, std::string* out);

void RenderJoined(const Expr& e, const std::vector<int>& kids, absl::string_view sep, std::string* out) {
  for (size_t k = 0; k < kids.size(); ++k) {
    if (k > 0) out->append(sep.data(), sep.size());
    Render(e, kids[k], out);
  }
}

void RenderOperand(const Expr& e, int i, int min_prec, std::string* out) {
  const Node& n = e.at(i);
  int prec = n.kind == Kind::kNumber && n.value.num().is_negative() ? Precedence(Kind::kNeg) : Precedence(n.kind);
  bool paren = prec < min_prec;
  if (paren) out->push_back('(');
  Render(e, i, out);
  if (paren) out->push_back(')');
}

void Render(const Expr& e, int i, std::string* out) {
  const Node& n = e.at(i);
  switch (n.kind) {
    case Kind::kNumber:
      if (n.base != 10) {
        absl::StrAppend(out, n.name, "_", n.base);
      } else if (absl::StrContains(n.name, '.')) {
        out->append(n.name);  // keep decimals readable: "0.333", not "333/1000"
      } else {
        out->append(n.value.ToString());
      }
      return;
    case Kind::kVar:
    case Kind::kConst:
    case Kind::kText:
      out->append(n.name);
      return;
    case Kind::kChoice:
      absl::StrAppend(out, "(", n.name, ")");
      if (!n.kids.empty()) {
        out->push_back(' ');
        Render(e, n.kids[0], out);
      }
      return;
    case Kind::kInfinity:
      out->append("oo");
      return;
    case Kind::kAdd:
    case Kind::kSub:
    case Kind::kPlusMinus:
    case Kind::kMul:
    case Kind::kDiv:
    case Kind::kPow: {
      const char* op = n.kind == Kind::kAdd ? "+" : n.kind == Kind::kSub ? "-" : n.kind == Kind::kPlusMinus ? "+-"
                       : n.kind == Kind::kMul ? "*" : n.kind == Kind::kDiv ? "/" : "^";
      int p = Precedence(n.kind);
      // Left-associative operators need parentheses on the right at equal precedence; ^ on the left.
      RenderOperand(e, n.kids[0], n.kind == Kind::kPow ? p + 1 : p, out);
      out->append(op);
      RenderOperand(e, n.kids[1], n.kind == Kind::kPow || n.kind == Kind::kAdd || n.kind == Kind::kMul ? p : p + 1,
                    out);
      return;
    }
    case Kind::kNeg:
      out->push_back('-');
      RenderOperand(e, n.kids[0], 4, out);
      return;
    case Kind::kFunc:
      absl::StrAppend(out, n.name, "(");
      RenderJoined(e, n.kids, ",", out);
      out->push_back(')');
      return;
    case Kind::kRelation:
      Render(e, n.kids[0], out);
      absl::StrAppend(out, n.name == "in" ? " in " : n.name);
      Render(e, n.kids[1], out);
      return;
    case Kind::kTuple:
      out->push_back(n.open);
      RenderJoined(e, n.kids, ",", out);
      out->push_back(n.close);
      return;
    case Kind::kSet:
      out->push_back('{');
      RenderJoined(e, n.kids, ",", out);
      out->push_back('}');
      return;
    case Kind::kList:
      RenderJoined(e, n.kids, n.name == "chain" ? " and " : n.name == "or" ? " or " : ", ", out);
      return;
    case Kind::kUnion:
      RenderJoined(e, n.kids, " U ", out);
      return;
    case Kind::kRatio:
      RenderJoined(e, n.kids, ":", out);
      return;
    case Kind::kMatrix:
      out->push_back('[');
      for (int r = 0; r < n.rows; ++r) {
        if (r > 0) out->push_back(',');
        out->push_back('[');
        for (int c = 0; c < n.cols; ++c) {
          if (c > 0) out->push_back(',');
          Render(e, n.kids[static_cast<size_t>(r * n.cols + c)], out);
        }
        out->push_back(']');
      }
      out->push_back(']');
      return;
  }
}

}  // namespace

// Multiple-choice answer: a single letter A-E, optionally in parentheses ("(c)" too) or closed by one ("B)").
bool ChoiceLetter(absl::string_view s, char* letter) {
  s = absl::StripAsciiWhitespace(s);
  if (s.size() == 2 && s[1] == ')') s.remove_suffix(1);
  if (s.size() == 3 && s[0] == '(' && s[2] == ')' && IsLetter(s[1])) {
    char c = absl::ascii_toupper(s[1]);
    if (c >= 'A' && c <= 'E') {
      *letter = c;
      return true;
    }
  }
  if (s.size() == 1 && s[0] >= 'A' && s[0] <= 'E') {
    *letter = s[0];
    return true;
  }
  return false;
}

bool IsGreekLetter(absl::string_view name) {
  for (absl::string_view g : kGreekLetters) {
    if (name == g) return true;
  }
  return false;
}

namespace {

// Length of the choice that opens `s` before its value: "(B)", "B)", "B:" or "(B):" ("(B) 12", "B: 12"), else 0.
// After a colon the value must follow a space and start like a number ("A:B" and "A: B" stay ratios).
size_t ChoiceHead(absl::string_view s, char* letter) {
  size_t head = s.substr(0, 1) == "(" ? 3 : 2;
  if (head > s.size() || (head == 2 && s[1] != ')' && s[1] != ':')) return 0;
  if (!ChoiceLetter(s.substr(0, head == 2 && s[1] == ':' ? 1 : head), letter)) return 0;
  if (head == 3 && s.substr(3, 1) == ":") ++head;
  if (s[head - 1] == ':' && (s.substr(head, 1) != " " || head + 1 >= s.size() ||
                             !(IsDigit(s[head + 1]) || s[head + 1] == '-' || s[head + 1] == '\\'))) {
    return 0;
  }
  return head;
}

}  // namespace

absl::StatusOr<Expr> Parse(absl::string_view canonical, const ParseLimits& limits) {
  canonical = absl::StripAsciiWhitespace(canonical);
  if (canonical.empty()) return absl::InvalidArgumentError("empty answer");
  char letter = 0;
  // "option B", "Choice (C) 15", "option D: 15": the word only names what the letter is.
  for (absl::string_view word : {"option ", "choice "}) {
    if (!absl::StartsWithIgnoreCase(canonical, word)) continue;
    const absl::string_view rest = canonical.substr(word.size());
    if (ChoiceLetter(rest, &letter) || ChoiceHead(rest, &letter) > 0) canonical = rest;
  }
  if (ChoiceLetter(canonical, &letter)) {
    Expr e;
    e.nodes.push_back(Node{Kind::kChoice, std::string(1, letter), Rational(), {}});
    e.root = 0;
    return e;
  }
  // "(B) 12", "B) 12", "C: 15": a choice followed by its value; the value is kept as the choice's only kid.
  if (const size_t head = ChoiceHead(canonical, &letter); head > 0 && canonical.size() > head) {
    absl::string_view rest = absl::StripAsciiWhitespace(canonical.substr(head));
    // Not Parse(): "(A)(B)(C)..." must not recurse once per letter.
    absl::StatusOr<Expr> value = LooksLikeText(rest) ? TextExpr(rest) : Parser(rest, limits).Run();
    if (!value.ok()) return value.status();
    Expr e = *std::move(value);
    e.nodes.push_back(Node{Kind::kChoice, std::string(1, letter), Rational(), {e.root}});
    e.root = static_cast<int>(e.nodes.size() - 1);
    return e;
  }
  // "no" is the one two-letter word answer (yes/no questions); other letter pairs ("xy") are products.
  if (LooksLikeText(canonical) || absl::EqualsIgnoreCase(canonical, "no")) return TextExpr(canonical);
  return Parser(canonical, limits).Run();
}

Expr TextExpr(absl::string_view canonical) {
  std::string text;
  for (size_t i = 0; i < canonical.size(); ++i) {
    char c = canonical[i];
    // Sentence punctuation and quotes carry no meaning in a word answer ("Yes!" = "yes", ``odd'' = "odd");
    // a point or comma between digits does ("2.5", "1,5").
    bool between_digits = i > 0 && i + 1 < canonical.size() && IsDigit(canonical[i - 1]) && IsDigit(canonical[i + 1]);
    if (absl::StrContains("\\{}!?;:\"'`", c) || ((c == '.' || c == ',') && !between_digits)) {
      continue;
    }
    if (c == ' ' && (text.empty() || text.back() == ' ')) continue;
    text.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  Expr e;
  e.nodes.push_back(Node{Kind::kText, std::move(text), Rational(), {}});
  e.root = 0;
  return e;
}

void CollectVariables(const Expr& e, int node, std::set<std::string>* out) {
  const Node& n = e.at(node);
  if (n.kind == Kind::kVar) out->insert(n.name);
  if (IsSeries(n)) {  // the index is bound: only the term's other variables and the bounds' are free
    std::set<std::string> term;
    CollectVariables(e, n.kids[0], &term);
    term.erase(e.at(n.kids[3]).name);
    out->insert(term.begin(), term.end());
    CollectVariables(e, n.kids[1], out);
    CollectVariables(e, n.kids[2], out);
    return;
  }
  for (int k : n.kids) CollectVariables(e, k, out);
}

bool IsSeries(const Node& n) { return n.kind == Kind::kFunc && (n.name == "sum" || n.name == "prod"); }

bool IsName(const Expr& e, int node) {
  const Node& n = e.at(node);
  switch (n.kind) {
    case Kind::kVar:
      return true;
    case Kind::kMul:
      return IsName(e, n.kids[0]) && IsName(e, n.kids[1]);
    case Kind::kFunc:
      return n.name == "abs" && IsName(e, n.kids[0]);
    case Kind::kPow: {  // an inverse function's name, f^{-1}
      const Node& p = e.at(n.kids[1]);
      return IsName(e, n.kids[0]) && p.kind == Kind::kNeg && e.at(p.kids[0]).kind == Kind::kNumber &&
             e.at(p.kids[0]).value == Rational(1);
    }
    case Kind::kTuple:
    case Kind::kRatio:
      if (n.kind == Kind::kTuple && (n.open != '(' || n.close != ')')) return false;
      for (int k : n.kids) {
        if (!IsName(e, k)) return false;
      }
      return true;
    default:
      return false;
  }
}

std::string ToString(const Expr& e, int node) {
  std::string out;
  Render(e, node, &out);
  return out;
}

std::string ToString(const Expr& e) { return e.root < 0 ? "" : ToString(e, e.root); }

}  // namespace rlvr::verifier
