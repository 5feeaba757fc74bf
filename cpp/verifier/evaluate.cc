#include "cpp/verifier/evaluate.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace rlvr::verifier {
namespace {

using C = std::complex<long double>;
constexpr long double kPi = 3.141592653589793238462643383279502884L;
constexpr long double kE = 2.718281828459045235360287471352662498L;

int64_t Limbs(const Rational& r) { return r.bits() / 32 + 1; }

Value FromApprox(C z) {
  if (!std::isfinite(z.real()) || !std::isfinite(z.imag())) return Value::Undefined();
  return Value::Approx(z);
}

// Keeps exact results exact while they stay small; larger ones continue as long double.
Value Capped(Rational re, Rational im) {
  if (re.bits() + im.bits() > kMaxExactBits) return FromApprox(C(re.ToLongDouble(), im.ToLongDouble()));
  return Value::Exact(std::move(re), std::move(im));
}

bool IsReal(const Value& v) { return v.type == Value::Type::kExact && v.im.is_zero(); }

// Exact integer root of a non-negative integer when it is a perfect q-th power (values up to 2^62).
bool PerfectRoot(const BigInt& x, int64_t q, BigInt* root) {
  int64_t v = 0;
  if (x.is_negative() || x.bits() > 62 || !x.ToInt64(&v)) return false;
  if (v <= 1) {  // 0 and 1 are their own roots (and the loop below would never grow p)
    *root = x;
    return true;
  }
  if (q >= 63) return false;  // 2^63 > v: no integer root >= 2
  int64_t guess = std::llround(std::pow(static_cast<long double>(v), 1.0L / static_cast<long double>(q)));
  for (int64_t r = guess > 0 ? guess - 1 : 0; r <= guess + 1; ++r) {
    __int128 p = 1;
    for (int64_t k = 0; k < q && p <= v; ++k) p *= r;
    if (p == v) {
      *root = BigInt(r);
      return true;
    }
  }
  return false;
}

class Evaluator {
 public:
  Evaluator(const Expr& e, const Bindings& vars, int max_exponent_digits, Budget* budget)
      : e_(e), vars_(vars), budget_(budget), max_exponent_digits_(max_exponent_digits) {
    exponent_bound_ = 1;
    for (int k = 0; k < max_exponent_digits && k < 18; ++k) exponent_bound_ *= 10;
  }

  absl::StatusOr<Value> Eval(int i) {
    absl::Status st = budget_->Charge(1);
    if (!st.ok()) return st;
    const Node& n = e_.at(i);
    switch (n.kind) {
      case Kind::kNumber:
        return Value::Exact(n.value);
      case Kind::kVar:
        for (const auto& [name, value] : vars_) {
          if (name == n.name) return Value::Exact(value);
        }
        return Value::Undefined();
      case Kind::kConst:
        if (n.name == "pi") return Value::Approx(C(kPi, 0));
        if (n.name == "e") return Value::Approx(C(kE, 0));
        return Value::Exact(Rational(0), Rational(1));  // i
      case Kind::kInfinity: {
        Value v;
        v.type = Value::Type::kInfinity;
        v.inf_sign = 1;
        return v;
      }
      case Kind::kNeg: {
        absl::StatusOr<Value> a = Eval(n.kids[0]);
        if (!a.ok()) return a.status();
        return Neg(*a);
      }
      case Kind::kAdd:
      case Kind::kSub:
      case Kind::kMul:
      case Kind::kDiv:
      case Kind::kPow: {
        absl::StatusOr<Value> a = Eval(n.kids[0]);
        if (!a.ok()) return a.status();
        // 1 to any power is 1, even one too large to evaluate (1^{10^{10^{10}}}).
        if (n.kind == Kind::kPow && IsReal(*a) && a->re == Rational(1)) return *a;
        absl::StatusOr<Value> b = Eval(n.kids[1]);
        if (!b.ok()) return b.status();
        if (!a->defined() || !b->defined()) return Value::Undefined();
        if (n.kind == Kind::kPow) return Pow(*a, *b);
        return Arith(n.kind, *a, *b);
      }
      case Kind::kFunc:
        return Func(n);
      default:
        return Value::Undefined();  // tuples, sets, relations, text: not scalars
    }
  }

