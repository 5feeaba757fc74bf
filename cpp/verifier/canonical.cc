#include "cpp/verifier/canonical.h"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "cpp/verifier/chars.h"
#include "cpp/verifier/extract.h"

namespace rlvr::verifier {
namespace {

bool OneOf(absl::string_view name, std::initializer_list<absl::string_view> names) {
  for (absl::string_view n : names) {
    if (name == n) return true;
  }
  return false;
}

// Markers around word-only \text{} groups; resolved once we know whether other content exists.
constexpr char kWordsOpen = '\x01';
constexpr char kWordsClose = '\x02';

// Word-only content (letters, spaces, punctuation): a unit or prose, not math.
bool IsWords(absl::string_view s) {
  int letters = 0;
  for (char c : s) {
    if (IsLetter(c)) {
      ++letters;
    } else if (IsDigit(c) || c == '\\' || c == '{' || c == '}' || c == '^' || c == '_') {
      return false;
    }
  }
  // A single letter is a unit only when set apart: "5\\text{ m}" (but "\\text{(B)}", "\\mathrm{e}" are math).
  return letters >= 2 || (letters == 1 && !s.empty() && s[0] == ' ');
}

// Pass over LaTeX commands: drop presentation-only ones, rename synonyms, unwrap text groups.
std::string RewriteCommands(absl::string_view s, bool* percent) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '%') {
      *percent = true;
      ++i;
      continue;
    }
    if (c == '$' || c == '~') {
      if (c == '~') out.push_back(' ');
      ++i;
      continue;
    }
    if (c != '\\') {
      // Currency signs other than \$ carry no value either: "€12.50", "£3", "¥100".
      const bool pound_or_yen = s.substr(i, 2) == "\xc2\xa3" || s.substr(i, 2) == "\xc2\xa5";
      const size_t sign = s.substr(i, 3) == "\xe2\x82\xac" ? 3 : pound_or_yen ? 2 : 0;
      if (sign == 0) out.push_back(c);
      i += sign == 0 ? 1 : sign;
      continue;
    }
    if (i + 1 >= s.size()) {
      ++i;
      continue;
    }
    char n = s[i + 1];
    if (!IsLetter(n)) {
      if (n == '%') {
        *percent = true;
      } else if (n == ' ') {
        out.push_back(' ');  // "2\ 1/4" keeps its space (a mixed number, not 21/4)
      } else if (n == ',' || n == '!' || n == ';' || n == ':' || n == '$') {
        // spacing macros and \$: nothing
      } else {
        out.append(s.data() + i, 2);  // \{ \} \\ and friends
      }
      i += 2;
      continue;
    }
    size_t j = i + 1;
    while (j < s.size() && IsLetter(s[j])) ++j;
    absl::string_view name = s.substr(i + 1, j - i - 1);
    if (OneOf(name, {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
                     "biggr", "Biggl", "Biggr"})) {
      if (j < s.size() && s[j] == '.') ++j;  // \left. / \right. are invisible delimiters
      i = j;
      continue;
    }
    if (OneOf(name, {"displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "circ", "euro", "pounds"})) {
      i = j;
      continue;
    }
    if (OneOf(name, {"quad", "qquad"})) {
      out.push_back(' ');
      i = j;
      continue;
    }
    if (OneOf(name, {"dfrac", "tfrac", "cfrac"})) {
      out.append("\\frac");
      i = j;
      continue;
    }
    if (OneOf(name, {"text", "textbf", "textit", "textrm", "textnormal", "textsf", "texttt", "mbox", "mathrm",
                     "mathbf", "mathit", "mathsf", "boldsymbol", "bm", "operatorname", "mathnormal", "mathcal",
                     "mathscr", "mathfrak"})) {
      size_t k = j;
      while (k < s.size() && s[k] == ' ') ++k;
      absl::string_view content;
      size_t end = 0;
      if (k < s.size() && s[k] == '{' && MatchBraces(s, k, &content, &end)) {
        if (name == "operatorname") {
          out.push_back('\\');
          out.append(content.data(), content.size());
        } else if (IsWords(content)) {
          out.push_back(kWordsOpen);
          out.append(content.data(), content.size());
          out.push_back(kWordsClose);
        } else {
          // Nested groups inside (e.g. \text{\$5}) are rewritten too.
          out.append(RewriteCommands(content, percent));
        }
        i = end;
        continue;
      }
      i = j;
      continue;
    }
    out.append(s.data() + i, j - i);
    i = j;
  }
  return out;
}

// The power of ten a scale word stands for ("hundred" 2, "thousand" 3, "million" 6, "billion" 9, "trillion" 12),
// else 0.
int ScaleExponent(absl::string_view w) {
  if (absl::EqualsIgnoreCase(w, "hundred")) return 2;
  int exponent = 3;
  for (absl::string_view scale : {"thousand", "million", "billion", "trillion"}) {
    if (absl::EqualsIgnoreCase(w, scale)) return exponent;
    exponent += 3;
  }
  return 0;
}

bool IsMeridiem(absl::string_view w) { return !w.empty() && MeridiemLength(w) == w.size(); }

// "8:34 p.m." → "20:34", "12:05 a.m." → "0:05", "5 pm" → "17:00": every 12-hour clock time (hour 1-12, then
// ":MM" and optionally ":SS", or the hour alone) followed by its meridiem is written in 24-hour form; *converted
// tells whether there was one. With the meridiem the time is unambiguous, and "p.m." must not be dropped like a
// unit word ("8:34 a.m." ≠ "8:34 p.m.").
void ToTwentyFourHour(std::string* text, bool* converted) {
  // Most answers have no digit followed by "a"/"p" (after spaces): nothing to rewrite, no copy.
  bool candidate = false;
  for (size_t k = 0; k + 1 < text->size() && !candidate; ++k) {
    if (!IsDigit((*text)[k])) continue;
    size_t m = k + 1;
    while (m < text->size() && (*text)[m] == ' ') ++m;
    candidate = m < text->size() && absl::string_view("aApP").find((*text)[m]) != absl::string_view::npos;
  }
  if (!candidate) return;
  const absl::string_view s = *text;
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const bool starts = IsDigit(s[i]) && (i == 0 || !(IsDigit(s[i - 1]) || IsLetter(s[i - 1]) || s[i - 1] == '.' ||
                                                      s[i - 1] == ':' || s[i - 1] == '_' || s[i - 1] == '^'));
    if (!starts) {
      out.push_back(s[i++]);
      continue;
    }
    size_t h = i;
    while (h < s.size() && IsDigit(s[h])) ++h;
    const int hour = h - i > 2 ? 0 : h - i == 1 ? s[i] - '0' : (s[i] - '0') * 10 + (s[i + 1] - '0');
    size_t time_end = h;
    for (int part = 0; part < 2 && time_end + 2 < s.size() && s[time_end] == ':' && IsDigit(s[time_end + 1]) &&
                       IsDigit(s[time_end + 2]) && (time_end + 3 == s.size() || !IsDigit(s[time_end + 3]));
         ++part) {
      time_end += 3;
    }
    size_t m = time_end;
    while (m < s.size() && s[m] == ' ') ++m;
    size_t meridiem = hour >= 1 && hour <= 12 ? MeridiemLength(s.substr(m)) : 0;
    // Not inside arithmetic: "2am + b" is a product of variables, not 2 a.m.
    const absl::string_view before = absl::StripTrailingAsciiWhitespace(s.substr(0, i));
    const absl::string_view after = absl::StripLeadingAsciiWhitespace(s.substr(std::min(m + meridiem, s.size())));
    constexpr absl::string_view kOperators = "+-*/^=<>\\";
    if ((!before.empty() && kOperators.find(before.back()) != absl::string_view::npos) ||
        (!after.empty() && (kOperators.find(after[0]) != absl::string_view::npos || IsDigit(after[0])))) {
      meridiem = 0;
    }
    if (meridiem == 0) {
      out.append(s.data() + i, time_end - i);
      i = time_end;
      continue;
    }
    const bool pm = absl::ascii_tolower(static_cast<unsigned char>(s[m])) == 'p';
    const absl::string_view minutes = time_end == h ? absl::string_view(":00") : s.substr(h, time_end - h);
    absl::StrAppend(&out, hour % 12 + (pm ? 12 : 0), minutes);
    *converted = true;
    i = m + meridiem;
  }
  *text = std::move(out);
}

