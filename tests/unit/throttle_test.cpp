// Brute-force throttling (domain/throttle.h): backoff, caps, resets, trust,
// memory bound; and its use by POST /auth (429 + Retry-After).
#include <catch2/catch.hpp>
#include <map>
#include <vector>

#include "domain/throttle.h"
#include "support/security_fixture.h"

using atm::BackoffRule;
using atm::FakeClock;
using atm::Throttle;
using atm::ThrottlePolicy;
using atm::testing::NewPkce;
using atm::testing::SecurityFixture;

namespace {

// Fails attempts until one is refused; returns how many were admitted (at
// most `limit`).
int FailUntilRefused(Throttle& t, const std::string& account, const std::string& ip, int limit = 1000) {
  for (int i = 0; i < limit; ++i) {
    auto attempt = t.Admit(account, ip);
    if (!attempt.allowed()) return i;
    attempt.Failed();
  }
  return limit;
}

void SignIn(Throttle& t, const std::string& account, const std::string& ip) {
  auto attempt = t.Admit(account, ip);
  REQUIRE(attempt.allowed());
  attempt.Succeeded();
}

// The shared counters as a map (the PostgreSQL store's are tested against a
// real server in the [postgres] store tests and tests/e2e/scale_out.test.mjs).
class MapThrottleStore : public atm::ThrottleStore {
 public:
  bool down = false;
  std::map<std::string, atm::ThrottleCounter> rows;

  atm::Result<std::vector<atm::ThrottleCounter>> GetThrottleCounters(const std::vector<std::string>& keys) override {
    if (down) return atm::Error(atm::ErrorCode::kTemporarilyUnavailable, "the database is unavailable");
    std::vector<atm::ThrottleCounter> out;
    for (const auto& k : keys) {
      if (rows.count(k)) out.push_back(rows[k]);
    }
    return out;
  }
  atm::Status AddThrottleFailures(const std::vector<std::string>& keys, int64_t now, int64_t forget_after) override {
    if (down) return atm::Error(atm::ErrorCode::kTemporarilyUnavailable, "the database is unavailable");
    for (const auto& k : keys) {
      auto& c = rows[k];
      c.key = k;
      c.failures = now - c.last_failure >= forget_after ? 1 : c.failures + 1;
      c.last_failure = now;
    }
    return atm::Ok();
  }
  atm::Status TrustThrottleKey(const std::string& key, int64_t trusted_until) override {
    auto& c = rows[key];
    c.key = key;
    c.failures = 0;
    c.trusted_until = trusted_until;
    return atm::Ok();
  }
  atm::Status PurgeThrottle(int64_t, int64_t) override { return atm::Ok(); }
  atm::Status ClearThrottle() override {
    rows.clear();
    return atm::Ok();
  }
};

}  // namespace

TEST_CASE("nodes sharing their counters count guesses spread over them once", "[throttle]") {
  FakeClock clock;
  MapThrottleStore shared;
  Throttle a(clock, ThrottlePolicy{}, &shared), b(clock, ThrottlePolicy{}, &shared);
  // Five free failures in all, alternating nodes: the sixth is refused on both.
  for (int i = 0; i < 5; ++i) {
    auto attempt = (i % 2 ? b : a).Admit("alice", "198.51.100.7");
    REQUIRE(attempt.allowed());
    attempt.Failed();
  }
  CHECK_FALSE(a.Admit("alice", "198.51.100.7").allowed());
  CHECK_FALSE(b.Admit("alice", "198.51.100.7").allowed());
  // Node-local throttles would each have let five more through.
  Throttle alone(clock, ThrottlePolicy{});
  CHECK(FailUntilRefused(alone, "alice", "198.51.100.7") == 5);

  // A sign-in on one node resets the pair for the other, and trusts the network there.
  clock.Advance(60);
  SignIn(b, "alice", "198.51.100.7");
  CHECK(a.Admit("alice", "198.51.100.7").allowed());
  // The test-control reset forgets the shared counters too.
  CHECK(FailUntilRefused(a, "bob", "203.0.113.9") == 5);
  a.Clear();
  CHECK(b.Admit("bob", "203.0.113.9").allowed());
}

