#include "cpp/verifier/bigint.h"

#include <algorithm>
#include <cmath>

namespace rlvr::verifier {

BigInt::BigInt(int64_t v) {
  neg_ = v < 0;
  uint64_t m = neg_ ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  while (m != 0) {
    mag_.push_back(static_cast<uint32_t>(m));
    m >>= 32;
  }
}

void BigInt::Trim() {
  while (!mag_.empty() && mag_.back() == 0) mag_.pop_back();
  if (mag_.empty()) neg_ = false;
}

bool BigInt::FromDigits(absl::string_view digits, int base, BigInt* out) {
  if (base < 2 || base > 36 || digits.empty()) return false;
  // Accumulate several digits per limb operation: chunk = base^k < 2^32.
  uint32_t chunk_pow = 1;
  int chunk_len = 0;
  while (static_cast<uint64_t>(chunk_pow) * base <= 0xFFFFFFFFull) {
    chunk_pow *= base;
    ++chunk_len;
  }
  Mag mag;
  size_t i = 0;
  while (i < digits.size()) {
    uint32_t mul = 1, acc = 0;
    for (int k = 0; k < chunk_len && i < digits.size(); ++k, ++i) {
      char c = digits[i];
      int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'z' ? c - 'a' + 10
              : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                     : 99;
      if (d >= base) return false;
      acc = acc * base + d;
      mul *= base;
    }
    uint64_t carry = acc;
    for (uint32_t& limb : mag) {
      uint64_t t = static_cast<uint64_t>(limb) * mul + carry;
      limb = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
    if (carry != 0) mag.push_back(static_cast<uint32_t>(carry));
  }
  out->neg_ = false;
  out->mag_ = std::move(mag);
  out->Trim();
  return true;
}

int64_t BigInt::bits() const {
  if (mag_.empty()) return 0;
  return static_cast<int64_t>(mag_.size() - 1) * 32 + (32 - __builtin_clz(mag_.back()));
}

bool BigInt::ToInt64(int64_t* out) const {
  if (mag_.size() > 2) return false;
  uint64_t m = 0;
  for (size_t i = mag_.size(); i-- > 0;) m = (m << 32) | mag_[i];
  if (!neg_ && m > static_cast<uint64_t>(INT64_MAX)) return false;
  if (neg_ && m > static_cast<uint64_t>(INT64_MAX) + 1) return false;
  *out = neg_ ? static_cast<int64_t>(0 - m) : static_cast<int64_t>(m);
  return true;
}

long double BigInt::ToLongDouble(int64_t* exp2) const {
  // The top three limbs carry more than the 64-bit mantissa of long double.
  long double m = 0;
  size_t n = mag_.size();
  size_t lo = n > 3 ? n - 3 : 0;
  for (size_t i = n; i-- > lo;) m = m * 4294967296.0L + mag_[i];
  int e = 0;
  m = std::frexp(m, &e);
  *exp2 = e + static_cast<int64_t>(lo) * 32;
  return neg_ ? -m : m;
}

uint32_t BigInt::DivSmall(Mag* a, uint32_t d) {
  uint64_t rem = 0;
  for (size_t i = a->size(); i-- > 0;) {
    uint64_t cur = (rem << 32) | (*a)[i];
    (*a)[i] = static_cast<uint32_t>(cur / d);
    rem = cur % d;
  }
  while (!a->empty() && a->back() == 0) a->pop_back();
  return static_cast<uint32_t>(rem);
}

std::string BigInt::ToString() const {
  if (mag_.empty()) return "0";
  Mag m = mag_;
  std::string rev;
  while (!m.empty()) {
    uint32_t r = DivSmall(&m, 1000000000u);
    for (int k = 0; k < 9; ++k) {
      rev.push_back(static_cast<char>('0' + r % 10));
      r /= 10;
      if (m.empty() && r == 0) break;
    }
  }
  while (rev.size() > 1 && rev.back() == '0') rev.pop_back();
  if (neg_) rev.push_back('-');
  std::reverse(rev.begin(), rev.end());
  return rev;
}

int BigInt::CompareMag(const Mag& a, const Mag& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  for (size_t i = a.size(); i-- > 0;) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

void BigInt::AddMag(const Mag& a, const Mag& b, Mag* out) {
  const Mag& x = a.size() >= b.size() ? a : b;
  const Mag& y = a.size() >= b.size() ? b : a;
  Mag r(x.size() + 1);
  uint64_t carry = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    uint64_t t = static_cast<uint64_t>(x[i]) + (i < y.size() ? y[i] : 0) + carry;
    r[i] = static_cast<uint32_t>(t);
    carry = t >> 32;
  }
  r[x.size()] = static_cast<uint32_t>(carry);
  while (!r.empty() && r.back() == 0) r.pop_back();
  *out = std::move(r);
}

void BigInt::SubMag(const Mag& a, const Mag& b, Mag* out) {
  Mag r(a.size());
  int64_t borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int64_t t = static_cast<int64_t>(a[i]) - (i < b.size() ? b[i] : 0) - borrow;
    borrow = t < 0;
    r[i] = static_cast<uint32_t>(t + (borrow << 32));
  }
  while (!r.empty() && r.back() == 0) r.pop_back();
  *out = std::move(r);
}

void BigInt::MulMag(const Mag& a, const Mag& b, Mag* out) {
  if (a.empty() || b.empty()) {
    out->clear();
    return;
  }
  Mag r(a.size() + b.size(), 0);
  for (size_t i = 0; i < a.size(); ++i) {
    uint64_t carry = 0;
    for (size_t j = 0; j < b.size(); ++j) {
      uint64_t t = static_cast<uint64_t>(a[i]) * b[j] + r[i + j] + carry;
      r[i + j] = static_cast<uint32_t>(t);
      carry = t >> 32;
    }
    r[i + b.size()] = static_cast<uint32_t>(carry);
  }
  while (!r.empty() && r.back() == 0) r.pop_back();
  *out = std::move(r);
}

// Knuth, TAOCP vol. 2, 4.3.1, Algorithm D (normalise so the divisor's top bit is set).
void BigInt::DivModMag(const Mag& a, const Mag& b, Mag* q, Mag* r) {
  if (CompareMag(a, b) < 0) {
    *r = a;
    q->clear();
    return;
  }
  if (b.size() == 1) {
    Mag quot = a;
    uint32_t rem = DivSmall(&quot, b[0]);
    *q = std::move(quot);
    r->clear();
    if (rem != 0) r->push_back(rem);
    return;
  }
  const int s = __builtin_clz(b.back());
  const size_t n = b.size(), m = a.size() - b.size();
  Mag v(n), u(a.size() + 1);
  for (size_t i = n; i-- > 0;) {
    v[i] = (b[i] << s) | (s != 0 && i > 0 ? static_cast<uint32_t>(static_cast<uint64_t>(b[i - 1]) >> (32 - s)) : 0);
  }
  u[a.size()] = s != 0 ? static_cast<uint32_t>(static_cast<uint64_t>(a.back()) >> (32 - s)) : 0;
  for (size_t i = a.size(); i-- > 0;) {
    u[i] = (a[i] << s) | (s != 0 && i > 0 ? static_cast<uint32_t>(static_cast<uint64_t>(a[i - 1]) >> (32 - s)) : 0);
  }
  Mag quot(m + 1, 0);
  const uint64_t base = 1ull << 32;
  for (size_t j = m + 1; j-- > 0;) {
    uint64_t num = (static_cast<uint64_t>(u[j + n]) << 32) | u[j + n - 1];
    uint64_t qhat = num / v[n - 1];
    uint64_t rhat = num % v[n - 1];
    while (qhat >= base || qhat * v[n - 2] > ((rhat << 32) | u[j + n - 2])) {
      --qhat;
      rhat += v[n - 1];
      if (rhat >= base) break;
    }
    int64_t borrow = 0;
    uint64_t carry = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t p = qhat * v[i] + carry;
      carry = p >> 32;
      int64_t t = static_cast<int64_t>(u[i + j]) - static_cast<int64_t>(p & 0xFFFFFFFFu) - borrow;
      borrow = t < 0;
      u[i + j] = static_cast<uint32_t>(t + (borrow << 32));
    }
    int64_t t = static_cast<int64_t>(u[j + n]) - static_cast<int64_t>(carry) - borrow;
    borrow = t < 0;
    u[j + n] = static_cast<uint32_t>(t);
    if (borrow) {  // qhat was one too large: add the divisor back.
      --qhat;
      uint64_t c = 0;
      for (size_t i = 0; i < n; ++i) {
        uint64_t s2 = static_cast<uint64_t>(u[i + j]) + v[i] + c;
        u[i + j] = static_cast<uint32_t>(s2);
        c = s2 >> 32;
      }
      u[j + n] = static_cast<uint32_t>(static_cast<uint64_t>(u[j + n]) + c);
    }
    quot[j] = static_cast<uint32_t>(qhat);
  }
  while (!quot.empty() && quot.back() == 0) quot.pop_back();
  Mag rem(n);
  for (size_t i = 0; i < n; ++i) {
    rem[i] = (u[i] >> s) | (s != 0 ? static_cast<uint32_t>(static_cast<uint64_t>(u[i + 1]) << (32 - s)) : 0);
  }
  while (!rem.empty() && rem.back() == 0) rem.pop_back();
  *q = std::move(quot);
  *r = std::move(rem);
}