// Keeps word groups only when nothing else is there (the whole answer is text, e.g. \text{Monday}).
std::string ResolveWordGroups(absl::string_view s, bool* percent) {
  bool other = false;
  int depth = 0;
  for (char c : s) {
    if (c == kWordsOpen) ++depth;
    else if (c == kWordsClose) --depth;
    else if (depth == 0 && !IsSpace(c) && c != '.' && c != ',') other = true;
  }
  std::string out;
  out.reserve(s.size());
  depth = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == kWordsOpen) {
      ++depth;
      // "1 \text{ and } 2" lists two values; "x<0 \text{ or } x>1" joins a union (the parser judges it);
      // any other word group is a unit.
      size_t close = s.find(kWordsClose, i);
      absl::string_view words = close == absl::string_view::npos
                                    ? absl::string_view()
                                    : absl::StripAsciiWhitespace(s.substr(i + 1, close - i - 1));
      if (other && words == "and") {
        out.push_back(',');
      } else if (other && words == "or") {
        out.append(" or ");
      } else if (other && absl::EqualsIgnoreCase(words, "percent")) {
        *percent = true;  // "5 \text{ percent}" is "5\%"
        out.push_back(' ');
      } else if (other && (IsMeridiem(words) || ScaleExponent(words) > 0)) {
        out.push_back(' ');  // "8:34\text{ p.m.}", "5\text{ million}": read by ToTwentyFourHour / ApplyScaleWord
        out.append(words.data(), words.size());
      } else if (other && (words == "degree" || words == "degrees")) {
        out.append("\\degree ");  // "\sin(30\text{ degrees})": a degree mark like ^\circ
      } else if (other) {
        out.push_back(' ');
      }
    } else if (c == kWordsClose) {
      --depth;
      // A dropped unit takes its power along: "12\text{ cm}^2" → "12".
      if (other && depth == 0) {
        size_t j = i + 1;
        while (j < s.size() && IsSpace(s[j])) ++j;
        if (j + 1 < s.size() && s[j] == '^' && IsDigit(s[j + 1])) {
          i = j + 1;
        } else if (j + 3 < s.size() && s[j] == '^' && s[j + 1] == '{' && IsDigit(s[j + 2]) && s[j + 3] == '}') {
          i = j + 3;
        }
      }
    } else if (depth == 0 || !other) {
      out.push_back(c);
    }
  }
  return out;
}

