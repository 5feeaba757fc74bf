#include "cpp/verifier/extract.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "cpp/verifier/canonical.h"
#include "cpp/verifier/chars.h"
#include "cpp/verifier/parse.h"

namespace rlvr::verifier {
namespace {

constexpr size_t kNpos = absl::string_view::npos;

// Text after a chat template's end-of-turn marker is another turn (a hallucinated user message), not this answer.
constexpr std::array<absl::string_view, 9> kTurnEnds = {
    "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end|>", "</s>", "<|im_start|>", "<|start_header_id|>",
    "<end_of_turn>", "<\xef\xbd\x9c" "end\xe2\x96\x81of\xe2\x96\x81sentence\xef\xbd\x9c>"};

// A line opening the next few-shot example or a plain-text chat turn (a base model continuing its prompt):
// "...\boxed{5}\n\nProblem:\n..." or "\nHuman: ...".
constexpr std::array<absl::string_view, 4> kTurnLines = {"\nProblem:", "\nQuestion:", "\nHuman:", "\nUser:"};

// The response up to its first end-of-turn marker after some text (a marker opening the response is not an end).
absl::string_view CutAtTurnEnd(absl::string_view text) {
  size_t first = 0;
  while (first < text.size() && IsSpace(text[first])) ++first;
  size_t cut = text.size();
  for (absl::string_view marker : kTurnEnds) cut = std::min(cut, text.find(marker, first + 1));
  for (absl::string_view line : kTurnLines) cut = std::min(cut, text.find(line, first));
  return text.substr(0, cut);
}

// ---------------------------------------------------------------------------------------------------------------
// Boxes

// Position of the last `\boxed` or `\fbox` command (not a prefix of a longer command), or npos:
// one backward scan over backslashes.
size_t FindLastBox(absl::string_view text, size_t* name_len) {
  size_t p = text.rfind('\\');
  while (p != kNpos) {
    for (absl::string_view name : {absl::string_view("boxed"), absl::string_view("fbox")}) {
      size_t after = p + 1 + name.size();
      if (text.substr(p + 1, name.size()) == name && (after >= text.size() || !IsLetter(text[after]))) {
        *name_len = name.size() + 1;
        return p;
      }
    }
    p = p == 0 ? kNpos : text.rfind('\\', p - 1);
  }
  return kNpos;
}

struct Box {
  size_t start;               // the backslash of the command
  size_t end;                 // index after the box; npos when its braces never close
  absl::string_view content;  // trimmed
};

// The box whose command (`name_len` bytes with the backslash) starts at `start`; `\boxed 5` takes one token.
Box ReadBox(absl::string_view text, size_t start, size_t name_len) {
  Box box{start, kNpos, {}};
  size_t p = start + name_len;
  while (p < text.size() && text[p] == ' ') ++p;
  if (p < text.size() && text[p] == '{') {
    absl::string_view content;
    size_t end = 0;
    if (MatchBraces(text, p, &content, &end)) {
      box.end = end;
      box.content = absl::StripAsciiWhitespace(content);
    }
    return box;
  }
  size_t e = p;
  while (e < text.size() && !IsSpace(text[e]) && text[e] != '$') ++e;
  box.end = e;
  box.content = text.substr(p, e - p);
  return box;
}

enum class Gap { kSeparate, kJoin, kAlternatives, kEquals };

// How the text between two boxes reads. Only separators ("} and \boxed{", "}$, $\boxed{", "\text{ and }", a
// variable naming the next box: "y = ") make them one answer; "or" makes them alternatives; anything else (a
// word, a number, a sentence end, a line break) separates an earlier step from the final sentence.
Gap ClassifyGap(absl::string_view gap) {
  // "\boxed{\frac{25}{13}} = \boxed{1\frac{12}{13}}": the two sides of one equation, the same value twice.
  if (absl::StripAsciiWhitespace(absl::StrReplaceAll(gap, {{"$", ""}})) == "=") return Gap::kEquals;
  bool alternatives = false;
  for (size_t i = 0; i < gap.size();) {
    const char c = gap[i];
    if (absl::string_view(" \t,;$&{}=~").find(c) != kNpos) {
      ++i;
    } else if (c == '\\') {
      size_t j = i + 1;
      while (j < gap.size() && IsLetter(gap[j])) ++j;
      absl::string_view name = gap.substr(i + 1, j - i - 1);
      if (name.empty()) {  // \( \) \[ \] \\ and spacing \, \; \! "\ "
        if (j >= gap.size() || absl::string_view("()[]\\,;:! ").find(gap[j]) == kNpos) return Gap::kSeparate;
        ++j;
      } else if (name != "text" && name != "textrm" && name != "mbox" && name != "quad" && name != "qquad") {
        return Gap::kSeparate;
      }
      i = j;
    } else if (IsLetter(c)) {
      size_t j = i;
      while (j < gap.size() && IsLetter(gap[j])) ++j;
      const std::string word = absl::AsciiStrToLower(gap.substr(i, j - i));
      if (word == "or") {
        alternatives = true;
      } else if (word != "and" && j - i > 1) {
        return Gap::kSeparate;
      } else if (j - i == 1 && j < gap.size() && gap[j] == '_') {  // a subscripted name: x_2, x_{12}
        j += 2;
      }
      i = j;
    } else {
      return Gap::kSeparate;
    }
  }
  return alternatives ? Gap::kAlternatives : Gap::kJoin;
}

// Start of the first standalone `word` (lower case; matched in any case, also inside \text{ or }) at or after
// `from`, or npos.
size_t FindWord(absl::string_view s, size_t from, absl::string_view word) {
  for (size_t i = from; i < s.size();) {
    if (!IsLetter(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsLetter(s[j])) ++j;
    bool command = i > 0 && s[i - 1] == '\\';
    if (!command && j - i == word.size() && absl::AsciiStrToLower(s.substr(i, j - i)) == word) return i;
    i = j;
  }
  return kNpos;
}

size_t FindOrWord(absl::string_view s, size_t from) { return FindWord(s, from, "or"); }

// How many standalone "or" words `s` has.
size_t CountOrWords(absl::string_view s) {
  size_t n = 0;
  for (size_t at = FindOrWord(s, 0); at != kNpos; at = FindOrWord(s, at + 2)) ++n;
  return n;
}

// The boxes of the final sentence, or why they are not one answer.
struct FinalBoxes {
  bool found = false;
  size_t end = kNpos;  // after the last box; npos when it never closes
  bool empty = false;  // the last box is \boxed{}
  absl::StatusOr<std::string> answer = absl::NotFoundError("no box");
};

// The last box, joined (in order, ", ") with the boxes before it that only separators divide from it.
FinalBoxes FindFinalBoxes(absl::string_view text) {
  FinalBoxes out;
  size_t name_len = 0;
  const size_t at = FindLastBox(text, &name_len);
  if (at == kNpos) return out;
  out.found = true;
  const Box last = ReadBox(text, at, name_len);
  out.end = last.end;
  if (last.end == kNpos) {
    out.answer = absl::NotFoundError("the last \\boxed{ is never closed (truncated response?)");
    return out;
  }
  if (last.content.empty()) {
    out.empty = true;
    out.answer = absl::NotFoundError("the last \\boxed{} is empty");
    return out;
  }
  std::vector<absl::string_view> parts = {last.content};
  bool alternatives = false, equals = true;
  // Each step scans only the gap and the earlier box, so the walk is linear in the text.
  for (Box cur = last;;) {
    const size_t prev_at = FindLastBox(text.substr(0, cur.start), &name_len);
    if (prev_at == kNpos) break;
    const Box prev = ReadBox(text, prev_at, name_len);
    if (prev.end == kNpos || prev.end > cur.start || prev.content.empty()) break;
    const Gap gap = ClassifyGap(text.substr(prev.end, cur.start - prev.end));
    if (gap == Gap::kSeparate) break;
    alternatives |= gap == Gap::kAlternatives;
    equals &= gap == Gap::kEquals;
    parts.push_back(prev.content);
    cur = prev;
  }
  std::reverse(parts.begin(), parts.end());
  // Boxes joined by "or" read as "a or b"; the comparison judges it (a list, forms of one value, or a hedge).
  // Boxes joined by "=" only are one equation ("a = b"), which answers with its last side (LastRightSide).
  out.answer = absl::StrJoin(parts, alternatives ? " or " : equals && parts.size() > 1 ? " = " : ", ");
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Answer statements

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
  return kNpos;
}

constexpr std::array<absl::string_view, 8> kDisplayEnvironments = {
    "equation", "equation*", "align", "align*", "gather", "gather*", "eqnarray", "eqnarray*"};

// The last row of a multi-line display, alignment `&` removed ("A &= \int ... \\ &= \frac13." → "= \frac13.").
// A leading "=" stays: the row continues a chain of equalities, so LastRightSide takes what follows it.
std::string LastRow(absl::string_view body) {
  body = absl::StripAsciiWhitespace(body);
  absl::ConsumeSuffix(&body, "\\\\");
  size_t row = 0;
  for (size_t i = 0; i + 1 < body.size(); ++i) {  // forward: in "\\\Rightarrow" the break is the first pair
    if (body[i] != '\\') continue;
    if (body[i + 1] == '\\') row = i + 2;
    ++i;
  }
  std::string out;
  for (char c : body.substr(row)) {
    if (c != '&') out.push_back(c);
  }
  return std::string(absl::StripAsciiWhitespace(out));
}

// The answer at the start of a statement's text.
struct Leading {
  std::string answer;
  size_t end = 0;     // where the answer stops in the text (after the span's closing delimiter)
  bool math = false;  // taken from a math span
};

// The answer at the start of `rest`: its first math span, else the text up to the end of the line or sentence.
Leading LeadingAnswer(absl::string_view rest) {
  // "The answer is\n\\begin{align*} … &= 25. \\end{align*}": a display environment answers with its last row.
  for (absl::string_view env : kDisplayEnvironments) {
    if (!absl::StartsWith(rest, "\\begin{")) break;
    const std::string begin = absl::StrCat("\\begin{", env, "}"), end = absl::StrCat("\\end{", env, "}");
    if (!absl::StartsWith(rest, begin)) continue;
    const size_t e = rest.find(end, begin.size());
    if (e == kNpos) break;
    return {LastRow(rest.substr(begin.size(), e - begin.size())), e + end.size(), true};
  }
  for (absl::string_view open : {"$$", "$", "\\(", "\\["}) {
    if (absl::StartsWith(rest, open)) {
      absl::string_view close = open == "\\(" ? "\\)" : open == "\\[" ? "\\]" : open;
      const size_t e = FindMathClose(rest.substr(open.size()), close);
      if (e == kNpos) break;
      return {std::string(absl::StripAsciiWhitespace(rest.substr(open.size(), e))), open.size() + e + close.size(),
              true};
    }
  }
  size_t stop = std::min(rest.find('\n'), rest.size());
  // A sentence ends at '.' or '?' followed by a space or the end (a decimal point is followed by a digit), and
  // at a '}' closing a group opened before the statement ("\text{The answer is 5}").
  int depth = 0;
  for (size_t i = 0; i < stop; ++i) {
    if (rest[i] == '\\') {
      ++i;
    } else if (rest[i] == '{') {
      ++depth;
    } else if (rest[i] == '}' && --depth < 0) {
      stop = i;
    } else if ((rest[i] == '.' || rest[i] == '?') && (i + 1 == stop || rest[i + 1] == ' ')) {
      stop = i;
    }
  }
  return {std::string(absl::StripAsciiWhitespace(rest.substr(0, stop))), stop, false};
}

// Where the predicate of a sentence answer starts ("The smallest $k$ is 12" → "12"), or npos: after its last
// " is ", " are ", " equals " or " was ".
size_t PredicateStart(absl::string_view sentence) {
  size_t best = kNpos;
  for (absl::string_view verb : {" is ", " are ", " equals ", " was "}) {
    size_t p = sentence.rfind(verb);
    if (p != kNpos && (best == kNpos || p + verb.size() > best)) best = p + verb.size();
  }
  return best;
}

// Where the first math span of `s` opens ($, \( or \[), or npos.
size_t FirstMathOpen(absl::string_view s) {
  return std::min({s.find('$'), s.find("\\("), s.find("\\[")});
}

bool StartsWithWord(absl::string_view s) { return s.size() >= 2 && IsLetter(s[0]) && IsLetter(s[1]); }

// Whether the text after an answer ends its sentence at once: only spaces, markdown emphasis or one unit word,
// then the end, a line break, or '.'/'!' closing the sentence ("$1,284$. I hope it is correct.", "$18$ dollars.";
// not "$901$, so ...", "\]as before.", "24?").
bool EndsSentence(absl::string_view after) {
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < after.size() && (after[i] == ' ' || after[i] == '\t' || after[i] == '*')) ++i;
  };
  skip_spaces();
  while (i < after.size() && IsLetter(after[i])) ++i;
  skip_spaces();
  if (i == after.size() || after[i] == '\n' || after[i] == '\r') return true;
  return (after[i] == '.' || after[i] == '!') && (i + 1 == after.size() || IsSpace(after[i + 1]));
}

// What an answer statement says.
struct Stated {
  std::string answer;
  bool math = false;      // the answer is a math span's content
  bool closes = false;    // its sentence ends with the answer: a closing restatement, not a step of a check
  bool question = false;  // "Is it a coincidence that the answer is 24?" asks, it does not state
};

// The answer of a statement whose marker ends just before `rest`; NotFound when it offers alternatives.
absl::StatusOr<Stated> StatementAnswer(absl::string_view rest) {
  while (!rest.empty() && (IsSpace(rest[0]) || rest[0] == '*' || rest[0] == '_' || rest[0] == ':')) {
    rest.remove_prefix(1);  // spaces, markdown emphasis ("**Answer:** 7"), the colon of "is:"
  }
  Leading leading = LeadingAnswer(rest);
  size_t start = 0;  // where the answer starts in `rest`
  // A sentence answers with its predicate ("Final Answer: The smallest $k$ is 12." → "12"), else with its first
  // math span ("Our final answer is then $12,9$." → "12,9", "... is then \[ 289 - 225 = 64, \]" → "... = 64,").
  if (StartsWithWord(leading.answer)) {
    const absl::string_view sentence = rest.substr(0, leading.end);
    size_t from = PredicateStart(sentence);
    if (from == kNpos) from = FirstMathOpen(sentence);
    if (from != kNpos) {
      leading = LeadingAnswer(sentence.substr(from));
      leading.end += from;
      start = from;
    }
  }
  Stated out{std::move(leading.answer), leading.math};
  while (!out.answer.empty() && out.answer.back() == '*') out.answer.pop_back();  // "**Answer: 7**"
  const size_t end = leading.end;
  out.question = absl::StartsWith(absl::StripLeadingAsciiWhitespace(rest.substr(end)), "?");
  out.closes = !out.question && EndsSentence(rest.substr(end));
  // Alternatives outside the answer found: "answer: $x=3$ or $x=4$", "$\frac14$, or $25\%$" (the first $...$ holds
  // one of them). The whole offer, up to the end of its sentence and without math delimiters, is the answer: the
  // comparison judges it like boxes joined by "or" (a list, forms of one value, or a hedge). An "or" inside the
  // answer ("answer: 2 or 3") goes to the comparison as it is.
  const size_t context_end = std::min({rest.find('\n'), rest.find(". "), rest.size()});
  if (start <= context_end && CountOrWords(rest.substr(start, context_end - start)) > CountOrWords(out.answer)) {
    out.answer = absl::StrReplaceAll(rest.substr(start, context_end - start),
                                     {{"\\$", "\\$"}, {"$", ""}, {"\\(", ""}, {"\\)", ""}, {"\\[", ""}, {"\\]", ""}});
    out.math = false;
  }
  return out;
}

// The words that mark an answer statement, all six letters long: "answer", and "option" / "choice" when they
// state a choice letter ("The correct option is B.", "So the best choice is (D).").
constexpr std::array<absl::string_view, 3> kMarkerWords = {"answer", "option", "choice"};
constexpr size_t kMarkerWord = 6;

// The marker words of a text from the last backwards: each word's search resumes where it stopped, so a walk
// over all of them stays linear.
class MarkerWords {
 public:
  explicit MarkerWords(absl::string_view lower) : lower_(lower) {
    for (size_t k = 0; k < kMarkerWords.size(); ++k) at_[k] = lower.rfind(kMarkerWords[k]);
  }
  // Start of the last marker word not yet returned, or npos.
  size_t Next() {
    size_t k = 0;
    for (size_t j = 1; j < at_.size(); ++j) {
      if (at_[j] != kNpos && (at_[k] == kNpos || at_[j] > at_[k])) k = j;
    }
    const size_t p = at_[k];
    if (p != kNpos) at_[k] = p == 0 ? kNpos : lower_.rfind(kMarkerWords[k], p - 1);
    return p;
  }