BigInt BigInt::operator-() const {
  BigInt r = *this;
  if (!r.mag_.empty()) r.neg_ = !r.neg_;
  return r;
}

BigInt BigInt::Abs() const {
  BigInt r = *this;
  r.neg_ = false;
  return r;
}

BigInt operator+(const BigInt& a, const BigInt& b) {
  BigInt r;
  if (a.neg_ == b.neg_) {
    BigInt::AddMag(a.mag_, b.mag_, &r.mag_);
    r.neg_ = a.neg_;
  } else if (BigInt::CompareMag(a.mag_, b.mag_) >= 0) {
    BigInt::SubMag(a.mag_, b.mag_, &r.mag_);
    r.neg_ = a.neg_;
  } else {
    BigInt::SubMag(b.mag_, a.mag_, &r.mag_);
    r.neg_ = b.neg_;
  }
  r.Trim();
  return r;
}

BigInt operator-(const BigInt& a, const BigInt& b) { return a + (-b); }

BigInt operator*(const BigInt& a, const BigInt& b) {
  BigInt r;
  BigInt::MulMag(a.mag_, b.mag_, &r.mag_);
  r.neg_ = a.neg_ != b.neg_;
  r.Trim();
  return r;
}

void BigInt::DivMod(const BigInt& a, const BigInt& b, BigInt* q, BigInt* r) {
  BigInt quot, rem;
  DivModMag(a.mag_, b.mag_, &quot.mag_, &rem.mag_);
  quot.neg_ = a.neg_ != b.neg_;
  rem.neg_ = a.neg_;
  quot.Trim();
  rem.Trim();
  if (q != nullptr) *q = std::move(quot);
  if (r != nullptr) *r = std::move(rem);
}

