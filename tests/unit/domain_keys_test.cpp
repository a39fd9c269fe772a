// KeyService (README "How it keeps secrets"): the first key is created and persisted, the JWKS
// publishes it, rotation keeps a retired key published while its tokens can
// be valid, and another process's rotation is picked up.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <latch>
#include <thread>

#include "core/clock.h"
#include "crypto/jwt.h"
#include "domain/keys.h"
#include "store/sqlite_store.h"

namespace atm {
namespace {

std::unique_ptr<SqliteStore> Open(const std::string& path = ":memory:") {
  auto s = SqliteStore::Open({path, false, 1000});
  REQUIRE(s.ok());
  return std::move(*s);
}

nlohmann::json Jwks(const KeyService& keys) { return nlohmann::json::parse(*keys.JwksJson()); }

struct TempDir {
  std::string path;
  TempDir() {
    char dir[] = "/tmp/atm-keys-test-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    path = dir;
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

KeyPolicy Policy(JwsAlg alg = JwsAlg::kRS256, int64_t rotate_every = 0) {
  KeyPolicy p;
  p.alg = alg;
  p.rotate_every = rotate_every;
  p.retain_retired = 660;  // access ttl 600 + 60 s skew, as App computes it
  return p;
}

}  // namespace

TEST_CASE("the first start creates one RSA-2048 key, stored and published", "[keys]") {
  FakeClock clock;
  auto store = Open();
  KeyService keys(*store, clock, Policy());
  REQUIRE(keys.StartSync().ok());
  auto current = keys.Current();
  REQUIRE(current.ok());
  CHECK((*current)->alg() == JwsAlg::kRS256);
  auto stored = store->ListKeys();
  REQUIRE(stored->size() == 1);
  CHECK((*stored)[0].kid == (*current)->kid());
  CHECK((*stored)[0].alg == "RS256");
  auto jwks = Jwks(keys);
  REQUIRE(jwks["keys"].size() == 1);
  const auto& k = jwks["keys"][0];
  CHECK(k["kid"] == (*current)->kid());
  CHECK(k["kty"] == "RSA");
  CHECK(k["use"] == "sig");
  CHECK(k["alg"] == "RS256");
  CHECK(k["e"] == "AQAB");
  CHECK(k["n"].get<std::string>().size() == 342);  // 256 bytes of modulus, base64url
}

TEST_CASE("Start generates the first key in the background and Current waits for it", "[keys]") {
  FakeClock clock;
  auto store = Open();
  KeyService keys(*store, clock, Policy(JwsAlg::kES256));
  REQUIRE(keys.Start().ok());
  auto current = keys.Current();
  REQUIRE(current.ok());
  CHECK((*current)->alg() == JwsAlg::kES256);
  CHECK(Jwks(keys)["keys"].size() == 1);
}

TEST_CASE("a restart signs with the persisted key, so earlier tokens still verify", "[keys]") {
  TempDir dir;
  FakeClock clock;
  std::string token, kid;
  {
    auto store = Open(dir.path + "/atm.db");
    KeyService keys(*store, clock, Policy());
    REQUIRE(keys.StartSync().ok());
    kid = keys.Current().value()->kid();
    auto signed_token = SignJwt(*keys.Current().value(), {{"sub", "u"}});
    REQUIRE(signed_token.ok());
    token = *signed_token;
  }
  auto store = Open(dir.path + "/atm.db");
  KeyService keys(*store, clock, Policy());
  REQUIRE(keys.Start().ok());
  CHECK(keys.Current().value()->kid() == kid);
  CHECK(store->ListKeys()->size() == 1);
  CHECK(VerifyJwt(token, keys.Lookup()).ok());
}

TEST_CASE("a rotated-out key stays in the JWKS until its tokens have expired", "[keys]") {
  FakeClock clock;
  auto store = Open();
  KeyService keys(*store, clock, Policy(JwsAlg::kES256));
  REQUIRE(keys.StartSync().ok());
  const std::string old_kid = keys.Current().value()->kid();
  auto old_token = SignJwt(*keys.Current().value(), {{"sub", "u"}});
  REQUIRE(old_token.ok());
  clock.Advance(10);
  auto new_kid = keys.Rotate();
  REQUIRE(new_kid.ok());
  CHECK(*new_kid != old_kid);
  CHECK(keys.Current().value()->kid() == *new_kid);
  CHECK(Jwks(keys)["keys"].size() == 2);
  CHECK(VerifyJwt(*old_token, keys.Lookup()).ok());

  clock.Advance(659);
  REQUIRE(keys.Maintain().ok());
  CHECK(Jwks(keys)["keys"].size() == 2);
  clock.Advance(1);
  REQUIRE(keys.Maintain().ok());
  auto jwks = Jwks(keys);
  REQUIRE(jwks["keys"].size() == 1);
  CHECK(jwks["keys"][0]["kid"] == *new_kid);
  CHECK_FALSE(VerifyJwt(*old_token, keys.Lookup()).ok());
  CHECK(store->ListKeys()->size() == 1);
}

TEST_CASE("keys rotate on schedule", "[keys]") {
  FakeClock clock;
  auto store = Open();
  KeyService keys(*store, clock, Policy(JwsAlg::kEdDSA, 3600));
  REQUIRE(keys.StartSync().ok());
  const std::string first = keys.Current().value()->kid();
  clock.Advance(3599);
  REQUIRE(keys.Maintain().ok());
  CHECK(keys.Current().value()->kid() == first);
  clock.Advance(1);
  REQUIRE(keys.Maintain().ok());
  CHECK(keys.Current().value()->kid() != first);
}

TEST_CASE("a running server picks up a key another process rotated in", "[keys]") {
  TempDir dir;
  FakeClock clock;
  auto server_store = Open(dir.path + "/atm.db");
  KeyService server(*server_store, clock, Policy(JwsAlg::kES256));
  REQUIRE(server.StartSync().ok());
  const std::string before = server.Current().value()->kid();
  REQUIRE(server.Maintain().ok());
  // A single-row lookup, as every request of a running server makes.
  REQUIRE(server_store->CountClients().ok());

  auto cli_store = Open(dir.path + "/atm.db");
  KeyService cli(*cli_store, clock, Policy(JwsAlg::kES256));
  REQUIRE(cli.StartSync().ok());
  CHECK(cli.Current().value()->kid() == before);
  auto rotated = cli.Rotate();
  REQUIRE(rotated.ok());

  REQUIRE(server.Maintain().ok());
  CHECK(server.Current().value()->kid() == *rotated);
  CHECK(Jwks(server)["keys"].size() == 2);
}

TEST_CASE("a reload that finds no key for the configured algorithm generates one even after the first key", "[keys]") {
  TempDir dir;
  FakeClock clock;
  auto server_store = Open(dir.path + "/atm.db");
  KeyService server(*server_store, clock, Policy(JwsAlg::kES256));
  REQUIRE(server.Start().ok());  // the first key, generated in the background
  const std::string first = server.Current().value()->kid();

  // `atm keys rotate` run with keys.algorithm = "RS256": the ES256 key is
  // retired, and the one left current is of no use to this server.
  auto cli_store = Open(dir.path + "/atm.db");
  KeyService cli(*cli_store, clock, Policy(JwsAlg::kRS256));
  REQUIRE(cli.StartSync().ok());

  REQUIRE(server.Maintain().ok());
  auto current = server.Current();
  REQUIRE(current.ok());
  CHECK((*current)->alg() == JwsAlg::kES256);
  CHECK((*current)->kid() != first);
}

TEST_CASE("a key from keys.key_file is used and published", "[keys]") {
  auto pem_key = SigningKey::Generate(JwsAlg::kES256);
  REQUIRE(pem_key.ok());
  FakeClock clock;
  auto store = Open();
  KeyPolicy policy = Policy(JwsAlg::kES256);
  policy.key_file_pem = (*pem_key)->PrivatePem();
  KeyService keys(*store, clock, policy);
  REQUIRE(keys.StartSync().ok());
  CHECK(keys.Current().value()->kid() == (*pem_key)->kid());
  SECTION("of another algorithm than keys.algorithm: refused") {
    KeyPolicy mismatch = Policy(JwsAlg::kRS256);
    mismatch.key_file_pem = policy.key_file_pem;
    KeyService other(*store, clock, mismatch);
    auto s = other.StartSync();
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().description.find("keys.key_file") != std::string::npos);
  }
}

TEST_CASE("a reload racing a rotation never leaves the server signing with the retired key", "[keys]") {
  TempDir dir;
  FakeClock clock;
  auto server_store = Open(dir.path + "/atm.db");
  auto other_store = Open(dir.path + "/atm.db");
  KeyService server(*server_store, clock, Policy(JwsAlg::kES256));
  REQUIRE(server.StartSync().ok());
  for (int i = 0; i < 60; ++i) {
    // Another process commits, so the next Maintain reloads the keys...
    ClientRecord c;
    c.id = "client-" + std::to_string(i);
    c.name = c.id;
    REQUIRE(other_store->CreateClient(c).ok());
    // ...while an admin rotates on a request thread.
    std::latch start(2);
    std::thread maintenance([&] {
      start.arrive_and_wait();
      REQUIRE(server.Maintain().ok());
    });
    start.arrive_and_wait();
    auto rotated = server.Rotate();
    maintenance.join();
    REQUIRE(rotated.ok());
    INFO("rotation " << i);
    REQUIRE(server.Current().value()->kid() == *rotated);
  }
}

}  // namespace atm
