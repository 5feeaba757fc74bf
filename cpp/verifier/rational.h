// Exact rational numbers over BigInt, always reduced with a positive denominator, so equality is
// plain component equality (0.333 = 333/1000 ≠ 1/3).
#ifndef RLVR_CPP_VERIFIER_RATIONAL_H_
#define RLVR_CPP_VERIFIER_RATIONAL_H_

#include <string>

#include "cpp/verifier/bigint.h"

namespace rlvr::verifier {

class Rational {
 public:
  Rational() : den_(1) {}
  Rational(BigInt n) : num_(std::move(n)), den_(1) {}  // NOLINT
  Rational(int64_t n) : num_(n), den_(1) {}             // NOLINT
  // den must be non-zero.
  Rational(BigInt n, BigInt d);

  const BigInt& num() const { return num_; }
  const BigInt& den() const { return den_; }
  bool is_zero() const { return num_.is_zero(); }
  bool is_integer() const { return den_.is_one(); }
  int64_t bits() const { return num_.bits() + den_.bits(); }
  long double ToLongDouble() const;
  std::string ToString() const;  // "n" or "n/d"

  Rational operator-() const;
  friend Rational operator+(const Rational& a, const Rational& b);
  friend Rational operator-(const Rational& a, const Rational& b);
  friend Rational operator*(const Rational& a, const Rational& b);
  friend Rational operator/(const Rational& a, const Rational& b);  // b non-zero
  friend bool operator==(const Rational& a, const Rational& b) { return a.num_ == b.num_ && a.den_ == b.den_; }
  friend bool operator!=(const Rational& a, const Rational& b) { return !(a == b); }

 private:
  void Reduce();
  BigInt num_, den_;
};

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_RATIONAL_H_