// "1,000,000" / "1 000" → "1000000" when every group after the first has exactly three digits.
std::string DropThousandsSeparators(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (!IsDigit(s[i]) || (i > 0 && (IsDigit(s[i - 1]) || s[i - 1] == '.'))) {
      out.push_back(s[i++]);
      continue;
    }
    size_t j = i;
    while (j < s.size() && IsDigit(s[j])) ++j;
    size_t lead = j - i;
    size_t k = j;
    int groups = 0;
    char sep = 0;
    while (lead <= 3 && k + 1 < s.size() && (s[k] == ',' || s[k] == ' ') && (sep == 0 || s[k] == sep) &&
           IsDigit(s[k + 1])) {
      size_t g = k + 1;
      size_t e = g;
      while (e < s.size() && IsDigit(s[e])) ++e;
      if (e - g != 3) break;
      sep = s[k];
      k = e;
      ++groups;
    }
    // Not a grouping if it continues like a list ("1,000,5"); "1,000.50" is fine.
    bool list_continues = k < s.size() && s[k] == ',' && k + 1 < s.size() && IsDigit(s[k + 1]);
    if (groups > 0 && !list_continues) {
      for (size_t p = i; p < k; ++p) {
        if (IsDigit(s[p])) out.push_back(s[p]);
      }
    } else {
      out.append(s.data() + i, j - i);
      k = j;
    }
    i = k;
  }
  return out;
}

