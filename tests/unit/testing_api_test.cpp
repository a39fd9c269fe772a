// The test-control API's parts that need no server: the [testing] config and
// its safety checks, users' extra claims, the failure queue, the record, the
// adjustable clock, and an RSA generation cancelled by a stopping server.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.h"
#include "core/clock.h"
#include "crypto/signing_key.h"
#include "domain/claims.h"
#include "testing/failures.h"
#include "testing/recorder.h"

namespace atm {

TEST_CASE("[testing] is off by default; on, it lowers the scrypt cost unless the file sets one", "[testing]") {
  auto off = ParseConfig("", "t.toml");
  REQUIRE(off.ok());
  CHECK_FALSE(off->testing.enabled);
  CHECK(off->passwords.scrypt.log_n == 17);
  auto on = ParseConfig("[testing]\nenabled = true\n", "t.toml");
  REQUIRE(on.ok());
  CHECK(on->passwords.scrypt.log_n == TestingConfig::kScryptLogN);
  auto explicit_cost = ParseConfig("[testing]\nenabled = true\n[passwords]\nscrypt_log_n = 14\n", "t.toml");
  REQUIRE(explicit_cost.ok());
  CHECK(explicit_cost->passwords.scrypt.log_n == 14);
  // --testing does the same.
  Config flag = *off;
  ApplyOverrides({std::nullopt, true}, flag);
  CHECK(flag.testing.enabled);
  CHECK(flag.passwords.scrypt.log_n == TestingConfig::kScryptLogN);
}

TEST_CASE("testing with TLS on a non-loopback address is refused, naming both keys", "[testing]") {
  const std::string tls = "[server.tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n[testing]\nenabled = true\n";
  auto open = ParseConfig("[server]\nhost = \"0.0.0.0\"\n" + tls, "t.toml");
  REQUIRE(open.ok());
  auto refused = CheckConfig(*open);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().description, Catch::Contains("testing.enabled") && Catch::Contains("server.tls"));
  for (const char* host : {"127.0.0.1", "localhost", "::1"}) {
    auto local = ParseConfig(std::string("[server]\nhost = \"") + host + "\"\n" + tls, "t.toml");
    REQUIRE(local.ok());
    CHECK(CheckConfig(*local).ok());
  }
  auto shortcuts = ParseConfig(
      "[[applications]]\nname = \"A\"\nredirect_url = \"http://localhost/cb\"\n"
      "[applications.testing]\nuser_picker = true\n",
      "t.toml");
  REQUIRE(shortcuts.ok());
  CHECK_FALSE(CheckConfig(*shortcuts).ok());
}

TEST_CASE("a user's claims come from the config as JSON", "[testing]") {
  auto c = ParseConfig(
      "[[applications]]\nname = \"A\"\nredirect_url = \"http://localhost/cb\"\n"
      "[[applications.users]]\nemail = \"a@example.com\"\npassword = \"password-1\"\nid = \"u1\"\n"
      "claims = { roles = [\"x\", \"y\"], level = 3, nested = { ok = true } }\n",
      "t.toml");
  REQUIRE(c.ok());
  const SeedUser& u = c->applications[0].users[0];
  CHECK(u.id == "u1");
  CHECK(u.claims == nlohmann::json({{"roles", {"x", "y"}}, {"level", 3}, {"nested", {{"ok", true}}}}));
}

TEST_CASE("extra claims: an object without atm's own names, at most 8 KiB", "[testing]") {
  CHECK(ExtraClaimsText(nlohmann::json::object(), "claims").value().empty());
  CHECK(ExtraClaimsText({{"roles", {"a"}}}, "claims").value() == R"({"roles":["a"]})");
  for (const auto& bad :
       {nlohmann::json::array(), nlohmann::json("x"), nlohmann::json({{"sub", "x"}}), nlohmann::json({{"iss", "x"}}),
        nlohmann::json({{"email", "x"}}), nlohmann::json({{"big", std::string(9000, 'x')}})}) {
    auto r = ExtraClaimsText(bad, "claims");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().field == "claims");
  }
  UserRecord user;
  user.claims = R"({"roles":["a"],"sub":"ignored"})";
  nlohmann::json token = {{"sub", "real"}};
  AddExtraClaims(user, token);
  CHECK(token == nlohmann::json({{"sub", "real"}, {"roles", {"a"}}}));
}