 private:
  absl::string_view lower_;
  std::array<size_t, kMarkerWords.size()> at_;
};

// Whether a statement's answer is one choice letter (ChoiceLetter: "B", "(C)", "D)"; also bold), the last two also
// followed by its value ("(B) 12"): what "The correct option is …" must state to be an answer.
bool StatesChoice(absl::string_view answer) {
  answer = absl::StripAsciiWhitespace(answer);
  while (!answer.empty() && answer.back() == '*') answer.remove_suffix(1);
  const size_t space = answer.find(' ');
  if (space != kNpos && space > 0 && answer[space - 1] == ')') answer = answer.substr(0, space);
  char letter = 0;
  return ChoiceLetter(answer, &letter);
}

// True when the marker word at lower[p] is an answer marker: "answer:", "answer is", "answer =" (markdown
// emphasis allowed in between, "**Answer**:"), or a "Final Answer" heading ending its line. *after receives where
// the answer text starts.
bool IsAnswerMarker(absl::string_view lower, size_t p, size_t* after) {
  constexpr size_t kWord = kMarkerWord;
  if ((p > 0 && IsLetter(lower[p - 1])) || (p + kWord < lower.size() && IsLetter(lower[p + kWord]))) return false;
  size_t q = p + kWord;
  while (q < lower.size() && (lower[q] == '*' || lower[q] == '_' || lower[q] == ' ' || lower[q] == '\t')) ++q;
  if (q < lower.size() && (lower[q] == ':' || lower[q] == '=')) {
    *after = q + 1;
    return true;
  }
  if (lower.substr(q, 2) == "is" && (q + 2 == lower.size() || !IsLetter(lower[q + 2]))) {
    *after = q + 2;
    return true;
  }
  const bool heading = p >= 6 && lower.substr(p - 6, 6) == "final " && lower.substr(p, kWord) == "answer";
  if (heading && (q == lower.size() || lower[q] == '\n' || lower[q] == '\r')) {
    *after = q;
    return true;
  }
  return false;
}

struct Statement {
  size_t start;                   // where its marker is
  absl::StatusOr<Stated> stated;  // its answer is never empty
};

// The last answer statement (not a question) with a non-empty answer after its marker, if any. A statement is
// read up to the next question's marker at most, so skipping questions keeps the scan linear.
std::optional<Statement> LastStatement(absl::string_view text) {
  const std::string lower = absl::AsciiStrToLower(text);
  size_t limit = text.size();
  MarkerWords markers(lower);
  for (size_t p = markers.Next(); p != kNpos; p = markers.Next()) {
    size_t after = 0;
    if (!IsAnswerMarker(lower, p, &after) || after > limit) continue;
    absl::StatusOr<Stated> stated = StatementAnswer(text.substr(after, limit - after));
    // "The first option is to factor": an option or choice marker states only a choice letter. Like a question,
    // it bounds the statements before it, which keeps the scan linear.
    const bool no_choice =
        lower.substr(p, kMarkerWord) != "answer" && !(stated.ok() && StatesChoice(stated->answer));
    if (no_choice || (stated.ok() && stated->question)) {
      limit = p;
      continue;
    }
    if (stated.ok() && stated->answer.empty()) return std::nullopt;
    return Statement{p, std::move(stated)};
  }
  return std::nullopt;
}

// Whether a statement's answer written as text (not in a math span) states a value: math or a short token, with
// no prose word before the value (values may be joined by "and"/"or"; capitals name points: "AB = 9") and only
// unit words after it. "a multiple of $9$" describes the answer, "therefore positive" is prose and "5, which is
// prime" goes on; "1,284 apples" is a value with its unit.
bool StatesValue(absl::string_view answer) {
  if (answer.size() <= 3) return true;
  size_t value_end = 0;  // after the last digit or command
  for (size_t i = 0; i < answer.size(); ++i) {
    if (IsDigit(answer[i]) || answer[i] == '\\') value_end = i + 1;
  }
  for (size_t i = value_end; i < answer.size(); ++i) {
    if (!IsLetter(answer[i]) && absl::string_view(" {}$*").find(answer[i]) == kNpos) return false;
  }
  for (size_t i = 0; i < value_end;) {
    size_t j = i;
    while (j < answer.size() && IsLetter(answer[j])) ++j;
    const absl::string_view word = answer.substr(i, j - i);
    const bool prose = word.size() >= 2 && std::any_of(word.begin(), word.end(), absl::ascii_islower) &&
                       !absl::EqualsIgnoreCase(word, "or") && !absl::EqualsIgnoreCase(word, "and");
    if (prose && (i == 0 || answer[i - 1] != '\\')) return false;
    i = j == i ? i + 1 : j;
  }
  return value_end > 0;
}

// A statement written after the last box replaces it when it is the response's closing restatement of a value
// ("7 \cdot 12 = \boxed{84} ... Final Answer: The final answer is $1,284$. I hope it is correct."), or when it
// offers alternatives, or the box is empty. Not: prose about the answer ("\boxed{7}. We can check our answer: if
// $n=7$, ... a multiple of $9$."), a step that goes on ("our answer is $10 \cdot 901 = 9010$, so ...").
bool ReplacesBox(const Statement& statement, bool box_empty) {
  if (box_empty || !statement.stated.ok()) return true;
  return statement.stated->closes && (statement.stated->math || StatesValue(statement.stated->answer));
}

// ---------------------------------------------------------------------------------------------------------------
// Math spans


// Index of the `$` closing an inline span opened before `from`, or npos with *stop = where the search ended (a
// line break or the end: inline math stays on its line). A closing `$` follows a non-space that is not an
// operator and precedes no digit: in "$5 and $6", "= $<<3*5=15>>15" the dollars are currency. Escaped `\$`
// never closes.
size_t FindDollarClose(absl::string_view text, size_t from, size_t* stop) {
  for (size_t j = from; j < text.size(); ++j) {
    if (text[j] == '\n') {
      *stop = j;
      return kNpos;
    }
    if (text[j] == '\\') {
      ++j;
    } else if (text[j] == '$' && !IsSpace(text[j - 1]) && absl::string_view("=+-*/<>(").find(text[j - 1]) == kNpos &&
               (j + 1 == text.size() || !IsDigit(text[j + 1]))) {
      return j;
    }
  }
  *stop = text.size();
  return kNpos;
}

struct MathSpan {
  std::string content;
  size_t end;  // after its closing delimiter
};

// The last non-empty math span: $...$, $$...$$, \(...\), \[...\] or a display environment (its last row). One
// forward scan; a delimiter kind whose closer was once not found is not searched again, so the scan stays linear.
std::optional<MathSpan> LastMathSpan(absl::string_view text) {
  std::optional<MathSpan> last;
  bool unclosed_double = false, unclosed_paren = false, unclosed_bracket = false;
  size_t dollar_dead_until = 0;  // no `$` before this closes (the search from an earlier opener found none)
  std::array<bool, kDisplayEnvironments.size()> unclosed_env{};
  auto record = [&last](absl::string_view content, size_t end) {
    content = absl::StripAsciiWhitespace(content);
    if (!content.empty()) last = MathSpan{std::string(content), end};
  };
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '(' || text[i + 1] == '[')) {
      const bool paren = text[i + 1] == '(';
      bool& unclosed = paren ? unclosed_paren : unclosed_bracket;
      const size_t e = unclosed ? kNpos : text.find(paren ? "\\)" : "\\]", i + 2);
      if (e == kNpos) {
        unclosed = true;
        i += 2;
        continue;
      }
      record(text.substr(i + 2, e - i - 2), e + 2);
      i = e + 2;
    } else if (c == '\\' && text.substr(i, 7) == "\\begin{") {
      const absl::string_view head = text.substr(i + 7, 10);  // the longest name, "eqnarray*}", has 10 bytes
      const absl::string_view name = head.substr(0, head.find('}') == kNpos ? 0 : head.find('}'));
      const size_t k = std::find(kDisplayEnvironments.begin(), kDisplayEnvironments.end(), name) -
                       kDisplayEnvironments.begin();
      if (k == kDisplayEnvironments.size() || unclosed_env[k]) {
        i += 7;
        continue;
      }
      const size_t body = i + 8 + name.size();
      const std::string close = absl::StrCat("\\end{", name, "}");
      const size_t e = text.find(close, body);
      if (e == kNpos) {
        unclosed_env[k] = true;
        i = body;
        continue;
      }
      record(LastRow(text.substr(body, e - body)), e + close.size());
      i = e + close.size();
    } else if (c == '\\') {
      i += 2;  // an escaped character (\$) or the first letter of a command
    } else if (c == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      const size_t e = unclosed_double ? kNpos : FindMathClose(text.substr(i + 2), "$$");
      if (e == kNpos) {
        unclosed_double = true;
        i += 2;
        continue;
      }
      record(text.substr(i + 2, e), i + 2 + e + 2);
      i = i + 2 + e + 2;
    } else if (c == '$' && i + 1 < text.size() && text[i + 1] != '\n' && i >= dollar_dead_until) {
      const size_t e = FindDollarClose(text, i + 1, &dollar_dead_until);
      if (e == kNpos) {
        ++i;
        continue;
      }
      // "$ x = -10$" opens with a space (sloppy but common); such an opener with another `$` before its closer is
      // not one ("… $ or $5.5$"): the last `$` before the closer opens instead. i only moves forward: linear.
      if (text[i + 1] == ' ') {
        size_t inner = kNpos;
        for (size_t k = e - 1; k > i; --k) {
          if (text[k] == '$' && text[k - 1] != '\\') {
            inner = k;
            break;
          }
        }
        if (inner != kNpos) {
          i = inner;
          continue;
        }
      }
      record(text.substr(i + 1, e - i - 1), e + 1);
      i = e + 1;
    } else {
      ++i;
    }
  }
  return last;
}

