// PgStore (issue 17): what only PostgreSQL has. Several nodes are two
// PgStores (two pools) on one schema, racing for one code, one refresh
// token, one key rotation; shared throttle counters; the key version other
// nodes poll; failing to connect, losing the database and getting it back;
// migrating at once. The Store contract itself runs on every backend
// ([backend]). Skipped unless ATM_TEST_PG_URL is set
// (tests/support/with_postgres.sh), but for the URL helpers and the failures
// that need no server.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <future>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "domain/admins.h"
#include "domain/login_sessions.h"
#include "domain/seed.h"
#include "store/pg_connection.h"
#include "store/pg_store.h"
#include "support/store_records.h"
#include "support/tcp_relay.h"
#include "support/test_store.h"

namespace atm {
using namespace atm::testing;

namespace {

bool NoPostgres() {
  if (!TestPgUrl().empty()) return false;
  SUCCEED("ATM_TEST_PG_URL is not set: skipped");
  return true;
}

PgStore& Pg(TestStore& s) { return static_cast<PgStore&>(*s); }

// Two nodes on one schema: `a` made it (and drops it), `b` shares it.
struct TwoNodes {
  PgOptions options = FreshPgOptions();
  TestStore a = OpenPg(options);
  TestStore b = OpenPg(options, /*owns_schema=*/false);

  void Seed() {
    REQUIRE(a->CreateClient(Client("c1")).ok());
    REQUIRE(a->CreateUser(User("u1", "c1", "end.user13@gmail.com")).ok());
  }
};

// Runs `first` and `second` on two threads released at the same moment.
// (Catch2's assertions are not thread-safe: the callers check afterwards.)
void AtOnce(const std::function<void()>& first, const std::function<void()>& second) {
  std::latch start(3);
  std::thread one([&] {
    start.arrive_and_wait();
    first();
  });
  std::thread two([&] {
    start.arrive_and_wait();
    second();
  });
  start.arrive_and_wait();
  one.join();
  two.join();
}

// The URL of the test database with its user info replaced by `userinfo`.
std::string WithUserInfo(const std::string& url, const std::string& userinfo) {
  const size_t start = url.find("://") + 3;
  size_t end = start;
  while (end < url.size() && url[end] != '@' && url[end] != '/') ++end;
  const size_t host = end < url.size() && url[end] == '@' ? end + 1 : start;
  return url.substr(0, start) + userinfo + "@" + url.substr(host);
}

// Stops and starts the test cluster as a PostgreSQL restart does, through
// the script and folder tests/support/with_postgres.sh names; false when the
// environment names none.
bool RestartTestCluster() {
  const char* script = std::getenv("ATM_PG_CLUSTER");
  const char* dir = std::getenv("ATM_PG_SOCKET_DIR");
  if (!script || !dir) return false;
  const std::string quoted_dir = std::string("'") + dir + "'";
  const std::string command =
      std::string("'") + script + "' stop " + quoted_dir + " && '" + script + "' start " + quoted_dir + " >/dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
  return true;
}

}  // namespace

TEST_CASE("postgres:// and postgresql:// URLs name PostgreSQL, in any case", "[store][postgres]") {
  for (const char* url : {"postgres://db/atm", "postgresql://atm@db:5432/atm", "POSTGRESQL://db", "Postgres://db"}) {
    INFO(url);
    CHECK(IsPostgresUrl(url));
  }
  for (const char* url :
       {"", "/var/lib/atm/atm.db", "atm.db", "postgres:/db", "postgresx://db", "sqlite://x", "host=db dbname=atm"}) {
    INFO(url);
    CHECK_FALSE(IsPostgresUrl(url));
  }
}

TEST_CASE("a redacted URL shows everything but the password", "[store][postgres]") {
  struct Case {
    const char* url;
    const char* shown;
  };
  for (const auto& c : std::vector<Case>{
           {"postgresql://atm:s3cret@db:5432/atm", "postgresql://atm:***@db:5432/atm"},
           {"postgres://atm:p%40ss@db/atm?sslmode=verify-full", "postgres://atm:***@db/atm?sslmode=verify-full"},
           {"postgres://:s3cret@db/atm", "postgres://:***@db/atm"},
           {"postgres://db/atm?sslmode=require&password=s3cret", "postgres://db/atm?sslmode=require&password=***"},
           {"postgres://u:a@db/atm?password=b&application_name=x",
            "postgres://u:***@db/atm?password=***&application_name=x"},
           {"postgres://atm@db/atm?sslcert=c.crt&sslkey=c.key&sslpassword=k3y",
            "postgres://atm@db/atm?sslcert=c.crt&sslkey=c.key&sslpassword=***"},
           {"postgres://atm@db/atm", "postgres://atm@db/atm"},
           {"postgres://db/atm", "postgres://db/atm"},
           {"host=db user=atm password=s3cret dbname=atm", "host=db user=atm password=*** dbname=atm"},
           {"host=db password = 'se cret' dbname=atm", "host=db password = *** dbname=atm"},
           {"/var/lib/atm/atm.db", "/var/lib/atm/atm.db"},
       }) {
    INFO(c.url);
    CHECK(RedactPostgresUrl(c.url) == c.shown);
  }
}

TEST_CASE("while the database is down one caller at a time tries to connect, the others answer 503 at once",
          "[store][postgres]") {
  std::atomic<int> attempts{0};
  std::atomic<bool> hold{false}, held{false};
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  // A database that refuses every connection; while `hold`, the first
  // attempt waits (a connect timeout running) until released.
  PgPool pool(4, std::chrono::seconds(5), [&](std::string* error) -> std::unique_ptr<PgConnection> {
    ++attempts;
    if (hold && !held.exchange(true)) {
      entered.set_value();
      released.wait();
    }
    *error = "connection refused";
    return nullptr;
  });
  REQUIRE_FALSE(pool.Acquire().ok());  // the database is down
  REQUIRE(attempts == 1);

  hold = true;
  std::atomic<bool> probe_failed{false};
  std::thread probe([&] { probe_failed = !pool.Acquire().ok(); });
  entered.get_future().wait();
  auto other = pool.Acquire();  // while the probe connects: no second attempt
  release.set_value();
  probe.join();
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().Is(ErrorCode::kTemporarilyUnavailable));
  CHECK(attempts == 2);
  CHECK(probe_failed);
  // The probe over, the next caller tries again.
  CHECK_FALSE(pool.Acquire().ok());
  CHECK(attempts == 3);
}

