#include "cpp/verifier/realset.h"

#include <algorithm>
#include <set>
#include <utility>

namespace rlvr::verifier {
namespace {

// ---- Real endpoints: exact while both operands are, else long double ----

long double AsDouble(const Real& r) { return r.exact ? r.q.ToLongDouble() : r.d; }

Real Infinite(int sign) {
  Real r;
  r.inf = sign;
  return r;
}

Real Approx(long double d) {
  Real r;
  r.exact = false;
  r.d = d;
  return r;
}

int Sign(const Rational& q) { return q.is_zero() ? 0 : q.num().is_negative() ? -1 : 1; }

int Cmp(const Real& a, const Real& b) {
  if (a.inf != 0 || b.inf != 0) return a.inf == b.inf ? 0 : a.inf < b.inf ? -1 : 1;
  if (a.exact && b.exact) return Sign(a.q - b.q);
  long double x = AsDouble(a), y = AsDouble(b);
  if (ValuesEqual(Value::Approx({x, 0}), Value::Approx({y, 0}))) return 0;
  return x < y ? -1 : 1;
}

int SignOf(const Real& r) { return r.inf != 0 ? r.inf : Cmp(r, Real()); }

// Finite operands only (callers map infinities themselves).
Real Sub(const Real& a, const Real& b) {
  if (a.exact && b.exact) return Real{true, a.q - b.q};
  return Approx(AsDouble(a) - AsDouble(b));
}
Real Mul(const Real& a, const Real& b) {
  if (a.exact && b.exact) return Real{true, a.q * b.q};
  return Approx(AsDouble(a) * AsDouble(b));
}
Real Div(const Real& a, const Real& b) {  // b non-zero
  if (a.exact && b.exact) return Real{true, a.q / b.q};
  return Approx(AsDouble(a) / AsDouble(b));
}
Real Neg(const Real& a) {
  if (a.inf != 0) return Infinite(-a.inf);
  if (a.exact) return Real{true, -a.q};
  return Approx(-a.d);
}

bool FromValue(const Value& v, Real* out) {
  switch (v.type) {
    case Value::Type::kExact:
      if (!v.im.is_zero()) return false;
      *out = Real{true, v.re};
      return true;
    case Value::Type::kApprox:
      if (v.z.imag() != 0) return false;
      *out = Approx(v.z.real());
      return true;
    case Value::Type::kInfinity:
      *out = Infinite(v.inf_sign);
      return true;
    default:
      return false;
  }
}

// ---- Interval lists ----

bool Empty(const Interval& i) {
  int c = Cmp(i.lo, i.hi);
  return c > 0 || (c == 0 && !(i.lo_closed && i.hi_closed && i.lo.inf == 0));
}

// Sorted, disjoint, merged where they overlap or touch at a point one of them contains; infinite ends open.
std::vector<Interval> Normalize(std::vector<Interval> parts) {
  std::vector<Interval> kept;
  for (Interval& i : parts) {
    if (i.lo.inf != 0) i.lo_closed = false;
    if (i.hi.inf != 0) i.hi_closed = false;
    if (!Empty(i)) kept.push_back(std::move(i));
  }
  std::sort(kept.begin(), kept.end(), [](const Interval& a, const Interval& b) {
    int c = Cmp(a.lo, b.lo);
    return c != 0 ? c < 0 : a.lo_closed > b.lo_closed;
  });
  std::vector<Interval> out;
  for (Interval& i : kept) {
    if (!out.empty()) {
      Interval& cur = out.back();
      int touch = Cmp(i.lo, cur.hi);
      if (touch < 0 || (touch == 0 && (cur.hi_closed || i.lo_closed))) {
        int c = Cmp(i.hi, cur.hi);
        if (c > 0) {
          cur.hi = i.hi;
          cur.hi_closed = i.hi_closed;
        } else if (c == 0) {
          cur.hi_closed = cur.hi_closed || i.hi_closed;
        }
        continue;
      }
    }
    out.push_back(std::move(i));
  }
  return out;
}

std::vector<Interval> Intersect(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  std::vector<Interval> out;
  for (const Interval& x : a) {
    for (const Interval& y : b) {
      Interval i;
      int lo = Cmp(x.lo, y.lo), hi = Cmp(x.hi, y.hi);
      i.lo = lo >= 0 ? x.lo : y.lo;
      i.lo_closed = lo > 0 ? x.lo_closed : lo < 0 ? y.lo_closed : x.lo_closed && y.lo_closed;
      i.hi = hi <= 0 ? x.hi : y.hi;
      i.hi_closed = hi < 0 ? x.hi_closed : hi > 0 ? y.hi_closed : x.hi_closed && y.hi_closed;
      out.push_back(std::move(i));
    }
  }
  return Normalize(std::move(out));
}

Interval Make(Real lo, bool lo_closed, Real hi, bool hi_closed) {
  return Interval{std::move(lo), std::move(hi), lo_closed, hi_closed};
}

// {t : t op c} for op in <, <=, >, >=, != (two rays).
std::vector<Interval> HalfLine(const std::string& op, const Real& c) {
  if (op == "!=") return {Make(Infinite(-1), false, c, false), Make(c, false, Infinite(1), false)};
  if (op == "<" || op == "<=") return {Make(Infinite(-1), false, c, op == "<=")};
  return {Make(c, op == ">=", Infinite(1), false)};
}

// {t : |t| op c}.
std::vector<Interval> AbsSet(const std::string& op, const Real& c) {
  bool closed = op == "<=" || op == ">=";
  if (op == "<" || op == "<=") return {Make(Neg(c), closed, c, closed)};  // empty when c < 0 (or c = 0, open)
  if (SignOf(c) < 0) return {Make(Infinite(-1), false, Infinite(1), false)};
  return {Make(Infinite(-1), false, Neg(c), closed), Make(c, closed, Infinite(1), false)};
}

// The preimage of t-intervals under t = a x + b (a non-zero): x = (t − b) / a, flipped when a < 0.
std::vector<Interval> Preimage(const std::vector<Interval>& ts, const Real& a, const Real& b) {
  bool flip = SignOf(a) < 0;
  auto map = [&](const Real& t) { return t.inf != 0 ? Infinite(flip ? -t.inf : t.inf) : Div(Sub(t, b), a); };
  std::vector<Interval> out;
  for (const Interval& i : ts) {
    if (flip) {
      out.push_back(Make(map(i.hi), i.hi_closed, map(i.lo), i.lo_closed));
    } else {
      out.push_back(Make(map(i.lo), i.lo_closed, map(i.hi), i.hi_closed));
    }
  }
  return out;
}

std::string Flipped(const std::string& op) {
  return op == "<" ? ">" : op == "<=" ? ">=" : op == ">" ? "<" : op == ">=" ? "<=" : op;
}

class Reader {
 public:
  Reader(const Expr& e, int max_exponent_digits, Budget* budget)
      : e_(e), max_exp_(max_exponent_digits), budget_(budget) {}