// A response that is one short line of math without prose ("(0,2]", "x = 5") is its own answer. Words inside a
// text group without digits are a word answer or a unit, not prose ("\text{Monday}", "5\text{ cm}"; but
// "\text{The answer is 5}" is prose).
bool IsBareMath(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty() || text.size() > 200 || text.find('\n') != kNpos) return false;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\\') {
      size_t name_end = i + 1;
      while (name_end < text.size() && IsLetter(text[name_end])) ++name_end;
      const absl::string_view name = text.substr(i + 1, name_end - i - 1);
      absl::string_view content;
      size_t end = 0;
      if ((name == "text" || name == "textbf" || name == "textit" || name == "textrm" || name == "mathrm" ||
           name == "mbox") &&
          name_end < text.size() && text[name_end] == '{' &&
          MatchBraces(text, name_end, &content, &end) && !std::any_of(content.begin(), content.end(), IsDigit)) {
        i = end;
        continue;
      }
    }
    size_t j = i;
    while (j < text.size() && IsLetter(text[j])) ++j;
    if (j - i >= 2 && (i == 0 || text[i - 1] != '\\')) return false;  // a word ("so"), not a command
    i = j == i ? i + 1 : j;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// The last bare number

// Whether s[i] == ',' separates thousands ("34,\\!560", "1,000"): a digit before it, exactly three after it.
bool IsThousandsComma(absl::string_view s, size_t i) {
  size_t j = i + 1;
  if (s.substr(j, 2) == "\\!") j += 2;
  size_t k = j;
  while (k < s.size() && IsDigit(s[k])) ++k;
  return i > 0 && IsDigit(s[i - 1]) && k - j == 3;
}