TEST_CASE("when the shared counters cannot be read, the node's own decide", "[throttle]") {
  FakeClock clock;
  MapThrottleStore shared;
  Throttle t(clock, ThrottlePolicy{}, &shared);
  shared.down = true;
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 5);  // counted locally
  CHECK(shared.rows.empty());
}

TEST_CASE("backoff delays double after the free failures and stop at the cap", "[throttle]") {
  BackoffRule rule{5, 1, 60};
  auto [failures, delay] = GENERATE(
      table<int, int64_t>({{0, 0}, {4, 0}, {5, 1}, {6, 2}, {7, 4}, {10, 32}, {11, 60}, {12, 60}, {1000000, 60}}));
  INFO(failures << " failures");
  CHECK(rule.DelayAfter(failures) == delay);
}

TEST_CASE("failed attempts on one account from one network back off exponentially", "[throttle]") {
  FakeClock clock;
  Throttle t(clock, ThrottlePolicy{});
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 5);  // the free attempts
  int64_t expected = 1;
  for (int round = 0; round < 8; ++round) {
    auto refused = t.Admit("alice", "198.51.100.7");
    REQUIRE_FALSE(refused.allowed());
    CHECK(refused.retry_after() == std::min<int64_t>(expected, 60));
    clock.Advance(refused.retry_after() - 1);
    CHECK_FALSE(t.Admit("alice", "198.51.100.7").allowed());
    clock.Advance(1);
    auto again = t.Admit("alice", "198.51.100.7");
    REQUIRE(again.allowed());
    again.Failed();
    expected *= 2;
  }
}

TEST_CASE("an attacker guessing from one network cannot keep the owner out for longer than the caps", "[throttle]") {
  FakeClock clock;
  ThrottlePolicy policy;
  Throttle t(clock, policy);
  SignIn(t, "alice", "203.0.113.10");  // the owner, at home, earlier
  // An attacker guesses for a long time from one address, as fast as allowed.
  for (int i = 0; i < 500; ++i) {
    auto d = t.Admit("alice", "198.51.100.7");
    if (d.allowed()) {
      d.Failed();
    } else {
      CHECK(d.retry_after() <= std::max(policy.pair.max_delay, policy.network.max_delay));
      clock.Advance(d.retry_after());
    }
  }
  CHECK(t.Admit("alice", "203.0.113.10").allowed());  // from home: no wait
  auto elsewhere = t.Admit("alice", "192.0.2.55");    // from a new place: a short wait at most
  if (!elsewhere.allowed()) CHECK(elsewhere.retry_after() <= policy.account.max_delay);
}

TEST_CASE("the backoff of one account from one network stops at max_delay", "[throttle]") {
  FakeClock clock;
  ThrottlePolicy policy;
  policy.network.free_failures = 1000000;  // isolate the pair rule
  policy.account.free_failures = 1000000;
  Throttle t(clock, policy);
  int64_t longest = 0;
  for (int i = 0; i < 300; ++i) {
    auto d = t.Admit("alice", "198.51.100.7");
    if (d.allowed()) {
      d.Failed();
    } else {
      longest = std::max(longest, d.retry_after());
      clock.Advance(d.retry_after());
    }
  }
  CHECK(longest == policy.pair.max_delay);
}

TEST_CASE("a successful sign-in resets the backoff of its account and network", "[throttle]") {
  FakeClock clock;
  Throttle t(clock, ThrottlePolicy{});
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 5);
  clock.Advance(1);
  SignIn(t, "alice", "198.51.100.7");
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 5);
}

TEST_CASE("a distributed attack slows an account only briefly, and not at all from a trusted network", "[throttle]") {
  FakeClock clock;
  ThrottlePolicy policy;
  Throttle t(clock, policy);
  // The owner signed in from home earlier.
  SignIn(t, "alice", "203.0.113.10");
  // Then 400 guesses from 100 addresses, each under its own pair limit.
  int refused = 0;
  for (int i = 0; i < 400; ++i) {
    auto d = t.Admit("alice", "198.51.100." + std::to_string(i % 100));
    if (d.allowed()) {
      d.Failed();
    } else {
      ++refused;
      CHECK(d.retry_after() <= policy.account.max_delay);
      clock.Advance(d.retry_after());
    }
  }
  CHECK(refused > 0);  // the account rule did slow them
  CHECK(t.Admit("alice", "203.0.113.10").allowed());
  auto from_new_place = t.Admit("alice", "192.0.2.55");
  if (!from_new_place.allowed()) CHECK(from_new_place.retry_after() <= policy.account.max_delay);
  // Other accounts are not slowed.
  CHECK(t.Admit("bob", "192.0.2.55").allowed());
}

