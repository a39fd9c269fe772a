// Signing keys over time (README "How it keeps secrets"): rotation on demand and on schedule, the
// JWKS keeping a retired key exactly while its tokens can be valid, and a
// rotation by another process (atm keys rotate) reaching a running server.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "crypto/encoding.h"
#include "support/oidc_fixture.h"

using namespace atm;
using atm::testing::kIssuer;
using atm::testing::OidcFixture;

namespace {

std::vector<std::string> JwksKids(const KeyService& keys) {
  std::vector<std::string> out;
  const auto jwks = nlohmann::json::parse(*keys.JwksJson());
  for (const auto& k : jwks["keys"]) out.push_back(k["kid"]);
  return out;
}

std::string Kid(const std::string& jwt) { return DecodeJwtUnverified(jwt).value().header["kid"]; }

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A database file that two nodes (two stores, two connections) share,
// removed with its WAL files at the end of the scope.
struct SharedDatabase {
  std::string path;
  explicit SharedDatabase(const std::string& name)
      : path((std::filesystem::temp_directory_path() / ("atm-" + name + "-" + std::to_string(::getpid()) + ".db"))
                 .string()) {
    Remove();
  }
  ~SharedDatabase() { Remove(); }
  void Remove() const {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  std::unique_ptr<SqliteStore> Open() const { return SqliteStore::Open({path, false, 1000}).value(); }
};

// Two started nodes, a and b, on one database file (two connections), with
// ES256 keys retained 660 s and `policy`'s other settings.
struct TwoKeyNodes {
  FakeClock clock;
  SharedDatabase db;
  std::unique_ptr<SqliteStore> store_a, store_b;
  std::unique_ptr<KeyService> a, b;
  TwoKeyNodes(const std::string& name, KeyPolicy policy) : db(name), store_a(db.Open()), store_b(db.Open()) {
    ConfigureLog(LogLevel::kWarn, false);
    policy.alg = JwsAlg::kES256;
    policy.retain_retired = 660;
    a = std::make_unique<KeyService>(*store_a, clock, policy);
    b = std::make_unique<KeyService>(*store_b, clock, policy);
    REQUIRE(a->StartSync());
    REQUIRE(b->StartSync());
  }
};

}  // namespace

TEST_CASE("after a rotation new tokens use the new key and old tokens still verify") {
  OidcFixture f;
  auto before = f.SignIn("openid");
  const std::string old_kid = Kid(before.access_token);
  auto new_kid = f.keys->Rotate();
  REQUIRE(new_kid);
  CHECK(*new_kid != old_kid);
  auto after = f.SignIn("openid");
  CHECK(Kid(after.access_token) == *new_kid);
  CHECK(Kid(after.id_token) == *new_kid);
  CHECK(Contains(JwksKids(*f.keys), old_kid));
  CHECK(Contains(JwksKids(*f.keys), *new_kid));
  CHECK(f.tokens->VerifyAccessToken(before.access_token, f.issuers().accepted));
  CHECK(f.tokens->VerifyAccessToken(after.access_token, f.issuers().accepted));
}

TEST_CASE("a retired key leaves the JWKS once every token it signed has expired") {
  OidcFixture f;  // access and ID tokens live 600 s; retention 600 + 60 s
  auto before = f.SignIn("openid");
  const std::string old_kid = Kid(before.access_token);
  f.clock.Advance(1);
  REQUIRE(f.keys->Rotate());
  f.clock.Advance(659);
  REQUIRE(f.keys->Maintain());
  CHECK(Contains(JwksKids(*f.keys), old_kid));
  auto listed = f.keys->List().value();
  REQUIRE(listed.size() == 2);
  CHECK(listed[1].kid == old_kid);
  CHECK_FALSE(listed[1].current);
  CHECK(listed[1].published);
  CHECK(listed[1].published_until == listed[1].retired_at + 660);
  f.clock.Advance(1);
  REQUIRE(f.keys->Maintain());
  CHECK_FALSE(Contains(JwksKids(*f.keys), old_kid));
  CHECK(JwksKids(*f.keys).size() == 1);
  CHECK(f.keys->List().value().size() == 1);  // deleted from the store too
  CHECK_FALSE(f.tokens->VerifyAccessToken(before.access_token, {kIssuer}));
}

TEST_CASE("keys rotate on schedule with keys.rotate_every") {
  FakeClock clock;
  auto store = SqliteStore::Open({":memory:", false, 1000}).value();
  KeyPolicy policy;
  policy.alg = JwsAlg::kES256;
  policy.rotate_every = 3600;
  policy.retain_retired = 660;
  KeyService keys(*store, clock, policy);
  ConfigureLog(LogLevel::kWarn, false);
  REQUIRE(keys.StartSync());
  const std::string first = keys.Current().value()->kid();
  CHECK(keys.current_created_at() == clock.Now());
  CHECK(keys.next_rotation_at() == clock.Now() + 3600);  // atm_signing_key_next_rotation_seconds
  clock.Advance(3599);
  REQUIRE(keys.Maintain());
  CHECK(keys.Current().value()->kid() == first);
  clock.Advance(1);
  REQUIRE(keys.Maintain());
  const std::string second = keys.Current().value()->kid();
  CHECK(second != first);
  CHECK(JwksKids(keys).size() == 2);
  CHECK(keys.current_created_at() == clock.Now());
  // Each new key is in the audit trail, with who made it: the first at
  // start-up, the second by the schedule.
  auto events = store->ListAudit({0, 0, "key.rotate"}, {0, 10}).value();
  REQUIRE(events.size() == 2);
  CHECK(events[0].actor == "schedule");
  CHECK(events[0].subject == second);
  CHECK(events[0].detail == R"({"alg":"ES256"})");
  CHECK(events[1].actor == "startup");
  CHECK(events[1].subject == first);
}

TEST_CASE("a rotation by another process reaches the running server at its next Maintain") {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("atm-keys-" + std::to_string(::getpid()) + ".db")).string();
  std::filesystem::remove(path);
  ConfigureLog(LogLevel::kWarn, false);
  FakeClock clock;
  KeyPolicy policy;
  policy.alg = JwsAlg::kES256;
  policy.retain_retired = 660;
  {
    auto server_store = SqliteStore::Open({path, false, 1000}).value();
    KeyService server(*server_store, clock, policy);
    REQUIRE(server.StartSync());
    const std::string first = server.Current().value()->kid();
    std::string rotated;
    {
      // What `atm keys rotate` does: its own connection, its own KeyService.
      auto cli_store = SqliteStore::Open({path, false, 1000}).value();
      KeyService cli(*cli_store, clock, policy);
      rotated = cli.Rotate().value();
    }
    CHECK(server.Current().value()->kid() == first);  // not yet noticed
    REQUIRE(server.Maintain());
    CHECK(server.Current().value()->kid() == rotated);
    CHECK(Contains(JwksKids(server), first));
    CHECK(Contains(JwksKids(server), rotated));
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

TEST_CASE("with activate_after a replacing key is published by every node before any signs with it") {
  // Two nodes on one database: A rotates; B has not looked yet. Neither signs with the new key until activate_after
  // passes.
  KeyPolicy policy;
  policy.rotate_every = 3600;
  policy.activate_after = 10;
  TwoKeyNodes nodes("activate", policy);
  KeyService &a = *nodes.a, &b = *nodes.b;
  FakeClock& clock = nodes.clock;
  const std::string first = a.Current().value()->kid();
  REQUIRE(b.Current().value()->kid() == first);  // the first key signs at once: there is nothing to replace

  const std::string next = a.Rotate().value();
  CHECK(next != first);
  CHECK(a.Current().value()->kid() == first);
  CHECK(Contains(JwksKids(a), next));
  REQUIRE(b.Maintain());  // B's key check: it publishes the key, still signing with the old one
  CHECK(Contains(JwksKids(b), next));
  CHECK(b.Current().value()->kid() == first);
  auto listed = a.List().value();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].kid == next);
  CHECK_FALSE(listed[0].current);
  CHECK(listed[1].current);