// Start of the final sentence: after the last line break and the last ". ", "! " or "? " of the trimmed text.
size_t FinalSentenceStart(absl::string_view text) {
  size_t line = text.rfind('\n');
  size_t start = line == kNpos ? 0 : line + 1;
  for (size_t i = text.size(); i-- > start + 1;) {
    if (text[i] == ' ' && absl::string_view(".!?").find(text[i - 1]) != kNpos) return i + 1;
  }
  return start;
}

// Whether text[start, end) is a line's list marker: "3." or "3)" opening the line, or a lone number on the line
// after a numbered item (a list cut off after its index).
bool IsListIndex(absl::string_view text, size_t start, size_t end) {
  size_t line = start;
  while (line > 0 && (text[line - 1] == ' ' || text[line - 1] == '\t')) --line;
  if (line > 0 && text[line - 1] != '\n') return false;
  if (end < text.size() && (text[end] == '.' || text[end] == ')') &&
      (end + 1 == text.size() || IsSpace(text[end + 1]))) {
    return true;
  }
  if (end < text.size() && !IsSpace(text[end])) return false;
  // A lone number: is the previous non-empty line a numbered item?
  size_t prev_end = line;
  while (prev_end > 0 && IsSpace(text[prev_end - 1])) --prev_end;
  if (prev_end == 0) return false;
  size_t prev = text.rfind('\n', prev_end - 1);
  prev = prev == kNpos ? 0 : prev + 1;
  while (prev < prev_end && text[prev] == ' ') ++prev;
  size_t digits = prev;
  while (digits < prev_end && IsDigit(text[digits])) ++digits;
  return digits > prev && digits < prev_end && (text[digits] == '.' || text[digits] == ')');
}