// Whether a plain word after a number is a unit: a word of three or more letters that is not a function name
// ("feet", "dollars", "square"), or a common two-letter abbreviation ("cm", "ft"), optionally with a power and
// a period ("ft^2", "lbs."). Not a unit: other letter pairs and single letters, which are variables
// ("\frac{1}{2} ab", "3 x^2", "2 pi").
bool IsUnitWord(absl::string_view word) {
  if (IsMeridiem(word)) return true;  // left after a time that is not 12-hour ("13:00 p.m.")
  // A rate "km/h", "ft/s", "miles/hour": letter parts, one of them a unit word ("m/s" alone could be variables).
  if (const size_t slash = word.find('/'); slash != absl::string_view::npos) {
    const absl::string_view num = word.substr(0, slash), den = word.substr(slash + 1);
    auto letters = [](absl::string_view w) { return !w.empty() && std::all_of(w.begin(), w.end(), IsLetter); };
    return den.find('/') == absl::string_view::npos && letters(num) && letters(den) &&
           (IsUnitWord(num) || IsUnitWord(den));
  }
  if (ScaleExponent(word) > 0) return false;  // "2.5 million" is a number (ApplyScaleWord)
  size_t letters = 0;
  while (letters < word.size() && IsLetter(word[letters])) ++letters;
  absl::string_view rest = word.substr(letters);
  absl::ConsumeSuffix(&rest, ".");
  if (absl::ConsumePrefix(&rest, "^")) {
    if (rest.empty() || !std::all_of(rest.begin(), rest.end(), IsDigit)) return false;
  } else if (!rest.empty()) {
    return false;
  }
  const std::string core = absl::AsciiStrToLower(word.substr(0, letters));
  if (core.size() >= 3) {
    return !OneOf(core, {"sin", "cos", "tan", "cot", "sec", "csc", "log", "exp", "sqrt", "arcsin", "arccos",
                         "arctan", "sinh", "cosh", "tanh"});
  }
  return OneOf(core, {"cm", "mm", "km", "ft", "in", "yd", "mi", "kg", "mg", "lb", "oz", "hr", "ml", "sq"});
}

// "20mph", "75mm", "6cm^2": a number with a glued unit abbreviation (IsGluedUnit) ending the answer loses it.
absl::string_view DropGluedUnit(absl::string_view s) {
  size_t e = s.size();
  if (e >= 2 && IsDigit(s[e - 1]) && s[e - 2] == '^') e -= 2;
  size_t b = e;
  while (b > 0 && IsLetter(s[b - 1])) --b;
  if (b == e || b == 0 || !IsDigit(s[b - 1]) || !IsGluedUnit(s.substr(b, e - b))) return s;
  return s.substr(0, b);
}

// "5 cm", "12 square feet": drop trailing unit words after a number; "5 percent" also sets *percent.
absl::string_view DropTrailingUnitWords(absl::string_view s, bool* percent) {
  size_t end = s.size();
  size_t cut = absl::string_view::npos;
  while (true) {
    size_t e = end;
    while (e > 0 && IsSpace(s[e - 1])) --e;
    size_t b = e;
    auto in_word = [](char c) { return IsLetter(c) || IsDigit(c) || c == '^' || c == '.' || c == '/'; };
    while (b > 0 && in_word(s[b - 1])) --b;
    if (b == e || b == 0 || !IsSpace(s[b - 1])) break;
    if (!IsUnitWord(s.substr(b, e - b))) break;
    if (absl::EqualsIgnoreCase(s.substr(b, e - b), "percent")) *percent = true;
    cut = b;
    end = b;
  }
  if (cut == absl::string_view::npos) return s;
  absl::string_view head = absl::StripTrailingAsciiWhitespace(s.substr(0, cut));
  const size_t last_word = head.rfind(' ');
  const bool scaled = last_word != absl::string_view::npos && last_word > 0 && IsDigit(head[last_word - 1]) &&
                      ScaleExponent(head.substr(last_word + 1)) > 0;  // "3 million dollars"
  if (head.empty() || !(IsDigit(head.back()) || head.back() == '}' || scaled)) return s;
  return head;
}

// The value of one English number word: "zero" to "nineteen", the tens "twenty" to "ninety"; else -1.
int NumberWordValue(absl::string_view w) {
  static constexpr absl::string_view kOnes[] = {
      "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
      "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
  static constexpr absl::string_view kTens[] = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                                "ninety"};
  const std::string lower = absl::AsciiStrToLower(w);
  for (int k = 0; k < 20; ++k) {
    if (lower == kOnes[k]) return k;
  }
  for (int t = 0; t < 8; ++t) {
    if (lower == kTens[t]) return 20 + 10 * t;
  }
  return -1;
}

