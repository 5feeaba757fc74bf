#ifndef RLVR_CPP_VERIFIER_CHARS_H_
#define RLVR_CPP_VERIFIER_CHARS_H_

#include "absl/strings/ascii.h"

// ASCII character classes shared by the extract, canonical and parse stages. The cast matters: a plain char from
// UTF-8 text is negative on x86, which the <cctype>-style classifiers must not see.
namespace rlvr::verifier {

inline bool IsLetter(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsSpace(char c) { return absl::ascii_isspace(static_cast<unsigned char>(c)); }

}  // namespace rlvr::verifier

#endif  // RLVR_CPP_VERIFIER_CHARS_H_
