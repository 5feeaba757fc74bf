#include "cpp/verifier/extract.h"

#include <initializer_list>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace rlvr::verifier {
namespace {

bool IsLetter(char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Position of the last `\boxed` or `\fbox` command (not a prefix of a longer command), or npos:
// one backward scan over backslashes.
size_t FindLastBox(absl::string_view text, size_t* name_len) {
  size_t p = text.rfind('\\');
  while (p != absl::string_view::npos) {
    for (absl::string_view name : {absl::string_view("boxed"), absl::string_view("fbox")}) {
      size_t after = p + 1 + name.size();
      if (text.substr(p + 1, name.size()) == name && (after >= text.size() || !IsLetter(text[after]))) {
        *name_len = name.size() + 1;
        return p;
      }
    }
    p = p == 0 ? absl::string_view::npos : text.rfind('\\', p - 1);
  }
  return absl::string_view::npos;
}

// Start of the first standalone word "or" (also inside \text{ or }) at or after `from`, or npos.
size_t FindOrWord(absl::string_view s, size_t from) {
  for (size_t i = from; i < s.size();) {
    if (!IsLetter(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsLetter(s[j])) ++j;
    bool command = i > 0 && s[i - 1] == '\\';
    if (!command && j - i == 2 && absl::ascii_tolower(s[i]) == 'o' && absl::ascii_tolower(s[i + 1]) == 'r') {
      return i;
    }
    i = j;
  }
  return absl::string_view::npos;
}

// An inequality sign (<, >, \le, \geq, ...) and no equation ("=" other than in "<=", ">=").
bool LooksLikeInequality(absl::string_view s) {
  bool inequality = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' || s[i] == '>') {
      inequality = true;
    } else if (s[i] == '=' && (i == 0 || (s[i - 1] != '<' && s[i - 1] != '>'))) {
      return false;
    } else if (s[i] == '\\') {
      size_t j = i + 1;
      while (j < s.size() && IsLetter(s[j])) ++j;
      absl::string_view name = s.substr(i + 1, j - i - 1);
      for (absl::string_view op : {"le", "leq", "leqslant", "ge", "geq", "geqslant", "lt", "gt"}) {
        if (name == op) inequality = true;
      }
    }
  }
  return inequality || absl::StrContains(s, "\xe2\x89\xa4") || absl::StrContains(s, "\xe2\x89\xa5");
}

// "x = 3": one equation whose one side is a single letter (the parser checks that all parts name one variable).
bool LooksLikeSolution(absl::string_view s) {
  size_t eq = s.find('=');
  if (eq == absl::string_view::npos || s.find('=', eq + 1) != absl::string_view::npos) return false;
  if (eq > 0 && (s[eq - 1] == '<' || s[eq - 1] == '>' || s[eq - 1] == '!')) return false;
  // One letter, apart from spaces, braces and commands ("} y" after "\text{ or }").
  auto letter = [](absl::string_view side) {
    int letters = 0;
    for (size_t i = 0; i < side.size(); ++i) {
      if (side[i] == '\\') {
        while (i + 1 < side.size() && IsLetter(side[i + 1])) ++i;
      } else if (IsLetter(side[i])) {
        ++letters;
      } else if (side[i] != ' ' && side[i] != '{' && side[i] != '}') {
        return false;
      }
    }
    return letters == 1;
  };
  return letter(s.substr(0, eq)) || letter(s.substr(eq + 1));
}

// "x<0 or x>1" is one answer (a union; the parser checks that it is in one variable), and so is
// "x=1 or x=4" (the solutions); "2 or 3" and "x=0 or x>1" are not.
bool IsInequalityUnion(absl::string_view s) {
  size_t start = 0, at = FindOrWord(s, 0);
  if (at == absl::string_view::npos) return false;
  bool solutions = LooksLikeSolution(s.substr(0, at));
  while (true) {
    absl::string_view part = s.substr(start, at - start);
    if (solutions ? !LooksLikeSolution(part) : !LooksLikeInequality(part)) return false;
    if (at == absl::string_view::npos) return true;
    start = at + 2;
    at = FindOrWord(s, start);
  }
}

// True if `context` offers alternatives (a standalone "or") and the answer found in it is not a union of
// inequalities.
bool ListsAlternatives(absl::string_view answer, absl::string_view context) {
  return FindOrWord(context, 0) != absl::string_view::npos && !IsInequalityUnion(answer);
}

// Position of the delimiter closing math mode; `\$` (an escaped dollar, "$\$36.50$") does not close "$".
size_t FindMathClose(absl::string_view s, absl::string_view close) {
  if (close[0] != '$') return s.find(close);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s.substr(i, close.size()) == close) {
      return i;
    }
  }
  return absl::string_view::npos;
}