 private:
  static Value Neg(const Value& a) {
    switch (a.type) {
      case Value::Type::kExact: return Value::Exact(-a.re, -a.im);
      case Value::Type::kApprox: return Value::Approx(-a.z);
      case Value::Type::kInfinity: {
        Value v = a;
        v.inf_sign = -v.inf_sign;
        return v;
      }
      default: return a;
    }
  }

  absl::StatusOr<Value> Arith(Kind k, const Value& a, const Value& b) {
    if (a.type == Value::Type::kInfinity || b.type == Value::Type::kInfinity) return Value::Undefined();
    if (a.type == Value::Type::kExact && b.type == Value::Type::kExact) {
      int64_t cost = Limbs(a.re) + Limbs(a.im) + Limbs(b.re) + Limbs(b.im);
      absl::Status st = budget_->Charge(k == Kind::kAdd || k == Kind::kSub ? cost : cost * cost);
      if (!st.ok()) return st;
      bool real = a.im.is_zero() && b.im.is_zero();
      switch (k) {
        case Kind::kAdd: return Capped(a.re + b.re, a.im + b.im);
        case Kind::kSub: return Capped(a.re - b.re, a.im - b.im);
        case Kind::kMul:
          if (real) return Capped(a.re * b.re, Rational());
          return Capped(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
        default: {  // kDiv
          if (b.re.is_zero() && b.im.is_zero()) return Value::Undefined();
          if (real) return Capped(a.re / b.re, Rational());
          Rational d = b.re * b.re + b.im * b.im;
          return Capped((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
        }
      }
    }
    C x = a.AsComplex(), y = b.AsComplex();
    switch (k) {
      case Kind::kAdd: return FromApprox(x + y);
      case Kind::kSub: return FromApprox(x - y);
      case Kind::kMul: return FromApprox(x * y);
      default:
        if (y == C(0, 0)) return Value::Undefined();
        return FromApprox(x / y);
    }
  }

  absl::Status ExponentTooLarge() const {
    return absl::OutOfRangeError(absl::StrCat("exponent of magnitude >= ", exponent_bound_));
  }

  absl::StatusOr<Value> Pow(const Value& a, const Value& b) {
    if (a.type == Value::Type::kInfinity || b.type == Value::Type::kInfinity) return Value::Undefined();
    // Powers of 0, ±1 and ±i are exact for any exponent size: (−1)^{10^{50}} = 1 costs nothing.
    if (Value v; a.type == Value::Type::kExact && IsReal(b) && UnitPower(a, b.re, &v)) return v;
    if (IsReal(b)) {
      const Rational& r = b.re;
      BigInt bound = BigInt(exponent_bound_) * r.den();
      if (Compare(r.num().Abs(), bound) >= 0) return ExponentTooLarge();
      int64_t p = 0, q = 0;
      r.num().ToInt64(&p);
      r.den().ToInt64(&q);
      if (a.type == Value::Type::kExact) return ExactPow(a, p, q);
      if (q == 1) return FromApprox(std::pow(a.z, static_cast<int>(p)));
    } else if (b.type == Value::Type::kApprox && std::abs(b.z) >= static_cast<long double>(exponent_bound_)) {
      return ExponentTooLarge();
    }
    C x = a.AsComplex(), y = b.AsComplex();
    if (x == C(0, 0)) return y.real() > 0 ? Value::Exact(Rational(0)) : Value::Undefined();
    return FromApprox(std::pow(x, y));
  }

  // a^r for a in {0, 1, −1, i, −i} and a real exact r (an integer unless a is 0 or 1); false otherwise.
  static bool UnitPower(const Value& a, const Rational& r, Value* out) {
    if (a.re.is_zero() && a.im.is_zero()) {
      if (r.num().is_negative() || r.is_zero()) return false;  // 0^0, 0^-n: let Pow say undefined
      *out = Value::Exact(Rational(0));
      return true;
    }
    if (a.im.is_zero() && a.re == Rational(1)) {
      *out = Value::Exact(Rational(1));
      return true;
    }
    bool minus_one = a.im.is_zero() && a.re == Rational(-1);
    bool unit_i = a.re.is_zero() && (a.im == Rational(1) || a.im == Rational(-1));
    if ((!minus_one && !unit_i) || !r.is_integer()) return false;
    BigInt q, m;
    BigInt::DivMod(r.num(), BigInt(4), &q, &m);
    int64_t k = 0;
    m.ToInt64(&k);
    k = (k + 4) % 4;  // r mod 4 in 0..3
    if (minus_one) {
      *out = Value::Exact(Rational(k % 2 == 0 ? 1 : -1));
      return true;
    }
    // i^k cycles 1, i, −1, −i; (−i)^k = i^(−k).
    if (a.im == Rational(-1)) k = (4 - k) % 4;
    static constexpr int kRe[] = {1, 0, -1, 0}, kIm[] = {0, 1, 0, -1};
    *out = Value::Exact(Rational(kRe[k]), Rational(kIm[k]));
    return true;
  }

  // a^(p/q) with a exact; exact result when it exists and stays small.
  absl::StatusOr<Value> ExactPow(const Value& a, int64_t p, int64_t q) {
    if (a.re.is_zero() && a.im.is_zero()) {
      if (p > 0) return Value::Exact(Rational(0));
      return Value::Undefined();  // 0^0 and 0^-n
    }
    Value base = a;
    if (q != 1) {
      // Real q-th root: exact for perfect powers; an odd root of a negative number stays real (∛-8 = -2).
      if (!a.im.is_zero()) return FromApprox(std::pow(a.AsComplex(), C(static_cast<long double>(p) / q, 0)));
      bool neg = a.re.num().is_negative();
      BigInt rn, rd;
      if ((!neg || q % 2 == 1) && PerfectRoot(a.re.num().Abs(), q, &rn) && PerfectRoot(a.re.den(), q, &rd)) {
        base = Value::Exact(Rational(neg ? -rn : rn, rd));
      } else {
        long double mag = std::pow(std::fabs(a.re.ToLongDouble()), 1.0L / q);
        if (!neg) {
          base = Value::Approx(C(mag, 0));
        } else if (q % 2 == 1) {
          base = Value::Approx(C(-mag, 0));
        } else {
          return FromApprox(std::pow(a.AsComplex(), C(static_cast<long double>(p) / q, 0)));
        }
        return FromApprox(std::pow(base.z, static_cast<int>(p)));
      }
    }
    int64_t n = p < 0 ? -p : p;
    int64_t est_bits = (base.re.bits() + (base.im.is_zero() ? 0 : base.im.bits())) * n;
    if (est_bits > kMaxExactBits) {
      return FromApprox(std::pow(base.AsComplex(), static_cast<int>(p)));
    }
    Value result = Value::Exact(Rational(1));
    Value sq = base;
    while (n > 0) {
      if (n & 1) {
        absl::StatusOr<Value> m = Arith(Kind::kMul, result, sq);
        if (!m.ok()) return m.status();
        result = *m;
      }
      n >>= 1;
      if (n > 0) {
        absl::StatusOr<Value> s = Arith(Kind::kMul, sq, sq);
        if (!s.ok()) return s.status();
        sq = *s;
      }
    }
    if (p < 0) return Arith(Kind::kDiv, Value::Exact(Rational(1)), result);
    return result;
  }

  // \sum_{k=a}^{b} t and \prod_{k=a}^{b} t for integer bounds, term by term (each charged to the budget); an
  // empty range is 0 / 1; more than kMaxSeriesTerms terms, or bounds that are not integers, are undefined here.
  absl::StatusOr<Value> Series(const Node& n) {
    constexpr int64_t kMaxSeriesTerms = 10000;
    const bool sum = n.name == "sum";
    absl::StatusOr<Value> lo = Eval(n.kids[1]), hi = lo.ok() ? Eval(n.kids[2]) : lo;
    if (!hi.ok()) return hi.status();
    if (lo->type != Value::Type::kExact || hi->type != Value::Type::kExact || !IsReal(*lo) || !IsReal(*hi) ||
        !lo->re.is_integer() || !hi->re.is_integer()) {
      return Value::Undefined();
    }
    int64_t terms = 0;
    if (!(hi->re - lo->re + Rational(1)).num().ToInt64(&terms) || terms > kMaxSeriesTerms) return Value::Undefined();
    Value acc = Value::Exact(Rational(sum ? 0 : 1));
    Bindings inner = vars_;
    inner.insert(inner.begin(), {e_.at(n.kids[3]).name, lo->re});  // found first: the index shadows
    for (int64_t k = 0; k < terms; ++k) {
      inner.front().second = lo->re + Rational(k);
      absl::StatusOr<Value> term = Evaluator(e_, inner, max_exponent_digits_, budget_).Eval(n.kids[0]);
      if (!term.ok()) return term.status();
      if (!term->defined()) return Value::Undefined();
      absl::StatusOr<Value> next = Arith(sum ? Kind::kAdd : Kind::kMul, acc, *term);
      if (!next.ok()) return next.status();
      acc = *std::move(next);
    }
    return acc;
  }

  absl::StatusOr<Value> Func(const Node& n) {
    if (IsSeries(n)) return Series(n);
    std::vector<Value> args;
    for (int k : n.kids) {
      absl::StatusOr<Value> v = Eval(k);
      if (!v.ok()) return v.status();
      if (!v->defined() || v->type == Value::Type::kInfinity) return Value::Undefined();
      args.push_back(std::move(*v));
    }
    const std::string& f = n.name;
    if (f == "sqrt") return Pow(args[0], Value::Exact(Rational(BigInt(1), BigInt(2))));
    if (f == "root") {
      if (!IsReal(args[1]) || !args[1].re.is_integer() || args[1].re.is_zero()) return Value::Undefined();
      return Pow(args[0], Value::Exact(Rational(BigInt(1), args[1].re.num())));
    }
    if (f == "abs") {
      if (IsReal(args[0])) return Value::Exact(args[0].re.num().is_negative() ? -args[0].re : args[0].re);
      return FromApprox(C(std::abs(args[0].AsComplex()), 0));
    }
    if (f == "fact") return Factorial(args[0]);
    if (f == "floor" || f == "ceil") return Rounded(args[0], f == "floor");
    if (f == "binom") return Binomial(args[0], args[1]);
    C x = args[0].AsComplex();
    if (f == "sin") return FromApprox(std::sin(x));
    if (f == "cos") return FromApprox(std::cos(x));
    if (f == "tan") return FromApprox(std::tan(x));
    if (f == "cot") return FromApprox(C(1, 0) / std::tan(x));
    if (f == "sec") return FromApprox(C(1, 0) / std::cos(x));
    if (f == "csc") return FromApprox(C(1, 0) / std::sin(x));
    if (f == "arcsin") return FromApprox(std::asin(x));
    if (f == "arccos") return FromApprox(std::acos(x));
    if (f == "arctan") return FromApprox(std::atan(x));
    if (f == "sinh") return FromApprox(std::sinh(x));
    if (f == "cosh") return FromApprox(std::cosh(x));
    if (f == "tanh") return FromApprox(std::tanh(x));
    if (f == "exp") {
      if (std::abs(x) >= static_cast<long double>(exponent_bound_)) return ExponentTooLarge();
      return FromApprox(std::exp(x));
    }
    if (f == "ln" || f == "log") {
      if (x == C(0, 0)) return Value::Undefined();
      C l = std::log(x);
      if (args.size() == 2) {  // \log_b x
        C b = args[1].AsComplex();
        if (b == C(0, 0) || b == C(1, 0)) return Value::Undefined();
        l /= std::log(b);
      }
      return FromApprox(l);
    }
    return Value::Undefined();
  }

  // Non-negative integer argument as int64 (else false).
  static bool SmallNatural(const Value& v, int64_t* out) {
    return IsReal(v) && v.re.is_integer() && !v.re.num().is_negative() && v.re.num().ToInt64(out);
  }

  // n! exactly for natural n; Γ(x + 1) for other reals, so "\frac{n!}{(n-2)!}" can be compared at points.
  absl::StatusOr<Value> Factorial(const Value& v) {
    int64_t n = 0;
    if (!SmallNatural(v, &n)) return RealGamma(v, 1);
    if (n > 1754) return Value::Undefined();  // beyond long double range
    BigInt acc(1);
    for (int64_t k = 2; k <= n; ++k) {
      absl::Status st = budget_->Charge(acc.bits() / 32 + 1);
      if (!st.ok()) return st;
      acc = acc * BigInt(k);
      if (acc.bits() > kMaxExactBits) return FromApprox(C(std::tgamma(static_cast<long double>(n) + 1), 0));
    }
    return Value::Exact(Rational(acc));
  }

  // Γ(x + shift) of a real x (long double); poles and complex arguments are undefined.
  static Value RealGamma(const Value& v, long double shift) {
    if (v.type == Value::Type::kExact ? !v.im.is_zero() : v.z.imag() != 0) return Value::Undefined();
    long double x = v.AsComplex().real() + shift;
    if (x <= 0 && x == std::floor(x)) return Value::Undefined();
    return FromApprox(C(std::tgamma(x), 0));
  }

  // C(n, k) = n (n−1) ... (n−k+1) / k! for natural k and any exact real n (a polynomial in n, so
  // "\binom{m}{2}" equals "\frac{m(m-1)}{2}" at every point); Gamma functions for other real k.
  absl::StatusOr<Value> Binomial(const Value& nv, const Value& kv) {
    int64_t n = 0, k = 0;
    if (!SmallNatural(kv, &k) || !IsReal(nv)) {
      Value a = RealGamma(nv, 1), b = RealGamma(kv, 1);
      Value c = a.defined() && b.defined() ? RealGamma(Value::Approx(nv.AsComplex() - kv.AsComplex()), 1) : a;
      if (!a.defined() || !b.defined() || !c.defined()) return Value::Undefined();
      return FromApprox(a.z / (b.z * c.z));
    }
    if (SmallNatural(nv, &n)) {
      if (k > n) return Value::Exact(Rational(0));
      k = std::min(k, n - k);
    }
    Rational acc(1);
    for (int64_t j = 1; j <= k; ++j) {
      absl::Status st = budget_->Charge(acc.bits() / 16 + 1);
      if (!st.ok()) return st;
      acc = acc * (nv.re - Rational(k - j)) / Rational(j);
      if (acc.bits() > kMaxExactBits) return Value::Undefined();
    }
    return Value::Exact(std::move(acc));
  }

  // \lfloor x \rfloor / \lceil x \rceil of a real value (exact for exact values).
  static Value Rounded(const Value& x, bool floor) {
    if (IsReal(x)) {
      BigInt q, r;
      BigInt::DivMod(x.re.num(), x.re.den(), &q, &r);  // truncates toward zero
      if (!r.is_zero() && x.re.num().is_negative() == floor) q = q + BigInt(floor ? -1 : 1);
      return Value::Exact(Rational(q));
    }
    const C z = x.AsComplex();
    if (z.imag() != 0) return Value::Undefined();
    return Value::Approx(C(floor ? std::floor(z.real()) : std::ceil(z.real()), 0));
  }

  const Expr& e_;
  const Bindings& vars_;
  Budget* budget_;
  int max_exponent_digits_;
  int64_t exponent_bound_;
};

}  // namespace

absl::Status Budget::Charge(int64_t steps) {
  left_ -= steps;
  if (left_ < 0) return absl::ResourceExhaustedError("evaluation step budget exhausted");
  if ((++calls_ & 63) == 0 && absl::Now() > deadline_) return absl::DeadlineExceededError("deadline exceeded");
  return absl::OkStatus();
}

Value Value::Exact(Rational re, Rational im) {
  Value v;
  v.type = Type::kExact;
  v.re = std::move(re);
  v.im = std::move(im);
  return v;
}

Value Value::Approx(std::complex<long double> z) {
  Value v;
  v.type = Type::kApprox;
  v.z = z;
  return v;
}

std::complex<long double> Value::AsComplex() const {
  if (type == Type::kExact) return {re.ToLongDouble(), im.ToLongDouble()};
  return z;
}

std::string Value::ToString() const {
  switch (type) {
    case Type::kExact:
      if (im.is_zero()) return re.ToString();
      return absl::StrCat(re.ToString(), "+(", im.ToString(), ")i");
    case Type::kApprox:
      if (z.imag() == 0) return absl::StrFormat("%.10Lg", z.real());
      return absl::StrFormat("%.10Lg+(%.10Lg)i", z.real(), z.imag());
    case Type::kInfinity:
      return inf_sign > 0 ? "oo" : "-oo";
    default:
      return "undefined";
  }
}

absl::StatusOr<Value> Evaluate(const Expr& e, int node, const Bindings& vars, int max_exponent_digits,
                               Budget* budget) {
  return Evaluator(e, vars, max_exponent_digits, budget).Eval(node);
}

bool ValuesEqual(const Value& a, const Value& b) {
  if (!a.defined() || !b.defined()) return false;
  if (a.type == Value::Type::kInfinity || b.type == Value::Type::kInfinity) {
    return a.type == b.type && a.inf_sign == b.inf_sign;
  }
  if (a.type == Value::Type::kExact && b.type == Value::Type::kExact) return a.re == b.re && a.im == b.im;
  std::complex<long double> x = a.AsComplex(), y = b.AsComplex();
  long double scale = std::max(std::abs(x), std::abs(y));
  return std::abs(x - y) <= 1e-9L * scale + 1e-12L;
}

}  // namespace rlvr::verifier
