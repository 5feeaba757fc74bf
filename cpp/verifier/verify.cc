#include "cpp/verifier/verify.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cpp/verifier/canonical.h"
#include "cpp/verifier/compare.h"
#include "cpp/verifier/evaluate.h"
#include "cpp/verifier/extract.h"
#include "cpp/verifier/parse.h"

namespace rlvr::verifier {
namespace {

// Empty when `s` is well-formed UTF-8 without NUL bytes, else what is wrong and where.
std::string CheckText(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == 0) return absl::StrCat("NUL byte at offset ", i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
    if (c >= 0xF5) len = 0;
    if (len == 0 || i + len > s.size()) return absl::StrCat("invalid UTF-8 at offset ", i);
    for (int k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return absl::StrCat("invalid UTF-8 at offset ", i);
    }
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    // Overlong encodings, UTF-16 surrogates and code points past U+10FFFF.
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
        (c == 0xF4 && c1 >= 0x90)) {
      return absl::StrCat("invalid UTF-8 at offset ", i);
    }
    i += static_cast<size_t>(len);
  }
  return "";
}

// Deepest nesting of (), [], {} — a linear pre-check so absurd inputs never reach the recursive parser.
int NestingDepth(absl::string_view s) {
  int depth = 0, max_depth = 0;
  for (char c : s) {
    if (c == '(' || c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

// The exact value of a constant expression ("\\frac{2}{4}" → "1/2"), else the rendered tree.
std::string CanonicalForm(const Expr& e, const Limits& limits, Budget* budget) {
  absl::StatusOr<Value> v = Evaluate(e, e.root, Bindings(), limits.max_exponent_digits, budget);
  if (v.ok() && v->type == Value::Type::kExact && v->re.bits() + v->im.bits() < 256) return v->ToString();
  return ToString(e);
}

Outcome Finish(Outcome out, Verdict v, std::string reason) {
  out.verdict = v;
  out.reason = std::move(reason);
  return out;
}

// Verdict for a failed stage: limits → INVALID, budget/deadline → TIMEOUT.
Verdict VerdictFor(const absl::Status& s) {
  if (s.code() == absl::StatusCode::kResourceExhausted || s.code() == absl::StatusCode::kDeadlineExceeded) {
    return Verdict::kTimeout;
  }
  if (s.code() == absl::StatusCode::kOutOfRange) return Verdict::kInvalid;
  return Verdict::kUnparseable;
}

}  // namespace

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

Outcome Verify(absl::string_view response, absl::string_view gold, const Limits& limits, absl::Time deadline,
               const Truncation& truncation) {
  Outcome out;
  for (auto [field, text] : {std::pair<absl::string_view, absl::string_view>{"response", response}, {"gold", gold}}) {
    if (text.size() > limits.max_input_bytes) {
      return Finish(std::move(out), Verdict::kInvalid,
                    absl::StrCat(field, " is ", text.size(), " bytes, over the limit of ", limits.max_input_bytes));
    }
    std::string bad = CheckText(text);
    if (!bad.empty()) return Finish(std::move(out), Verdict::kInvalid, absl::StrCat(field, ": ", bad));
  }
  if (absl::Now() > deadline) return Finish(std::move(out), Verdict::kTimeout, "deadline passed before starting");

  absl::StatusOr<Extraction> extraction = ExtractAnswer(response, truncation);
  // Some datasets store the gold boxed ("\\boxed{5}"): use what is inside.
  std::string unboxed_gold;
  if (absl::StrContains(gold, "\\boxed") || absl::StrContains(gold, "\\fbox")) {
    absl::StatusOr<Extraction> g = ExtractAnswer(gold);
    if (g.ok() && g->method == "boxed") unboxed_gold = std::move(g->answer);
  }
  Canonical gold_c = Canonicalize(unboxed_gold.empty() ? gold : absl::string_view(unboxed_gold));
  out.canonical_gold = gold_c.text;
  if (!extraction.ok()) return Finish(std::move(out), Verdict::kNoAnswer, std::string(extraction.status().message()));
  out.extracted = extraction->answer;
  Canonical answer_c = Canonicalize(extraction->answer);
  out.canonical_answer = answer_c.text;
  if (gold_c.text.empty()) return Finish(std::move(out), Verdict::kInvalid, "gold answer is empty");
  if (answer_c.text.empty()) return Finish(std::move(out), Verdict::kNoAnswer, "the extracted answer is empty");
  // Identical normal forms need no parsing (also the fast path for the most common case).
  if (answer_c.text == gold_c.text) return Finish(std::move(out), Verdict::kCorrect, "");

  for (auto [field, text] :
       {std::pair<absl::string_view, absl::string_view>{"answer", answer_c.text}, {"gold", gold_c.text}}) {
    if (NestingDepth(text) > limits.max_depth) {
      return Finish(std::move(out), Verdict::kInvalid,
                    absl::StrCat(field, " nests brackets deeper than ", limits.max_depth));
    }
  }
  ParseLimits pl{limits.max_depth, limits.max_number_digits, limits.max_exponent_digits};
  absl::StatusOr<Expr> gold_e = Parse(gold_c.text, pl);
  if (!gold_e.ok()) {
    if (gold_e.status().code() != absl::StatusCode::kInvalidArgument) {
      return Finish(std::move(out), VerdictFor(gold_e.status()), absl::StrCat("gold: ", gold_e.status().message()));
    }
    gold_e = TextExpr(gold_c.text);  // gold that is not math is compared as text
  }
  absl::StatusOr<Expr> answer_e = Parse(answer_c.text, pl);
  if (!answer_e.ok()) {
    if (answer_e.status().code() == absl::StatusCode::kInvalidArgument) {
      Expr as_text = TextExpr(answer_c.text);
      if (gold_e->at(gold_e->root).kind == Kind::kText && as_text.at(0).name == gold_e->at(gold_e->root).name) {
        return Finish(std::move(out), Verdict::kCorrect, "");
      }
    }
    return Finish(std::move(out), VerdictFor(answer_e.status()), absl::StrCat("answer: ", answer_e.status().message()));
  }
  Budget budget(limits.max_steps, deadline);
  out.canonical_answer = CanonicalForm(*answer_e, limits, &budget);
  out.canonical_gold = CanonicalForm(*gold_e, limits, &budget);

  absl::StatusOr<Comparison> cmp = Equivalent(Side{&*answer_e, answer_c.percent, answer_c.meridiem},
                                              Side{&*gold_e, gold_c.percent, gold_c.meridiem},
                                              limits.max_exponent_digits, &budget);
  if (!cmp.ok()) return Finish(std::move(out), VerdictFor(cmp.status()), std::string(cmp.status().message()));
  if (cmp->equal) return Finish(std::move(out), Verdict::kCorrect, "");
  return Finish(std::move(out), Verdict::kIncorrect, cmp->reason);
}

}  // namespace rlvr::verifier
