// Config: defaults, durations, seeding tables, and a table of bad configs, each
// giving one line that names the file, the key and what is wrong.
#include <catch2/catch.hpp>
#include <string>

#include "config/config.h"

namespace atm {
namespace {

Config Parse(const std::string& text) {
  auto c = ParseConfig(text, "test.toml");
  if (!c) FAIL(c.error().description);
  return std::move(c).value();
}

}  // namespace

TEST_CASE("an empty config gives the documented defaults", "[config]") {
  Config c = Parse("");
  CHECK(c.source == "test.toml");
  CHECK(c.server.host == "127.0.0.1");
  CHECK(c.server.port == 8080);
  CHECK(c.server.max_body_bytes == 64 * 1024);
  CHECK(c.server.log_format == LogFormat::kText);
  CHECK(c.storage.path == "atm.db");
  CHECK(c.storage.synchronous == SyncMode::kNormal);
  CHECK(c.tokens.issuer == "atm");
  CHECK(c.tokens.access_token_ttl == 600);
  CHECK(c.tokens.id_token_ttl == 600);
  CHECK(c.tokens.refresh_token_ttl == 30 * 86400);
  CHECK(c.tokens.code_ttl == 60);
  CHECK_FALSE(c.pkce.allow_plain);
  CHECK_FALSE(c.pkce.strict_verifiers);
  CHECK(c.passwords.scrypt.log_n == 17);
  CHECK(c.passwords.min_length == 8);
  CHECK(c.keys.algorithm == JwsAlg::kRS256);
  CHECK(c.keys.rotate_every == 0);
  CHECK_FALSE(c.metrics.enabled());
  CHECK(c.audit.retention == 90 * 86400);
  CHECK(c.device.code_ttl == 600);
  CHECK(c.device.interval == 5);
  CHECK(c.applications.empty());
}

TEST_CASE("metrics are served on a listener of their own, or on the main port with a token", "[config]") {
  Config c =
      Parse("[metrics]\nlisten = \"127.0.0.1:9464\"\ntoken = \"0123456789abcdef\"\n[audit]\nretention = \"30d\"");
  CHECK(c.metrics.enabled());
  CHECK(c.metrics.listen_host == "127.0.0.1");
  CHECK(c.metrics.listen_port == 9464);
  CHECK(c.metrics.token == "0123456789abcdef");
  CHECK(c.audit.retention == 30 * 86400);
  Config v6 = Parse("[metrics]\nlisten = \"[::1]:0\"");
  CHECK(v6.metrics.listen_host == "::1");
  CHECK(v6.metrics.listen_port == 0);
}

TEST_CASE("durations are seconds or a number with s, m, h or d", "[config]") {
  auto [value, seconds] = GENERATE(table<std::string, int64_t>({
      {"600", 600},
      {"\"90s\"", 90},
      {"\"15m\"", 900},
      {"\"12h\"", 43200},
      {"\"30d\"", 2592000},
      {"\"1s\"", 1},
  }));
  CAPTURE(value);
  Config c = Parse("[tokens]\naccess_token_ttl = " + value + "\nrefresh_token_ttl = " + value + "\n");
  CHECK(c.tokens.access_token_ttl == seconds);
  CHECK(c.tokens.refresh_token_ttl == seconds);
}

TEST_CASE("every documented key is read", "[config]") {
  Config c = Parse(R"(
[server]
host = "0.0.0.0"
port = 0
threads = 4
public_url = "https://auth.example.com/"
max_body_bytes = 2048
read_timeout_seconds = 5
log_format = "json"
log_level = "warn"
access_log = false

[storage]
path = ":memory:"
synchronous = "full"

[tokens]
issuer = "https://auth.example.com"
access_token_ttl = "5m"
id_token_ttl = 120
refresh_token_ttl = "7d"
code_ttl = "30s"

[pkce]
allow_plain = true
strict_verifiers = true

[passwords]
scrypt_log_n = 10
min_length = 12
max_concurrent_hashes = 3

[keys]
algorithm = "ES256"
rotate_every = "30d"

[device]
code_ttl = "15m"
interval = 2
)");
  CHECK(c.server.host == "0.0.0.0");
  CHECK(c.server.port == 0);
  CHECK(c.server.threads == 4);
  CHECK(c.server.max_body_bytes == 2048);
  CHECK(c.server.read_timeout_seconds == 5);
  CHECK(c.server.log_format == LogFormat::kJson);
  CHECK(c.server.log_level == LogLevel::kWarn);
  CHECK_FALSE(c.server.access_log);
  CHECK(c.storage.path == ":memory:");
  CHECK(c.storage.synchronous == SyncMode::kFull);
  CHECK(c.tokens.issuer == "https://auth.example.com");
  CHECK(c.tokens.access_token_ttl == 300);
  CHECK(c.tokens.id_token_ttl == 120);
  CHECK(c.tokens.refresh_token_ttl == 7 * 86400);
  CHECK(c.tokens.code_ttl == 30);
  CHECK(c.pkce.allow_plain);
  CHECK(c.pkce.strict_verifiers);
  CHECK(c.passwords.scrypt.log_n == 10);
  CHECK(c.passwords.min_length == 12);
  CHECK(c.passwords.max_concurrent_hashes == 3);
  CHECK(c.keys.algorithm == JwsAlg::kES256);
  CHECK(c.keys.rotate_every == 30 * 86400);
  CHECK(c.device.code_ttl == 15 * 60);
  CHECK(c.device.interval == 2);
  CHECK(c.PublicUrl(1234) == "https://auth.example.com");
}

TEST_CASE("the public URL defaults to the bound address, with localhost for a wildcard host", "[config]") {
  CHECK(Parse("").PublicUrl(8080) == "http://127.0.0.1:8080");
  CHECK(Parse("[server]\nhost = \"0.0.0.0\"").PublicUrl(41234) == "http://localhost:41234");
  // Regression: an IPv6 literal needs brackets in a URL (RFC 3986 §3.2.2).
  CHECK(Parse("[server]\nhost = \"::1\"").PublicUrl(8080) == "http://[::1]:8080");
}

TEST_CASE("seeded applications and users are read from the config", "[config]") {
  Config c = Parse(R"(
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

  [[applications.users]]
  email         = "second@example.com"
  password_hash = "$scrypt$ln=10,r=8,p=1$abc$def"

[[applications]]
name = "Native"
public = true
redirect_urls = ["com.example.app:/cb", "http://127.0.0.1/cb"]
web_origins = ["https://native.example.com", "http://localhost:5173"]
post_logout_redirect_urls = ["com.example.app:/signed-out"]
device_grant = true
)");
  REQUIRE(c.applications.size() == 2);
  const auto& a = c.applications[0];
  CHECK(a.name == "Demo SPA");
  CHECK(a.client_id == "OJJvmTmatjCOTuqBxur2");
  CHECK(a.client_secret == "QhRhyGuSTP7S9cU6riqR3vPHETq9vErX");
  CHECK(a.redirect_urls == std::vector<std::string>{"http://localhost:8080/callback"});
  CHECK_FALSE(a.is_public);
  CHECK(a.web_origins.empty());
  CHECK(a.post_logout_redirect_urls.empty());
  CHECK_FALSE(a.device_grant);
  REQUIRE(a.users.size() == 2);
  CHECK(a.users[0].email == "end.user13@gmail.com");
  CHECK(a.users[0].password == "H123456789");
  CHECK(a.users[0].first_name == "End");
  CHECK(a.users[0].last_name == "User");
  CHECK(a.users[1].password_hash == "$scrypt$ln=10,r=8,p=1$abc$def");
  const auto& b = c.applications[1];
  CHECK(b.is_public);
  CHECK(b.client_secret.empty());
  CHECK(b.redirect_urls.size() == 2);
  CHECK(b.web_origins == std::vector<std::string>{"https://native.example.com", "http://localhost:5173"});
  CHECK(b.post_logout_redirect_urls == std::vector<std::string>{"com.example.app:/signed-out"});
  CHECK(b.device_grant);
}

TEST_CASE("a bad config is one line naming the file, the key and what is wrong", "[config]") {
  const std::string app = "[[applications]]\nname = \"A\"\nredirect_url = \"http://localhost/cb\"\n";
  auto [text, key, what] = GENERATE_COPY(table<std::string, std::string, std::string>({
      {"unknown = 1", "unknown", "unknown key"},
      {"[server]\nportt = 8080", "server.portt", "unknown key"},
      {"[serverr]\nport = 8080", "serverr", "unknown key"},
      {"[server]\nport = \"8080\"", "server.port", "expected an integer, got a string"},
      {"[server]\nport = 70000", "server.port", "from 0 to 65535"},
      {"[server]\nport = -1", "server.port", "from 0 to 65535"},
      {"[server]\nport = 80.5", "server.port", "got a float"},
      {"[server]\nhost = 127", "server.host", "expected a string, got an integer"},
      {"[server]\naccess_log = \"yes\"", "server.access_log", "expected a boolean"},
      {"[server]\nlog_level = \"verbose\"", "server.log_level", "expected one of"},
      {"[server]\nmax_body_bytes = 10", "server.max_body_bytes", "from 1024"},
      {"[server.tls]\ncert_file = \"c.pem\"", "server.tls", "give both cert_file and key_file"},
      {"server = 1", "server", "expected a table"},
      {"[storage]\npath = [\"a\"]", "storage.path", "expected a string, got an array"},
      {"[storage]\nsynchronous = \"off\"", "storage.synchronous", "expected one of"},
      {"[tokens]\naccess_token_ttl = \"10 minutes\"", "tokens.access_token_ttl", "expected a duration"},
      {"[tokens]\naccess_token_ttl = \"10w\"", "tokens.access_token_ttl", "expected a duration"},
      {"[tokens]\naccess_token_ttl = \"d\"", "tokens.access_token_ttl", "expected a duration"},
      {"[tokens]\naccess_token_ttl = 0", "tokens.access_token_ttl", "at least 1"},
      {"[tokens]\ncode_ttl = \"0s\"", "tokens.code_ttl", "at least 1"},
      {"[tokens]\ncode_ttl = -60", "tokens.code_ttl", "at least 1"},
      {"[tokens]\nid_token_ttl = 1.5", "tokens.id_token_ttl", "got a float"},
      {"[tokens]\nrefresh_token_ttl = true", "tokens.refresh_token_ttl", "got a boolean"},
      // Regression: durations were unbounded, so now + ttl overflowed int64.
      {"[tokens]\naccess_token_ttl = 9223372036854775807", "tokens.access_token_ttl", "at most"},
      {"[tokens]\nrefresh_token_ttl = \"999999999d\"", "tokens.refresh_token_ttl", "at most"},
      {"[tokens]\nissuer = {}", "tokens.issuer", "expected a string, got a table"},
      {"[pkce]\nallow_plain = \"yes\"", "pkce.allow_plain", "expected a boolean, got a string"},
      {"[passwords]\nscrypt_log_n = 3", "passwords.scrypt_log_n", "from 4 to 22"},
      {"[passwords]\nscrypt_log_n = 23", "passwords.scrypt_log_n", "from 4 to 22"},
      {"[passwords]\nmin_length = 0", "passwords.min_length", "from 1"},
      {"[keys]\nalgorithm = \"HS256\"", "keys.algorithm", "expected one of"},
      {"[keys]\nrotate_every = \"soon\"", "keys.rotate_every", "expected a duration"},
      {"[device]\ncode_ttl = 30", "device.code_ttl", "at least 60"},
      {"[device]\ninterval = 0", "device.interval", "at least 1"},
      {app + "device_grant = \"yes\"", "applications[0].device_grant", "expected a boolean"},
      {"applications = 1", "applications", "expected an array of tables"},
      {"applications = [1]", "applications[0]", "expected a table"},
      {"[[applications]]\nredirect_url = \"http://localhost/cb\"", "applications[0].name", "is required"},
      {"[[applications]]\nname = \"A\"", "applications[0].redirect_url", "is required"},
      {"[[applications]]\nname = \"A\"\nredirect_url = [1]", "applications[0].redirect_url", "array of strings"},
      {"[[applications]]\nname = 5", "applications[0].name", "expected a string"},
      {app + "clientid = \"x\"", "applications[0].clientid", "unknown key"},
      {app + "public = true\nclient_secret = \"0123456789abcdef\"", "applications[0].client_secret",
       "public application"},
      {app + app + "[[applications.users]]\npassword = \"H123456789\"", "applications[1].users[0].email",
       "is required"},
      {app + "[[applications.users]]\nemail = \"a@b.co\"", "applications[0].users[0]",
       "exactly one of password or password_hash"},
      {app + "[[applications.users]]\nemail = \"a@b.co\"\npassword = \"H123456789\"\npassword_hash = \"$scrypt$x\"",
       "applications[0].users[0]", "exactly one of password or password_hash"},
      {app + "[[applications.users]]\nemail = \"a@b.co\"\npassword = \"H123456789\"\nemial = \"x\"",
       "applications[0].users[0].emial", "unknown key"},
      {app + "[[applications.users]]\nemail = \"a@b.co\"\npassword = 123456789", "applications[0].users[0].password",
       "expected a string, got an integer"},
      {app + "users = 1", "applications[0].users", "expected an array of tables"},
      {app + "web_origins = 1", "applications[0].web_origins", "expected a string or an array of strings"},
      {app + "web_origins = [\"https://a.example\", 2]", "applications[0].web_origins", "array of strings"},
      {app + "post_logout_redirect_urls = {}", "applications[0].post_logout_redirect_urls",
       "expected a string or an array of strings"},
      {app + "post_logout_url = \"https://a.example/bye\"", "applications[0].post_logout_url", "unknown key"},
      {"[metrics]\nlisten = \"9464\"", "metrics.listen", "expected \"host:port\""},
      {"[metrics]\nlisten = \"localhost:99999\"", "metrics.listen", "expected \"host:port\""},
      {"[metrics]\nlisten = \"[::1:9464\"", "metrics.listen", "expected \"host:port\""},
      {"[metrics]\ntoken = \"short\"", "metrics.token", "at least 16 characters"},
      {"[metrics]\nenabled = true", "metrics.enabled", "unknown key"},
      {"[audit]\nretention = \"10s\"", "audit.retention", "at least 60 seconds"},
      {"[audit]\nretention = true", "audit.retention", "expected a duration"},
  }));
  CAPTURE(text);
  auto c = ParseConfig(text, "test.toml");
  REQUIRE_FALSE(c.ok());
  const std::string& message = c.error().description;
  CHECK(message.rfind("test.toml: " + key + ": ", 0) == 0);
  CHECK(message.find(what) != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
  CHECK(c.error().Is(ErrorCode::kInvalidConfig));
}

TEST_CASE("malformed TOML names the file and the line", "[config]") {
  auto [text, line] = GENERATE(table<std::string, std::string>({
      {"[server\nport = 1", "test.toml:1:"},
      {"[server]\nport = ", "test.toml:2:"},
      {"[server]\nport = 1\nport = 2", "test.toml:3:"},
      {"\n\nname = \"unterminated", "test.toml:3:"},
  }));
  CAPTURE(text);
  auto c = ParseConfig(text, "test.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().description.rfind(line, 0) == 0);
  CHECK(c.error().description.find('\n') == std::string::npos);
}

TEST_CASE("a missing config file is an error naming the file", "[config]") {
  auto c = LoadConfig("/nonexistent/atm-config.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().description.rfind("/nonexistent/atm-config.toml: ", 0) == 0);
}

TEST_CASE("the --db override replaces the file's database and nothing else", "[config]") {
  Config c = Parse("[server]\nport = 9000\n[storage]\npath = \"x.db\"");
  ApplyOverrides(Overrides{}, c);
  CHECK(c.server.port == 9000);
  CHECK(c.storage.path == "x.db");
  ApplyOverrides(Overrides{":memory:"}, c);
  CHECK(c.server.port == 9000);
  CHECK(c.storage.path == ":memory:");
}

}  // namespace atm
