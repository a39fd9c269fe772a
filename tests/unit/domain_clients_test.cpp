// ClientService: generated credentials of the ATM shape, secrets stored only
// hashed, client authentication (RFC 6749 §2.3.1), and redirect URL rules.
#include <catch2/catch.hpp>
#include <regex>

#include "core/clock.h"
#include "crypto/encoding.h"
#include "domain/clients.h"
#include "store/sqlite_store.h"

namespace atm {
namespace {

struct Fixture {
  FakeClock clock;
  std::unique_ptr<SqliteStore> store;
  std::unique_ptr<ClientService> clients;
  Fixture() {
    auto s = SqliteStore::Open({":memory:", false, 1000});
    REQUIRE(s.ok());
    store = std::move(*s);
    clients = std::make_unique<ClientService>(*store, clock);
  }
  CreatedApplication Create(NewApplication app = {"Demo SPA", "", "", {"http://localhost:8080/callback"}, false}) {
    auto c = clients->Create(app);
    REQUIRE(c.ok());
    return *c;
  }
};

// n distinct web origins: https://app0.example ... (duplicates are dropped).
std::vector<std::string> Origins(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("https://app" + std::to_string(i) + ".example");
  return out;
}

}  // namespace

TEST_CASE("a new application gets a 20-character id and a 32-character secret, stored hashed", "[clients]") {
  Fixture f;
  auto app = f.Create();
  CHECK(std::regex_match(app.record.id, std::regex("[A-Za-z0-9]{20}")));
  CHECK(std::regex_match(app.client_secret, std::regex("[A-Za-z0-9]{32}")));
  auto stored = f.store->GetClient(app.record.id);
  REQUIRE(stored->has_value());
  CHECK((*stored)->secret_hash == HashSecret(app.client_secret));
  CHECK((*stored)->secret_hash.find(app.client_secret) == std::string::npos);
  CHECK((*stored)->redirect_urls == std::vector<std::string>{"http://localhost:8080/callback"});
}

TEST_CASE("given credentials are kept, and a taken client id is a conflict", "[clients]") {
  Fixture f;
  auto app = f.Create(
      {"Demo", "OJJvmTmatjCOTuqBxur2", "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX", {"http://localhost:8080/callback"}, false});
  CHECK(app.record.id == "OJJvmTmatjCOTuqBxur2");
  CHECK(app.client_secret == "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX");
  auto dup = f.clients->Create({"Again", "OJJvmTmatjCOTuqBxur2", "", {"http://localhost/cb"}, false});
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().Is(ErrorCode::kConflict));
  CHECK(dup.error().field == "client_id");
}

TEST_CASE("client authentication checks the secret", "[clients]") {
  Fixture f;
  auto app = f.Create();
  const std::string id = app.record.id;
  CHECK(f.clients->Authenticate(id, app.client_secret, true).ok());
  auto [name, client_id, secret, required, code] =
      GENERATE_COPY(table<std::string, std::string, std::string, bool, std::string>({
          {"wrong secret", id, "wrong-secret-0123456789", true, "invalid_client"},
          {"wrong secret when optional", id, "wrong-secret-0123456789", false, "invalid_client"},
          {"missing secret", id, "", true, "invalid_client"},
          {"unknown client", "nope", app.client_secret, true, "invalid_client"},
          {"no client id", "", app.client_secret, true, "invalid_request"},
      }));
  CAPTURE(name);
  auto r = f.clients->Authenticate(client_id, secret, required);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().wire_name() == code);
}

TEST_CASE("a secret may be omitted only where the endpoint allows it", "[clients]") {
  Fixture f;
  auto app = f.Create();
  CHECK(f.clients->Authenticate(app.record.id, "", /*secret_required=*/false).ok());
}

TEST_CASE("a public application has no secret and refuses one", "[clients]") {
  Fixture f;
  auto app = f.Create({"Native", "", "", {"com.example.app:/cb"}, true});
  CHECK(app.client_secret.empty());
  CHECK(f.clients->Authenticate(app.record.id, "", true).ok());
  CHECK(f.clients->Authenticate(app.record.id, "anything-0123456789", true).error().Is(ErrorCode::kInvalidClient));
  CHECK_FALSE(f.clients->Create({"Native", "", "secret-0123456789abc", {"com.example.app:/cb"}, true}).ok());
  CHECK_FALSE(f.clients->RotateSecret(app.record.id).ok());
}