TEST_CASE("one network guessing many accounts is slowed, other networks are not", "[throttle]") {
  FakeClock clock;
  ThrottlePolicy policy;
  Throttle t(clock, policy);
  int admitted = 0;
  for (int i = 0; i < 1000; ++i, ++admitted) {
    auto d = t.Admit("user" + std::to_string(i), "198.51.100.7");
    if (!d.allowed()) break;
    d.Failed();
  }
  CHECK(admitted == policy.network.free_failures);
  CHECK_FALSE(t.Admit("someone-else", "198.51.100.7").allowed());
  CHECK(t.Admit("someone-else", "198.51.100.8").allowed());
}

TEST_CASE("failures are forgotten after forget_after", "[throttle]") {
  FakeClock clock;
  ThrottlePolicy policy;
  Throttle t(clock, policy);
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 5);
  clock.Advance(policy.forget_after);
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 5);
}

TEST_CASE("the throttle keeps at most max_entries entries, evicting the least recently used", "[throttle]") {
  FakeClock clock;
  ThrottlePolicy policy;
  policy.max_entries = 300;
  Throttle t(clock, policy);
  for (int i = 0; i < 5000; ++i) {
    t.Admit("user" + std::to_string(i) + std::string(1000, 'x'), "198.51.100." + std::to_string(i % 250)).Failed();
    clock.Advance(1);
  }
  CHECK(t.size() <= 300);
  // The most recently used account is still counted.
  CHECK(FailUntilRefused(t, "fresh", "192.0.2.1") == 5);
}

TEST_CASE("parallel sign-ins are admitted up to max_parallel while nothing failed", "[throttle]") {
  FakeClock clock;
  ThrottlePolicy policy;
  Throttle t(clock, policy);
  std::vector<Throttle::Attempt> in_flight;
  for (int i = 0; i < policy.max_parallel; ++i) {
    in_flight.push_back(t.Admit("alice", "198.51.100.7"));
    REQUIRE(in_flight.back().allowed());
  }
  auto one_more = t.Admit("alice", "198.51.100.7");
  CHECK_FALSE(one_more.allowed());
  CHECK(one_more.retry_after() == 1);
  for (auto& a : in_flight) a.Succeeded();
  CHECK(t.Admit("alice", "198.51.100.7").allowed());
}

TEST_CASE("parallel guesses are counted: once backing off, one guess at a time", "[throttle]") {
  FakeClock clock;
  Throttle t(clock, ThrottlePolicy{});
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 5);
  clock.Advance(1);
  auto first = t.Admit("alice", "198.51.100.7");
  REQUIRE(first.allowed());
  CHECK_FALSE(t.Admit("alice", "198.51.100.7").allowed());  // a burst gets nowhere
  first.Failed();
  auto next = t.Admit("alice", "198.51.100.7");
  CHECK_FALSE(next.allowed());
  CHECK(next.retry_after() == 2);
}

TEST_CASE("an attempt that ends without a verdict counts nothing", "[throttle]") {
  FakeClock clock;
  Throttle t(clock, ThrottlePolicy{});
  for (int i = 0; i < 100; ++i) {
    auto attempt = t.Admit("alice", "198.51.100.7");
    REQUIRE(attempt.allowed());
  }  // e.g. the store failed before the password was checked
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 5);
}

TEST_CASE("a disabled throttle admits everything", "[throttle]") {
  FakeClock clock;
  ThrottlePolicy policy;
  policy.enabled = false;
  Throttle t(clock, policy);
  CHECK(FailUntilRefused(t, "alice", "198.51.100.7") == 1000);
  CHECK(t.size() == 0);
}