// Reads an English cardinal one word at a time ("one thousand two hundred and thirty-four", "twenty five",
// "twelve hundred"); Add refuses a word that cannot continue the number, leaving the reader as it was.
class Cardinal {
 public:
  bool Add(absl::string_view word) {
    const int value = NumberWordValue(word);
    const int scale = ScaleExponent(word);
    if (value == 0) {  // "zero" is a number only alone
      if (last_ != Last::kStart) return false;
      last_ = Last::kZero;
    } else if (value > 0) {
      // A unit after a tens word ("twenty five"); any word of 1-90 after a start, "hundred", a scale or "and".
      const bool after_tens = last_ == Last::kTens && value < 10;
      if (!after_tens && last_ != Last::kStart && last_ != Last::kHundred && last_ != Last::kScale &&
          last_ != Last::kAnd) {
        return false;
      }
      group_ += value;
      last_ = value >= 20 && value % 10 == 0 ? Last::kTens : Last::kUnits;
    } else if (scale == 2) {  // "two hundred", "twenty-five hundred"
      if ((last_ != Last::kUnits && last_ != Last::kTens) || hundred_) return false;
      group_ *= 100;
      hundred_ = true;
      last_ = Last::kHundred;
    } else if (scale > 0) {  // "thousand" ... "trillion", in decreasing order
      if ((last_ != Last::kUnits && last_ != Last::kTens && last_ != Last::kHundred) || scale >= last_scale_) {
        return false;
      }
      int64_t power = 1;
      for (int k = 0; k < scale; ++k) power *= 10;
      total_ += group_ * power;
      group_ = 0;
      hundred_ = false;
      last_scale_ = scale;
      last_ = Last::kScale;
    } else if (absl::EqualsIgnoreCase(word, "and")) {  // "two hundred and fifty"
      if (last_ != Last::kHundred && last_ != Last::kScale) return false;
      last_ = Last::kAnd;
    } else {
      return false;
    }
    return true;
  }
  // Whether the words so far are a whole number (not "" nor one ending in "and").
  bool Complete() const { return last_ != Last::kStart && last_ != Last::kAnd; }
  int64_t Value() const { return total_ + group_; }

 private:
  enum class Last { kStart, kZero, kUnits, kTens, kHundred, kScale, kAnd };
  Last last_ = Last::kStart;
  int64_t total_ = 0;  // the finished scale groups ("one thousand" of "one thousand two hundred")
  int64_t group_ = 0;  // the group being read, below a thousand (or "twelve hundred")
  bool hundred_ = false;
  int last_scale_ = 13;  // above "trillion"
};

// The denominator an English fraction word names ("half" 2, "thirds" 3, "quarter" 4, "fourths" 4, ... "tenth"
// 10), else 0. Not "second(s)", which is a unit of time.
int DenominatorWord(absl::string_view w) {
  static constexpr absl::string_view kOrdinals[] = {"third",   "fourth", "fifth", "sixth",
                                                    "seventh", "eighth", "ninth", "tenth"};
  std::string lower = absl::AsciiStrToLower(w);
  if (lower == "half" || lower == "halves") return 2;
  if (lower == "quarter" || lower == "quarters") return 4;
  if (absl::EndsWith(lower, "s")) lower.pop_back();
  for (int k = 0; k < 8; ++k) {
    if (lower == kOrdinals[k]) return k + 3;
  }
  return 0;
}