// The last number of the final sentence not glued to a word or a sub/superscript ("... so we get 42." → "42"),
// unless it is a list index. Empty when there is none.
std::string LastBareNumber(absl::string_view text) {
  text = absl::StripTrailingAsciiWhitespace(text);
  const size_t sentence = FinalSentenceStart(text);
  size_t i = text.size();
  while (i > sentence) {
    --i;
    // A choice letter "(C)" standing alone, or named ("Option B is correct."), answers a multiple-choice question
    // like a number.
    if (text[i] == ')' && i >= sentence + 2 && text[i - 2] == '(' && text[i - 1] >= 'A' && text[i - 1] <= 'E' &&
        (i + 1 == text.size() || !IsLetter(text[i + 1])) && (i < 3 || !IsLetter(text[i - 3]))) {
      return std::string(text.substr(i - 2, 3));
    }
    if (text[i] >= 'A' && text[i] <= 'E' && (i + 1 == text.size() || !IsLetter(text[i + 1]))) {
      const absl::string_view before = text.substr(sentence, i - sentence);
      if (absl::EndsWithIgnoreCase(before, " option ") || absl::EndsWithIgnoreCase(before, " choice ") ||
          absl::EqualsIgnoreCase(before, "option ") || absl::EqualsIgnoreCase(before, "choice ")) {
        return std::string(1, text[i]);
      }
    }
    if (!IsDigit(text[i])) continue;
    size_t end = i + 1;
    size_t start = i;
    // Digits, a decimal point between digits, and thousands commas ("448,000").
    while (start > 0 && (IsDigit(text[start - 1]) ||
                         (text[start - 1] == '.' && start >= 2 && IsDigit(text[start - 2])) ||
                         (text[start - 1] == ',' && IsThousandsComma(text, start - 1)))) {
      --start;
    }
    // A clock time ("4:30", "9:03:36") with its meridiem ("4:30 PM."): hours and minutes are one answer.
    for (size_t seg_start = start, seg_end = end;
         seg_end - seg_start == 2 && seg_start >= 2 && text[seg_start - 1] == ':' && IsDigit(text[seg_start - 2]);) {
      seg_end = seg_start - 1;
      for (seg_start = seg_end; seg_start > 0 && IsDigit(text[seg_start - 1]);) --seg_start;
      if (start == end - 2) {  // the first colon found: a meridiem may follow the time
        size_t m = end;
        while (m < text.size() && text[m] == ' ') ++m;
        if (const size_t meridiem = MeridiemLength(text.substr(m)); meridiem > 0) end = m + meridiem;
      }
      start = seg_start;
    }
    // A percent sign or word belongs to the number ("8%", "8\\%", "8 percent"): it changes its value.
    for (absl::string_view percent : {"%", "\\%", " percent", " per cent"}) {
      if (absl::StartsWithIgnoreCase(text.substr(end), percent) &&
          (end + percent.size() == text.size() || !IsLetter(text[end + percent.size()]))) {
        end += percent.size();
        break;
      }
    }
    // A fraction ending the sentence is one number ("the probability is 1/4." → "1/4", not "4"); not one that goes
    // on ("30/1.5 = 20mph", "1/3 pound walnuts"), whose denominator stays the last number as before.
    if (start >= 2 && text[start - 1] == '/' && IsDigit(text[start - 2]) && EndsSentence(text.substr(end))) {
      for (--start; start > 0 && IsDigit(text[start - 1]);) --start;
    }
    // A unit abbreviation may be glued to a number that ends the sentence ("Each piece is 75mm."; not "75mm long",
    // nor "325kg … beyond the 500kg plans", whose last number is not the answer).
    size_t unit_end = end;
    while (unit_end < text.size() && IsLetter(text[unit_end])) ++unit_end;
    const absl::string_view after_unit = absl::StripTrailingAsciiWhitespace(text.substr(unit_end));
    const bool glued_unit = unit_end > end && IsGluedUnit(text.substr(end, unit_end - end)) &&
                            (after_unit.empty() || after_unit == "." || after_unit == "!");
    bool glued_after = !glued_unit && end < text.size() && (IsLetter(text[end]) || text[end] == '_');
    bool glued_before = start > 0 && (IsLetter(text[start - 1]) || text[start - 1] == '_' || text[start - 1] == '^');
    if (!glued_after && !glued_before) {
      if (IsListIndex(text, start, end)) return "";
      if (start > 0 && text[start - 1] == '-' && (start < 2 || !IsDigit(text[start - 2]))) --start;
      return std::string(text.substr(start, end - start));
    }
    i = start;
  }
  return "";
}