TEST_CASE("queued failures: for their path and client, counted down, then gone", "[testing]") {
  FailureQueue q;
  PlannedFailure f;
  f.path = "/token";
  f.client_id = "app";
  f.remaining = 2;
  f.error = "invalid_grant";
  REQUIRE(q.Add(f).ok());
  CHECK_FALSE(q.Take("/token", "other"));
  CHECK_FALSE(q.Take("/auth/token", "app"));
  auto first = q.Take("/token", "app");
  REQUIRE(first);
  CHECK(first->status == 400);  // from the error table
  CHECK(q.Take("/token", "app"));
  CHECK_FALSE(q.Take("/token", "app"));
  CHECK(q.Empty());

  PlannedFailure unavailable;
  unavailable.path = "/token";
  unavailable.status = 503;
  REQUIRE(q.Add(unavailable).ok());
  CHECK(q.Take("/token", "anyone")->error == "temporarily_unavailable");

  struct Case {
    const char* name;
    PlannedFailure f;
  };
  auto with = [](auto change) {
    PlannedFailure f;
    f.path = "/token";
    f.error = "invalid_grant";
    change(f);
    return f;
  };
  for (const auto& c : std::vector<Case>{
           {"no path", with([](PlannedFailure& f) { f.path = ""; })},
           {"relative path", with([](PlannedFailure& f) { f.path = "token"; })},
           {"the control API", with([](PlannedFailure& f) { f.path = "/_testing/reset"; })},
           {"zero count", with([](PlannedFailure& f) { f.remaining = 0; })},
           {"a 200", with([](PlannedFailure& f) { f.status = 200; })},
           {"a long delay", with([](PlannedFailure& f) { f.delay_ms = 60001; })},
           {"an odd error name", with([](PlannedFailure& f) { f.error = "Bad Error"; })},
           {"nothing to do", with([](PlannedFailure& f) { f.error = ""; })},
       }) {
    INFO(c.name);
    CHECK_FALSE(q.Add(c.f).ok());
  }
}

TEST_CASE("the record keeps sign-ins and token requests, never a password, and at most its capacity", "[testing]") {
  Recorder r;
  HttpRequest login;
  login.method = "POST";
  login.path = "/auth";
  HttpResponse ok;
  ok.status = 200;
  HttpResponse denied;
  denied.status = 401;
  denied.body = R"({"error":"invalid_grant","error_description":"the email or password is incorrect"})";
  CHECK(Recorder::Records(login));
  HttpRequest jwks;
  jwks.method = "GET";
  jwks.path = "/.well-known/jwks.json";
  CHECK_FALSE(Recorder::Records(jwks));
  r.Add(10, login, {"app", "a@example.com", ""}, ok);
  r.Add(11, login, {"app", "a@example.com", ""}, denied);
  auto all = r.List("", "");
  REQUIRE(all.size() == 2);
  CHECK(all[1]["outcome"] == "failure");
  CHECK(all[1]["error"] == "invalid_grant");
  CHECK(r.List("token", "").empty());
  CHECK(r.List("", "other").empty());
  for (int i = 0; i < 1100; ++i) r.Add(i, login, {"app", "a@example.com", ""}, ok);
  CHECK(r.List("", "").size() == Recorder::kCapacity);
  r.Clear();
  CHECK(r.List("", "").empty());
}

TEST_CASE("an RSA generation gives up when its server stops", "[testing][keys]") {
  std::atomic<bool> cancel{true};
  CHECK_FALSE(SigningKey::Generate(JwsAlg::kRS256, &cancel).ok());
  cancel = false;
  CHECK(SigningKey::Generate(JwsAlg::kRS256, &cancel).ok());
}

TEST_CASE("the adjustable clock: set reads exactly the time set, advance adds whole seconds, reset goes back",
          "[testing]") {
  AdjustableClock clock;
  for (int i = 0; i < 200; ++i) {  // any fraction of the real second
    clock.Set(2000000000);
    REQUIRE(clock.Now() == 2000000000);
  }
  clock.Advance(3601);
  CHECK(clock.Now() - 2000003601 <= 1);
  CHECK(clock.Now() >= 2000003601);
  clock.Reset();
  CHECK(clock.offset() == 0);
  clock.Set(clock.RealNow() - 10);
  CHECK(clock.offset() <= -9);
  CHECK(clock.offset() >= -10);
}

}  // namespace atm