// Text after an answer phrase: up to the end of the line or the sentence, unwrapping $...$.
std::string PhraseAnswer(absl::string_view rest) {
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (!rest.empty() && rest[0] == ':') rest = absl::StripLeadingAsciiWhitespace(rest.substr(1));
  for (absl::string_view open : {"$$", "$", "\\(", "\\["}) {
    if (absl::StartsWith(rest, open)) {
      absl::string_view close = open == "\\(" ? "\\)" : open == "\\[" ? "\\]" : open;
      rest.remove_prefix(open.size());
      size_t end = FindMathClose(rest, close);
      if (end != absl::string_view::npos) return std::string(absl::StripAsciiWhitespace(rest.substr(0, end)));
      break;
    }
  }
  size_t end = rest.find('\n');
  if (end != absl::string_view::npos) rest = rest.substr(0, end);
  // A sentence ends at '.' followed by a space or the end (a decimal point is followed by a digit).
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '.' && (i + 1 == rest.size() || rest[i + 1] == ' ')) {
      rest = rest.substr(0, i);
      break;
    }
  }
  return std::string(absl::StripAsciiWhitespace(rest));
}

// The last number not glued to a word or a sub/superscript, e.g. "... so we get 42." → "42".
std::string LastNumber(absl::string_view s) {
  size_t i = s.size();
  while (i > 0) {
    --i;
    if (!IsDigit(s[i])) continue;
    size_t end = i + 1;
    size_t start = i;
    while (start > 0 && (IsDigit(s[start - 1]) || (s[start - 1] == '.' && start >= 2 && IsDigit(s[start - 2])))) {
      --start;
    }
    bool glued_after = end < s.size() && (IsLetter(s[end]) || s[end] == '_');
    bool glued_before = start > 0 && (IsLetter(s[start - 1]) || s[start - 1] == '_' || s[start - 1] == '^');
    if (!glued_after && !glued_before) {
      if (start > 0 && s[start - 1] == '-' && (start < 2 || !IsDigit(s[start - 2]))) --start;
      return std::string(s.substr(start, end - start));
    }
    i = start;
  }
  return "";
}

}  // namespace

bool MatchBraces(absl::string_view text, size_t open, absl::string_view* content, size_t* end) {
  int64_t depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      ++i;  // escaped character, e.g. \{ or \}
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (--depth == 0) {
        *content = text.substr(open + 1, i - open - 1);
        *end = i + 1;
        return true;
      }
    }
  }
  return false;
}

absl::StatusOr<Extraction> ExtractAnswer(absl::string_view response) {
  size_t name_len = 0;
  size_t box = FindLastBox(response, &name_len);
  if (box != absl::string_view::npos) {
    size_t p = box + name_len;
    while (p < response.size() && response[p] == ' ') ++p;
    std::string answer;
    if (p < response.size() && response[p] == '{') {
      absl::string_view content;
      size_t end = 0;
      if (!MatchBraces(response, p, &content, &end)) {
        return absl::NotFoundError("the last \\boxed{ is never closed (truncated response?)");
      }
      answer = std::string(absl::StripAsciiWhitespace(content));
    } else {  // `\boxed 5`: one token
      size_t e = p;
      while (e < response.size() && !absl::ascii_isspace(static_cast<unsigned char>(response[e])) &&
             response[e] != '$') {
        ++e;
      }
      answer = std::string(response.substr(p, e - p));
    }
    if (answer.empty()) return absl::NotFoundError("the last \\boxed{} is empty");
    if (ListsAlternatives(answer, answer)) {
      return absl::NotFoundError(absl::StrCat("the box lists alternatives, not one answer: ", answer.substr(0, 80)));
    }
    return Extraction{std::move(answer), "boxed"};
  }

  std::string lower = absl::AsciiStrToLower(response);
  size_t best = absl::string_view::npos, best_end = 0;
  for (absl::string_view phrase : {"final answer is", "final answer:", "answer is", "answer:"}) {
    size_t p = absl::string_view(lower).rfind(phrase);
    if (p != absl::string_view::npos && (best == absl::string_view::npos || p + phrase.size() > best_end)) {
      best = p;
      best_end = p + phrase.size();
    }
  }
  if (best != absl::string_view::npos) {
    absl::string_view rest = response.substr(best_end);
    std::string answer = PhraseAnswer(rest);
    if (!answer.empty()) {
      // Alternatives may sit outside the first $...$: "answer: $x=3$ or $x=4$".
      if (ListsAlternatives(answer, answer) || ListsAlternatives(answer, rest.substr(0, rest.find('\n')))) {
        return absl::NotFoundError(absl::StrCat("the answer lists alternatives: ", answer.substr(0, 80)));
      }
      return Extraction{std::move(answer), "phrase"};
    }
  }

  std::string number = LastNumber(response);
  if (!number.empty()) return Extraction{std::move(number), "last number"};
  return absl::NotFoundError("no \\boxed{}, no \"answer is\" phrase and no number in the response");
}

}  // namespace rlvr::verifier