// The last bold span of the final sentence after the last math span (which ends at `after`): markdown emphasis
// marks the result ("Counting forward $3$ days from Friday, the day is **Monday**." → "Monday"). Empty when there
// is none. A bare number there does not count: on MATH solutions it is more often a remark ("Note: … 2 boxes.")
// or a figure's code than the answer.
std::string BoldAfterMath(absl::string_view text, size_t after) {
  text = absl::StripTrailingAsciiWhitespace(text);
  const absl::string_view tail = text.substr(std::min(std::max(FinalSentenceStart(text), after), text.size()));
  const size_t close = tail.rfind("**");
  const size_t open = close == kNpos || close < 2 ? kNpos : tail.rfind("**", close - 2);
  if (open == kNpos || close <= open + 2) return "";
  const absl::string_view bold = absl::StripAsciiWhitespace(tail.substr(open + 2, close - open - 2));
  return bold.empty() || bold.back() == ':' || bold.find('$') != kNpos ? "" : std::string(bold);
}

// The last number of a final sentence that closes the reasoning after the last math span (which ends at `after`):
// the sentence holds no math, is no question and opens with a conclusion ("Subtract $2$. So she has 10 apples
// left." → "10").
// Empty otherwise: a bare number after the last span is more often a remark ("Note: … 2 boxes.") than the result.
std::string ClosingNumber(absl::string_view text, size_t after) {
  text = absl::StripTrailingAsciiWhitespace(text);
  const size_t start = FinalSentenceStart(text);
  if (start < after) return "";
  const absl::string_view sentence = text.substr(start);
  if (absl::EndsWith(sentence, "?")) return "";  // "So how many are left?" asks
  bool conclusion = false;
  for (absl::string_view opener : {"so", "therefore", "thus", "hence", "altogether", "in total", "in all",
                                   "overall", "in the end", "finally"}) {
    conclusion |= absl::StartsWithIgnoreCase(sentence, opener) && sentence.size() > opener.size() &&
                  (sentence[opener.size()] == ' ' || sentence[opener.size()] == ',');
  }
  return conclusion ? LastBareNumber(text) : "";
}

