#include "support/test_atm.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/jwt.h"
#include "crypto/signing_key.h"
#include "domain/seed.h"
#include "http/responses.h"
#include "oauth/atm_routes.h"
#include "oauth/oidc_routes.h"

namespace atm::testing {
namespace {

// One RSA key for every TestAtm of the process, handed over as keys.key_file:
// generating RSA-2048 for each of hundreds of test runs would take minutes.
class SharedKeyFile {
 public:
  SharedKeyFile() {
    char dir[] = "/tmp/atm-unit-keys-XXXXXX";
    if (!mkdtemp(dir)) return;
    dir_ = dir;
    auto key = SigningKey::Generate(JwsAlg::kRS256);
    if (!key) return;
    path_ = dir_ + "/signing-key.pem";
    std::ofstream(path_) << (*key)->PrivatePem();
    // atm refuses key files that other users can read.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  ~SharedKeyFile() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace

const std::string& SharedKeyPath() {
  static SharedKeyFile file;
  return file.path();
}

const std::string& SharedKeyPem() {
  static const std::string pem = [] {
    std::ifstream in(SharedKeyPath());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  return pem;
}

Config FixtureConfig(int scrypt_log_n) {
  Config c;
  c.storage.path = ":memory:";
  c.passwords.scrypt.log_n = scrypt_log_n;
  c.passwords.max_concurrent_hashes = 4;
  c.keys.key_file = SharedKeyPath();
  return c;
}

std::unique_ptr<Services> OpenServices(const Config& config, const Clock& clock) {
  auto services = Services::Open(config, &clock);
  if (!services) FAIL("Services::Open: " << services.error().description);
  auto keys = (*services)->keys().StartSync();
  if (!keys) FAIL("keys: " << keys.error().description);
  return std::move(*services);
}

ServicesFixture::ServicesFixture(const Config& services_config)
    : services(OpenServices(services_config, clock)),
      clients(&services->clients()),
      users(&services->users()),
      codes(&services->codes()),
      keys(&services->keys()),
      tokens(&services->tokens()),
      status(&services->token_status()),
      admins(&services->admins()),
      sessions(&services->sessions()),
      logout(&services->logout()),
      devices(&services->devices()),
      audit(&services->audit()) {}

Config TestConfig(const std::string& extra) {
  std::string toml = std::string(R"(
[storage]
path = ":memory:"

[passwords]
scrypt_log_n = 10
)") + extra + R"(

[[applications]]
name          = "Demo SPA"
client_id     = "OJJvmTmatjCOTuqBxur2"
client_secret = "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX"
redirect_url  = "http://localhost:8080/callback"

  [[applications.users]]
  email      = "end.user13@gmail.com"
  password   = "H123456789"
  first_name = "End"
  last_name  = "User"

[[applications]]
name          = "Other App"
client_id     = "OtherAppClientId0001"
client_secret = "OtherAppSecret0123456789abcdefgh"
redirect_url  = "https://other.example.com/cb"

  [[applications.users]]
  email      = "other.user@example.com"
  password   = "H123456789"
  first_name = "Other"
  last_name  = "Person"
)";
  auto config = ParseConfig(toml, "test.toml");
  if (!config) FAIL("test config: " << config.error().description);
  if (config->keys.key_file.empty() && config->keys.algorithm == JwsAlg::kRS256)
    config->keys.key_file = SharedKeyPath();
  return std::move(config).value();
}

TestAtm::TestAtm(const Config& config) {
  services_ = OpenServices(config, clock_);
  Services& s = *services_;
  auto seeded = SeedFromConfig(s.config().applications, s.clients(), s.users());
  if (!seeded) FAIL("seeding: " << seeded.error().description);
  deps_.reset(new OAuthDeps{s.config(), s.clock(), s.clients(), s.users(), s.codes(), s.tokens(), s.keys(),
                            s.sessions(), s.logout(), s.devices()});
  throttle_ = std::make_unique<Throttle>(s.clock(), ThrottlePolicy{});
  RegisterAtmRoutes(router_, *deps_, *throttle_, s.audit());
  RegisterOidcRoutes(router_, *deps_, s.token_status(), "http://127.0.0.1:8080");
}

HttpResponse TestAtm::Post(const std::string& path, const std::string& content_type, const std::string& body,
                           const std::string& authorization) const {
  HttpRequest r;
  r.method = "POST";
  r.path = path;
  if (!content_type.empty()) r.headers["content-type"] = content_type;
  if (!authorization.empty()) r.headers["authorization"] = authorization;
  r.body = body;
  r.remote_addr = "127.0.0.1";
  return router_.Handle(r);
}

HttpResponse TestAtm::PostJson(const std::string& path, const nlohmann::json& body) const {
  return Post(path, "application/json", body.dump());
}

HttpResponse TestAtm::Get(const std::string& target) const {
  HttpRequest r;
  r.method = "GET";
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query_string = target.substr(q + 1);
  r.remote_addr = "127.0.0.1";
  return router_.Handle(r);
}

std::string TestAtm::Login(const std::string& challenge, const std::string& method, const std::string& client_id,
                           const std::string& email) const {
  auto r = PostJson("/auth", {{"loginId", email},
                              {"password", kPassword},
                              {"clientId", client_id},
                              {"code_challenge", challenge},
                              {"code_challenge_method", method}});
  INFO(r.body);
  REQUIRE(r.status == 200);
  return Json(r)["code"].get<std::string>();
}

HttpResponse TestAtm::ExchangeCode(const std::string& code, const std::string& verifier,
                                   const std::string& grant_field) const {
  return PostJson("/auth/token", {{"clientId", kClientId},
                                  {"clientSecret", kClientSecret},
                                  {grant_field, "authorization_code"},
                                  {"code", code},
                                  {"code_verifier", verifier}});
}

HttpResponse TestAtm::RefreshTokens(const std::string& refresh_token, const std::string& id_token,
                                    const std::string& grant_field) const {
  nlohmann::json body = {{"clientId", kClientId}, {"refresh_token", refresh_token}, {grant_field, "refresh_token"}};
  if (!id_token.empty()) body["id_token"] = id_token;
  return PostJson("/auth/token", body);
}

namespace {

nlohmann::json Apply(nlohmann::json body, const nlohmann::json& changes) {
  for (auto& [k, v] : changes.items()) {
    if (v.is_null())
      body.erase(k);
    else
      body[k] = v;
  }
  return body;
}

}  // namespace

nlohmann::json AuthBody(const nlohmann::json& changes) {
  return Apply({{"loginId", kEmail},
                {"password", kPassword},
                {"clientId", kClientId},
                {"code_challenge", kS256Challenge},
                {"code_challenge_method", "S256"}},
               changes);
}

nlohmann::json TokenBody(const std::string& code, const nlohmann::json& changes) {
  return Apply({{"clientId", kClientId},
                {"clientSecret", kClientSecret},
                {"grant_types", "authorization_code"},
                {"code", code},
                {"code_verifier", kVerifier}},
               changes);
}

void ExpectError(const HttpResponse& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK(r.content_type == "application/json");
  CHECK(r.Header("Cache-Control") == "no-store");
  auto body = Json(r);
  CHECK(body["error"] == code);
  REQUIRE(body["error_description"].is_string());
  CHECK_FALSE(body["error_description"].get<std::string>().empty());
}

nlohmann::json Json(const HttpResponse& response) {
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded()) FAIL("not JSON: " << response.body);
  return j;
}

nlohmann::json JwtPayload(const std::string& token) {
  auto d = DecodeJwtUnverified(token);
  if (!d) FAIL("not a JWT: " << token);
  return d->payload;
}

nlohmann::json JwtHeader(const std::string& token) {
  auto d = DecodeJwtUnverified(token);
  if (!d) FAIL("not a JWT: " << token);
  return d->header;
}

}  // namespace atm::testing
