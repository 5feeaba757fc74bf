// Finds the final answer in a model response (rules in docs/verifier.md, "Extraction"):
//   1. the last \boxed{...} / \fbox{...} (nested braces; also `\boxed 5`);
//   2. else the last "final answer is X" / "the answer is X" / "answer: X";
//   3. else the last standalone number, only when nothing above is present.
// A box that lists alternatives ("2 or 3") is not a single answer; "or" between inequalities ("x<0 or x>1") is a
// union, one answer.
#ifndef RLVR_CPP_VERIFIER_EXTRACT_H_
#define RLVR_CPP_VERIFIER_EXTRACT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rlvr::verifier {

struct Extraction {
  std::string answer;       // raw answer text (LaTeX), trimmed
  absl::string_view method;  // "boxed", "phrase" or "last number" (static strings)
};

// NotFound (message = reason) when the response holds no single answer. Linear time, no recursion.
absl::StatusOr<Extraction> ExtractAnswer(absl::string_view response);

// Content of the brace group opening at text[open] == '{' (escaped \{ \} do not count), or false if
// unterminated. *end receives the index after the closing brace.
bool MatchBraces(absl::string_view text, size_t open, absl::string_view* content, size_t* end);

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_EXTRACT_H_
