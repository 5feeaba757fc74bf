#include "cpp/verifier/verify.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace rlvr::verifier {

absl::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kCorrect: return "CORRECT";
    case Verdict::kIncorrect: return "INCORRECT";
    case Verdict::kNoAnswer: return "NO_ANSWER";
    case Verdict::kUnparseable: return "UNPARSEABLE";
    case Verdict::kTimeout: return "TIMEOUT";
    case Verdict::kInvalid: return "INVALID";
  }
  return "INVALID";
}

// Minimal first version: whitespace-trimmed string equality. The full pipeline replaces it.
Outcome Verify(absl::string_view response, absl::string_view gold, const Limits& limits,
               absl::Time deadline) {
  Outcome out;
  if (response.size() > limits.max_input_bytes || gold.size() > limits.max_input_bytes) {
    out.verdict = Verdict::kInvalid;
    out.reason = absl::StrCat("input longer than ", limits.max_input_bytes, " bytes");
    return out;
  }
  if (absl::Now() > deadline) {
    out.verdict = Verdict::kTimeout;
    out.reason = "deadline passed before verification started";
    return out;
  }
  out.extracted = std::string(absl::StripAsciiWhitespace(response));
  out.canonical_answer = out.extracted;
  out.canonical_gold = std::string(absl::StripAsciiWhitespace(gold));
  if (out.extracted.empty()) {
    out.verdict = Verdict::kNoAnswer;
    out.reason = "empty response";
    return out;
  }
  out.verdict = out.canonical_answer == out.canonical_gold ? Verdict::kCorrect : Verdict::kIncorrect;
  return out;
}

}  // namespace rlvr::verifier
