// The app's Services over a store in memory (tests/support/test_atm.h), a
// fake clock, and the admin routes on a Router: handlers are called without a socket.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "admin/deps.h"
#include "admin/routes.h"
#include "app.h"
#include "config/config.h"
#include "core/clock.h"
#include "domain/admins.h"
#include "domain/clients.h"
#include "domain/users.h"
#include "http/router.h"
#include "store/sqlite_store.h"
#include "support/test_atm.h"

namespace atm::test {

inline constexpr const char* kAdminName = "admin";
inline constexpr const char* kAdminPassword = "correct horse battery";

class AdminFixture : public testing::ServicesFixture {
 public:
  AdminFixture() : ServicesFixture(AdminConfig()), store(services->sqlite()) {
    deps = std::make_unique<AdminDeps>(AdminDeps{config, clock, *clients, *users, *admins, *audit});
    RegisterAdminRoutes(router, *deps);
    auto a = admins->Create(kAdminName, kAdminPassword);
    if (!a) throw std::runtime_error(a.error().description);
  }

  // A request to the router; a JSON `body` is sent as application/json.
  HttpResponse Call(const std::string& method, const std::string& target, const nlohmann::json& body = nullptr,
                    std::map<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query_string = target.substr(q + 1);
    r.headers = std::move(headers);
    if (!body.is_null()) {
      r.body = body.dump();
      r.headers.emplace("content-type", "application/json");
    }
    r.remote_addr = "127.0.0.1";
    return router.Handle(r);
  }

  // An API bearer token for the admin.
  std::string BearerToken() {
    auto t = admins->IssueToken(kAdminName, 0);
    if (!t) throw std::runtime_error(t.error().description);
    return t->token;
  }
  std::map<std::string, std::string> Bearer() { return {{"authorization", "Bearer " + BearerToken()}}; }

  // Creates an application through the service; returns its client_id.
  std::string App(const std::string& name = "Demo SPA") {
    auto app = clients->Create({name, "", "", {"http://localhost:8080/callback"}, false});
    if (!app) throw std::runtime_error(app.error().description);
    return app->record.id;
  }

  static nlohmann::json Json(const HttpResponse& r) { return nlohmann::json::parse(r.body); }

 private:
  static Config AdminConfig() {
    Config c = testing::FixtureConfig();  // cheap scrypt: these tests are about rules, not cost
    c.admin.session_ttl = 3600;
    c.admin.token_ttl = 600;
    return c;
  }

 public:
  SqliteStore* store;  // (hides ServicesFixture::store())
  std::unique_ptr<AdminDeps> deps;
  Router router;
};

}  // namespace atm::test