TEST_CASE("IPv6 addresses of one /64 count as one network", "[throttle]") {
  auto [ip, network] = GENERATE(table<std::string, std::string>({
      {"198.51.100.7", "198.51.100.7"},
      {"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
      {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
      {"::ffff:198.51.100.7", "198.51.100.7"},
      {"::1", "::/64"},
      {"not an address", "not an address"},
  }));
  CHECK(atm::ClientNetwork(ip) == network);
}

TEST_CASE("/auth answers 429 with Retry-After after repeated wrong passwords, without checking the password",
          "[throttle][auth]") {
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app);
  auto wrong = user;
  wrong.password = "not the password";
  for (int i = 0; i < 5; ++i) REQUIRE(f.Login(app, wrong, NewPkce()).status == 401);
  // Even the right password is not checked while the backoff lasts.
  atm::HttpResponse r = f.Login(app, user, NewPkce());
  CHECK(r.status == 429);
  CHECK(r.content_type == "application/json");
  CHECK(r.Header("Retry-After") == "1");
  CHECK(r.Header("Cache-Control") == "no-store");
  auto body = SecurityFixture::Json(r);
  CHECK(body["error"] == "temporarily_unavailable");
  CHECK(body["error_description"].get<std::string>().find("try again in 1 s") != std::string::npos);
  // The user at another address is not affected; here the wait passes.
  CHECK(f.Login(app, user, NewPkce(), "192.0.2.200").status == 200);
  f.clock.Advance(1);
  CHECK(f.Login(app, user, NewPkce()).status == 200);
  // The success reset the backoff: five more tries before a delay.
  for (int i = 0; i < 5; ++i) CHECK(f.Login(app, wrong, NewPkce()).status == 401);
  CHECK(f.Login(app, wrong, NewPkce()).status == 429);
}

TEST_CASE("/auth throttles unknown login names exactly like existing ones", "[throttle][auth]") {
  SecurityFixture f;
  auto app = f.AddApp();
  auto real = f.AddUser(app, "real@example.com");
  real.password = "wrong password";
  atm::testing::TestUser ghost{"", "ghost@example.com", "wrong password"};
  for (int i = 0; i < 12; ++i) {
    atm::HttpResponse a = f.Login(app, real, NewPkce(), "198.51.100.1");
    atm::HttpResponse b = f.Login(app, ghost, NewPkce(), "198.51.100.2");
    INFO("attempt " << i);
    CHECK(a.status == b.status);
    CHECK(a.body == b.body);
    CHECK(a.Header("Retry-After") == b.Header("Retry-After"));
  }
}

TEST_CASE("[throttle] config keys set the policy; bad values are one-line errors", "[throttle][config]") {
  auto c = atm::ParseConfig(
      "[throttle]\nenabled = true\nfree_attempts = 3\nmax_delay = \"2m\"\naccount_free_attempts = 7\n"
      "account_max_delay = 20\nnetwork_free_attempts = 50\nnetwork_max_delay = \"10m\"\nbase_delay = 2\n"
      "forget_after = \"2h\"\ntrust_for = \"7d\"\nmax_entries = 5000\nmax_parallel_attempts = 8\n",
      "t.toml");
  REQUIRE(c.ok());
  CHECK(c->throttle.pair.free_failures == 3);
  CHECK(c->throttle.pair.max_delay == 120);
  CHECK(c->throttle.account.free_failures == 7);
  CHECK(c->throttle.account.max_delay == 20);
  CHECK(c->throttle.network.free_failures == 50);
  CHECK(c->throttle.network.max_delay == 600);
  CHECK(c->throttle.pair.base_delay == 2);
  CHECK(c->throttle.account.base_delay == 2);
  CHECK(c->throttle.network.base_delay == 2);
  CHECK(c->throttle.forget_after == 7200);
  CHECK(c->throttle.trust_for == 7 * 86400);
  CHECK(c->throttle.max_entries == 5000);
  CHECK(c->throttle.max_parallel == 8);

  auto [text, message] = GENERATE(table<std::string, std::string>({
      {"[throttle]\nfree_attempts = 0\n", "t.toml: throttle.free_attempts: expected an integer from 1 to"},
      {"[throttle]\nmax_delay = \"soon\"\n", "t.toml: throttle.max_delay: expected a duration"},
      {"[throttle]\nmax_entries = 10\n", "t.toml: throttle.max_entries: expected an integer from 100 to"},
      {"[throttle]\nlockout = true\n", "t.toml: throttle.lockout: unknown key"},
  }));
  auto bad = atm::ParseConfig(text, "t.toml");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().description.rfind(message, 0) == 0);
}