TEST_CASE("a disabled application cannot authenticate", "[clients]") {
  Fixture f;
  auto app = f.Create();
  REQUIRE(f.clients->Update(app.record.id, ApplicationChanges{{}, {}, true}).ok());
  auto r = f.clients->Authenticate(app.record.id, app.client_secret, true);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().Is(ErrorCode::kInvalidClient));
  CHECK(f.clients->FindActive(app.record.id).error().Is(ErrorCode::kInvalidClient));
}

TEST_CASE("rotating the secret retires the old one at once", "[clients]") {
  Fixture f;
  auto app = f.Create();
  auto secret = f.clients->RotateSecret(app.record.id);
  REQUIRE(secret.ok());
  CHECK(*secret != app.client_secret);
  CHECK(f.clients->Authenticate(app.record.id, *secret, true).ok());
  CHECK_FALSE(f.clients->Authenticate(app.record.id, app.client_secret, true).ok());
}

TEST_CASE("creating or editing an application validates name, id, secret and redirect URLs", "[clients]") {
  Fixture f;
  auto [name, app, field] = GENERATE(table<std::string, NewApplication, std::string>({
      {"no name", NewApplication{"  ", "", "", {"https://a.example/cb"}, false}, "name"},
      {"long name", NewApplication{std::string(201, 'n'), "", "", {"https://a.example/cb"}, false}, "name"},
      {"no redirect", NewApplication{"A", "", "", {}, false}, "redirect_url"},
      {"http redirect", NewApplication{"A", "", "", {"http://app.example/cb"}, false}, "redirect_url"},
      {"relative redirect", NewApplication{"A", "", "", {"/callback"}, false}, "redirect_url"},
      {"fragment", NewApplication{"A", "", "", {"https://a.example/cb#x"}, false}, "redirect_url"},
      {"javascript", NewApplication{"A", "", "", {"javascript:alert(1)"}, false}, "redirect_url"},
      {"bad client id", NewApplication{"A", "has space", "", {"https://a.example/cb"}, false}, "client_id"},
      {"short secret", NewApplication{"A", "", "short", {"https://a.example/cb"}, false}, "client_secret"},
  }));
  CAPTURE(name);
  auto r = f.clients->Create(app);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().field == field);
  CHECK(f.clients->Count().value() == 0);
}

TEST_CASE("an application is renamed, re-pointed and deleted", "[clients]") {
  Fixture f;
  auto app = f.Create();
  f.clock.Advance(5);
  auto updated = f.clients->Update(
      app.record.id, ApplicationChanges{"Renamed", std::vector<std::string>{"https://new.example/cb"}, {}});
  REQUIRE(updated.ok());
  CHECK(updated->name == "Renamed");
  CHECK(updated->redirect_urls == std::vector<std::string>{"https://new.example/cb"});
  CHECK(updated->updated_at == app.record.created_at + 5);
  CHECK(f.clients->Update(app.record.id, ApplicationChanges{{}, std::vector<std::string>{"ftp:"}, {}}).error().field ==
        "redirect_url");
  REQUIRE(f.clients->Delete(app.record.id).ok());
  CHECK(f.clients->Get(app.record.id).error().Is(ErrorCode::kNotFound));
  CHECK(f.clients->Delete(app.record.id).error().Is(ErrorCode::kNotFound));
}

