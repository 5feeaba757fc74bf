// Numeric evaluation of expression trees (parse.h) for equivalence checks.
//
// Values are exact complex rationals (BigInt-backed) whenever the operations allow it (+ − × ÷, integer
// powers, perfect roots, factorials, binomials), so 0.333 ≠ 1/3 and 2^{100} compare exactly. Anything
// irrational (π, e, non-perfect roots, sin, ln, ...) and exact values growing past kMaxExactBits fall back to
// complex long double. Division by zero, poles and non-finite results give kUndefined; the caller skips
// such points. Work is charged to a Budget (steps + deadline) so evaluation always terminates quickly.
#ifndef RLVR_CPP_VERIFIER_EVALUATE_H_
#define RLVR_CPP_VERIFIER_EVALUATE_H_

#include <complex>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cpp/verifier/parse.h"
#include "cpp/verifier/rational.h"

namespace rlvr::verifier {

// Exact values beyond this many bits (numerator + denominator) continue as long double.
inline constexpr int64_t kMaxExactBits = 4096;

// Step budget and deadline of one verification. Not thread-safe; one per call.
class Budget {
 public:
  Budget(int64_t max_steps, absl::Time deadline) : left_(max_steps), deadline_(deadline) {}
  // ResourceExhausted when the steps run out, DeadlineExceeded past the deadline (checked every 64 calls).
  absl::Status Charge(int64_t steps);

 private:
  int64_t left_;
  absl::Time deadline_;
  int64_t calls_ = 0;
};

struct Value {
  enum class Type { kExact, kApprox, kInfinity, kUndefined };
  Type type = Type::kUndefined;
  Rational re, im;                // kExact
  std::complex<long double> z;    // kApprox
  int inf_sign = 0;               // kInfinity: +1 / -1

  static Value Exact(Rational re, Rational im = Rational());
  static Value Approx(std::complex<long double> z);
  static Value Undefined() { return Value(); }
  bool defined() const { return type != Type::kUndefined; }
  std::complex<long double> AsComplex() const;
  std::string ToString() const;
};

// Values of free variables at one evaluation point.
using Bindings = std::vector<std::pair<std::string, Rational>>;

// Evaluates a scalar node. OutOfRange: an exponent of |n| >= 10^max_exponent_digits;
// ResourceExhausted / DeadlineExceeded from the budget. Non-scalar nodes (tuples, sets...) are kUndefined.
absl::StatusOr<Value> Evaluate(const Expr& e, int node, const Bindings& vars, int max_exponent_digits,
                               Budget* budget);

// Exact equality when both are exact; else |a−b| ≤ 1e-9·max(|a|,|b|) + 1e-12 (long double evaluation keeps
// ~18 digits, so honest equalities land far inside this and distinct "nice" answers far outside).
bool ValuesEqual(const Value& a, const Value& b);

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_EVALUATE_H_
