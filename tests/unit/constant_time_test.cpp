// Secrets and their hashes are compared in constant time (crypto/encoding.h
// ConstantTimeEquals, CRYPTO_memcmp): client secret hashes, PKCE challenges,
// scrypt outputs. The time of a comparison must not depend on where two
// values of the same length first differ.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "crypto/encoding.h"

TEST_CASE("ConstantTimeEquals compares by value and length", "[crypto][constant-time]") {
  CHECK(atm::ConstantTimeEquals("", ""));
  CHECK(atm::ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(atm::ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(atm::ConstantTimeEquals("abc", "ab"));
  CHECK_FALSE(atm::ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST_CASE("comparison time does not depend on where the values differ", "[crypto][constant-time]") {
  // 4 MiB values: an early-exit comparison answers a first-byte difference
  // thousands of times faster than a last-byte one; a constant-time one takes
  // the same time. Medians of interleaved runs; the bound is generous.
  const std::string secret(4 << 20, 'x');
  std::string first = secret, last = secret;
  first.front() = 'y';
  last.back() = 'y';
  using Clock = std::chrono::steady_clock;
  auto time_one = [](const std::string& a, const std::string& b) {
    auto start = Clock::now();
    bool equal = atm::ConstantTimeEquals(a, b);
    auto elapsed = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    REQUIRE_FALSE(equal);
    return elapsed;
  };
  std::vector<double> early, late;
  for (int i = 0; i < 21; ++i) {
    early.push_back(time_one(secret, first));
    late.push_back(time_one(secret, last));
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  INFO("median first-byte difference " << median(early) << " us, last-byte " << median(late) << " us");
  CHECK(median(early) > 0.5 * median(late));
}
