// src/ops: /metrics behind its bearer token, with every family the README
// lists, and readiness that names what failed (here: no signing key yet).
#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "app.h"
#include "ops/operations.h"
#include "support/test_atm.h"

namespace atm {
namespace {

constexpr const char* kToken = "unit-test-metrics-token-1";

Config OpsConfig() {
  Config c = testing::FixtureConfig(4);
  c.metrics.token = kToken;
  return c;
}

ServerOptions SmallServer() {
  ServerOptions o;
  o.port = 0;
  o.threads = 1;
  o.access_log = false;
  return o;
}

HttpRequest Get(const std::string& path, const std::string& authorization = "") {
  HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.remote_addr = "127.0.0.1";
  if (!authorization.empty()) r.headers["authorization"] = authorization;
  return r;
}

OpsDeps DepsOf(Services& s) {
  return OpsDeps{s.config(), s.clock(), s.store(), s.sqlite(), s.users(), s.codes(), s.tokens(), s.keys(), s.audit()};
}

}  // namespace

TEST_CASE("/metrics answers the exposition to its bearer token only", "[ops]") {
  FakeClock clock;
  auto services = testing::OpenServices(OpsConfig(), clock);
  Router router;
  HttpServer server(router, SmallServer());
  auto ops = Operations::Create(DepsOf(*services), router, server);
  REQUIRE(ops.ok());
  CHECK(router.measuring());
  for (const std::string& bad : {std::string(), std::string("Bearer wrong-token-wrong-token"),
                                 std::string("Basic ") + kToken, std::string("Bearer")}) {
    INFO(bad);
    HttpResponse r = router.Handle(Get("/metrics", bad));
    CHECK(r.status == 401);
    CHECK(r.Header("WWW-Authenticate").rfind("Bearer", 0) == 0);
    CHECK(r.body.find("invalid_token") != std::string::npos);
  }
  router.Handle(Get("/health/live"));
  HttpResponse r = router.Handle(Get("/metrics", std::string("Bearer ") + kToken));
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "text/plain; version=0.0.4; charset=utf-8");
  for (const char* family :
       {"atm_http_requests_total", "atm_http_request_duration_seconds", "atm_http_connections_open",
        "atm_http_connections_idle", "atm_logins_total", "atm_tokens_issued_total", "atm_refresh_token_reuse_total",
        "atm_authorization_codes_rejected_total", "atm_signing_key_age_seconds", "atm_password_hashes_running",
        "atm_password_hashes_waiting", "atm_sqlite_write_duration_seconds", "atm_build_info",
        "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
        "process_start_time_seconds"}) {
    INFO(family);
    CHECK(r.body.find(std::string("# TYPE ") + family + " ") != std::string::npos);
  }
  CHECK(r.body.find("atm_http_requests_total{route=\"/health/live\",status=\"200\"} 1\n") != std::string::npos);
  CHECK(r.body.find("atm_logins_total{outcome=\"throttled\"} 0\n") != std::string::npos);
  CHECK(r.body.find("atm_tokens_issued_total{grant_type=\"client_credentials\",alg=\"EdDSA\"} 0\n") !=
        std::string::npos);
  // No key schedule: no next rotation to report.
  CHECK(r.body.find("atm_signing_key_next_rotation_seconds") == std::string::npos);
}

TEST_CASE("without [metrics], /metrics is not served and requests are not timed", "[ops]") {
  FakeClock clock;
  auto services = testing::OpenServices(testing::FixtureConfig(4), clock);
  Router router;
  HttpServer server(router, SmallServer());
  auto ops = Operations::Create(DepsOf(*services), router, server);
  REQUIRE(ops.ok());
  CHECK_FALSE(router.measuring());
  CHECK(router.Handle(Get("/metrics", std::string("Bearer ") + kToken)).status == 404);
  CHECK(router.Handle(Get("/health/live")).status == 200);
}

TEST_CASE("readiness names what failed: no signing key is loaded yet", "[ops]") {
  FakeClock clock;
  Config config = OpsConfig();
  config.keys.key_file.clear();
  auto opened = Services::Open(config, &clock);
  REQUIRE(opened.ok());
  Services& s = **opened;
  Router router;
  HttpServer server(router, SmallServer());
  {
    auto ops = Operations::Create(DepsOf(s), router, server);
    REQUIRE(ops.ok());
    HttpResponse r = (*ops)->Ready();
    CHECK(r.status == 503);
    auto body = nlohmann::json::parse(r.body);
    CHECK(body["status"] == "not_ready");
    CHECK(body["failed"] == nlohmann::json::array({"signing_key"}));
    CHECK(body["checks"]["database"] == "ok");
    CHECK(body["checks"]["migrations"] == "ok");
  }
  REQUIRE(s.keys().StartSync().ok());
  Router router2;
  auto ops = Operations::Create(DepsOf(s), router2, server);
  REQUIRE(ops.ok());
  HttpResponse r = router2.Handle(Get("/health/ready"));
  CHECK(r.status == 200);
  CHECK(nlohmann::json::parse(r.body)["status"] == "ready");
}

}  // namespace atm

namespace atm {

TEST_CASE("a schema a newer atm migrated further keeps this node ready (a rolling upgrade)", "[ops]") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("atm-ops-" + std::to_string(::getpid()) + "-rolling");
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "atm.db").string();
  FakeClock clock;
  Config config = OpsConfig();
  config.storage.path = db;
  auto opened = Services::Open(config, &clock);
  REQUIRE(opened.ok());
  Services& s = **opened;
  REQUIRE(s.keys().StartSync().ok());
  const int latest = s.store().KnownSchemaVersion();
  {
    SQLite::Database other(db, SQLite::OPEN_READWRITE);
    other.exec("PRAGMA user_version = " + std::to_string(latest + 1));
  }
  Router router;
  HttpServer server(router, SmallServer());
  auto ops = Operations::Create(DepsOf(s), router, server);
  REQUIRE(ops.ok());
  HttpResponse r = (*ops)->Ready();
  CHECK(r.status == 200);
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["status"] == "ready");
  CHECK(body["checks"]["migrations"].get<std::string>().rfind("ok: the schema is at version", 0) == 0);
  opened->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace atm