// "five" → "5", "Twelve apples" → "12 apples", "two hundred fifty" → "250", "one thousand two hundred and
// thirty-four dollars" → "1234 dollars", "three-fourths" → "\frac{3}{4}": an answer that is a number written in
// words, followed by at most two unit words, in digits (DropTrailingUnitWords then drops the units). Anything else
// is prose that mentions a number ("one of the roots", "one or two"), left alone. Empty when nothing changes.
std::string UnsignedNumberInWords(absl::string_view v) {
  if (v.size() > 160 || v.empty() || !IsLetter(v[0])) return "";
  const std::vector<absl::string_view> words = absl::StrSplit(v, absl::ByAnyChar(" -"), absl::SkipEmpty());
  Cardinal cardinal;
  size_t n = 0;  // words of the longest whole number read
  int64_t value = 0;
  for (size_t k = 0; k < words.size() && cardinal.Add(words[k]); ++k) {
    if (cardinal.Complete()) {
      n = k + 1;
      value = cardinal.Value();
    }
  }
  if (n == 0) return "";
  std::string number = absl::StrCat(value);
  if (const int denominator = n < words.size() ? DenominatorWord(words[n]) : 0; denominator > 0 && value > 0) {
    number = absl::StrCat("\\frac{", value, "}{", denominator, "}");  // "two thirds"
    ++n;
  }
  if (words.size() - n > 2) return "";
  for (size_t k = n; k < words.size(); ++k) {
    const std::string lower = absl::AsciiStrToLower(words[k]);
    if (NumberWordValue(lower) >= 0 || ScaleExponent(lower) > 0 || DenominatorWord(lower) > 0 ||
        !std::all_of(lower.begin(), lower.end(), IsLetter) ||
        OneOf(lower, {"of", "or", "and", "more", "less", "than", "times"})) {
      return "";
    }
  }
  std::vector<absl::string_view> out = {number};
  out.insert(out.end(), words.begin() + static_cast<std::ptrdiff_t>(n), words.end());
  return absl::StrJoin(out, " ");
}

// As UnsignedNumberInWords, also after a sign word: "negative five" → "-5", "minus 5" → "-5".
std::string NumberInWords(absl::string_view v) {
  for (absl::string_view sign : {"negative ", "minus "}) {
    if (!absl::StartsWithIgnoreCase(v, sign)) continue;
    const absl::string_view rest = v.substr(sign.size());
    if (!rest.empty() && IsDigit(rest[0])) return absl::StrCat("-", rest);
    const std::string number = UnsignedNumberInWords(rest);
    return number.empty() ? "" : absl::StrCat("-", number);
  }
  return UnsignedNumberInWords(v);
}

// "12, or twelve" → "12, or 12": each alternative of an answer joined by "or" is read on its own, so the
// comparison sees two forms of one value (or a hedge: "one or two" → "1 or 2"). "7 (seven)", "seven (7)" → "7": a
// whole number restated in the other notation in parentheses. Empty when nothing changes.
std::string NumbersInWords(absl::string_view v) {
  std::string whole = NumberInWords(v);
  if (!whole.empty()) return whole;
  if (const size_t open = v.rfind(" ("); open != absl::string_view::npos && absl::EndsWith(v, ")")) {
    const absl::string_view first = v.substr(0, open), second = v.substr(open + 2, v.size() - open - 3);
    const std::string a = NumberInWords(first), b = NumberInWords(second);
    const std::string value = a.empty() ? std::string(first) : a;
    if ((a.empty() != b.empty()) && value == (b.empty() ? std::string(second) : b) && !value.empty() &&
        std::all_of(value.begin(), value.end(), IsDigit)) {
      return value;
    }
  }
  if (!absl::StrContains(v, " or ")) return "";
  std::vector<std::string> parts = absl::StrSplit(v, " or ");
  bool changed = false;
  for (std::string& part : parts) {
    const absl::string_view core = absl::StripAsciiWhitespace(absl::StripSuffix(part, ","));
    std::string digits = NumberInWords(core);
    if (digits.empty()) continue;
    part = absl::StrCat(digits, part.size() > core.size() && part.back() == ',' ? "," : "");
    changed = true;
  }
  return changed ? absl::StrJoin(parts, " or ") : "";
}

// "5 and 7" → "5, 7", "2, 3, and 4" → "2, 3, 4": numbers joined by a plain "and" are a list, as they are joined by
// "\text{ and }". Empty unless every part is a number (digits, a sign, a point, a slash, commas).
std::string NumbersJoinedByAnd(absl::string_view v) {
  if (!absl::StrContains(v, " and ")) return "";
  std::vector<absl::string_view> parts = absl::StrSplit(v, " and ");
  for (absl::string_view& part : parts) {
    part = absl::StripAsciiWhitespace(absl::StripSuffix(absl::StripAsciiWhitespace(part), ","));
    auto numeric = [](char c) { return IsDigit(c) || absl::string_view("-+./, ").find(c) != absl::string_view::npos; };
    if (!std::any_of(part.begin(), part.end(), IsDigit) || !std::all_of(part.begin(), part.end(), numeric)) return "";
  }
  return absl::StrJoin(parts, ", ");
}