TEST_CASE("a store that cannot reach PostgreSQL at start is a clear error naming the URL, not a crash",
          "[store][postgres]") {
  PgOptions options;
  options.url = "postgresql://atm:s3cret-pw@127.0.0.1:1/atm";  // nothing listens on port 1
  options.connect_timeout_s = 2;
  const auto start = std::chrono::steady_clock::now();
  auto store = PgStore::Open(options);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().Is(ErrorCode::kTemporarilyUnavailable));
  CHECK(store.error().description.find("postgresql://atm:***@127.0.0.1:1/atm") != std::string::npos);
  CHECK(store.error().description.find("s3cret-pw") == std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));

  for (const char* bad :
       {"postgresql://atm:s3cret-pw@[::1/atm", "/var/lib/atm/atm.db", "postgres://db/atm?nonsense=1"}) {
    INFO(bad);
    options.url = bad;
    auto refused = PgStore::Open(options);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().Is(ErrorCode::kInvalidConfig));
    CHECK(refused.error().description.find("s3cret-pw") == std::string::npos);
  }
}

TEST_CASE("a wrong user or password at start is a clear error, without the password", "[postgres]") {
  if (NoPostgres()) return;
  PgOptions options = FreshPgOptions();
  options.url = WithUserInfo(TestPgUrl(), "atm_no_such_user:wrong-s3cret");
  auto store = PgStore::Open(options);
  REQUIRE_FALSE(store.ok());
  CHECK((store.error().Is(ErrorCode::kTemporarilyUnavailable) || store.error().Is(ErrorCode::kInvalidConfig)));
  CHECK(store.error().description.find("atm_no_such_user:***@") != std::string::npos);
  CHECK(store.error().description.find("wrong-s3cret") == std::string::npos);
}