  clock.Advance(9);
  REQUIRE(a.Maintain());
  REQUIRE(b.Maintain());
  CHECK(a.Current().value()->kid() == first);
  clock.Advance(1);
  REQUIRE(a.Maintain());
  REQUIRE(b.Maintain());
  CHECK(a.Current().value()->kid() == next);
  CHECK(b.Current().value()->kid() == next);
  CHECK(Contains(JwksKids(b), first));  // for the tokens it signed
  CHECK(a.List().value()[0].current);

  // A key waiting for its time is not rotated again by the schedule.
  clock.Advance(3600);
  const std::string third = a.Rotate("schedule").value();
  clock.Advance(5);
  REQUIRE(a.Maintain());
  REQUIRE(b.Maintain());
  auto waiting = a.List().value();  // the first key has passed its retention
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[0].kid == third);
  CHECK(waiting[1].kid == next);
  CHECK(a.Current().value()->kid() == next);
  clock.Advance(5);
  REQUIRE(b.Maintain());
  CHECK(b.Current().value()->kid() == third);
}

TEST_CASE("a node verifying a kid it does not know looks for keys another node installed") {
  TwoKeyNodes nodes("unknown-kid", KeyPolicy{});
  KeyService &a = *nodes.a, &b = *nodes.b;
  const std::string next = a.Rotate().value();
  // B has had no key check since: the lookup itself finds the key.
  CHECK(b.Find(next) != nullptr);
  CHECK(b.Find(next)->kid() == next);
  CHECK(b.Find("no-such-kid") == nullptr);
}

TEST_CASE("ID tokens of every configured algorithm carry the at_hash of that algorithm") {
  auto alg = GENERATE(JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA);
  OidcFixture f(alg);
  auto t = f.SignIn("openid", "nonce-1");
  auto id = DecodeJwtUnverified(t.id_token).value();
  CHECK(id.header["alg"] == JwsAlgName(alg));
  // OIDC Core §3.1.3.6: left half of the hash that goes with the alg (SHA-512 for Ed25519).
  std::string digest = alg == JwsAlg::kEdDSA ? Sha512(t.access_token) : Sha256(t.access_token);
  CHECK(id.payload["at_hash"] == Base64UrlEncode(digest.substr(0, digest.size() / 2)));
  CHECK(id.payload["nonce"] == "nonce-1");
  CHECK(id.payload["auth_time"].get<int64_t>() == f.clock.Now());
  CHECK(id.payload["sid"].is_string());
  CHECK(VerifyJwt(t.id_token, f.keys->Lookup()));
}