  absl::StatusOr<bool> Read(int node, RealSet* out) {
    const Node& n = e_.at(node);
    switch (n.kind) {
      case Kind::kTuple:
        return IntervalTuple(n, out);
      case Kind::kUnion:
        return Union(n, out);
      case Kind::kSet:
        return Points(n.kids, out);
      case Kind::kList:
        if (n.name == "chain") return Chain(n, out);
        // "x = 1 or x = 4" are solutions; "-2 or -12" (values joined by "or") are points like "-2, -12".
        if (n.name == "or" && e_.at(n.kids[0]).kind == Kind::kRelation) return Solutions(n, out);
        return Points(n.kids, out);
      case Kind::kRelation:
        if (n.name == "in") return Membership(n, out);
        if (n.name == "=" || n.name == "~") return false;
        return Inequality(n, out);
      default:
        return false;
    }
  }

 private:
  bool HasVars(int node) const {
    std::set<std::string> vars;
    CollectVariables(e_, node, &vars);
    return !vars.empty();
  }

  // Value of a constant real expression (±∞ allowed); false if symbolic, complex or undefined.
  absl::StatusOr<bool> Constant(int node, const Bindings& vars, Real* out) {
    if (vars.empty() && HasVars(node)) return false;
    absl::StatusOr<Value> v = Evaluate(e_, node, vars, max_exp_, budget_);
    if (!v.ok()) return v.status();
    return FromValue(*v, out);
  }

