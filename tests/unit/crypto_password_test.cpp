// scrypt password hashes: the encoded format, verification, the RFC 7914
// vector, and that a malformed hash never matches.
#include <catch2/catch.hpp>
#include <string>

#include "crypto/encoding.h"
#include "crypto/password.h"

namespace atm {
namespace {

// Cheap cost for tests: N = 2^10.
const ScryptParams kCheap{10, 8, 1};

}  // namespace

TEST_CASE("a hashed password verifies and a wrong one does not", "[password]") {
  auto hash = HashPassword("H123456789", kCheap);
  REQUIRE(hash.ok());
  CHECK(VerifyPassword("H123456789", *hash));
  CHECK_FALSE(VerifyPassword("H12345678", *hash));
  CHECK_FALSE(VerifyPassword("h123456789", *hash));
  CHECK_FALSE(VerifyPassword("H123456789 ", *hash));
  CHECK_FALSE(VerifyPassword("", *hash));
}

TEST_CASE("a hash names its cost and differs per salt", "[password]") {
  auto a = HashPassword("correct horse", kCheap);
  auto b = HashPassword("correct horse", kCheap);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->rfind("$scrypt$ln=10,r=8,p=1$", 0) == 0);
  CHECK(*a != *b);
  CHECK(IsPasswordHash(*a));
  CHECK(VerifyPassword("correct horse", *b));
}

TEST_CASE("a hash made at one cost verifies whatever the current cost", "[password]") {
  auto hash = HashPassword("pässwörd-ünïcode", ScryptParams{12, 8, 2});
  REQUIRE(hash.ok());
  CHECK(hash->rfind("$scrypt$ln=12,r=8,p=2$", 0) == 0);
  CHECK(VerifyPassword("pässwörd-ünïcode", *hash));
}

TEST_CASE("the format is real scrypt: the RFC 7914 §12 vector verifies", "[password]") {
  // scrypt(P="pleaseletmein", S="SodiumChloride", N=16384, r=8, p=1): the
  // first 32 bytes of the vector's output are the dkLen=32 key.
  const std::string derived =
      Base64UrlEncode(std::string("\x70\x23\xbd\xcb\x3a\xfd\x73\x48\x46\x1c\x06\xcd\x81\xfd\x38\xeb"
                                  "\xfd\xa8\xfb\xba\x90\x4f\x8e\x3e\xa9\xb5\x43\xf6\x54\x5d\xa1\xf2",
                                  32));
  const std::string encoded = "$scrypt$ln=14,r=8,p=1$" + Base64UrlEncode("SodiumChloride") + "$" + derived;
  CHECK(IsPasswordHash(encoded));
  CHECK(VerifyPassword("pleaseletmein", encoded));
  CHECK_FALSE(VerifyPassword("pleaseletmeim", encoded));
}

TEST_CASE("a malformed hash never matches and is not a hash", "[password]") {
  auto good = HashPassword("H123456789", kCheap);
  REQUIRE(good.ok());
  const std::string salt = Base64UrlEncode(std::string(16, 's'));
  const std::string key = Base64UrlEncode(std::string(32, 'k'));
  auto bad = GENERATE_COPY(as<std::string>{}, "",
                           "H123456789",  // a plain password
                           "$scrypt$",
                           "$scrypt$ln=10,r=8,p=1$" + salt,              // no hash part
                           "$bcrypt$ln=10,r=8,p=1$" + salt + "$" + key,  // another scheme
                           "$scrypt$ln=10,r=8$" + salt + "$" + key,      // missing p
                           "$scrypt$ln=10,r=8,p=1,x=2$" + salt + "$" + key,
                           "$scrypt$ln=0,r=8,p=1$" + salt + "$" + key,   // out of bounds
                           "$scrypt$ln=40,r=8,p=1$" + salt + "$" + key,  // would need terabytes
                           "$scrypt$ln=10,r=0,p=1$" + salt + "$" + key, "$scrypt$ln=10,r=99,p=1$" + salt + "$" + key,
                           "$scrypt$ln=10,r=8,p=0$" + salt + "$" + key, "$scrypt$ln=-1,r=8,p=1$" + salt + "$" + key,
                           "$scrypt$ln=10,r=8,p=1$" + Base64UrlEncode("short") + "$" + key,  // salt < 8 bytes
                           "$scrypt$ln=10,r=8,p=1$" + salt + "$" + key.substr(0, 20),        // truncated key
                           "$scrypt$ln=10,r=8,p=1$" + salt + "$" + key + "AA",               // key too long
                           "$scrypt$ln=10,r=8,p=1$" + salt + "$!!" + key,                    // not base64url
                           good.value() + "$extra", good.value().substr(0, good.value().size() - 1));
  CAPTURE(bad);
  CHECK_FALSE(IsPasswordHash(bad));
  CHECK_FALSE(VerifyPassword("H123456789", bad));
  CHECK_FALSE(VerifyPassword("", bad));
}

}  // namespace atm