TEST_CASE("two nodes starting at once on an empty schema both migrate it, once", "[postgres]") {
  if (NoPostgres()) return;
  const PgOptions options = FreshPgOptions();
  std::optional<Result<std::unique_ptr<PgStore>>> first, second;
  AtOnce([&] { first = PgStore::Open(options); }, [&] { second = PgStore::Open(options); });
  REQUIRE(first->ok());
  REQUIRE(second->ok());
  TestStore a((*first)->release(), TestStoreDeleter{options});
  TestStore b((*second)->release(), TestStoreDeleter{});
  CHECK(Pg(a).SchemaVersion().value() == PgStore::LatestSchemaVersion());
  CHECK(Pg(b).SchemaVersion().value() == PgStore::LatestSchemaVersion());
  CHECK(Pg(b).ProbeWrite(0, 1000).ok());
  // What one node writes, the other reads.
  REQUIRE(a->CreateClient(Client("c1")).ok());
  CHECK(b->GetClient("c1")->has_value());
  // A third node finds it migrated.
  auto third = OpenPg(options, /*owns_schema=*/false);
  CHECK(Pg(third).SchemaVersion().value() == PgStore::LatestSchemaVersion());
}

TEST_CASE("nodes starting at once on one database both seed the config's admin and applications", "[postgres]") {
  if (NoPostgres()) return;
  TwoNodes n;
  FakeClock clock;
  const PasswordPolicy policy{{10, 8, 1}, 8, 1};
  struct Node {
    UserService users;
    ClientService clients;
    AdminService admins;
    Node(Store& s, const Clock& clock, PasswordPolicy policy)
        : users(s, clock, policy), clients(s, clock), admins(s, clock, users, AdminPolicy{}) {}
  };
  Node a(*n.a, clock, policy), b(*n.b, clock, policy);
  // Each node looks the admin and the application up, finds nothing, and
  // creates them (hashing in between): one insert wins, and the other node
  // finds them as the config declares them, which is not an error.
  for (int i = 0; i < 5; ++i) {
    INFO("round " << i);
    const std::string admin = "admin" + std::to_string(i);
    SeedApplication app;
    app.name = "Seeded " + std::to_string(i);
    app.client_id = "seeded-client-" + std::to_string(i);
    app.client_secret = "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX";
    app.redirect_urls = {"http://localhost:8080/callback"};
    app.users = {SeedUser{"end.user13@gmail.com", "H123456789", "", "End", "User"}};
    std::optional<Result<bool>> admin_a, admin_b;
    AtOnce([&] { admin_a = a.admins.Ensure(admin, "correct horse battery", ""); },
           [&] { admin_b = b.admins.Ensure(admin, "correct horse battery", ""); });
    REQUIRE(admin_a->ok());
    REQUIRE(admin_b->ok());
    CHECK(int(**admin_a) + int(**admin_b) == 1);
    std::optional<Result<SeedReport>> seed_a, seed_b;
    AtOnce([&] { seed_a = SeedFromConfig({app}, a.clients, a.users); },
           [&] { seed_b = SeedFromConfig({app}, b.clients, b.users); });
    REQUIRE(seed_a->ok());
    REQUIRE(seed_b->ok());
    CHECK((*seed_a)->applications_created + (*seed_b)->applications_created == 1);
    CHECK((*seed_a)->users_created + (*seed_b)->users_created == 1);
    CHECK((*seed_a)->client_ids == std::vector<std::string>{app.client_id});
    CHECK((*seed_b)->client_ids == std::vector<std::string>{app.client_id});
  }
  CHECK(a.admins.List()->size() == 5);
}

