// SecretBox (crypto/secret_box.h): AES-256-GCM sealing of secrets at rest.
#include <catch2/catch.hpp>

#include "crypto/encoding.h"
#include "crypto/secret_box.h"

using atm::SecretBox;

namespace {

const std::string kHexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

SecretBox Box(const std::string& text = kHexKey) { return std::move(SecretBox::FromKeyText(text).value()); }

}  // namespace

TEST_CASE("a sealed value opens with the same key and additional data", "[secret_box]") {
  SecretBox box = Box();
  std::string sealed = box.Seal("-----BEGIN PRIVATE KEY-----\nsecret\n", "kid-1");
  CHECK(SecretBox::IsSealed(sealed));
  CHECK(sealed.rfind("atm-enc:v1:", 0) == 0);
  CHECK(sealed.find("PRIVATE KEY") == std::string::npos);
  auto opened = box.Open(sealed, "kid-1");
  REQUIRE(opened.ok());
  CHECK(*opened == "-----BEGIN PRIVATE KEY-----\nsecret\n");
  CHECK(box.Open(box.Seal("", "x"), "x").value().empty());
}

TEST_CASE("sealing twice gives different texts (a fresh nonce each time)", "[secret_box]") {
  SecretBox box = Box();
  CHECK(box.Seal("same", "kid") != box.Seal("same", "kid"));
}

TEST_CASE("a sealed value does not open with another key, other additional data, or any change", "[secret_box]") {
  SecretBox box = Box();
  std::string sealed = box.Seal("the private key", "kid-1");
  CHECK_FALSE(Box(std::string(64, 'f')).Open(sealed, "kid-1").ok());
  CHECK_FALSE(box.Open(sealed, "kid-2").ok());
  // Flip each character of the encoded value in turn.
  for (size_t i = std::string("atm-enc:v1:").size(); i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    INFO("position " << i);
    CHECK_FALSE(box.Open(altered, "kid-1").ok());
  }
  CHECK_FALSE(box.Open(sealed.substr(0, sealed.size() - 4), "kid-1").ok());
  CHECK_FALSE(box.Open("atm-enc:v1:", "kid-1").ok());
  CHECK_FALSE(box.Open("-----BEGIN PRIVATE KEY-----", "kid-1").ok());
}

TEST_CASE("key text: 64 hex characters or base64 of 32 bytes; anything else is refused", "[secret_box]") {
  std::string raw(32, '\x5a');
  for (const std::string& good :
       {kHexKey, "  " + kHexKey + "\n", atm::HexEncode(raw),
        std::string("WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo="), atm::Base64UrlEncode(std::string(32, '\xff'))}) {
    INFO(good);
    CHECK(SecretBox::FromKeyText(good).ok());
  }
  for (const std::string& bad : {std::string(), std::string("secret"), kHexKey.substr(2), kHexKey + "00",
                                 std::string(64, 'g'), atm::Base64UrlEncode(std::string(16, 'x'))}) {
    INFO(bad);
    auto box = SecretBox::FromKeyText(bad);
    REQUIRE_FALSE(box.ok());
    CHECK(box.error().description.find("64 hex characters") != std::string::npos);
  }
}

TEST_CASE("the same key in hex and in base64 opens the same values", "[secret_box]") {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw += static_cast<char>(i);
  SecretBox hex = Box(kHexKey);
  SecretBox b64 = Box(atm::Base64UrlEncode(raw));
  CHECK(b64.Open(hex.Seal("x", "k"), "k").value() == "x");
}