  absl::StatusOr<bool> IntervalTuple(const Node& n, RealSet* out) {
    if (n.kids.size() != 2) return false;
    Real lo, hi;
    for (auto [k, r] : {std::pair<int, Real*>{n.kids[0], &lo}, {n.kids[1], &hi}}) {
      absl::StatusOr<bool> ok = Constant(k, Bindings(), r);
      if (!ok.ok() || !*ok) return ok;
    }
    if (Cmp(lo, hi) > 0) return false;  // (3, -1) is a point, not an interval
    out->parts = {Make(lo, n.open == '[', hi, n.close == ']')};
    out->written_as_set = (n.open == '[') != (n.close == ']') || lo.inf != 0 || hi.inf != 0;
    return true;
  }

  absl::StatusOr<bool> Points(const std::vector<int>& kids, RealSet* out) {
    for (int k : kids) {
      Real p;
      absl::StatusOr<bool> ok = Constant(k, Bindings(), &p);
      if (!ok.ok()) return ok.status();
      if (!*ok || p.inf != 0) return false;
      out->parts.push_back(Make(p, true, p, true));
    }
    return true;
  }

  // "x = 1 or x = 4": the points 1 and 4 of x.
  absl::StatusOr<bool> Solutions(const Node& n, RealSet* out) {
    for (int k : n.kids) {
      const Node& rel = e_.at(k);
      int side = e_.at(rel.kids[0]).kind == Kind::kVar ? 0 : 1;
      RealSet point;
      absl::StatusOr<bool> ok = Points({rel.kids[static_cast<size_t>(1 - side)]}, &point);
      if (!ok.ok()) return ok.status();
      if (!*ok || !Join(e_.at(rel.kids[static_cast<size_t>(side)]).name, out)) return false;
      out->parts.push_back(point.parts[0]);
    }
    return true;
  }

  // Records the unknown a part constrains; false if it differs from one seen before.
  static bool Join(const std::string& unknown, RealSet* out) {
    if (!out->unknown.empty() && !unknown.empty() && out->unknown != unknown) return false;
    if (!unknown.empty()) out->unknown = unknown;
    return true;
  }

  absl::StatusOr<bool> Union(const Node& n, RealSet* out) {
    for (int k : n.kids) {
      RealSet part;
      absl::StatusOr<bool> ok = Read(k, &part);
      if (!ok.ok()) return ok.status();
      if (!*ok || !Join(part.unknown, out)) return false;
      out->parts.insert(out->parts.end(), part.parts.begin(), part.parts.end());
    }
    out->written_as_set = true;
    return true;
  }

  // "x \in [1, 3]": the set, constraining x.
  absl::StatusOr<bool> Membership(const Node& n, RealSet* out) {
    if (!IsName(e_, n.kids[0])) return false;
    absl::StatusOr<bool> ok = Read(n.kids[1], out);
    if (!ok.ok() || !*ok) return ok;
    out->unknown = ToString(e_, n.kids[0]);
    out->written_as_set = true;
    return true;
  }

  // "1 < x \le 3": both inequalities about the same unknown, intersected.
  absl::StatusOr<bool> Chain(const Node& n, RealSet* out) {
    RealSet first, second;
    for (auto [k, s] : {std::pair<int, RealSet*>{n.kids[0], &first}, {n.kids[1], &second}}) {
      const Node& rel = e_.at(k);
      if (rel.kind != Kind::kRelation) return false;
      absl::StatusOr<bool> ok = Inequality(rel, s);
      if (!ok.ok() || !*ok) return ok;
    }
    if (first.unknown != second.unknown) return false;
    *out = std::move(first);
    out->parts = Intersect(Normalize(std::move(out->parts)), Normalize(std::move(second.parts)));
    return true;
  }