TEST_CASE("a browser signed in through one node is signed in on the others, and signing out on one ends it on all",
          "[postgres]") {
  if (NoPostgres()) return;
  TwoNodes n;
  FakeClock clock;
  SessionOptions options;
  options.lifetime = 3600;
  LoginSessions a(clock, options, &Pg(n.a)), b(clock, options, &Pg(n.b));
  // The sign-in `node` finds (REQUIRE: the database answered).
  auto find = [](LoginSessions& node, const std::string& id, const std::string& client_id) {
    auto found = node.Find(id, client_id);
    REQUIRE(found.ok());
    return *found;
  };

  const std::string first = a.SignIn("", "c1", "u1", 100);
  REQUIRE_FALSE(first.empty());
  auto seen = find(b, first, "c1");
  REQUIRE(seen);
  CHECK(seen->user_id == "u1");
  CHECK(seen->auth_time == 100);
  CHECK_FALSE(find(b, first, "c2"));
  CHECK_FALSE(find(b, "not-a-session", "c1"));

  // A sign-in to a second application through the other node: a new id that
  // carries both sign-ins; the old id stops working on every node.
  clock.Advance(1800);
  const std::string second = b.SignIn(first, "c2", "u2", 200);
  REQUIRE_FALSE(second.empty());
  CHECK(second != first);
  CHECK_FALSE(find(a, first, "c1"));
  CHECK(find(a, second, "c1")->user_id == "u1");
  CHECK(find(a, second, "c2")->user_id == "u2");

  // The session keeps its first expiry: an hour after the first sign-in.
  clock.Advance(1799);
  CHECK(find(a, second, "c2"));
  clock.Advance(1);
  CHECK_FALSE(find(a, second, "c1"));
  CHECK_FALSE(find(b, second, "c2"));

  // Signing out through one node ends the session on the other.
  const std::string third = a.SignIn(second, "c1", "u1", 300);
  CHECK(find(b, third, "c1"));
  CHECK(b.End(third).value());
  CHECK_FALSE(find(a, third, "c1"));
  CHECK_FALSE(a.End(third).value());
}

TEST_CASE("a code redeemed on two nodes at the same moment is redeemed once", "[postgres]") {
  if (NoPostgres()) return;
  TwoNodes n;
  n.Seed();
  for (int i = 0; i < 50; ++i) {
    INFO("round " << i);
    const std::string code = "code-" + std::to_string(i);
    const std::string ga = "ga-" + std::to_string(i), gb = "gb-" + std::to_string(i);
    REQUIRE(n.a->SaveCode(Code(code, "c1", "u1", kNow + 60)).ok());
    std::optional<Status> ra, rb;
    AtOnce([&] { ra = n.a->RedeemCode(code, kNow, Grant(ga, "c1", "u1"), Refresh("r" + ga, ga, "c1", "u1")); },
           [&] { rb = n.b->RedeemCode(code, kNow, Grant(gb, "c1", "u1"), Refresh("r" + gb, gb, "c1", "u1")); });
    REQUIRE(ra->ok() != rb->ok());
    const Error& lost = ra->ok() ? rb->error() : ra->error();
    CHECK(lost.Is(ErrorCode::kInvalidGrant));
    CHECK(lost.description.find("already used") != std::string::npos);
    // As on SQLite, the second redemption revokes what the first issued
    // (RFC 6749 §4.1.2), and keeps nothing of its own.
    CHECK_FALSE(n.b->GetGrant(ga)->has_value());
    CHECK_FALSE(n.a->GetGrant(gb)->has_value());
    CHECK_FALSE(n.a->GetLiveRefresh("r" + ga, kNow)->has_value());
  }
}

TEST_CASE("a code spent on one node and redeemed on another at once is used once", "[postgres]") {
  if (NoPostgres()) return;
  TwoNodes n;
  n.Seed();
  for (int i = 0; i < 20; ++i) {
    INFO("round " << i);
    const std::string code = "code-" + std::to_string(i), g = "g-" + std::to_string(i);
    REQUIRE(n.a->SaveCode(Code(code, "c1", "u1", kNow + 60)).ok());
    std::optional<Status> spent, redeemed;
    AtOnce([&] { spent = n.a->SpendCode(code, kNow); },
           [&] { redeemed = n.b->RedeemCode(code, kNow, Grant(g, "c1", "u1"), Refresh("r" + g, g, "c1", "u1")); });
    REQUIRE(spent->ok() != redeemed->ok());
    CHECK_FALSE(n.a->GetGrant(g)->has_value());  // never redeemed, or revoked by the spend that came second
  }
}