// "2.5 million" → "2.5\times10^{6}": a number followed by a scale word (thousand, million, billion, trillion).
// Empty when `v` is not one.
std::string ApplyScaleWord(absl::string_view v) {
  const size_t space = v.rfind(' ');
  if (space == absl::string_view::npos || space == 0 || !IsDigit(v[space - 1])) return "";
  const int exponent = ScaleExponent(v.substr(space + 1));
  if (exponent == 0) return "";
  return absl::StrCat(v.substr(0, space), "\\times10^{", exponent, "}");
}

constexpr absl::string_view kOrdinalSuffixes[] = {"st", "nd", "rd", "th"};

// "3rd", "21st": an ordinal written with digits is its number. Empty when `v` is not one.
std::string OrdinalNumber(absl::string_view v) {
  if (v.size() < 3 || !IsDigit(v[v.size() - 3])) return "";
  const absl::string_view suffix = v.substr(v.size() - 2);
  if (!std::any_of(std::begin(kOrdinalSuffixes), std::end(kOrdinalSuffixes),
                   [suffix](absl::string_view o) { return absl::EqualsIgnoreCase(suffix, o); })) {
    return "";
  }
  size_t start = v.size() - 2;
  while (start > 0 && IsDigit(v[start - 1])) --start;
  return start == 0 ? std::string(v.substr(0, v.size() - 2)) : "";
}

// "0.333..." → "0.\overline{3}", "0.1666\ldots" → "0.1\overline{6}": a decimal ending in an ellipsis repeats its
// last digit when that digit is written at least three times; otherwise the ellipsis only marks a truncated
// decimal ("3.14159..." → "3.14159", which the decimal-approximation rule reads). Unchanged without an ellipsis.
void RepeatingEllipsis(std::string* text) {
  std::string& s = *text;
  size_t cut = std::string::npos;
  const absl::string_view rest = absl::StripTrailingAsciiWhitespace(s);
  if (rest.empty() || (rest.back() != '.' && rest.back() != 's' && rest.back() != '\xa6')) return;
  for (absl::string_view dots : {"\\ldots", "\\cdots", "\\dots", "...", "\xe2\x80\xa6"}) {
    if (absl::EndsWith(rest, dots)) cut = rest.size() - dots.size();
  }
  if (cut == std::string::npos) return;
  s = std::string(absl::StripTrailingAsciiWhitespace(absl::string_view(s).substr(0, cut)));
  size_t run = s.size();
  while (run > 0 && !s.empty() && IsDigit(s[run - 1]) && s[run - 1] == s.back()) --run;
  const size_t dot = s.rfind('.');
  if (dot == std::string::npos || dot >= run || s.size() - run < 3 ||
      !std::all_of(s.begin() + static_cast<std::ptrdiff_t>(dot) + 1, s.end(), IsDigit)) {
    return;
  }
  s = absl::StrCat(s.substr(0, run), "\\overline{", std::string(1, s.back()), "}");
}

// "90^\circ C", "100°F": a temperature scale letter after a degree mark is a unit.
void DropTemperatureScale(std::string* s) {
  const std::string kDegree = "\\degree";
  for (size_t at = s->find(kDegree); at != std::string::npos; at = s->find(kDegree, at + 1)) {
    size_t k = at + kDegree.size();
    while (k < s->size() && (*s)[k] == ' ') ++k;
    if (k < s->size() && ((*s)[k] == 'C' || (*s)[k] == 'F') && (k + 1 == s->size() || !IsLetter((*s)[k + 1]))) {
      s->erase(k, 1);
    }
  }
}

absl::string_view StripDelimiters(absl::string_view s) {
  s = absl::StripAsciiWhitespace(s);
  for (auto [open, close] : {std::pair<absl::string_view, absl::string_view>{"\\(", "\\)"}, {"\\[", "\\]"}}) {
    if (absl::StartsWith(s, open) && absl::EndsWith(s, close) && s.size() >= 4) {
      s = absl::StripAsciiWhitespace(s.substr(2, s.size() - 4));
    }
  }
  return s;
}

}  // namespace