  // "E op c" (or "c op E") with E linear or |linear| in one variable, or E a name such as g(x).
  absl::StatusOr<bool> Inequality(const Node& n, RealSet* out) {
    if (n.name != "<" && n.name != "<=" && n.name != ">" && n.name != ">=" && n.name != "!=") return false;
    bool left = HasVars(n.kids[0]);
    if (left == HasVars(n.kids[1])) return false;
    int expr = n.kids[left ? 0 : 1];
    std::string op = left ? n.name : Flipped(n.name);
    Real c;
    absl::StatusOr<bool> ok = Constant(n.kids[left ? 1 : 0], Bindings(), &c);
    if (!ok.ok()) return ok.status();
    if (!*ok || c.inf != 0) return false;
    out->written_as_set = true;
    std::set<std::string> vars;
    CollectVariables(e_, expr, &vars);
    if (vars.size() == 1) {
      const std::string& x = *vars.begin();
      const Node& en = e_.at(expr);
      bool abs = en.kind == Kind::kFunc && en.name == "abs" && op != "!=";
      Real a, b;
      absl::StatusOr<bool> linear = Linear(abs ? en.kids[0] : expr, x, &a, &b);
      if (!linear.ok()) return linear.status();
      if (*linear) {
        out->unknown = x;
        out->parts = Preimage(abs ? AbsSet(op, c) : HalfLine(op, c), a, b);
        return true;
      }
    }
    if (!IsName(e_, expr)) return false;
    out->unknown = ToString(e_, expr);
    out->parts = HalfLine(op, c);
    return true;
  }

  // Is `node` a x + b in x (a ≠ 0)? Checked at four points, exactly where the values are exact.
  absl::StatusOr<bool> Linear(int node, const std::string& x, Real* a, Real* b) {
    static const int kAt[][2] = {{0, 1}, {1, 1}, {7, 3}, {-5, 2}};
    Real y[4];
    for (int k = 0; k < 4; ++k) {
      Bindings at{{x, Rational(BigInt(kAt[k][0]), BigInt(kAt[k][1]))}};
      absl::StatusOr<bool> ok = Constant(node, at, &y[k]);
      if (!ok.ok()) return ok.status();
      if (!*ok || y[k].inf != 0) return false;
    }
    *b = y[0];
    *a = Sub(y[1], y[0]);
    if (SignOf(*a) == 0) return false;
    for (int k = 2; k < 4; ++k) {
      Real t{true, Rational(BigInt(kAt[k][0]), BigInt(kAt[k][1]))};
      if (Cmp(Sub(y[k], Mul(*a, t)), *b) != 0) return false;
    }
    return true;
  }

  const Expr& e_;
  int max_exp_;
  Budget* budget_;
};

bool SameEnd(const Real& a, bool a_closed, const Real& b, bool b_closed) {
  return Cmp(a, b) == 0 && a_closed == b_closed;
}

}  // namespace

bool WrittenAsRealSet(const Expr& e, int node) {
  const Node& n = e.at(node);
  switch (n.kind) {
    case Kind::kUnion:
      return true;
    case Kind::kList:
      return n.name == "chain";
    case Kind::kRelation:
      return n.name == "<" || n.name == "<=" || n.name == ">" || n.name == ">=" || n.name == "!=" || n.name == "in";
    case Kind::kTuple: {
      if (n.kids.size() != 2) return false;
      if ((n.open == '[') != (n.close == ']')) return true;
      for (int k : n.kids) {
        const Node& end = e.at(k);
        if (end.kind == Kind::kInfinity || (end.kind == Kind::kNeg && e.at(end.kids[0]).kind == Kind::kInfinity)) {
          return true;
        }
      }
      return false;
    }
    default:
      return false;
  }
}

absl::StatusOr<bool> ToRealSet(const Expr& e, int node, int max_exponent_digits, Budget* budget, RealSet* out) {
  *out = RealSet();
  absl::StatusOr<bool> ok = Reader(e, max_exponent_digits, budget).Read(node, out);
  if (ok.ok() && *ok) out->parts = Normalize(std::move(out->parts));
  return ok;
}

bool SameRealSet(const RealSet& a, const RealSet& b) {
  if (a.parts.size() != b.parts.size()) return false;
  for (size_t k = 0; k < a.parts.size(); ++k) {
    const Interval &x = a.parts[k], &y = b.parts[k];
    if (!SameEnd(x.lo, x.lo_closed, y.lo, y.lo_closed) || !SameEnd(x.hi, x.hi_closed, y.hi, y.hi_closed)) return false;
  }
  return true;
}

}  // namespace rlvr::verifier