TEST_CASE("a refresh token reused on two nodes at once rotates once and revokes its grant", "[postgres]") {
  if (NoPostgres()) return;
  TwoNodes n;
  n.Seed();
  for (int i = 0; i < 20; ++i) {
    INFO("round " << i);
    const std::string g = "g-" + std::to_string(i), old = "r-" + std::to_string(i);
    StartGrant(*n.a, Grant(g, "c1", "u1"), Refresh(old, g, "c1", "u1"));
    std::optional<Result<GrantRecord>> ra, rb;
    AtOnce([&] { ra = n.a->RotateRefresh(old, "c1", Refresh(old + "-a", "", "c1", ""), kNow + 1); },
           [&] { rb = n.b->RotateRefresh(old, "c1", Refresh(old + "-b", "", "c1", ""), kNow + 1); });
    REQUIRE(ra->ok() != rb->ok());
    const Error& lost = ra->ok() ? rb->error() : ra->error();
    CHECK(lost.Is(ErrorCode::kRefreshReused));
    CHECK_FALSE(n.a->GetGrant(g)->has_value());
    CHECK_FALSE(n.b->GetLiveRefresh(old + "-a", kNow + 1)->has_value());
    CHECK_FALSE(n.b->GetLiveRefresh(old + "-b", kNow + 1)->has_value());
  }
}

TEST_CASE("two nodes rotating the signing key at once make exactly one key", "[postgres]") {
  if (NoPostgres()) return;
  TwoNodes n;
  std::string current;  // no key yet
  for (int i = 0; i < 10; ++i) {
    INFO("round " << i);
    const std::string ka = "ka-" + std::to_string(i), kb = "kb-" + std::to_string(i);
    std::optional<Result<bool>> ra, rb;
    AtOnce(
        [&] {
          ra = n.a->InstallSigningKey({ka, "RS256", "pem", kNow + i, 0}, current);
        },
        [&] {
          rb = n.b->InstallSigningKey({kb, "RS256", "pem", kNow + i, 0}, current);
        });
    REQUIRE(ra->ok());
    REQUIRE(rb->ok());
    REQUIRE(**ra != **rb);
    auto keys = n.b->ListKeys();
    REQUIRE(keys.ok());
    REQUIRE(keys->size() == static_cast<size_t>(i + 1));
    current = **ra ? ka : kb;
    CHECK((*keys)[0].kid == current);
    CHECK((*keys)[0].retired_at == 0);
    for (size_t k = 1; k < keys->size(); ++k) CHECK((*keys)[k].retired_at != 0);
  }
}

TEST_CASE("the key version another node reads changes with every change of the keys", "[postgres]") {
  if (NoPostgres()) return;
  TwoNodes n;
  auto version = [&] { return n.b->DataVersion().value(); };
  int64_t v = version();
  REQUIRE(n.a->InstallSigningKey({"k1", "RS256", "pem1", kNow, 0}, "").value());
  CHECK(version() != v);
  v = version();
  CHECK(version() == v);  // reading changes nothing
  REQUIRE(n.a->CreateClient(Client("c1")).ok());
  REQUIRE(n.a->InstallSigningKey({"k2", "RS256", "pem2", kNow + 1, 0}, "k1").value());
  CHECK(version() != v);
  v = version();
  REQUIRE_FALSE(n.a->InstallSigningKey({"k3", "RS256", "pem3", kNow + 2, 0}, "k1").value());  // refused: no change
  CHECK(version() == v);
  REQUIRE(n.a->UpdateKeyPem("k1", "sealed-pem1").ok());
  CHECK(version() != v);
  v = version();
  REQUIRE(n.a->DeleteKey("k1").ok());
  CHECK(version() != v);
  CHECK(n.b->ListKeys()->size() == 1);
}