// The number that a verb right after the last math span (which ends at `after`) states, closing the response:
// "Thus, the value of $2x+1$ is 7." → "7" (only a unit word may follow it). Empty otherwise.
std::string PredicateAfterSpan(absl::string_view text, size_t after) {
  text = absl::StripTrailingAsciiWhitespace(text);
  absl::string_view rest = absl::StripLeadingAsciiWhitespace(text.substr(std::min(after, text.size())));
  if (!absl::ConsumePrefix(&rest, "is ") && !absl::ConsumePrefix(&rest, "equals ") &&
      !absl::ConsumePrefix(&rest, "was ")) {
    return "";
  }
  std::string number = LastBareNumber(text);
  if (number.empty() || !absl::StartsWith(rest, number) || !EndsSentence(rest.substr(number.size()))) return "";
  return number;
}

// ---------------------------------------------------------------------------------------------------------------

// Whether `s` names something: a letter outside command names or a Greek letter ("x", "P(2)", "\text{Area}",
// "\tan\theta"; not "\frac{1}{2}", "\pi").
bool HasVariable(absl::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      const size_t name = i + 1;
      while (i + 1 < s.size() && IsLetter(s[i + 1])) ++i;
      if (IsGreekLetter(s.substr(name, i + 1 - name))) return true;
    } else if (IsLetter(s[i])) {
      return true;
    }
  }
  return false;
}

// A chain of equalities answers with its last right-hand side ("3 + 20 = 23" → "23", "P(2) = 4+2+1 = 7" → "7");
// a single equation keeps a named left side ("x = 5" is for the comparison). Lists ("x=1, y=2") are left alone.
std::string LastRightSide(std::string answer) {
  std::vector<size_t> equals;
  int depth = 0;
  for (size_t i = 0; i < answer.size(); ++i) {
    const char c = answer[i];
    if (c == '\\') {
      ++i;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    } else if (depth == 0 && c == ',' && !IsThousandsComma(answer, i) &&
               answer.find_first_not_of(" ,;.", i) != std::string::npos) {  // not the sentence's trailing comma
      return answer;
    } else if (depth == 0 && c == '=' && (i == 0 || absl::string_view("<>:=").find(answer[i - 1]) == kNpos) &&
               (i + 1 == answer.size() || answer[i + 1] != '=')) {
      equals.push_back(i);
    }
  }
  // "x=3 or x=4", "x = 1 \\text{ and } y = 2": several equations, not a chain.
  if (equals.empty() || FindOrWord(answer, 0) != kNpos || FindWord(answer, 0, "and") != kNpos) return answer;
  absl::string_view rhs = absl::StripAsciiWhitespace(absl::string_view(answer).substr(equals.back() + 1));
  if (rhs.empty() || (equals.size() == 1 && HasVariable(absl::string_view(answer).substr(0, equals[0])))) {
    return answer;
  }
  return std::string(rhs);
}

