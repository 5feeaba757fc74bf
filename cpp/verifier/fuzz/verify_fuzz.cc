// libFuzzer target over the whole pipeline: any input must get a verdict without crashing, hanging or
// reading out of bounds, deterministically. Input: "response<TAB>gold" (no tab: gold "1").
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cpp/verifier/verify.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  size_t tab = input.find('\t');
  absl::string_view response = input.substr(0, tab);
  absl::string_view gold = tab == absl::string_view::npos ? absl::string_view("1") : input.substr(tab + 1);
  rlvr::verifier::Limits limits;
  const absl::Time deadline = absl::Now() + absl::Seconds(1);
  rlvr::verifier::Outcome a = rlvr::verifier::Verify(response, gold, limits, deadline);
  if (a.verdict == rlvr::verifier::Verdict::kTimeout) return 0;  // budget-dependent: not comparable
  rlvr::verifier::Outcome b = rlvr::verifier::Verify(response, gold, limits, absl::InfiniteFuture());
  if (a.verdict != b.verdict || a.canonical_answer != b.canonical_answer) std::abort();  // must be deterministic
  if (rlvr::verifier::VerdictName(a.verdict).empty()) std::abort();
  return 0;
}