Canonical Canonicalize(absl::string_view answer) {
  Canonical out;
  // "3,\! 141,\! 592": the negative space cancels the space after it, so the groups stay one number.
  absl::string_view stripped = StripDelimiters(answer);
  std::string s = absl::StrContains(stripped, "\\! ") ? absl::StrReplaceAll(stripped, {{"\\! ", ""}})
                                                       : std::string(stripped);
  s = absl::StrReplaceAll(
      s,
      {{"^{\\circ}", "\\degree "}, {"^\\circ", "\\degree "}, {"\xc2\xb0", "\\degree "}, {"{,}", ","},
       {"\xe2\x88\x92", "-"}, {"\xc3\x97", "\\times "}, {"\xc2\xb7", "\\cdot "}, {"\xcf\x80", "\\pi "},
       {"\xe2\x88\x9e", "\\infty "}, {"\xe2\x88\x9a", "\\sqrt"}, {"\xe2\x89\xa4", "\\le "},
       {"\xe2\x89\xa5", "\\ge "}, {"\xe2\x88\xaa", "\\cup "}, {"\\!", ""}, {"\\,", ""}, {"\\;", " "},
       {"\\:", " "}, {"\\mathbb{R}", "(-\\infty,\\infty)"}, {"\\mathbb R", "(-\\infty,\\infty)"},
       {"\\langle", "("}, {"\\rangle", ")"}});
  s = ResolveWordGroups(RewriteCommands(s, &out.percent), &out.percent);
  s = DropThousandsSeparators(s);
  // Collapse whitespace.
  std::string collapsed;
  collapsed.reserve(s.size());
  for (char c : s) {
    if (IsSpace(c)) {
      if (!collapsed.empty() && collapsed.back() != ' ') collapsed.push_back(' ');
    } else {
      collapsed.push_back(c);
    }
  }
  RepeatingEllipsis(&collapsed);
  ToTwentyFourHour(&collapsed, &out.meridiem);
  DropTemperatureScale(&collapsed);
  absl::string_view v = absl::StripAsciiWhitespace(collapsed);
  while (!v.empty() && (v.back() == '.' || v.back() == ',' || v.back() == ';')) {
    v.remove_suffix(1);
    v = absl::StripTrailingAsciiWhitespace(v);
  }
  const std::string digits = NumbersInWords(v);
  if (!digits.empty()) v = digits;
  v = DropGluedUnit(DropTrailingUnitWords(v, &out.percent));
  const std::string list = NumbersJoinedByAnd(v);
  if (!list.empty()) v = list;
  std::string number = ApplyScaleWord(v);
  if (number.empty()) number = OrdinalNumber(v);
  if (!number.empty()) v = number;
  // "\text{Area} = 12": the name was a word group (dropped like a unit), so the right side is the answer;
  // likewise "\approx 3.14" with nothing before it.
  for (absl::string_view lead : {"=", "\\approx"}) {
    if (absl::StartsWith(v, lead)) v = absl::StripLeadingAsciiWhitespace(v.substr(lead.size()));
  }
  // The set of all reals written in words.
  for (absl::string_view words : {"all real numbers", "all reals", "all real values", "all real x"}) {
    if (absl::EqualsIgnoreCase(v, words)) v = "(-\\infty,\\infty)";
  }
  out.text = std::string(v);
  return out;
}

bool IsGluedUnit(absl::string_view letters) {
  const std::string lower = absl::AsciiStrToLower(letters);
  return OneOf(lower, {"cm", "mm", "km", "ft", "yd", "kg", "mg", "lb", "lbs", "oz", "hr", "hrs", "ml", "mph", "kph",
                       "mins"});
}

size_t MeridiemLength(absl::string_view w) {
  size_t i = 0;
  auto lower = [&w](size_t k) { return k < w.size() ? absl::ascii_tolower(static_cast<unsigned char>(w[k])) : 0; };
  if (lower(0) != 'a' && lower(0) != 'p') return 0;
  i = 1;
  const bool dotted = lower(i) == '.';
  if (dotted) ++i;
  if (dotted && lower(i) == ' ') ++i;
  if (lower(i) != 'm') return 0;
  ++i;
  if (dotted && lower(i) == '.') ++i;
  return i < w.size() && IsLetter(w[i]) ? 0 : i;
}

}  // namespace rlvr::verifier