TEST_CASE("sign-in failures counted on several nodes at once all count", "[postgres]") {
  if (NoPostgres()) return;
  TwoNodes n;
  constexpr int kThreads = 8, kFailures = 25;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  std::latch start(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    ThrottleStore& node = t % 2 == 0 ? static_cast<ThrottleStore&>(Pg(n.a)) : Pg(n.b);
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kFailures; ++i) {
        if (!node.AddThrottleFailures({"account", "network-" + std::to_string(t), "account"}, kNow, 3600)) ++errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(errors == 0);
  auto counters = Pg(n.b).GetThrottleCounters({"account", "network-0", "network-7", "nobody"});
  REQUIRE(counters.ok());
  REQUIRE(counters->size() == 3);  // "nobody" has no row
  for (const auto& c : *counters) {
    INFO(c.key);
    CHECK(c.failures == (c.key == "account" ? kThreads * kFailures : kFailures));
    CHECK(c.last_failure == kNow);
  }
}

TEST_CASE("throttle counters start again after forget_after, reset on trust, and are purged when idle", "[postgres]") {
  if (NoPostgres()) return;
  auto s = OpenTestStore();
  PgStore& pg = static_cast<PgStore&>(*s);
  auto get = [&](const std::string& key) {
    auto found = pg.GetThrottleCounters({key});
    REQUIRE(found.ok());
    return found->empty() ? ThrottleCounter{} : found->front();
  };
  REQUIRE(pg.AddThrottleFailures({"pair", "net"}, kNow, 600).ok());
  REQUIRE(pg.AddThrottleFailures({"pair", "net"}, kNow + 599, 600).ok());
  CHECK(get("pair").failures == 2);
  REQUIRE(pg.AddThrottleFailures({"pair"}, kNow + 599 + 600, 600).ok());  // 600 s after the last: forgotten
  CHECK(get("pair").failures == 1);
  CHECK(get("pair").last_failure == kNow + 1199);
  REQUIRE(pg.TrustThrottleKey("pair", kNow + 5000).ok());
  CHECK(get("pair").failures == 0);
  CHECK(get("pair").trusted_until == kNow + 5000);
  REQUIRE(pg.TrustThrottleKey("fresh", kNow + 100).ok());
  // At kNow + 2000: "net" idle 1401 s (purged), "pair" trusted, "fresh" no longer trusted (purged).
  REQUIRE(pg.PurgeThrottle(kNow + 2000, 600).ok());
  CHECK(get("net").key.empty());
  CHECK(get("fresh").key.empty());
  CHECK(get("pair").key == "pair");
  REQUIRE(pg.ClearThrottle().ok());
  CHECK(get("pair").key.empty());
  CHECK(pg.GetThrottleCounters({})->empty());
}

namespace {
// Runs `sql` on the test database with psql, in a session that may write
// whatever the role's defaults; true when it succeeded.
bool Psql(const std::string& sql) {
  const std::string command = "PGOPTIONS='-c default_transaction_read_only=off' psql -q -X -v ON_ERROR_STOP=1 '" +
                              TestPgUrl() + "' -c \"" + sql + "\" >/dev/null";
  return std::system(command.c_str()) == 0;
}
}  // namespace

TEST_CASE("a connection that finds its server read-only (a failover) is replaced, not kept", "[postgres]") {
  if (NoPostgres()) return;
  PgOptions options = FreshPgOptions();
  options.pool_size = 1;
  auto s = OpenPg(options);
  REQUIRE(s->CreateClient(Client("c1")).ok());
  // The server turns read-only for new sessions, and this node's one
  // connection breaks: it reconnects to a "standby".
  struct Writable {
    ~Writable() { Psql("ALTER ROLE CURRENT_USER RESET default_transaction_read_only"); }
  } writable;
  REQUIRE(Psql("ALTER ROLE CURRENT_USER SET default_transaction_read_only = on"));
  REQUIRE(
      Psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'atm' AND "
           "pid <> pg_backend_pid()"));
  auto refused = s->CreateClient(Client("c2"));
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().Is(ErrorCode::kTemporarilyUnavailable));
  CHECK(refused.error().description == "the database is read-only for now");
  // The primary is back: the next call connects afresh and writes.
  REQUIRE(Psql("ALTER ROLE CURRENT_USER RESET default_transaction_read_only"));
  CHECK(s->CreateClient(Client("c2")).ok());
  CHECK(s->CountClients().value() == 2);
}

