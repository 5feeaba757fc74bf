// Answer verification façade: is the final answer of a model response equivalent to the gold answer?
//
// Pipeline (each stage a pure function in its own file): extract (find the answer in the response) →
// canonical (LaTeX clean-up) → parse (expression tree) → compare (mathematical equivalence).
// The rules are documented in docs/verifier.md ("Verification semantics").
#ifndef RLVR_CPP_VERIFIER_VERIFY_H_
#define RLVR_CPP_VERIFIER_VERIFY_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cpp/verifier/extract.h"

namespace rlvr::verifier {

enum class Verdict { kCorrect, kIncorrect, kNoAnswer, kUnparseable, kTimeout, kInvalid };

// "CORRECT", "INCORRECT", "NO_ANSWER", "UNPARSEABLE", "TIMEOUT", "INVALID" (the proto enum names).
absl::string_view VerdictName(Verdict v);

// Hard bounds applied to every item; exceeding one yields kInvalid (input) or kTimeout (work) with a reason.
struct Limits {
  size_t max_input_bytes = 1 << 20;  // per field (response, gold)
  int max_depth = 200;               // brace / parenthesis nesting
  int max_exponent_digits = 4;       // |exponent| < 10^4 in powers of exact numbers
  int64_t max_steps = 200000;        // evaluation work budget per item
  int max_number_digits = 1000;      // digits in one numeric literal
};

struct Outcome {
  Verdict verdict = Verdict::kInvalid;
  std::string extracted;         // the answer text found in the response ("" if none)
  std::string canonical_answer;  // normalised form of the extracted answer
  std::string canonical_gold;    // normalised form of the gold answer
  std::string reason;            // short explanation for non-trivial verdicts
};

// Pure and thread-safe (no globals); never hangs, crashes or allocates without bound.
// `deadline` is checked periodically during evaluation; absl::InfiniteFuture() disables it.
// `truncation`: the response was cut off by the token limit (NO_ANSWER unless a completed box is kept).
Outcome Verify(absl::string_view response, absl::string_view gold, const Limits& limits,
               absl::Time deadline, const Truncation& truncation = {});

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_VERIFY_H_
