// Finds the final answer in a model response (rules and examples in docs/verifier.md, "Extraction"):
//   0. the response ends at the first chat-template end-of-turn marker (<|im_end|>, <|endoftext|>, </s>, ...);
//   1. an answer statement ("The final answer is X", "Final Answer: ...", "**Answer:** X") written after the
//      last box wins over it when it closes the response's reasoning: its sentence ends with a value (steps box
//      partial results, the Minerva line states the answer); a check ("We can check our answer: ..., so ..."),
//      a question or prose about the answer leaves the box the answer;
//   2. else the boxes of the final sentence: the last \boxed{...} / \fbox{...}, joined with the boxes right
//      before it when only separators stand between them ("\boxed{3} and \boxed{5}" = "3, 5"; "or" joins them
//      as "3 or 5", for the comparison to judge);
//   3. else the last answer statement ("answer is", or "option"/"choice" stating a choice letter); 4. else the last
//      math span ($...$, $$...$$, \(...\), \[...\], align), unless a bold span, a verb and number ending the
//      response ("the value of $2x+1$ is 7.") or a closing sentence's number follows it ("Subtract $2$. So she has
//      10 apples left." → "10");
//   5. else the whole response when it is one line of math; 6. else the last standalone number of the final
//      sentence, never a list index.
// Every answer written as a chain of equalities answers with its last right-hand side ("3+20 = 23" → "23").
// A response cut off by the token limit has no answer, unless the caller keeps a box completed before the cut.
#ifndef RLVR_CPP_VERIFIER_EXTRACT_H_
#define RLVR_CPP_VERIFIER_EXTRACT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rlvr::verifier {

// How the response ended, as the caller (the sampler) knows it.
struct Truncation {
  bool truncated = false;  // cut off by the token limit (vLLM finish_reason "length"): no answer by default
  bool keep_box = false;   // ...except a \boxed{} completed before the cut with no answer statement after it
};

struct Extraction {
  std::string answer;        // raw answer text (LaTeX), trimmed
  absl::string_view method;  // "boxed", "phrase", "math span", "bold", "whole response" or "last number" (static)
};

// NotFound (message = reason) when the response holds no single answer. Linear time, no recursion.
absl::StatusOr<Extraction> ExtractAnswer(absl::string_view response, const Truncation& truncation = {});

// Content of the brace group opening at text[open] == '{' (escaped \{ \} do not count), or false if
// unterminated. *end receives the index after the closing brace.
bool MatchBraces(absl::string_view text, size_t open, absl::string_view* content, size_t* end);

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_EXTRACT_H_
