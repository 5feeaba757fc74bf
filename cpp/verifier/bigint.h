// Arbitrary-precision signed integers, small and self-contained (no external bignum library).
// Sizes stay bounded because callers cap operand bits (see kMaxExactBits in evaluate.h); the
// algorithms are the textbook ones (schoolbook multiply, Knuth division, binary gcd).
#ifndef RLVR_CPP_VERIFIER_BIGINT_H_
#define RLVR_CPP_VERIFIER_BIGINT_H_

#include <cstdint>
#include <string>

#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"

namespace rlvr::verifier {

class BigInt {
 public:
  BigInt() = default;
  BigInt(int64_t v);  // NOLINT: implicit from small integers keeps arithmetic readable.

  // Parses an unsigned string of digits in `base` (2..36, letters either case). Returns false on a bad digit.
  static bool FromDigits(absl::string_view digits, int base, BigInt* out);

  bool is_zero() const { return mag_.empty(); }
  bool is_negative() const { return neg_; }
  bool is_one() const { return !neg_ && mag_.size() == 1 && mag_[0] == 1; }
  bool is_even() const { return mag_.empty() || (mag_[0] & 1) == 0; }
  size_t limbs() const { return mag_.size(); }
  int64_t bits() const;  // bit length of |value|
  // Value as int64 if it fits.
  bool ToInt64(int64_t* out) const;
  // |value| ≈ mant * 2^exp with mant in [0.5, 1) (mant carries the sign); exact for small values.
  long double ToLongDouble(int64_t* exp2) const;
  std::string ToString() const;

  BigInt operator-() const;
  BigInt Abs() const;
  friend BigInt operator+(const BigInt& a, const BigInt& b);
  friend BigInt operator-(const BigInt& a, const BigInt& b);
  friend BigInt operator*(const BigInt& a, const BigInt& b);
  // Truncating division (C semantics); divisor must be non-zero.
  static void DivMod(const BigInt& a, const BigInt& b, BigInt* q, BigInt* r);
  static BigInt Gcd(const BigInt& a, const BigInt& b);  // non-negative
  BigInt ShiftLeft(int64_t n) const;   // |value| << n, sign kept
  BigInt ShiftRight(int64_t n) const;  // |value| >> n, sign kept

  friend int Compare(const BigInt& a, const BigInt& b);
  friend bool operator==(const BigInt& a, const BigInt& b) { return Compare(a, b) == 0; }
  friend bool operator!=(const BigInt& a, const BigInt& b) { return Compare(a, b) != 0; }
  friend bool operator<(const BigInt& a, const BigInt& b) { return Compare(a, b) < 0; }

 private:
  using Mag = absl::InlinedVector<uint32_t, 4>;
  static int CompareMag(const Mag& a, const Mag& b);
  static void AddMag(const Mag& a, const Mag& b, Mag* out);
  static void SubMag(const Mag& a, const Mag& b, Mag* out);  // requires |a| >= |b|
  static void MulMag(const Mag& a, const Mag& b, Mag* out);
  static void DivModMag(const Mag& a, const Mag& b, Mag* q, Mag* r);
  static uint32_t DivSmall(Mag* a, uint32_t d);  // in place, returns the remainder
  void Trim();

  bool neg_ = false;
  Mag mag_;  // little-endian base 2^32, no leading zero limbs; zero is empty
};

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_BIGINT_H_
