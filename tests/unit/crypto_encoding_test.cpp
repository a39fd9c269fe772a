// SHA-2 digests, hex, base64/base64url (RFC 4648) and constant-time equality.
#include <catch2/catch.hpp>
#include <string>

#include "crypto/encoding.h"

namespace atm {

TEST_CASE("SHA-256 and SHA-512 of \"abc\" match the FIPS 180-2 vectors", "[encoding]") {
  CHECK(HexEncode(Sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(HexEncode(Sha512("abc")) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(HexEncode(Sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Sha256("abc").size() == 32);
  CHECK(Sha512("abc").size() == 64);
}

TEST_CASE("hex is lowercase, two digits per byte", "[encoding]") {
  CHECK(HexEncode(std::string("\x00\x0f\xf0\xff", 4)) == "000ff0ff");
  CHECK(HexEncode("") == "");
}

TEST_CASE("HashSecret is the lowercase hex SHA-256 of the secret", "[encoding]") {
  CHECK(HashSecret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("base64url encodes the RFC 4648 §10 vectors without padding", "[encoding]") {
  auto [plain, encoded] = GENERATE(table<std::string, std::string>({
      {"", ""},
      {"f", "Zg"},
      {"fo", "Zm8"},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg"},
      {"fooba", "Zm9vYmE"},
      {"foobar", "Zm9vYmFy"},
  }));
  CHECK(Base64UrlEncode(plain) == encoded);
  auto decoded = Base64UrlDecode(encoded);
  REQUIRE(decoded);
  CHECK(*decoded == plain);
}

TEST_CASE("base64url uses - and _ where base64 uses + and /", "[encoding]") {
  const std::string bytes("\xfb\xff\xbf", 3);
  CHECK(Base64UrlEncode(bytes) == "-_-_");
  REQUIRE(Base64UrlDecode("-_-_"));
  CHECK(*Base64UrlDecode("-_-_") == bytes);
  REQUIRE(Base64Decode("+/+/"));
  CHECK(*Base64Decode("+/+/") == bytes);
  CHECK_FALSE(Base64UrlDecode("+/+/"));
  CHECK_FALSE(Base64Decode("-_-_"));
}

TEST_CASE("base64 decoding accepts optional padding", "[encoding]") {
  REQUIRE(Base64UrlDecode("Zm8="));
  CHECK(*Base64UrlDecode("Zm8=") == "fo");
  REQUIRE(Base64Decode("Zg=="));
  CHECK(*Base64Decode("Zg==") == "f");
}

TEST_CASE("base64 decoding refuses malformed input", "[encoding]") {
  auto text = GENERATE(as<std::string>{}, "Z", "Zm9vY", "Zm 9v", "Zm9v!", "Zm9v\n", "Zh",  // Zh: non-zero leftover bits
                       "Zm9=v", std::string("Zm\0v", 4));
  CAPTURE(text);
  CHECK_FALSE(Base64UrlDecode(text));
  CHECK_FALSE(Base64Decode(text));
}

TEST_CASE("ConstantTimeEquals compares content and length", "[encoding]") {
  CHECK(ConstantTimeEquals("", ""));
  CHECK(ConstantTimeEquals("secret", "secret"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secreT"));
  CHECK_FALSE(ConstantTimeEquals("secret", "secret2"));
  CHECK_FALSE(ConstantTimeEquals("", "a"));
  CHECK(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  CHECK_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace atm
