// Mathematical equivalence of two parsed answers (rules in docs/verifier.md, "Verification semantics").
//
// Scalars: both sides must use the same free variables; then they are evaluated (evaluate.h) at the same
// deterministic pseudo-random rational points and must agree at every point where both are defined
// (exactly when both stay rational, else within a relative 1e-9). Constant expressions are one point.
// Containers: tuples/intervals ordered with equal delimiters, sets and bare lists unordered, unions
// unordered, matrices element-wise; equations up to swapping sides or a constant factor; `x = v` matches `v`.
#ifndef RLVR_CPP_VERIFIER_COMPARE_H_
#define RLVR_CPP_VERIFIER_COMPARE_H_

#include <string>

#include "absl/status/statusor.h"
#include "cpp/verifier/evaluate.h"
#include "cpp/verifier/parse.h"

namespace rlvr::verifier {

struct Side {
  const Expr* expr;
  bool percent = false;   // the text carried '%': its value v also matches v/100
  bool meridiem = false;  // a clock time given with a.m./p.m., in 24-hour form: "8:34" (no meridiem) also matches
};

struct Comparison {
  bool equal = false;
  std::string reason;  // why not equal (empty when equal)
};

// Errors: OutOfRange (a limit such as the exponent size), ResourceExhausted / DeadlineExceeded (budget).
absl::StatusOr<Comparison> Equivalent(const Side& answer, const Side& gold, int max_exponent_digits,
                                      Budget* budget);

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_COMPARE_H_