TEST_CASE("while PostgreSQL is unreachable calls fail with temporarily_unavailable, and the store recovers by itself",
          "[postgres]") {
  if (NoPostgres()) return;
  // The test database's host and port, reached through a relay that can cut.
  const std::string url = TestPgUrl();
  const size_t start = url.find("://") + 3;
  size_t at = start;
  while (at < url.size() && url[at] != '@' && url[at] != '/') ++at;
  const size_t host_start = at < url.size() && url[at] == '@' ? at + 1 : start;
  const size_t host_end = url.find_first_of(":/?", host_start);
  const std::string host = url.substr(host_start, host_end - host_start);
  if (host.empty() || host[0] == '%' || host[0] == '[') {
    SUCCEED("ATM_TEST_PG_URL names no TCP host: skipped");
    return;
  }
  int port = 5432;
  if (host_end < url.size() && url[host_end] == ':') port = std::stoi(url.substr(host_end + 1));
  TcpRelay relay(host, port);
  PgOptions options = FreshPgOptions();
  options.url =
      url.substr(0, host_start) + "127.0.0.1:" + std::to_string(relay.port()) +
      url.substr(url.find_first_of("/?", host_start) == std::string::npos ? url.size()
                                                                          : url.find_first_of("/?", host_start));
  options.pool_size = 2;
  options.connect_timeout_s = 2;
  auto s = OpenPg(options);
  REQUIRE(s->CreateClient(Client("c1")).ok());
  REQUIRE(s->GetClient("c1")->has_value());

  relay.Cut();
  auto read = s->GetClient("c1");
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().Is(ErrorCode::kTemporarilyUnavailable));
  CHECK(read.error().status() == 503);
  CHECK(read.error().description == "the database is unavailable");
  auto write = s->CreateClient(Client("c2"));
  REQUIRE_FALSE(write.ok());
  CHECK(write.error().Is(ErrorCode::kTemporarilyUnavailable));
  auto ping = Pg(s).ProbeWrite(0, 1000);
  REQUIRE_FALSE(ping.ok());
  CHECK(ping.error().Is(ErrorCode::kTemporarilyUnavailable));
  auto version = s->DataVersion();
  REQUIRE_FALSE(version.ok());
  CHECK(version.error().Is(ErrorCode::kTemporarilyUnavailable));
  // Sign-in sessions: an outage is an error, never "no session" or "signed out".
  FakeClock clock;
  LoginSessions sessions(clock, SessionOptions{}, &Pg(s));
  auto found = sessions.Find("a-session-cookie", "c1");
  REQUIRE_FALSE(found.ok());
  CHECK(found.error().Is(ErrorCode::kTemporarilyUnavailable));
  auto ended = sessions.End("a-session-cookie");
  REQUIRE_FALSE(ended.ok());
  CHECK(ended.error().Is(ErrorCode::kTemporarilyUnavailable));
  CHECK(sessions.SignIn("", "c1", "u1", 100).empty());

  relay.Restore();
  CHECK(Pg(s).ProbeWrite(0, 1000).ok());
  CHECK(s->CreateClient(Client("c2")).ok());
  CHECK(s->CountClients().value() == 2);

  // Connections cut while idle in the pool are found dead and replaced.
  relay.Cut();
  relay.Restore();
  CHECK(s->GetClient("c2")->has_value());
  CHECK(s->CreateClient(Client("c3")).ok());
}

TEST_CASE("a connection idle in the pool through a PostgreSQL restart is replaced, not used", "[postgres]") {
  if (NoPostgres()) return;
  PgOptions options = FreshPgOptions();
  options.pool_size = 1;
  auto s = OpenPg(options);
  REQUIRE(Pg(s).AddThrottleFailures({"k"}, 1000, 3600).ok());
  if (!RestartTestCluster()) {
    SUCCEED("ATM_PG_CLUSTER is not set: skipped");
    return;
  }
  // The server ended the pooled connection (FATAL 57P01, then the close).
  // A write of one statement, which has no BEGIN that could fail first and
  // be run again, must get a new connection rather than fail with it.
  auto write = Pg(s).AddThrottleFailures({"k"}, 1001, 3600);
  INFO((write.ok() ? std::string() : write.error().description));
  CHECK(write.ok());
  auto counters = Pg(s).GetThrottleCounters({"k"});
  REQUIRE(counters.ok());
  REQUIRE(counters->size() == 1);
  CHECK((*counters)[0].failures == 2);
}

}  // namespace atm
