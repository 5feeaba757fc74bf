#include "cpp/verifier/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cpp/verifier/realset.h"
#include "cpp/verifier/simplify.h"

namespace rlvr::verifier {
namespace {

// Evaluation points: up to kTrials assignments, at least kMinPoints where both sides are defined.
constexpr int kTrials = 8;
constexpr int kMinPoints = 3;

// A node in one of the two trees.
struct Ref {
  const Expr* e;
  int i;
  const Node& n() const { return e->at(i); }
  Ref kid(size_t k) const { return {e, n().kids[k]}; }
};

void FreeVars(Ref r, std::set<std::string>* out) { CollectVariables(*r.e, r.i, out); }

// Pseudo-random but deterministic (no global RNG: the library is pure): small rationals away from 0 and
// ±1, both signs, keyed by the variable's name so that different names get different values.
Rational PointValue(int trial, absl::string_view var) {
  uint64_t x = 1469598103934665603ull;  // FNV-1a over the name, then the trial
  for (char c : var) x = (x ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  x = (x ^ static_cast<uint64_t>(trial + 1)) * 1099511628211ull;
  x ^= x >> 29;
  x *= 0x9E3779B97F4A7C15ull;
  x ^= x >> 32;
  int64_t num = static_cast<int64_t>(x % 41) - 20;
  if (num >= -1 && num <= 1) num += 7;
  int64_t den = static_cast<int64_t>((x >> 16) % 9) + 2;
  return Rational(BigInt(num), BigInt(den));
}

// Keeps reasons short when values are huge.
std::string Short(std::string s) {
  if (s.size() > 60) s = absl::StrCat(s.substr(0, 57), "...");
  return s;
}

bool IsCollection(Kind k) {
  return k == Kind::kTuple || k == Kind::kSet || k == Kind::kList || k == Kind::kUnion || k == Kind::kMatrix;
}

// Copies the subtree at r into dst; the first kPlusMinus node is written as `pm_as` (kAdd or kSub).
int CopyInto(Expr* dst, Ref r, Kind pm_as, bool* pm_done) {
  Node n = r.n();
  for (size_t k = 0; k < n.kids.size(); ++k) n.kids[k] = CopyInto(dst, r.kid(k), pm_as, pm_done);
  if (n.kind == Kind::kPlusMinus && !*pm_done) {
    n.kind = pm_as;
    *pm_done = true;
  }
  dst->nodes.push_back(std::move(n));
  return static_cast<int>(dst->nodes.size() - 1);
}

bool HasPlusMinus(Ref r) {
  if (r.n().kind == Kind::kPlusMinus) return true;
  for (size_t k = 0; k < r.n().kids.size(); ++k) {
    if (HasPlusMinus(r.kid(k))) return true;
  }
  return false;
}

// "a ± b" stands for the two-element set {a + b, a − b} (first ± only); in a list or set every element is
// expanded: "\pm 2, \pm 3i" is the set {2, −2, 3i, −3i}.
Expr ExpandPlusMinus(const Expr& e) {
  Ref root{&e, e.root};
  bool list = (root.n().kind == Kind::kList && root.n().name != "chain") || root.n().kind == Kind::kSet;
  std::vector<Ref> elements;
  for (size_t k = 0; list && k < root.n().kids.size(); ++k) elements.push_back(root.kid(k));
  if (!list) elements.push_back(root);
  Expr out;
  std::vector<int> items;
  for (const Ref& r : elements) {
    bool done = false;
    items.push_back(CopyInto(&out, r, Kind::kAdd, &done));
    if (!done) continue;  // no ± in this element
    done = false;
    items.push_back(CopyInto(&out, r, Kind::kSub, &done));
  }
  out.nodes.push_back(Node{Kind::kSet, "", Rational(), std::move(items)});
  out.root = static_cast<int>(out.nodes.size() - 1);
  return out;
}

bool IsInequality(const Node& n) {
  return n.kind == Kind::kRelation && (n.name == "<" || n.name == "<=" || n.name == ">" || n.name == ">=");
}

bool HasVars(Ref r) {
  std::set<std::string> vars;
  FreeVars(r, &vars);
  return !vars.empty();
}

// An inequality in one variable as an interval: "x > 3" → (3, ∞), "3 \ge x" → (−∞, 3], "1 < x \le 2" →
// (1, 2]. Returns false if `r` is not of that shape.
bool InequalityAsInterval(Ref r, Expr* out) {
  const Node& n = r.n();
  Ref lo{nullptr, -1}, hi{nullptr, -1};
  bool lo_closed = false, hi_closed = false;
  std::string var;
  auto bound = [&](Ref lhs, const std::string& op, Ref rhs) {
    // Normalise to "lhs < rhs" / "lhs <= rhs".
    bool flip = op == ">" || op == ">=";
    bool closed = op == "<=" || op == ">=";
    Ref small = flip ? rhs : lhs, big = flip ? lhs : rhs;
    if (small.n().kind == Kind::kVar && !HasVars(big)) {
      if (!var.empty() && var != small.n().name) return false;
      var = small.n().name;
      hi = big;
      hi_closed = closed;
      return true;
    }
    if (big.n().kind == Kind::kVar && !HasVars(small)) {
      if (!var.empty() && var != big.n().name) return false;
      var = big.n().name;
      lo = small;
      lo_closed = closed;
      return true;
    }
    return false;
  };
  if (IsInequality(n)) {
    if (!bound(r.kid(0), n.name, r.kid(1))) return false;
  } else if (n.kind == Kind::kList && n.name == "chain" && IsInequality(r.kid(0).n()) &&
             IsInequality(r.kid(1).n())) {
    Ref a = r.kid(0), b = r.kid(1);
    if (!bound(a.kid(0), a.n().name, a.kid(1)) || !bound(b.kid(0), b.n().name, b.kid(1))) return false;
    if (lo.e == nullptr || hi.e == nullptr) return false;  // "x < 1 < 2"-like nonsense
  } else {
    return false;
  }
  bool unused = true;
  auto push = [out](Node node) {
    out->nodes.push_back(std::move(node));
    return static_cast<int>(out->nodes.size() - 1);
  };
  int low = lo.e != nullptr ? CopyInto(out, lo, Kind::kAdd, &unused)
                            : push(Node{Kind::kNeg, "", Rational(), {push(Node{Kind::kInfinity, "", Rational(), {}})}});
  int high = hi.e != nullptr ? CopyInto(out, hi, Kind::kAdd, &unused)
                             : push(Node{Kind::kInfinity, "", Rational(), {}});
  Node tuple{Kind::kTuple, "", Rational(), {low, high}};
  tuple.open = lo_closed ? '[' : '(';
  tuple.close = hi_closed ? ']' : ')';
  out->root = push(std::move(tuple));
  return true;
}

// Significant digits a decimal must give to stand for a value it does not equal exactly (see below).
constexpr int kApproxDigits = 5;

// Does the rational have a finite decimal expansion (its denominator only 2s and 5s)?
bool Terminates(const Rational& q) {
  BigInt d = q.den(), quotient, rest;
  for (int64_t p : {int64_t{1} << 30, int64_t{2}, int64_t{1220703125} /* 5^13 */, int64_t{5}}) {
    while (true) {
      BigInt::DivMod(d, BigInt(p), &quotient, &rest);
      if (!rest.is_zero()) break;
      d = quotient;
    }
  }
  return d.is_one();
}

// A decimal literal d with k places and at least kApproxDigits significant digits equals a value v that has no
// finite decimal expansion (irrational, or 1/7) when it is v rounded or truncated to k places:
// |v − d| ≤ ½·10^-k, or v − d has d's sign and |v − d| < 10^-k. "0.14286" = 1/7 = "0.14285", "50.265" = 16π;
// "0.1429" (4 digits) ≠ 1/7, "3" ≠ π; a value with a finite expansion must be given exactly (0.12501 ≠ 1/8).
bool DecimalApproximates(Ref decimal, const Value& v) {
  bool negative = decimal.n().kind == Kind::kNeg;
  const Node& lit = negative ? decimal.kid(0).n() : decimal.n();
  size_t dot = lit.name.find('.');
  if (lit.kind != Kind::kNumber || lit.base != 10 || dot == std::string::npos ||
      lit.name.find_first_not_of("0123456789.") != std::string::npos) {
    return false;
  }
  size_t first = lit.name.find_first_not_of("0.");
  int significant = 0;
  for (size_t k = first; k < lit.name.size(); ++k) significant += lit.name[k] != '.';
  if (first == std::string::npos || significant < kApproxDigits) return false;
  Rational d = negative ? -lit.value : lit.value;
  BigInt ulp_den;
  BigInt::FromDigits("1" + std::string(lit.name.size() - dot - 1, '0'), 10, &ulp_den);
  Rational ulp(BigInt(1), ulp_den);
  int sign = d.num().is_negative() ? -1 : 1;
  if (v.type == Value::Type::kExact) {
    if (!v.im.is_zero() || Terminates(v.re)) return false;
    Rational diff = v.re - d;
    Rational size = diff.num().is_negative() ? -diff : diff;
    bool rounded = (size + size - ulp).num().is_negative() || size + size == ulp;
    bool truncated = (diff.num().is_negative() ? -1 : 1) == sign && (size - ulp).num().is_negative();
    return rounded || truncated;
  }
  if (v.type != Value::Type::kApprox || v.z.imag() != 0) return false;
  long double diff = v.z.real() - d.ToLongDouble(), unit = ulp.ToLongDouble();
  return std::fabs(diff) <= unit / 2 || ((diff < 0 ? -1 : 1) == sign && std::fabs(diff) < unit);
}

class Comparer {
 public:
  Comparer(int max_exponent_digits, Budget* budget) : max_exp_(max_exponent_digits), budget_(budget) {}

  const std::string& reason() const { return reason_; }

  absl::StatusOr<bool> Eq(Ref a, Ref b) {
    // Matching containers is quadratic: every comparison costs a step so the budget bounds it.
    absl::Status st = budget_->Charge(1);
    if (!st.ok()) return st;
    const Node& na = a.n();
    const Node& nb = b.n();
    // Sets of reals, however written: "|x-1| \le 3" vs "[-2,4]", "[0,2) \cup [2,5]" vs "[0,5]".
    if (WrittenAsRealSet(*a.e, a.i) || WrittenAsRealSet(*b.e, b.i)) {
      absl::StatusOr<int> same = SameSetOfReals(a, b);
      if (!same.ok()) return same.status();
      if (*same >= 0) return *same == 1 || Fail("different sets of real numbers");
    }
    // Symbolic bounds: an inequality against an interval compares as intervals ("x > a" vs "(a, \infty)").
    if (nb.kind == Kind::kTuple || nb.kind == Kind::kUnion) {
      Expr interval;
      if (InequalityAsInterval(a, &interval)) return Eq({&interval, interval.root}, b);
    }
    if (na.kind == Kind::kTuple || na.kind == Kind::kUnion) {
      Expr interval;
      if (InequalityAsInterval(b, &interval)) return Eq(a, {&interval, interval.root});
    }
    // `x = v` (or `x \in S`) against a bare value compares v.
    if (na.kind == Kind::kRelation && nb.kind != Kind::kRelation) return EqAssignment(a, b);
    if (nb.kind == Kind::kRelation && na.kind != Kind::kRelation) return EqAssignment(b, a);
    if (na.kind == Kind::kRelation) return EqRelations(a, b);
    if (na.kind == Kind::kText || nb.kind == Kind::kText) {
      if (na.kind == nb.kind && na.name == nb.name) return true;
      return Fail("text answers differ");
    }
    if (na.kind == Kind::kChoice || nb.kind == Kind::kChoice) {
      // A bare capital letter parsed as a variable still names a choice.
      Ref choice = na.kind == Kind::kChoice ? a : b;
      Ref other = na.kind == Kind::kChoice ? b : a;
      // A lone letter names a choice in any case ("d" = "(D)"; Euler's "e" too: the question offered choices).
      bool letter = other.n().kind == Kind::kVar || (other.n().kind == Kind::kConst && other.n().name == "e");
      if (other.n().kind == Kind::kChoice || letter) {
        if (absl::EqualsIgnoreCase(na.name, nb.name)) return true;
        return Fail("different choices");
      }
      // "(B) 12" against a plain value compares the value.
      if (!choice.n().kids.empty()) return Eq(choice.kid(0), other);
      return Fail("a choice against a value");
    }
    if (na.kind == Kind::kRatio || nb.kind == Kind::kRatio) return EqRatios(a, b);
    bool ca = IsCollection(na.kind), cb = IsCollection(nb.kind);
    if (ca || cb) return EqCollections(a, b);
    return EqScalars(a, b, Rational(1));
  }

  // 1 / 0 when both sides read as sets of reals (at least one written as a set) and they are equal / differ;
  // -1 when that reading does not apply.
  absl::StatusOr<int> SameSetOfReals(Ref a, Ref b) {
    RealSet sa, sb;
    for (auto [r, s] : {std::pair<Ref, RealSet*>{a, &sa}, {b, &sb}}) {
      absl::StatusOr<bool> ok = ToRealSet(*r.e, r.i, max_exp_, budget_, s);
      if (!ok.ok()) return ok.status();
      if (!*ok) return -1;
    }
    if (!sa.written_as_set && !sb.written_as_set) return -1;
    if (!sa.unknown.empty() && !sb.unknown.empty() && sa.unknown != sb.unknown) return 0;
    return SameRealSet(sa, sb) ? 1 : 0;
  }

  // Scalars, the answer scaled by `scale_a` (used for percentages).
  absl::StatusOr<bool> EqScalars(Ref a, Ref b, const Rational& scale_a) {
    std::set<std::string> va, vb;
    FreeVars(a, &va);
    FreeVars(b, &vb);
    // Both sides are evaluated over the union of their variables: "a+b" and "x+y" then differ (values are
    // keyed by name), while a variable that cancels ("x - x + 1" vs "1") does not matter.
    std::set<std::string> all = va;
    all.insert(vb.begin(), vb.end());
    // A base-subscripted literal also matches its own digits written without the base (model dropped "_2").
    if (a.n().kind == Kind::kNumber && b.n().kind == Kind::kNumber && a.n().base != b.n().base &&
        (a.n().base == 10 || b.n().base == 10) && StripZeros(a.n().name) == StripZeros(b.n().name)) {
      return true;
    }
    std::vector<std::string> vars(all.begin(), all.end());
    int agreed = 0;
    for (int t = 0; t < (vars.empty() ? 1 : kTrials); ++t) {
      Bindings bind;
      for (const std::string& v : vars) bind.emplace_back(v, PointValue(t, v));
      absl::StatusOr<Value> x = Evaluate(*a.e, a.i, bind, max_exp_, budget_);
      if (!x.ok()) return x.status();
      absl::StatusOr<Value> y = Evaluate(*b.e, b.i, bind, max_exp_, budget_);
      if (!y.ok()) return y.status();
      if (!x->defined() || !y->defined()) continue;
      Value xs = *x;
      if (scale_a != Rational(1)) {
        if (xs.type == Value::Type::kExact) {
          xs = Value::Exact(xs.re * scale_a, xs.im * scale_a);
        } else if (xs.type == Value::Type::kApprox) {
          xs = Value::Approx(xs.z * scale_a.ToLongDouble());
        }
      }
      bool approximates = vars.empty() && scale_a == Rational(1) &&
                          (DecimalApproximates(a, *y) || DecimalApproximates(b, xs));
      if (!ValuesEqual(xs, *y) && !approximates) {
        if (va != vb) {
          return Fail(absl::StrCat("different variables: {", absl::StrJoin(va, ","), "} vs {",
                                   absl::StrJoin(vb, ","), "}"));
        }
        return Fail(vars.empty() ? absl::StrCat("values differ: ", Short(xs.ToString()), " vs ", Short(y->ToString()))
                                 : "expressions differ at a sample point");
      }
      ++agreed;
    }
    if (agreed > 0 && (vars.empty() || agreed >= kMinPoints)) return true;
    // Nowhere comparable (e.g. both undefined): fall back to identical renderings.
    if (ToString(*a.e, a.i) == ToString(*b.e, b.i)) return true;
    return Fail("could not evaluate both sides at enough points");
  }

 private:
  static absl::string_view StripZeros(absl::string_view s) {
    while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
    return s;
  }

  static bool IsNamed(Ref r) { return IsName(*r.e, r.i); }

  bool Fail(std::string why) {
    if (reason_.empty()) reason_ = std::move(why);
    return false;
  }

  // `lhs = rhs` against a value: the side that names a quantity is the question, the other the answer
  // ("(a,b) = (2,5)", "|PQ| = 5"); else an expression in unknowns equal to a constant answers with the constant
  // ("x + y = 9", "P(A) = 0.7", and "3 + 4 = 7" with its right side).
  // Whether `approx`, a decimal literal with k places (k >= 0), is the constant `exact` rounded or truncated to
  // them: |exact − approx| ≤ ½·10^-k, or exact − approx has approx's sign and is below 10^-k.
  absl::StatusOr<bool> RoundsTo(Ref exact, Ref approx) {
    const bool negative = approx.n().kind == Kind::kNeg;
    const Node& lit = negative ? approx.kid(0).n() : approx.n();
    if (lit.kind != Kind::kNumber || lit.base != 10 || lit.name.empty() ||
        lit.name.find_first_not_of("0123456789.") != std::string::npos) {
      return false;
    }
    const size_t dot = lit.name.find('.');
    const int places = dot == std::string::npos ? 0 : static_cast<int>(lit.name.size() - dot - 1);
    absl::StatusOr<Value> v = Evaluate(*exact.e, exact.i, Bindings(), max_exp_, budget_);
    if (!v.ok()) return v.status();
    if (!v->defined() || v->type == Value::Type::kInfinity || v->AsComplex().imag() != 0) return false;
    const long double a = (negative ? -1 : 1) * lit.value.ToLongDouble(), unit = std::pow(10.0L, -places);
    const long double diff = v->AsComplex().real() - a;
    return std::fabs(diff) <= unit / 2 * (1 + 1e-12L) || ((diff < 0) == (a < 0) && std::fabs(diff) < unit);
  }

  absl::StatusOr<bool> EqAssignment(Ref rel, Ref value) {
    const Node& r = rel.n();
    // "x \approx 3.33" answers with the approximation; "\frac{10}{3} \approx 3.33" with its exact side, or with
    // the approximation when that is the exact side rounded (to its last written digit) and the gold asks for it
    // ("\frac{7}{3} \approx 2.33" = "2.33", "64.75 \approx 65" = "65").
    if (r.name == "~") {
      if (IsNamed(rel.kid(0))) return Eq(rel.kid(1), value);
      absl::StatusOr<bool> exact = Eq(rel.kid(0), value);
      if (!exact.ok() || *exact) return exact;
      absl::StatusOr<bool> rounded = RoundsTo(rel.kid(0), rel.kid(1));
      if (!rounded.ok() || !*rounded) return rounded;
      return Eq(rel.kid(1), value);
    }
    if (r.name == "=" || r.name == "in") {
      if (IsNamed(rel.kid(0))) return Eq(rel.kid(1), value);
    }
    if (r.name == "=") {
      if (IsNamed(rel.kid(1))) return Eq(rel.kid(0), value);
      if (!HasVars(rel.kid(1))) return Eq(rel.kid(1), value);
      if (!HasVars(rel.kid(0))) return Eq(rel.kid(0), value);
      // An identity written out ("(2x+2x) + (9-4) = 4x+5"): its sides agree, so its right side is the answer.
      std::string saved = reason_;
      absl::StatusOr<bool> identity = Eq(rel.kid(0), rel.kid(1));
      reason_ = saved;
      if (!identity.ok()) return identity.status();
      if (*identity) return Eq(rel.kid(1), value);
    }
    return Fail("a relation against a value");
  }

  // Ratios compare as written, part by part ("09:15" = "9:15"; "10:16" ≠ "5:8": a ratio answer is expected in
  // lowest terms, and a:b also writes clock times, where 2:30 ≠ 1:15). A two-part ratio against a number
  // compares its quotient ("5:8" = "\frac58").
  absl::StatusOr<bool> EqRatios(Ref a, Ref b) {
    if (a.n().kind == Kind::kRatio && b.n().kind == Kind::kRatio) return Ordered(Elements(a), Elements(b));
    Ref ratio = a.n().kind == Kind::kRatio ? a : b;
    Ref other = a.n().kind == Kind::kRatio ? b : a;
    if (ratio.n().kids.size() != 2 || IsCollection(other.n().kind) || other.n().kind == Kind::kText) {
      return Fail("a ratio against another kind of answer");
    }
    Expr quotient;
    bool unused = true;
    int num = CopyInto(&quotient, ratio.kid(0), Kind::kAdd, &unused);
    int den = CopyInto(&quotient, ratio.kid(1), Kind::kAdd, &unused);
    quotient.nodes.push_back(Node{Kind::kDiv, "", Rational(), {num, den}});
    quotient.root = static_cast<int>(quotient.nodes.size() - 1);
    return EqScalars({&quotient, quotient.root}, other, Rational(1));
  }

  absl::StatusOr<bool> EqRelations(Ref a, Ref b) {
    std::string oa = a.n().name, ob = b.n().name;
    Ref la = a.kid(0), ra = a.kid(1), lb = b.kid(0), rb = b.kid(1);
    // a > b is b < a.
    if (oa == ">" || oa == ">=") {
      std::swap(la, ra);
      oa = oa == ">" ? "<" : "<=";
    }
    if (ob == ">" || ob == ">=") {
      std::swap(lb, rb);
      ob = ob == ">" ? "<" : "<=";
    }
    if (oa != ob) return Fail("different relations");
    absl::StatusOr<bool> same = Pairwise(la, lb, ra, rb);
    if (!same.ok() || *same) return same;
    if (oa == "=" || oa == "!=") {  // symmetric relations
      absl::StatusOr<bool> swapped = Pairwise(la, rb, ra, lb);
      if (!swapped.ok() || *swapped) return swapped;
    }
    if (oa != "=") return Fail("relations differ");
    absl::StatusOr<bool> scaled = Proportional(la, ra, lb, rb);
    if (!scaled.ok() || *scaled) return scaled;
    for (auto [explicit_l, explicit_r, other_l, other_r] : {std::tuple(la, ra, lb, rb), std::tuple(lb, rb, la, ra)}) {
      for (auto [var, f] : {std::pair(explicit_l, explicit_r), std::pair(explicit_r, explicit_l)}) {
        absl::StatusOr<bool> same = SameSolutions(var, f, other_l, other_r);
        if (!same.ok() || *same) return same;
      }
    }
    return Fail("equations differ");
  }

  // "v = f" (f free of v) against "l = r" in the same variables: g = l − r vanishes on v = f and is affine in v
  // with a non-zero slope there, so v = f is its only solution for v ("xy = 4" vs "y = \frac4x"). Checked at
  // the sample points where f is exact, so v can be bound to it.
  absl::StatusOr<bool> SameSolutions(Ref var, Ref f, Ref l, Ref r) {
    if (var.n().kind != Kind::kVar) return false;
    const std::string& v = var.n().name;
    std::set<std::string> in_f, in_g;
    FreeVars(f, &in_f);
    FreeVars(l, &in_g);
    FreeVars(r, &in_g);
    if (in_f.count(v) != 0 || in_g.count(v) == 0) return false;
    in_f.insert(v);
    if (in_f != in_g) return false;
    Expr g;
    bool unused = true;
    int lhs = CopyInto(&g, l, Kind::kAdd, &unused), rhs = CopyInto(&g, r, Kind::kAdd, &unused);
    g.nodes.push_back(Node{Kind::kSub, "", Rational(), {lhs, rhs}});
    g.root = static_cast<int>(g.nodes.size() - 1);
    int agreed = 0;
    for (int t = 0; t < kTrials; ++t) {
      Bindings bind;
      for (const std::string& x : in_g) {
        if (x != v) bind.emplace_back(x, PointValue(t, x));
      }
      absl::StatusOr<Value> at = Evaluate(*f.e, f.i, bind, max_exp_, budget_);
      if (!at.ok()) return at.status();
      if (at->type != Value::Type::kExact || !at->im.is_zero()) continue;
      // g at v = f, f + 1, f + 2: 0, s, 2s with s ≠ 0.
      Value gv[3];
      bind.emplace_back(v, Rational());
      for (int k = 0; k < 3; ++k) {
        bind.back().second = at->re + Rational(k);
        absl::StatusOr<Value> y = Evaluate(g, g.root, bind, max_exp_, budget_);
        if (!y.ok()) return y.status();
        gv[k] = *y;
      }
      if (!gv[0].defined() || !gv[1].defined() || !gv[2].defined()) continue;
      Value zero = Value::Exact(Rational(0));
      if (!ValuesEqual(gv[0], zero) || ValuesEqual(gv[1], zero) || !ValuesEqual(Twice(gv[1]), gv[2])) return false;
      ++agreed;
    }
    return agreed >= kMinPoints;
  }

  static Value Twice(const Value& x) {
    if (x.type == Value::Type::kExact) return Value::Exact(x.re + x.re, x.im + x.im);
    return Value::Approx(x.z + x.z);
  }

  absl::StatusOr<bool> Pairwise(Ref a1, Ref b1, Ref a2, Ref b2) {
    std::string saved = reason_;
    absl::StatusOr<bool> first = Eq(a1, b1);
    if (!first.ok() || !*first) {
      reason_ = saved;
      return first;
    }
    absl::StatusOr<bool> second = Eq(a2, b2);
    reason_ = saved;
    return second;
  }

  // Equations l1 = r1 and l2 = r2 with the same variables are equivalent when (l1 − r1) / (l2 − r2) is a
  // non-zero constant, e.g. "2x + 2y = 2" and "x + y = 1".
  absl::StatusOr<bool> Proportional(Ref l1, Ref r1, Ref l2, Ref r2) {
    Expr ratio;
    bool unused = true;
    int a = CopyInto(&ratio, l1, Kind::kAdd, &unused);
    int b = CopyInto(&ratio, r1, Kind::kAdd, &unused);
    int c = CopyInto(&ratio, l2, Kind::kAdd, &unused);
    int d = CopyInto(&ratio, r2, Kind::kAdd, &unused);
    auto add = [&ratio](Kind k, int x, int y) {
      ratio.nodes.push_back(Node{k, "", Rational(), {x, y}});
      return static_cast<int>(ratio.nodes.size() - 1);
    };
    int q = add(Kind::kDiv, add(Kind::kSub, a, b), add(Kind::kSub, c, d));
    std::set<std::string> v1, v2;
    FreeVars({&ratio, a}, &v1);
    FreeVars({&ratio, b}, &v1);
    FreeVars({&ratio, c}, &v2);
    FreeVars({&ratio, d}, &v2);
    if (v1 != v2 || v1.empty()) return Fail("equations differ");
    std::vector<std::string> vars(v1.begin(), v1.end());
    Value first;
    int agreed = 0;
    for (int t = 0; t < kTrials; ++t) {
      Bindings bind;
      for (const std::string& v : vars) bind.emplace_back(v, PointValue(t, v));
      absl::StatusOr<Value> v = Evaluate(ratio, q, bind, max_exp_, budget_);
      if (!v.ok()) return v.status();
      if (!v->defined()) continue;
      if (agreed == 0) {
        first = *v;
      } else if (!ValuesEqual(first, *v)) {
        return Fail("equations differ");
      }
      ++agreed;
    }
    if (agreed >= kMinPoints) return true;
    return Fail("equations differ");
  }

  std::vector<Ref> Elements(Ref r) const {
    std::vector<Ref> out;
    for (size_t k = 0; k < r.n().kids.size(); ++k) out.push_back(r.kid(k));
    return out;
  }

  absl::StatusOr<bool> Ordered(const std::vector<Ref>& xs, const std::vector<Ref>& ys) {
    if (xs.size() != ys.size()) return Fail(absl::StrCat("different lengths: ", xs.size(), " vs ", ys.size()));
    for (size_t k = 0; k < xs.size(); ++k) {
      absl::StatusOr<bool> eq = Eq(xs[k], ys[k]);
      if (!eq.ok() || !*eq) return eq;
    }
    return true;
  }

  // Every element of xs equals some element of ys; with `bijective`, a one-to-one matching of equal sizes.
  absl::StatusOr<bool> Covers(const std::vector<Ref>& xs, const std::vector<Ref>& ys, bool bijective) {
    std::vector<bool> used(ys.size(), false);
    for (const Ref& x : xs) {
      bool found = false;
      for (size_t k = 0; k < ys.size() && !found; ++k) {
        if (bijective && used[k]) continue;
        std::string saved = reason_;
        absl::StatusOr<bool> eq = Eq(x, ys[k]);
        reason_ = saved;
        if (!eq.ok()) return eq.status();
        if (*eq) {
          found = true;
          used[k] = true;
        }
      }
      if (!found) return Fail(absl::StrCat("no match for element ", Short(ToString(*x.e, x.i))));
    }
    return true;
  }

  absl::StatusOr<bool> Unordered(const std::vector<Ref>& xs, const std::vector<Ref>& ys, bool multiset) {
    if (multiset) {
      if (xs.size() != ys.size()) return Fail(absl::StrCat("different sizes: ", xs.size(), " vs ", ys.size()));
      return Covers(xs, ys, true);
    }
    absl::StatusOr<bool> there = Covers(xs, ys, false);
    if (!there.ok() || !*there) return there;
    return Covers(ys, xs, false);
  }

  static bool IsVector(const Node& n) { return n.kind == Kind::kMatrix && (n.rows == 1 || n.cols == 1); }

  absl::StatusOr<bool> EqCollections(Ref a, Ref b) {
    const Node& na = a.n();
    const Node& nb = b.n();
    Kind ka = na.kind, kb = nb.kind;
    if (ka == Kind::kMatrix && kb == Kind::kMatrix) {
      if (na.rows != nb.rows || na.cols != nb.cols) return Fail("matrix shapes differ");
      return Ordered(Elements(a), Elements(b));
    }
    // A vector written as a column/row matrix equals the same tuple "(1, 2, 3)".
    // (Values or solutions joined by "or" are a set of values, not a point.)
    auto plain_tuple = [](const Node& n) {
      return (n.kind == Kind::kTuple && n.open == '(' && n.close == ')') || (n.kind == Kind::kList && n.name != "or");
    };
    if ((IsVector(na) && plain_tuple(nb)) || (IsVector(nb) && plain_tuple(na))) {
      return Ordered(Elements(a), Elements(b));
    }
    if (ka == Kind::kTuple && kb == Kind::kTuple) {
      if (na.open != nb.open || na.close != nb.close) {
        return Fail(absl::StrCat("different brackets: ", std::string(1, na.open), std::string(1, na.close), " vs ",
                                 std::string(1, nb.open), std::string(1, nb.close)));
      }
      return Ordered(Elements(a), Elements(b));
    }
    // A bare list against a point: the model dropped the parentheses; order still matters.
    if ((ka == Kind::kTuple && plain_tuple(na) && plain_tuple(nb)) ||
        (kb == Kind::kTuple && plain_tuple(nb) && plain_tuple(na))) {
      return Ordered(Elements(a), Elements(b));
    }
    if (ka == Kind::kList && kb == Kind::kList) return Unordered(Elements(a), Elements(b), true);
    if ((ka == Kind::kSet || ka == Kind::kList) && (kb == Kind::kSet || kb == Kind::kList)) {
      return Unordered(Elements(a), Elements(b), false);
    }
    if (ka == Kind::kUnion || kb == Kind::kUnion) {
      std::vector<Ref> xs = ka == Kind::kUnion ? Elements(a) : std::vector<Ref>{a};
      std::vector<Ref> ys = kb == Kind::kUnion ? Elements(b) : std::vector<Ref>{b};
      return Unordered(xs, ys, true);
    }
    // A one-element set against its element: "\{5\}" vs "5".
    if (ka == Kind::kSet && na.kids.size() == 1 && !IsCollection(kb)) return Eq(a.kid(0), b);
    if (kb == Kind::kSet && nb.kids.size() == 1 && !IsCollection(ka)) return Eq(a, b.kid(0));
    return Fail("different kinds of answer");
  }

  int max_exp_;
  Budget* budget_;
  std::string reason_;
};

}  // namespace

namespace {

// The parts of a clock time "H:MM" / "H:MM:SS" (or a bare hour "H") written as digits; empty otherwise.
std::vector<int64_t> ClockParts(Ref r) {
  std::vector<Ref> parts = r.n().kind == Kind::kRatio ? std::vector<Ref>() : std::vector<Ref>{r};
  for (size_t k = 0; k < r.n().kids.size() && r.n().kind == Kind::kRatio; ++k) parts.push_back(r.kid(k));
  std::vector<int64_t> out;
  for (Ref p : parts) {
    const Node& n = p.n();
    // The hour has one or two digits, minutes and seconds two ("8:05", not "8:5").
    const size_t digits = out.empty() ? n.name.size() : 2;
    if (n.kind != Kind::kNumber || n.base != 10 || n.name.empty() || n.name.size() > 2 || n.name.size() != digits ||
        n.name.find_first_not_of("0123456789") != std::string::npos) {
      return {};
    }
    out.push_back(std::stoll(n.name));
  }
  return out.size() <= 3 ? out : std::vector<int64_t>();
}

// A time given with a meridiem (in 24-hour form, `clock`) against one written without (`bare`): the bare time
// may be 12-hour notation when its hour is 1-12, so that hour counts modulo 12 ("8:34" = "8:34 p.m." = "20:34",
// "8" = "8 p.m."); hours 0 and 13-23 are 24-hour notation, compared as written ("0:05" ≠ "12:05 p.m.").
bool SameClockTime(Ref clock, Ref bare) {
  std::vector<int64_t> c = ClockParts(clock), b = ClockParts(bare);
  if (c.size() < 2 || b.empty() || b[0] < 1 || b[0] > 12) return false;
  while (b.size() < c.size()) b.push_back(0);
  if (b.size() != c.size()) return false;
  for (size_t k = 1; k < c.size(); ++k) {
    if (b[k] != c[k]) return false;
  }
  return c[0] % 12 == b[0] % 12;
}

// Both trees as given (after ± expansion and matrix arithmetic), with the percent and clock-time readings.
absl::StatusOr<Comparison> CompareTrees(const Expr* a, const Expr* b, const Side& answer, const Side& gold,
                                        int max_exponent_digits, Budget* budget) {
  const bool a_percent = answer.percent, b_percent = gold.percent;
  Comparer cmp(max_exponent_digits, budget);
  absl::StatusOr<bool> eq = cmp.Eq({a, a->root}, {b, b->root});
  if (!eq.ok()) return eq.status();
  if (!*eq && answer.meridiem != gold.meridiem &&
      (answer.meridiem ? SameClockTime({a, a->root}, {b, b->root}) : SameClockTime({b, b->root}, {a, a->root}))) {
    return Comparison{true, ""};
  }
  // p% means p/100: "50\%" matches "0.5" (and "50", above, because the sign is dropped). For scalars only.
  const Rational hundredth(BigInt(1), BigInt(100));
  // Whether `x` read as x/100 equals `y` (both scalars).
  auto percent_equal = [&](Comparer* cmp, Ref x, Ref y) -> absl::StatusOr<bool> {
    for (Ref r : {x, y}) {
      if (IsCollection(r.n().kind) || r.n().kind == Kind::kText || r.n().kind == Kind::kRelation) return false;
    }
    return cmp->EqScalars(x, y, hundredth);
  };
  if (!*eq && a_percent != b_percent) {
    Comparer scaled(max_exponent_digits, budget);
    absl::StatusOr<bool> eq2 = a_percent ? percent_equal(&scaled, {a, a->root}, {b, b->root})
                                         : percent_equal(&scaled, {b, b->root}, {a, a->root});
    if (!eq2.ok()) return eq2.status();
    if (*eq2) return Comparison{true, ""};
  }
  if (*eq) return Comparison{true, ""};
  // Values joined by "or" that are not the gold as a list ("-2 or -12" = "-12, -2") are forms of one value when
  // each equals the gold ("28 or 28_9", "-b+2 or 2-b"); else they are several answers where one is due.
  Ref ra{a, a->root};
  if (ra.n().kind == Kind::kList && ra.n().name == "or") {
    Comparer each(max_exponent_digits, budget);
    for (size_t k = 0; k < ra.n().kids.size(); ++k) {
      absl::StatusOr<bool> part = each.Eq(ra.kid(k), {b, b->root});
      if (!part.ok()) return part.status();
      // "\frac14, or 25\%": the percent reading applies to each form (which of them carried the sign is not
      // known, so either side may be read as a percentage).
      if (!*part && a_percent) part = percent_equal(&each, ra.kid(k), {b, b->root});
      if (part.ok() && !*part && b_percent) part = percent_equal(&each, {b, b->root}, ra.kid(k));
      if (!part.ok()) return part.status();
      if (!*part) {
        return Comparison{false, absl::StrCat("the answer joins by 'or' values that are not all the gold (",
                                              Short(ToString(*a, ra.n().kids[k])), ")")};
      }
    }
    return Comparison{true, ""};
  }
  return Comparison{false, cmp.reason().empty() ? "not equivalent" : cmp.reason()};
}

}  // namespace

absl::StatusOr<Comparison> Equivalent(const Side& answer, const Side& gold, int max_exponent_digits,
                                      Budget* budget) {
  Expr expanded_a, expanded_b, spread_a, spread_b;
  const Expr* a = answer.expr;
  const Expr* b = gold.expr;
  if (HasPlusMinus({a, a->root})) {
    expanded_a = ExpandPlusMinus(*a);
    a = &expanded_a;
  }
  if (HasPlusMinus({b, b->root})) {
    expanded_b = ExpandPlusMinus(*b);
    b = &expanded_b;
  }
  if (DistributeOverMatrices(*a, &spread_a)) a = &spread_a;
  if (DistributeOverMatrices(*b, &spread_b)) b = &spread_b;
  absl::StatusOr<Comparison> c = CompareTrees(a, b, answer, gold, max_exponent_digits, budget);
  if (c.ok() || c.status().code() != absl::StatusCode::kOutOfRange) return c;
  // A size bound was hit: retry once with identical terms cancelled ("7^{10^{12}} - 7^{10^{12}} + 3" is 3).
  Expr cancelled_a, cancelled_b;
  bool fewer_a = CancelIdenticalTerms(*a, &cancelled_a), fewer_b = CancelIdenticalTerms(*b, &cancelled_b);
  if (!fewer_a && !fewer_b) return c;
  return CompareTrees(fewer_a ? &cancelled_a : a, fewer_b ? &cancelled_b : b, answer, gold, max_exponent_digits,
                      budget);
}

}  // namespace rlvr::verifier
