// Percent-encoding and form/query parsing (RFC 3986 §2, HTML form encoding).
#include <catch2/catch.hpp>

#include "http/url.h"

namespace atm {

TEST_CASE("percent-decoding turns %XX into bytes and, in forms, + into a space", "[url]") {
  CHECK(PercentDecode("a%20b%2Bc", false) == std::optional<std::string>("a b+c"));
  CHECK(PercentDecode("a+b", true) == std::optional<std::string>("a b"));
  CHECK(PercentDecode("a+b", false) == std::optional<std::string>("a+b"));
  CHECK(PercentDecode("%e2%9c%93%E2%9C%93", false) == std::optional<std::string>("\u2713\u2713"));
  CHECK(PercentDecode("%00", false) == std::optional<std::string>(std::string(1, '\0')));
}

TEST_CASE("a malformed escape is refused", "[url]") {
  auto in = GENERATE("%", "%2", "%zz", "%g0", "abc%", "abc%4", "%%41");
  CAPTURE(in);
  CHECK_FALSE(PercentDecode(in, true));
  CHECK_FALSE(ParseUrlEncoded(std::string("k=") + in));
}

TEST_CASE("form parsing keeps every pair, in order, duplicates included", "[url]") {
  auto parsed = ParseUrlEncoded("a=1&b=two+words&a=3&empty=&flag&&c=%3D%26");
  REQUIRE(parsed);
  CHECK(parsed->count("a") == 2);
  CHECK(parsed->find("b")->second == "two words");
  CHECK(parsed->find("empty")->second.empty());
  CHECK(parsed->find("flag")->second.empty());
  CHECK(parsed->find("c")->second == "=&");
  auto [from, to] = parsed->equal_range("a");
  CHECK(from->second == "1");
  CHECK(std::next(from)->second == "3");
  CHECK(ParseUrlEncoded("")->empty());
}

TEST_CASE("percent-encoding keeps only unreserved characters and round-trips", "[url]") {
  CHECK(PercentEncode("AZaz09-._~") == "AZaz09-._~");
  CHECK(PercentEncode("a b/c?d=e&f") == "a%20b%2Fc%3Fd%3De%26f");
  const std::string all = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s += static_cast<char>(c);
    return s;
  }();
  CHECK(PercentDecode(PercentEncode(all), false) == std::optional<std::string>(all));
}

}  // namespace atm