BigInt BigInt::ShiftLeft(int64_t n) const {
  if (mag_.empty() || n == 0) return *this;
  BigInt r;
  r.neg_ = neg_;
  const size_t limbs = static_cast<size_t>(n / 32);
  const int s = static_cast<int>(n % 32);
  r.mag_.assign(limbs, 0);
  uint32_t carry = 0;
  for (uint32_t limb : mag_) {
    r.mag_.push_back((limb << s) | carry);
    carry = s != 0 ? static_cast<uint32_t>(static_cast<uint64_t>(limb) >> (32 - s)) : 0;
  }
  if (carry != 0) r.mag_.push_back(carry);
  return r;
}

BigInt BigInt::ShiftRight(int64_t n) const {
  const size_t limbs = static_cast<size_t>(n / 32);
  if (limbs >= mag_.size()) return BigInt();
  const int s = static_cast<int>(n % 32);
  BigInt r;
  r.neg_ = neg_;
  for (size_t i = limbs; i < mag_.size(); ++i) {
    uint32_t hi = i + 1 < mag_.size() && s != 0 ? static_cast<uint32_t>(static_cast<uint64_t>(mag_[i + 1]) << (32 - s)) : 0;
    r.mag_.push_back((mag_[i] >> s) | hi);
  }
  r.Trim();
  return r;
}

BigInt BigInt::Gcd(const BigInt& a, const BigInt& b) {
  // Euclid with Knuth division: few iterations for the moderately sized values we see.
  BigInt x = a.Abs(), y = b.Abs();
  while (!y.is_zero()) {
    BigInt r;
    DivMod(x, y, nullptr, &r);
    x = std::move(y);
    y = std::move(r);
  }
  return x;
}

int Compare(const BigInt& a, const BigInt& b) {
  if (a.neg_ != b.neg_) return a.neg_ ? -1 : 1;
  int c = BigInt::CompareMag(a.mag_, b.mag_);
  return a.neg_ ? -c : c;
}

}  // namespace rlvr::verifier
