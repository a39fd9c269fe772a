// Random bytes and strings: lengths, alphabets, no repeats, every letter used.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "crypto/random.h"

namespace atm {

TEST_CASE("RandomBytes returns the number of bytes asked for, different each time", "[random]") {
  CHECK(RandomBytes(0).empty());
  CHECK(RandomBytes(1).size() == 1);
  CHECK(RandomBytes(64).size() == 64);
  CHECK(RandomBytes(32) != RandomBytes(32));
}

TEST_CASE("RandomString draws only from its alphabet, at the asked length", "[random]") {
  auto [alphabet, length] = GENERATE(table<std::string, size_t>({
      {std::string(kAlphanumeric), 50},
      {std::string(kUrlSafe), 21},
      {"ab", 100},
      {"x", 7},
      {"0123456789", 0},
  }));
  std::string s = RandomString(length, alphabet);
  CHECK(s.size() == length);
  CHECK(s.find_first_not_of(alphabet) == std::string::npos);
}

TEST_CASE("RandomString uses every letter of the alphabet and never repeats a long string", "[random]") {
  // 62 letters x 200 draws each: missing one letter has probability ~62 * e^-200.
  std::string s = RandomString(62 * 200, kAlphanumeric);
  std::set<char> seen(s.begin(), s.end());
  CHECK(seen.size() == kAlphanumeric.size());
  std::set<std::string> codes;
  for (int i = 0; i < 1000; ++i) codes.insert(RandomString(20, kAlphanumeric));
  CHECK(codes.size() == 1000);
}

TEST_CASE("RandomString is not biased towards the first letters (rejection sampling)", "[random]") {
  // With modulo over 62 letters, letters 0..7 would come 5/4 as often as the
  // rest (bytes 248..255 fold onto them). Count the first 8 against the rest.
  const size_t n = 62 * 4000;
  std::string s = RandomString(n, kAlphanumeric);
  size_t low = 0;
  for (char c : s) low += kAlphanumeric.find(c) < 8 ? 1 : 0;
  const double expected = n * 8.0 / 62.0;  // 32000; biased would be ~38400
  CHECK(low > expected * 0.95);
  CHECK(low < expected * 1.05);
}

}  // namespace atm
