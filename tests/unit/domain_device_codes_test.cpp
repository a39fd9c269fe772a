// The device authorization grant (RFC 8628) below HTTP: user codes from §6.1's
// alphabet, both codes stored hashed, the verification page's sign-in and
// decision, and the device's poll with every §3.5 answer, on a FakeClock.
#include <atomic>
#include <catch2/catch.hpp>
#include <regex>
#include <thread>
#include <vector>

#include "crypto/encoding.h"
#include "domain/device_codes.h"
#include "support/test_atm.h"

namespace atm {
namespace {

using testing::FixtureConfig;
using testing::ServicesFixture;

struct DeviceFixture : ServicesFixture {
  ClientRecord app;
  UserRecord user;
  DeviceFixture() : ServicesFixture(FixtureConfig()) {
    NewApplication a;
    a.name = "TV";
    a.redirect_urls = {"https://tv.example/cb"};
    a.is_public = true;
    a.device_grant = true;
    auto created = clients->Create(a);
    REQUIRE(created);
    app = created->record;
    auto u = users->Create({app.id, "ann@example.com", "password123", "", "Ann", "Lee"});
    REQUIRE(u);
    user = *u;
  }
  // Starts a request and returns it, the user signed in and `approved` or not.
  DeviceAuthorization Decided(bool approved) {
    auto started = devices->Start(app.id, "openid email");
    REQUIRE(started);
    auto ticket = devices->BindUser(started->user_code, user.id, clock.Now());
    REQUIRE(ticket);
    REQUIRE(devices->Decide(started->user_code, *ticket, approved));
    return *started;
  }
};

ErrorCode PollError(DeviceFixture& f, const std::string& device_code, const std::string& client_id) {
  auto polled = f.devices->Poll(device_code, client_id);
  REQUIRE_FALSE(polled);
  return polled.error().code;
}

}  // namespace

TEST_CASE("user codes: typed in any case, with or without the dash; anything else is no code", "[device]") {
  struct Case {
    const char* typed;
    const char* normalized;
  };
  const Case cases[] = {
      {"WDJB-MJHT", "WDJBMJHT"},   {"wdjbmjht", "WDJBMJHT"},
      {" wdjb mjht ", "WDJBMJHT"}, {"WDJB-MJH", ""},
      {"WDJB-MJHTB", ""},          {"WDJA-MJHT", ""},  // A is a vowel: not in the alphabet
      {"WDJB-MJH1", ""},           {"", ""},
      {"WDJB_MJHT", ""},
  };
  for (const auto& c : cases) {
    INFO(c.typed);
    CHECK(NormalizeUserCode(c.typed) == c.normalized);
  }
  CHECK(FormatUserCode("WDJBMJHT") == "WDJB-MJHT");
}

TEST_CASE("a device authorization gives a long device code and a short user code, both stored hashed", "[device]") {
  DeviceFixture f;
  auto started = f.devices->Start(f.app.id, "openid");
  REQUIRE(started);
  CHECK(std::regex_match(started->device_code, std::regex("[A-Za-z0-9_-]{43}")));
  CHECK(std::regex_match(started->user_code, std::regex("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}")));
  CHECK(started->expires_in == 600);
  CHECK(started->interval == 5);
  // The store knows the hashes only.
  auto by_plain = f.store().FindPendingDeviceCode(NormalizeUserCode(started->user_code), f.clock.Now());
  REQUIRE(by_plain);
  CHECK_FALSE(by_plain->has_value());
  auto by_hash = f.store().FindPendingDeviceCode(HashSecret(NormalizeUserCode(started->user_code)), f.clock.Now());
  REQUIRE(by_hash);
  CHECK(by_hash->has_value());
  auto found = f.devices->FindPending(started->user_code);
  REQUIRE(found);
  CHECK(found->device_hash == HashSecret(started->device_code));
  CHECK(found->client_id == f.app.id);
  CHECK(found->scope == "openid");
}

TEST_CASE("polls: pending, slow_down (and a longer interval), approved once, then invalid", "[device]") {
  DeviceFixture f;
  auto started = f.devices->Start(f.app.id, "");
  REQUIRE(started);
  CHECK(PollError(f, started->device_code, f.app.id) == ErrorCode::kAuthorizationPending);
  f.clock.Advance(2);  // sooner than 5 s
  CHECK(PollError(f, started->device_code, f.app.id) == ErrorCode::kSlowDown);
  f.clock.Advance(5);  // the interval is now 10 s
  CHECK(PollError(f, started->device_code, f.app.id) == ErrorCode::kSlowDown);
  f.clock.Advance(15);
  CHECK(PollError(f, started->device_code, f.app.id) == ErrorCode::kAuthorizationPending);
  // Another client cannot poll it; an unknown code is invalid.
  CHECK(PollError(f, started->device_code, "someone-else") == ErrorCode::kInvalidGrant);
  CHECK(PollError(f, "not-a-device-code", f.app.id) == ErrorCode::kInvalidGrant);

  auto ticket = f.devices->BindUser(started->user_code, f.user.id, f.clock.Now());
  REQUIRE(ticket);
  REQUIRE(f.devices->Decide(started->user_code, *ticket, true));
  f.clock.Advance(20);
  auto approved = f.devices->Poll(started->device_code, f.app.id);
  REQUIRE(approved);
  CHECK(approved->user_id == f.user.id);
  auto tokens = f.tokens->IssueForDevice(*approved, f.app, "https://id.example");
  REQUIRE(tokens);
  CHECK_FALSE(tokens->refresh_token.empty());
  CHECK_FALSE(tokens->id_token.empty());
  f.clock.Advance(20);
  CHECK(PollError(f, started->device_code, f.app.id) == ErrorCode::kInvalidGrant);
  CHECK(f.tokens->issued(TokenService::Grant::kDeviceCode, JwsAlg::kRS256) == 1);
}

TEST_CASE("a denial answers access_denied; an expired request expired_token, and the page no longer finds it",
          "[device]") {
  DeviceFixture f;
  auto denied = f.Decided(false);
  auto denial = f.devices->Poll(denied.device_code, f.app.id);
  REQUIRE_FALSE(denial);
  CHECK(denial.error().Is(ErrorCode::kDeviceDenied));
  CHECK(denial.error().wire_name() == "access_denied");
  CHECK(denial.error().status() == 400);

  auto started = f.devices->Start(f.app.id, "");
  REQUIRE(started);
  f.clock.Advance(600);
  CHECK(PollError(f, started->device_code, f.app.id) == ErrorCode::kExpiredToken);
  CHECK_FALSE(f.devices->FindPending(started->user_code));
  CHECK_FALSE(f.devices->BindUser(started->user_code, f.user.id, f.clock.Now()));
  // The purge removes it.
  REQUIRE(f.store().PurgeExpired(f.clock.Now()));
  CHECK(PollError(f, started->device_code, f.app.id) == ErrorCode::kInvalidGrant);
}

TEST_CASE("a decision needs the ticket of the sign-in, and is made once", "[device]") {
  DeviceFixture f;
  auto started = f.devices->Start(f.app.id, "");
  REQUIRE(started);
  // No sign-in yet: no ticket fits.
  CHECK_FALSE(f.devices->Decide(started->user_code, "made-up", true));
  auto first = f.devices->BindUser(started->user_code, f.user.id, f.clock.Now());
  REQUIRE(first);
  auto second = f.devices->BindUser(started->user_code, f.user.id, f.clock.Now());
  REQUIRE(second);
  CHECK(*first != *second);
  CHECK_FALSE(f.devices->Decide(started->user_code, *first, true));  // replaced by the later sign-in
  CHECK_FALSE(f.devices->Decide(started->user_code, "", true));
  REQUIRE(f.devices->Decide(started->user_code, *second, true));
  CHECK_FALSE(f.devices->Decide(started->user_code, *second, false));  // decided already
}

TEST_CASE("two polls at the same moment get tokens once", "[device]") {
  DeviceFixture f;
  auto started = f.Decided(true);
  auto approved = f.devices->Poll(started.device_code, f.app.id);
  REQUIRE(approved);
  // Both pollers passed the check; only one redemption may win.
  std::vector<std::thread> pollers;
  std::atomic<int> issued{0};
  for (int i = 0; i < 4; ++i) {
    pollers.emplace_back([&] {
      if (f.tokens->IssueForDevice(*approved, f.app, "https://id.example")) ++issued;
    });
  }
  for (auto& t : pollers) t.join();
  CHECK(issued == 1);
}

}  // namespace atm