// What follows the last implication arrow ("2x = 6 \\Rightarrow x = 3" → "x = 3"): the conclusion. A plain arrow
// (\\rightarrow, \\to) counts outside braces only ("(9,141) \\rightarrow 150"; not "\\lim_{x \\to 0} f(x)").
absl::string_view AfterImplication(absl::string_view answer) {
  size_t best = kNpos;
  for (absl::string_view arrow : {"\\Rightarrow", "\\implies", "\\Longrightarrow", "\\therefore"}) {
    size_t p = answer.rfind(arrow);
    if (p != kNpos && (best == kNpos || p + arrow.size() > best)) best = p + arrow.size();
  }
  int depth = 0;
  for (size_t i = 0; i < answer.size(); ++i) {
    if (answer[i] == '{') ++depth;
    if (answer[i] == '}') --depth;
    if (answer[i] != '\\' || depth != 0) continue;
    for (absl::string_view arrow : {"\\rightarrow", "\\longrightarrow", "\\to"}) {
      const size_t end = i + arrow.size();
      if (answer.substr(i, arrow.size()) == arrow && (end == answer.size() || !IsLetter(answer[end])) &&
          (best == kNpos || end > best)) {
        best = end;
      }
    }
  }
  return best == kNpos ? answer : absl::StripAsciiWhitespace(answer.substr(best));
}

// The last row of an aligned block inside a math span ("\\[\\begin{aligned} a &= … \\\\ &= 50. \\end{aligned}\\]" →
// "= 50."), like a display environment's; the answer unchanged without one.
std::string AlignedLastRow(absl::string_view answer) {
  if (answer.find("\\begin{") == kNpos) return std::string(answer);
  for (absl::string_view env : {"aligned", "split", "gathered", "alignedat"}) {
    const std::string begin = absl::StrCat("\\begin{", env, "}"), end = absl::StrCat("\\end{", env, "}");
    const size_t b = answer.rfind(begin);
    const size_t e = b == kNpos ? kNpos : answer.find(end, b);
    if (e != kNpos) return LastRow(answer.substr(b + begin.size(), e - b - begin.size()));
  }
  return std::string(answer);
}

// "28501 \equiv 501 \pmod{1000}" → "28501 = 501": a congruence states a residue like an equation states a value
// (the chain rule then answers 501; "N \equiv 320 \pmod{1000}" keeps its name). The modulus, written last, goes.
std::string Congruence(absl::string_view answer) {
  const size_t equiv = answer.find("\\equiv");
  if (equiv == kNpos) return std::string(answer);
  size_t modulus = kNpos;
  for (absl::string_view mod : {"\\pmod", "\\bmod", "\\mod", "\\text{mod", "\\text{ mod", "\\mathrm{mod"}) {
    modulus = std::min(modulus, answer.find(mod, equiv));
  }
  absl::string_view head = absl::StripTrailingAsciiWhitespace(answer.substr(0, modulus));
  absl::ConsumeSuffix(&head, "(");  // "(\mod 7)", also after a spacing macro: "\ (\mod 7)"
  head = absl::StripTrailingAsciiWhitespace(head);
  absl::ConsumeSuffix(&head, "\\");
  return absl::StrReplaceAll(absl::StripTrailingAsciiWhitespace(head), {{"\\equiv", "="}});
}

absl::StatusOr<Extraction> Found(absl::string_view answer, absl::string_view method) {
  const std::string congruence = Congruence(AlignedLastRow(answer));
  absl::string_view conclusion = AfterImplication(congruence);
  return Extraction{LastRightSide(std::string(conclusion.empty() ? absl::string_view(congruence) : conclusion)),
                    method};
}

// A truncated response kept for its box: the final boxes, completed, with no statement after them that would
// replace them (it may have been cut off).
absl::StatusOr<Extraction> TruncatedBox(const FinalBoxes& boxes, bool restated) {
  if (!boxes.found) return absl::NotFoundError("truncated response (cut off at the token limit) without a \\boxed{}");
  if (!boxes.answer.ok()) return boxes.answer.status();
  if (restated) {
    return absl::NotFoundError("truncated response: an answer statement after the last box was cut off");
  }
  return Found(*boxes.answer, "boxed");
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

absl::StatusOr<Extraction> ExtractAnswer(absl::string_view response, const Truncation& truncation) {
  if (truncation.truncated && !truncation.keep_box) {
    return absl::NotFoundError("the response was cut off at the token limit (truncated)");
  }
  const absl::string_view text = CutAtTurnEnd(response);
  const FinalBoxes boxes = FindFinalBoxes(text);
  const std::optional<Statement> statement = LastStatement(text);
  const bool restated = boxes.found && statement && boxes.end != kNpos && statement->start >= boxes.end &&
                        ReplacesBox(*statement, boxes.empty);
  if (truncation.truncated) return TruncatedBox(boxes, restated);

  if (restated) {
    if (!statement->stated.ok()) return statement->stated.status();
    return Found(statement->stated->answer, "phrase");
  }
  if (boxes.found) {
    if (!boxes.answer.ok()) return boxes.answer.status();
    return Found(*boxes.answer, "boxed");
  }
  if (statement) {
    if (!statement->stated.ok()) return statement->stated.status();
    return Found(statement->stated->answer, "phrase");
  }
  if (std::optional<MathSpan> span = LastMathSpan(text)) {
    std::string bold = BoldAfterMath(text, span->end);
    if (!bold.empty()) return Found(bold, "bold");
    std::string closing = PredicateAfterSpan(text, span->end);
    if (closing.empty()) closing = ClosingNumber(text, span->end);
    if (!closing.empty()) return Extraction{std::move(closing), "last number"};
    return Found(span->content, "math span");
  }
  if (IsBareMath(text)) return Found(absl::StripAsciiWhitespace(text), "whole response");
  std::string number = LastBareNumber(text);
  if (!number.empty()) return Extraction{std::move(number), "last number"};
  return absl::NotFoundError(
      "no \\boxed{}, no answer statement, no math span and no number in the final sentence of the response");
}

}  // namespace rlvr::verifier
