// Sets of real numbers written as intervals, inequalities, unions or lists of points, read as one meaning:
// sorted, disjoint intervals with evaluated endpoints, so "[0,2) \cup [2,5]" = "[0,5]", "|x-1| \le 3" =
// "[-2,4]", "2 \le |w| \le 3" = "[-3,-2] \cup [2,3]" and "2 < g(x) < 5" = "(2,5)" (rules in docs/verifier.md,
// "Sets of real numbers"). Only constant endpoints are read; anything symbolic is left to compare.cc.
#ifndef RLVR_CPP_VERIFIER_REALSET_H_
#define RLVR_CPP_VERIFIER_REALSET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cpp/verifier/evaluate.h"
#include "cpp/verifier/parse.h"

namespace rlvr::verifier {

// A real endpoint: exact rational, long double, or ±infinity.
struct Real {
  bool exact = true;
  Rational q;
  long double d = 0;
  int inf = 0;  // +1 / -1 for ±infinity
};

struct Interval {
  Real lo, hi;
  bool lo_closed = false, hi_closed = false;
};

struct RealSet {
  std::vector<Interval> parts;  // sorted, disjoint and not touching once normalised
  std::string unknown;          // what the set constrains ("x", "g*x"); empty for a bare interval or point list
  bool written_as_set = false;  // an inequality, union, "\in", half-open or infinite interval (not a bare (a,b))
};

// Shape only, no evaluation: is the node written as a set of reals on its own (see written_as_set)?
bool WrittenAsRealSet(const Expr& e, int node);

// Reads the node as a set of reals. Returns false when it is not one: symbolic or complex endpoints, two
// unknowns, an inequality that is not linear (or |linear|) in its unknown. Errors come from the budget.
absl::StatusOr<bool> ToRealSet(const Expr& e, int node, int max_exponent_digits, Budget* budget, RealSet* out);

// Same normalised sets (endpoints equal exactly, or within the evaluator's tolerance when approximate).
bool SameRealSet(const RealSet& a, const RealSet& b);

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_REALSET_H_
