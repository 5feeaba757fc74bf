#include "cpp/verifier/bigint.h"

#include <cstdint>
#include <random>
#include <string>

#include "cpp/verifier/rational.h"
#include "gtest/gtest.h"

namespace rlvr::verifier {
namespace {

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 m = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  while (m != 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  }
  return neg ? "-" + s : s;
}

BigInt Parse(const std::string& s) {
  BigInt v;
  bool neg = !s.empty() && s[0] == '-';
  EXPECT_TRUE(BigInt::FromDigits(neg ? s.substr(1) : s, 10, &v)) << s;
  return neg ? -v : v;
}

TEST(BigIntTest, SmallArithmeticMatchesInt128) {
  std::mt19937_64 rng(7);
  for (int k = 0; k < 2000; ++k) {
    int64_t a = static_cast<int64_t>(rng()) >> (rng() % 63);
    int64_t b = static_cast<int64_t>(rng()) >> (rng() % 63);
    BigInt x(a), y(b);
    EXPECT_EQ((x + y).ToString(), Int128ToString(static_cast<__int128>(a) + b));
    EXPECT_EQ((x - y).ToString(), Int128ToString(static_cast<__int128>(a) - b));
    EXPECT_EQ((x * y).ToString(), Int128ToString(static_cast<__int128>(a) * b));
    if (b != 0) {
      BigInt q, r;
      BigInt::DivMod(x, y, &q, &r);
      EXPECT_EQ(q.ToString(), Int128ToString(static_cast<__int128>(a) / b)) << a << " / " << b;
      EXPECT_EQ(r.ToString(), Int128ToString(static_cast<__int128>(a) % b)) << a << " % " << b;
    }
    EXPECT_EQ(Compare(x, y), a < b ? -1 : a > b ? 1 : 0);
  }
}

TEST(BigIntTest, LargeDivisionIdentity) {
  // (a * b + r) / b == a remainder r for multi-limb values (exercises Knuth's qhat correction).
  std::mt19937_64 rng(11);
  for (int k = 0; k < 300; ++k) {
    auto random_big = [&rng](int limbs) {
      BigInt v(0);
      for (int i = 0; i < limbs; ++i) v = v.ShiftLeft(32) + BigInt(static_cast<int64_t>(rng() & 0xFFFFFFFFu));
      return v;
    };
    BigInt a = random_big(1 + static_cast<int>(rng() % 8));
    BigInt b = random_big(2 + static_cast<int>(rng() % 6));
    if (b.is_zero()) continue;
    BigInt r0 = random_big(1 + static_cast<int>(rng() % 6));
    BigInt::DivMod(r0, b, nullptr, &r0);  // r0 < b
    BigInt n = a * b + r0;
    BigInt q, r;
    BigInt::DivMod(n, b, &q, &r);
    EXPECT_EQ(q, a);
    EXPECT_EQ(r, r0);
  }
}

TEST(BigIntTest, DecimalRoundTrip) {
  for (std::string s : {"0", "1", "-1", "4294967295", "4294967296", "18446744073709551616",
                               "123456789012345678901234567890123456789", "-99999999999999999999999999"}) {
    EXPECT_EQ(Parse(s).ToString(), s);
  }
  BigInt leading;
  ASSERT_TRUE(BigInt::FromDigits("000123", 10, &leading));
  EXPECT_EQ(leading.ToString(), "123");
}

TEST(BigIntTest, OtherBases) {
  BigInt v;
  ASSERT_TRUE(BigInt::FromDigits("1011", 2, &v));
  EXPECT_EQ(v.ToString(), "11");
  ASSERT_TRUE(BigInt::FromDigits("ff", 16, &v));
  EXPECT_EQ(v.ToString(), "255");
  ASSERT_TRUE(BigInt::FromDigits("777", 8, &v));
  EXPECT_EQ(v.ToString(), "511");
  EXPECT_FALSE(BigInt::FromDigits("12", 2, &v));
  EXPECT_FALSE(BigInt::FromDigits("", 10, &v));
  EXPECT_FALSE(BigInt::FromDigits("1.5", 10, &v));
}

TEST(BigIntTest, GcdAndBits) {
  EXPECT_EQ(BigInt::Gcd(BigInt(12), BigInt(-18)).ToString(), "6");
  EXPECT_EQ(BigInt::Gcd(BigInt(0), BigInt(5)).ToString(), "5");
  BigInt p = Parse("340282366920938463463374607431768211456");  // 2^128
  EXPECT_EQ(BigInt::Gcd(p, Parse("12")).ToString(), "4");
  EXPECT_EQ(p.bits(), 129);
  EXPECT_EQ(BigInt(1).ShiftLeft(100).ShiftRight(98).ToString(), "4");
  int64_t out = 0;
  EXPECT_TRUE(BigInt(INT64_MIN).ToInt64(&out));
  EXPECT_EQ(out, INT64_MIN);
  EXPECT_FALSE(p.ToInt64(&out));
}

TEST(RationalTest, ReducedAndExact) {
  EXPECT_EQ(Rational(BigInt(6), BigInt(-8)).ToString(), "-3/4");
  EXPECT_EQ(Rational(BigInt(0), BigInt(-8)).ToString(), "0");
  EXPECT_EQ((Rational(BigInt(1), BigInt(3)) + Rational(BigInt(1), BigInt(6))).ToString(), "1/2");
  EXPECT_EQ((Rational(BigInt(2), BigInt(3)) * Rational(BigInt(3), BigInt(4))).ToString(), "1/2");
  EXPECT_EQ((Rational(BigInt(2), BigInt(3)) / Rational(BigInt(4), BigInt(9))).ToString(), "3/2");
  EXPECT_EQ((Rational(5) - Rational(BigInt(1), BigInt(2))).ToString(), "9/2");
  EXPECT_NE(Rational(BigInt(333), BigInt(1000)), Rational(BigInt(1), BigInt(3)));
  EXPECT_EQ(Rational(BigInt(2), BigInt(6)), Rational(BigInt(1), BigInt(3)));
  EXPECT_DOUBLE_EQ(static_cast<double>(Rational(BigInt(1), BigInt(8)).ToLongDouble()), 0.125);
  BigInt big = BigInt(1).ShiftLeft(3000);
  EXPECT_NEAR(static_cast<double>(Rational(big + BigInt(1), big).ToLongDouble()), 1.0, 1e-15);
}

}  // namespace
}  // namespace rlvr::verifier
