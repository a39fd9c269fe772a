// Signing keys encrypted at rest (domain/keys.h with a SecretBox).
#include <catch2/catch.hpp>

#include "support/security_fixture.h"

using atm::KeyPolicy;
using atm::KeyService;
using atm::SecretBox;

namespace {

const std::string kKey1(64, 'a');
const std::string kKey2(64, 'b');

struct KeyStore {
  atm::FakeClock clock;
  std::unique_ptr<atm::SqliteStore> store = std::move(atm::SqliteStore::Open({":memory:", false, 1000}).value());

  atm::Status Start(const SecretBox* box, bool generate = true) {
    KeyPolicy p;
    p.alg = atm::JwsAlg::kES256;  // fast to generate
    p.encryption = box;
    KeyService keys(*store, clock, p);
    return generate ? keys.StartSync() : keys.Start();
  }
  std::vector<atm::KeyRecord> Rows() { return store->ListKeys().value(); }
};

SecretBox Box(const std::string& text) { return std::move(SecretBox::FromKeyText(text).value()); }

}  // namespace

TEST_CASE("with a key-encryption key, signing keys are stored encrypted", "[keys][encryption]") {
  KeyStore k;
  SecretBox box = Box(kKey1);
  REQUIRE(k.Start(&box).ok());
  auto rows = k.Rows();
  REQUIRE(rows.size() == 1);
  CHECK(SecretBox::IsSealed(rows[0].private_pem));
  CHECK(rows[0].private_pem.find("PRIVATE KEY") == std::string::npos);
  // Sealed with its kid: it opens only as that row's key.
  CHECK(box.Open(rows[0].private_pem, rows[0].kid).ok());
  CHECK_FALSE(box.Open(rows[0].private_pem, "another-kid").ok());
  CHECK(k.Start(&box).ok());  // and loads again
}

TEST_CASE("plaintext signing keys are encrypted when a key-encryption key is configured", "[keys][encryption]") {
  KeyStore k;
  REQUIRE(k.Start(nullptr).ok());
  auto before = k.Rows();
  REQUIRE(before.size() == 1);
  REQUIRE_FALSE(SecretBox::IsSealed(before[0].private_pem));
  SecretBox box = Box(kKey1);
  REQUIRE(k.Start(&box).ok());
  auto after = k.Rows();
  REQUIRE(after.size() == 1);
  CHECK(after[0].kid == before[0].kid);
  CHECK(box.Open(after[0].private_pem, after[0].kid).value() == before[0].private_pem);
}

TEST_CASE("encrypted signing keys without their key-encryption key stop start-up with a clear error",
          "[keys][encryption]") {
  KeyStore k;
  SecretBox box = Box(kKey1);
  REQUIRE(k.Start(&box).ok());

  auto missing = k.Start(nullptr, /*generate=*/false);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().description.find("set ATM_KEY_ENCRYPTION_KEY or keys.encryption_key_file") !=
        std::string::npos);

  SecretBox wrong = Box(kKey2);
  auto mismatch = k.Start(&wrong, /*generate=*/false);
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.error().description.find("cannot decrypt signing key") != std::string::npos);
  // Nothing was overwritten: the right key still works.
  CHECK(k.Start(&box).ok());
  CHECK(k.Rows().size() == 1);
}
