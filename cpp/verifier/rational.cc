#include "cpp/verifier/rational.h"

#include <cmath>

namespace rlvr::verifier {

Rational::Rational(BigInt n, BigInt d) : num_(std::move(n)), den_(std::move(d)) { Reduce(); }

void Rational::Reduce() {
  if (den_.is_negative()) {
    num_ = -num_;
    den_ = -den_;
  }
  if (num_.is_zero()) {
    den_ = BigInt(1);
    return;
  }
  if (den_.is_one()) return;
  BigInt g = BigInt::Gcd(num_, den_);
  if (!g.is_one()) {
    BigInt::DivMod(num_, g, &num_, nullptr);
    BigInt::DivMod(den_, g, &den_, nullptr);
  }
}

long double Rational::ToLongDouble() const {
  int64_t en = 0, ed = 0;
  long double mn = num_.ToLongDouble(&en), md = den_.ToLongDouble(&ed);
  int64_t e = en - ed;
  if (e > 20000) return mn > 0 ? INFINITY : -INFINITY;
  if (e < -20000) return 0.0L;
  return std::ldexp(mn / md, static_cast<int>(e));
}

std::string Rational::ToString() const {
  if (den_.is_one()) return num_.ToString();
  return num_.ToString() + "/" + den_.ToString();
}

Rational Rational::operator-() const {
  Rational r = *this;
  r.num_ = -r.num_;
  return r;
}

Rational operator+(const Rational& a, const Rational& b) {
  if (a.den_.is_one() && b.den_.is_one()) return Rational(a.num_ + b.num_);
  if (a.den_ == b.den_) return Rational(a.num_ + b.num_, a.den_);
  return Rational(a.num_ * b.den_ + b.num_ * a.den_, a.den_ * b.den_);
}

Rational operator-(const Rational& a, const Rational& b) { return a + (-b); }

Rational operator*(const Rational& a, const Rational& b) {
  if (a.den_.is_one() && b.den_.is_one()) return Rational(a.num_ * b.num_);
  return Rational(a.num_ * b.num_, a.den_ * b.den_);
}

Rational operator/(const Rational& a, const Rational& b) {
  return Rational(a.num_ * b.den_, a.den_ * b.num_);
}

}  // namespace rlvr::verifier
