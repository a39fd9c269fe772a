// The audit trail in the store (on every backend: [backend]) and AuditService: an event goes in the
// transaction of the change it records (and not when the change fails),
// filters and paging, pruning, and the time bounds of the filters.
#include <catch2/catch.hpp>
#include <string>

#include "core/clock.h"
#include "domain/audit.h"
#include "domain/clients.h"
#include "store/sqlite_store.h"
#include "support/store_records.h"

namespace atm {
using namespace atm::testing;

namespace {

AuditEvent Event(const std::string& kind, int64_t at, const std::string& outcome = "success",
                 const std::string& client = "") {
  AuditEvent e;
  e.kind = kind;
  e.at = at;
  e.outcome = outcome;
  e.client_id = client;
  e.actor = "tester";
  return e;
}

int64_t Count(AuditStore& s, const AuditFilter& f = {}) {
  auto n = s.CountAudit(f);
  REQUIRE(n.ok());
  return *n;
}

}  // namespace

TEST_CASE("an audit event is written with its change, and not when the change fails", "[store][audit][backend]") {
  auto s = Seeded();
  const int64_t before = Count(*s);
  AuditEvent e = Event("application.update", kNow, "success", "c1");
  ClientRecord c = Client("c1");
  c.name = "renamed";
  REQUIRE(s->UpdateClient(c, &e).ok());
  CHECK(Count(*s) == before + 1);
  // A change that fails (no such application) leaves no event behind.
  ClientRecord missing = Client("nope");
  CHECK(s->UpdateClient(missing, &e).error().Is(ErrorCode::kNotFound));
  CHECK(s->DeleteUser("nope", &e).error().Is(ErrorCode::kNotFound));
  // A conflict rolls the event back with the insert.
  CHECK(s->CreateClient(Client("c1"), &e).error().Is(ErrorCode::kConflict));
  CHECK(Count(*s) == before + 1);
  // Without an event, nothing is written to the trail.
  REQUIRE(s->UpdateClient(c).ok());
  CHECK(Count(*s) == before + 1);
}

TEST_CASE("a reused refresh token writes its event with the revoked grant, in the revoking transaction",
          "[store][audit][backend]") {
  auto s = Seeded();
  REQUIRE(s->SaveCode(Code("h1", "c1", "u1", kNow + 60)).ok());
  REQUIRE(s->RedeemCode("h1", kNow, Grant("g1", "c1", "u1"), Refresh("r1", "g1", "c1", "u1")).ok());
  AuditEvent reuse = Event("refresh.reuse", kNow, "revoked", "c1");
  REQUIRE(s->RotateRefresh("r1", "c1", Refresh("r2", "", "c1", ""), kNow, &reuse).ok());
  CHECK(Count(*s, {0, 0, "refresh.reuse"}) == 0);  // a rotation is no reuse
  CHECK(s->RotateRefresh("r1", "c1", Refresh("r3", "", "c1", ""), kNow + 1, &reuse)
            .error()
            .Is(ErrorCode::kRefreshReused));
  auto events = s->ListAudit({0, 0, "refresh.reuse"}, {});
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].subject == "g1");
  CHECK((*events)[0].outcome == "revoked");
  CHECK_FALSE(s->GetGrant("g1")->has_value());
}

