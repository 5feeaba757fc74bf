// LaTeX clean-up of an answer string before parsing (rules in docs/verifier.md, "Normalisation"):
// drops \left/\right/\big, spacing macros, \displaystyle, $ and \$; writes every degree mark as \degree (the
// parser decides what it means); maps \dfrac/\tfrac/\cfrac to \frac and a few Unicode symbols to LaTeX; unwraps
// \text{}/\mathrm{}-style groups, dropping word-only groups (units) when other content is present; removes
// thousands separators ("1,000", "1{,}000", "1\,000"), trailing unit words ("5 cm", "20mph"), and trailing punctuation;
// writes a number given in words in digits ("five" → "5").
// "%" is removed and reported. A clock time with a.m./p.m. becomes 24-hour time, and that is reported.
#ifndef RLVR_CPP_VERIFIER_CANONICAL_H_
#define RLVR_CPP_VERIFIER_CANONICAL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace rlvr::verifier {

struct Canonical {
  std::string text;
  bool percent = false;  // the answer carried a percent sign
  bool meridiem = false;  // a clock time written with a.m./p.m., rewritten to 24-hour form ("8:34 p.m." → "20:34")
};

// Length of the meridiem ("a.m.", "pm", "P.M", "p. m.") at the start of `w`, 0 if there is none ("5 amps" has
// none: it must end the word).
size_t MeridiemLength(absl::string_view w);

// Whether `letters` is a unit abbreviation that may be written glued to its number ("20mph", "75mm", "22cm"):
// a fixed list, since other letters after a number are variables ("3abc", "2pi") or an ordinal ("3rd").
bool IsGluedUnit(absl::string_view letters);

// Linear in the input size; never fails (unknown LaTeX is kept verbatim for the parser to judge).
Canonical Canonicalize(absl::string_view answer);

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_CANONICAL_H_