TEST_CASE("web origins and post-logout redirect URLs are validated on create and update", "[clients]") {
  Fixture f;
  auto [name, web_origins, post_logout, field] =
      GENERATE(table<std::string, std::vector<std::string>, std::vector<std::string>, std::string>({
          {"origin with a path", {"https://app.example/callback"}, {}, "web_origins"},
          {"origin with a trailing slash", {"https://app.example/"}, {}, "web_origins"},
          {"origin in upper case", {"https://App.Example"}, {}, "web_origins"},
          {"origin with the default port", {"https://app.example:443"}, {}, "web_origins"},
          {"origin not http(s)", {"myapp://callback"}, {}, "web_origins"},
          {"one origin of two with a query", {"https://ok.example", "https://app.example?x"}, {}, "web_origins"},
          {"21 origins", Origins(21), {}, "web_origins"},
          {"post-logout URL with a fragment", {}, {"https://app.example/bye#x"}, "post_logout_redirect_urls"},
          {"post-logout URL over http", {}, {"http://app.example/bye"}, "post_logout_redirect_urls"},
          {"post-logout URL relative", {}, {"/bye"}, "post_logout_redirect_urls"},
      }));
  CAPTURE(name);
  auto created = f.clients->Create({"A", "", "", {"https://app.example/cb"}, false, web_origins, post_logout});
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().field == field);
  CHECK(f.clients->Count().value() == 0);

  auto app = f.Create();
  ApplicationChanges changes;
  if (field == "web_origins")
    changes.web_origins = web_origins;
  else
    changes.post_logout_redirect_urls = post_logout;
  auto updated = f.clients->Update(app.record.id, changes);
  REQUIRE_FALSE(updated.ok());
  CHECK(updated.error().field == field);
  CHECK(f.clients->Get(app.record.id)->web_origins.empty());
  CHECK(f.clients->Get(app.record.id)->post_logout_redirect_urls.empty());
}

TEST_CASE("an application may have 20 web origins", "[clients]") {
  Fixture f;
  auto app = f.clients->Create({"Twenty", "", "", {"https://app.example/callback"}, true, Origins(20), {}});
  REQUIRE(app.ok());
  CHECK(app->record.web_origins == Origins(20));
}

TEST_CASE("an application allows its web origins and its redirect URLs' origins, nothing else", "[clients]") {
  Fixture f;
  auto app = f.Create({"SPA",
                       "",
                       "",
                       {"https://app.example/callback"},
                       true,
                       {"http://localhost:5173", " https://admin.example ", "http://localhost:5173"},
                       {}});
  const ClientRecord& c = app.record;
  CHECK(c.web_origins == std::vector<std::string>{"http://localhost:5173", "https://admin.example"});
  CHECK(ClientService::AllowsOrigin(c, "http://localhost:5173"));
  CHECK(ClientService::AllowsOrigin(c, "https://admin.example"));
  CHECK(ClientService::AllowsOrigin(c, "https://app.example"));  // from the redirect URL
  CHECK_FALSE(ClientService::AllowsOrigin(c, "http://localhost:5174"));
  CHECK_FALSE(ClientService::AllowsOrigin(c, "https://admin.example.evil.com"));
  CHECK_FALSE(ClientService::AllowsOrigin(c, "http://admin.example"));
  CHECK_FALSE(ClientService::AllowsOrigin(c, ""));
  auto plain = f.Create();
  CHECK_FALSE(ClientService::AllowsOrigin(plain.record, "http://localhost:5173"));
}

TEST_CASE("logout may return to a post-logout redirect URL or a redirect URL, matched exactly", "[clients]") {
  Fixture f;
  auto app = f.Create({"SPA",
                       "",
                       "",
                       {"https://app.example/callback", "http://127.0.0.1/cb"},
                       true,
                       {},
                       {"https://app.example/signed-out"}});
  const ClientRecord& c = app.record;
  CHECK(ClientService::AllowsPostLogoutRedirect(c, "https://app.example/signed-out"));
  CHECK(ClientService::AllowsPostLogoutRedirect(c, "https://app.example/callback"));
  CHECK(ClientService::AllowsPostLogoutRedirect(c, "http://127.0.0.1:4321/cb"));  // loopback: any port
  CHECK_FALSE(ClientService::AllowsPostLogoutRedirect(c, "https://app.example/signed-out/"));
  CHECK_FALSE(ClientService::AllowsPostLogoutRedirect(c, "https://app.example/signed-out?next=/"));
  CHECK_FALSE(ClientService::AllowsPostLogoutRedirect(c, "https://evil.example/signed-out"));
  CHECK_FALSE(ClientService::AllowsPostLogoutRedirect(c, ""));
}

}  // namespace atm