TEST_CASE("audit events are listed newest first, filtered and paged", "[store][audit][backend]") {
  auto s = OpenTestStore();
  REQUIRE(s->AppendAudit(Event("signin", kNow, "success", "c1")).ok());
  REQUIRE(s->AppendAudit(Event("signin", kNow + 10, "bad_credentials", "c1")).ok());
  REQUIRE(s->AppendAudit(Event("signin", kNow + 20, "throttled", "c2")).ok());
  REQUIRE(s->AppendAudit(Event("key.rotate", kNow + 30)).ok());
  struct Case {
    const char* name;
    AuditFilter filter;
    int64_t total;
  };
  const std::vector<Case> cases = {
      {"everything", {}, 4},
      {"by kind", {0, 0, "signin"}, 3},
      {"by outcome", {0, 0, "", "throttled"}, 1},
      {"by client", {0, 0, "", "", "c1"}, 2},
      {"since (inclusive)", {kNow + 10}, 3},
      {"until (exclusive)", {0, kNow + 10}, 1},
      {"by actor", {0, 0, "", "", "", "tester"}, 4},
      {"nothing", {0, 0, "admin.delete"}, 0},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(Count(*s, c.filter) == c.total);
    auto listed = s->ListAudit(c.filter, {0, 100});
    REQUIRE(listed.ok());
    CHECK(static_cast<int64_t>(listed->size()) == c.total);
  }
  auto page = s->ListAudit({}, {1, 2});
  REQUIRE(page.ok());
  REQUIRE(page->size() == 2);
  CHECK((*page)[0].at == kNow + 20);  // newest first, after skipping one
  CHECK((*page)[1].at == kNow + 10);
  CHECK((*page)[0].id > (*page)[1].id);
}

TEST_CASE("pruning deletes the events older than the retention only", "[store][audit][backend]") {
  auto s = OpenTestStore();
  FakeClock clock(kNow);
  AuditService audit(*s, clock, AuditOptions{3600});
  REQUIRE(s->AppendAudit(Event("signin", kNow - 7200)).ok());
  REQUIRE(s->AppendAudit(Event("signin", kNow - 3600)).ok());  // exactly at the limit: kept
  REQUIRE(s->AppendAudit(Event("signin", kNow)).ok());
  auto pruned = audit.Prune();
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);
  CHECK(Count(*s) == 2);
}

TEST_CASE("sign-ins are counted by outcome; a failure is written at once, a success's event returned",
          "[audit][backend]") {
  auto s = OpenTestStore();
  FakeClock clock(kNow);
  AuditService audit(*s, clock, AuditOptions{});
  REQUIRE(audit.SignInFailed(SignInOutcome::kThrottled, "c1", "someone@example.com", "10.0.0.1").ok());
  REQUIRE(audit.SignInFailed(SignInOutcome::kBadCredentials, "c1", std::string(400, 'x'), "10.0.0.1").ok());
  AuditEvent ok = audit.SignInSucceeded("c1", "someone@example.com", "u1", "10.0.0.2");
  CHECK(audit.signins(SignInOutcome::kThrottled) == 1);
  CHECK(audit.signins(SignInOutcome::kBadCredentials) == 1);
  CHECK(audit.signins(SignInOutcome::kSuccess) == 1);
  CHECK(audit.signins(SignInOutcome::kDisabled) == 0);
  CHECK(Count(*s) == 2);  // the success goes with its code
  CHECK(ok.kind == "signin");
  CHECK(ok.outcome == "success");
  CHECK(ok.subject == "u1");
  CHECK(ok.address == "10.0.0.2");
  auto listed = s->ListAudit({0, 0, "", "bad_credentials"}, {});
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].actor.size() == 254);  // a typed login name is cut
}

TEST_CASE("a flood of throttled attempts writes one event per account and address a minute, and counts all",
          "[audit][backend]") {
  auto s = OpenTestStore();
  FakeClock clock(kNow);
  AuditService audit(*s, clock, AuditOptions{});
  for (int i = 0; i < 50; ++i) {
    REQUIRE(audit.SignInFailed(SignInOutcome::kThrottled, "c1", "victim@example.com", "10.0.0.1").ok());
  }
  REQUIRE(audit.SignInFailed(SignInOutcome::kThrottled, "c1", "victim@example.com", "10.0.0.2").ok());
  REQUIRE(audit.SignInFailed(SignInOutcome::kThrottled, "c1", "other@example.com", "10.0.0.1").ok());
  CHECK(Count(*s) == 3);
  clock.Advance(AuditService::kThrottledWindow - 1);
  REQUIRE(audit.SignInFailed(SignInOutcome::kThrottled, "c1", "victim@example.com", "10.0.0.1").ok());
  CHECK(Count(*s) == 3);
  clock.Advance(1);
  REQUIRE(audit.SignInFailed(SignInOutcome::kThrottled, "c1", "victim@example.com", "10.0.0.1").ok());
  CHECK(Count(*s) == 4);
  CHECK(audit.signins(SignInOutcome::kThrottled) == 54);
  // Wrong passwords (each paid for with a password hash) are all written.
  for (int i = 0; i < 3; ++i) {
    REQUIRE(audit.SignInFailed(SignInOutcome::kBadCredentials, "c1", "victim@example.com", "10.0.0.1").ok());
  }
  CHECK(Count(*s) == 7);
}

TEST_CASE("application changes record before and after, never the secret or its hash", "[audit][backend]") {
  auto s = OpenTestStore();
  FakeClock clock(kNow);
  ClientService clients(*s, clock);
  NewApplication app;
  app.name = "One";
  app.redirect_urls = {"https://app.example.com/cb"};
  app.client_secret = "a-secret-that-must-not-be-audited-1234";
  auto created = clients.Create(app, Actor{"admin:root", "10.1.1.1"});
  REQUIRE(created.ok());
  ApplicationChanges changes;
  changes.name = "Two";
  REQUIRE(clients.Update(created->record.id, changes, Actor{"admin:root", "10.1.1.1"}).ok());
  auto secret = clients.RotateSecret(created->record.id, Actor{"cli", ""});
  REQUIRE(secret.ok());
  auto events = s->ListAudit({}, {0, 10});
  REQUIRE(events.ok());
  REQUIRE(events->size() == 3);
  const AuditEvent& rotate = (*events)[0];
  const AuditEvent& update = (*events)[1];
  const AuditEvent& create = (*events)[2];
  CHECK(create.kind == "application.create");
  CHECK(create.actor == "admin:root");
  CHECK(create.address == "10.1.1.1");
  CHECK(update.detail == R"({"after":{"name":"Two"},"before":{"name":"One"}})");
  CHECK(rotate.kind == "application.secret");
  CHECK(rotate.actor == "cli");
  for (const auto& e : *events) {
    for (const std::string& field : {e.detail, e.subject, e.actor}) {
      CHECK(field.find(app.client_secret) == std::string::npos);
      CHECK(field.find(*secret) == std::string::npos);
      CHECK(field.find(created->record.secret_hash) == std::string::npos);
      CHECK(field.find("secret_hash") == std::string::npos);
    }
  }
}

TEST_CASE("the audit filters' time bounds: seconds, an age, or a UTC date or time", "[audit]") {
  struct Case {
    const char* text;
    int64_t want;
  };
  const int64_t now = 1765000000;
  for (const auto& c : std::vector<Case>{{"1700000000", 1700000000},
                                         {"90s", now - 90},
                                         {"15m", now - 900},
                                         {"24h", now - 86400},
                                         {"7d", now - 7 * 86400},
                                         {"2026-12-06", 1796515200},
                                         {"2026-12-06T10:00:00Z", 1796551200}}) {
    INFO(c.text);
    auto got = ParseTimeBound(c.text, now, "since");
    REQUIRE(got.ok());
    CHECK(*got == c.want);
  }
  for (const char* bad :
       {"", "yesterday", "24x", "-5", "2026-13-01", "2026-12-06T10:00:00", "2026/12/06", "1h30m", "9999999999999"}) {
    INFO(bad);
    auto got = ParseTimeBound(bad, now, "since");
    REQUIRE_FALSE(got.ok());
    CHECK(got.error().Is(ErrorCode::kInvalidRequest));
    CHECK(got.error().field == "since");
  }
  CHECK(FormatUtc(1796551200) == "2026-12-06T10:00:00Z");
}

}  // namespace atm
