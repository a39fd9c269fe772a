#include "config/config.h"

#include <toml++/toml.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "store/pg_store.h"

namespace atm {
namespace {

const char* TypeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

// Error messages are one line (README "Running it"), but they quote the file: control
// characters in it (a newline in a multi-line string, in what toml++ saw)
// are written as escapes. Found by fuzz/config_fuzzer.cpp.
std::string OneLine(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Walks one TOML table, handing each key to the field reader registered for it.
class TableReader {
 public:
  using FieldFn = std::function<Status(const toml::node&, const std::string& key)>;

  TableReader(const std::string& source, std::string prefix) : source_(source), prefix_(std::move(prefix)) {}

  void Field(const std::string& name, FieldFn fn) { fields_[name] = std::move(fn); }

  Status Read(const toml::table& table) const {
    for (auto&& [k, node] : table) {
      std::string key = prefix_.empty() ? std::string(k.str()) : prefix_ + "." + std::string(k.str());
      auto it = fields_.find(std::string(k.str()));
      if (it == fields_.end()) return Fail(key, "unknown key");
      if (auto s = it->second(node, key); !s) return s;
    }
    return Ok();
  }

  Error Fail(const std::string& key, const std::string& what) const {
    return Error(ErrorCode::kInvalidConfig, source_ + ": " + key + ": " + what, key);
  }

  FieldFn String(std::string* out) const {
    return [this, out](const toml::node& n, const std::string& key) -> Status {
      if (!n.is_string()) return Fail(key, std::string("expected a string, got ") + TypeName(n));
      *out = *n.value<std::string>();
      return Ok();
    };
  }
  FieldFn Bool(bool* out) const {
    return [this, out](const toml::node& n, const std::string& key) -> Status {
      if (!n.is_boolean()) return Fail(key, std::string("expected a boolean, got ") + TypeName(n));
      *out = *n.value<bool>();
      return Ok();
    };
  }
  template <class Int>
  FieldFn Integer(Int* out, int64_t min, int64_t max) const {
    return [this, out, min, max](const toml::node& n, const std::string& key) -> Status {
      if (!n.is_integer()) return Fail(key, std::string("expected an integer, got ") + TypeName(n));
      int64_t v = *n.value<int64_t>();
      if (v < min || v > max) {
        return Fail(key, "expected an integer from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                             std::to_string(v));
      }
      *out = static_cast<Int>(v);
      return Ok();
    };
  }
  // A duration: an integer number of seconds, or a string such as "90s",
  // "15m", "12h", "30d".
  FieldFn Duration(int64_t* out, int64_t min) const {
    return [this, out, min](const toml::node& n, const std::string& key) -> Status {
      int64_t v = 0;
      if (n.is_integer()) {
        v = *n.value<int64_t>();
      } else if (n.is_string()) {
        std::string s = *n.value<std::string>();
        size_t digits = 0;
        while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
        static const std::map<std::string, int64_t> kUnits = {{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}};
        auto unit = kUnits.find(s.substr(digits));
        if (digits == 0 || digits > 9 || unit == kUnits.end()) {
          return Fail(key, "expected a duration such as 600, \"90s\", \"15m\", \"12h\" or \"30d\", got \"" + s + "\"");
        }
        v = std::stoll(s.substr(0, digits)) * unit->second;
      } else {
        return Fail(key, std::string("expected a duration (seconds or a string like \"30d\"), got ") + TypeName(n));
      }
      if (v < min) return Fail(key, "must be at least " + std::to_string(min) + " seconds");
      // Expiry times are now + duration: a larger one would overflow int64.
      constexpr int64_t kMax = int64_t{100} * 365 * 86400;
      if (v > kMax) return Fail(key, "must be at most " + std::to_string(kMax) + " seconds (100 years)");
      *out = v;
      return Ok();
    };
  }
  // An amount of memory: an integer number of bytes, or a string of digits
  // and a binary unit, "512KiB", "256MiB", "2GiB" (a space between is allowed).
  FieldFn Bytes(uint64_t* out, uint64_t min) const {
    return [this, out, min](const toml::node& n, const std::string& key) -> Status {
      const std::string expected = "expected bytes as an integer, or a string such as \"256MiB\" or \"1GiB\"";
      uint64_t v = 0;
      if (n.is_integer()) {
        const int64_t i = *n.value<int64_t>();
        if (i < 0) return Fail(key, expected + ", got " + std::to_string(i));
        v = static_cast<uint64_t>(i);
      } else if (n.is_string()) {
        const std::string s = *n.value<std::string>();
        size_t digits = 0;
        while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
        size_t unit_at = digits;
        if (unit_at < s.size() && s[unit_at] == ' ') ++unit_at;
        static const std::map<std::string, int> kShift = {{"KiB", 10}, {"MiB", 20}, {"GiB", 30}, {"TiB", 40}};
        auto unit = kShift.find(s.substr(unit_at));
        if (digits == 0 || digits > 6 || unit == kShift.end()) {
          return Fail(key, expected + " (units KiB, MiB, GiB, TiB), got \"" + s + "\"");
        }
        v = std::stoull(s.substr(0, digits)) << unit->second;
      } else {
        return Fail(key, expected + ", got " + TypeName(n));
      }
      if (v < min) return Fail(key, "must be at least " + std::to_string(min) + " bytes");
      *out = v;
      return Ok();
    };
  }
  // One of a fixed set of names, read into its enum value.
  template <class E>
  FieldFn Enum(E* out, std::vector<std::pair<std::string, E>> allowed) const {
    return [this, out, allowed](const toml::node& n, const std::string& key) -> Status {
      if (!n.is_string()) return Fail(key, std::string("expected a string, got ") + TypeName(n));
      std::string v = *n.value<std::string>();
      for (const auto& [name, value] : allowed) {
        if (name == v) {
          *out = value;
          return Ok();
        }
      }
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "\"" : ", \"") + a.first + "\"";
      return Fail(key, "expected one of " + list + ", got \"" + v + "\"");
    };
  }
  FieldFn Table(std::function<Status(const toml::table&, const std::string&)> read) const {
    return [this, read](const toml::node& n, const std::string& key) -> Status {
      if (!n.is_table()) return Fail(key, std::string("expected a table, got ") + TypeName(n));
      return read(*n.as_table(), key);
    };
  }
  // An array of tables ([[name]]), each read by `read` with its indexed key.
  FieldFn TableArray(std::function<Status(const toml::table&, const std::string&)> read) const {
    return [this, read](const toml::node& n, const std::string& key) -> Status {
      if (!n.is_array()) return Fail(key, std::string("expected an array of tables, got ") + TypeName(n));
      const toml::array& arr = *n.as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        std::string item_key = key + "[" + std::to_string(i) + "]";
        if (!arr[i].is_table()) return Fail(item_key, std::string("expected a table, got ") + TypeName(arr[i]));
        if (auto s = read(*arr[i].as_table(), item_key); !s) return s;
      }
      return Ok();
    };
  }
  // A string or an array of strings.
  FieldFn Strings(std::vector<std::string>* out) const {
    return [this, out](const toml::node& n, const std::string& key) -> Status {
      out->clear();
      if (n.is_string()) {
        out->push_back(*n.value<std::string>());
        return Ok();
      }
      if (!n.is_array()) return Fail(key, std::string("expected a string or an array of strings, got ") + TypeName(n));
      for (const auto& item : *n.as_array()) {
        if (!item.is_string()) return Fail(key, std::string("expected an array of strings, found ") + TypeName(item));
        out->push_back(*item.value<std::string>());
      }
      return Ok();
    };
  }

 private:
  const std::string& source_;
  std::string prefix_;
  std::map<std::string, FieldFn> fields_;
};

Status ReadUser(const std::string& source, const toml::table& t, const std::string& key, SeedUser& u) {
  TableReader r(source, key);
  r.Field("email", r.String(&u.email));
  r.Field("password", r.String(&u.password));
  r.Field("password_hash", r.String(&u.password_hash));
  r.Field("first_name", r.String(&u.first_name));
  r.Field("last_name", r.String(&u.last_name));
  r.Field("id", r.String(&u.id));
  r.Field("claims", r.Table([&](const toml::table& ct, const std::string& ck) -> Status {
    std::ostringstream json;
    json << toml::json_formatter{ct};
    u.claims = nlohmann::json::parse(json.str(), nullptr, /*allow_exceptions=*/false);
    if (u.claims.is_discarded()) return r.Fail(ck, "cannot be read as JSON");
    return Ok();
  }));
  if (auto s = r.Read(t); !s) return s;
  if (u.email.empty()) return r.Fail(key + ".email", "is required");
  if (u.password.empty() == u.password_hash.empty()) {
    return r.Fail(key, "give exactly one of password or password_hash");
  }
  return Ok();
}

Status ReadApplication(const std::string& source, const toml::table& t, const std::string& key, SeedApplication& a) {
  TableReader r(source, key);
  r.Field("name", r.String(&a.name));
  r.Field("client_id", r.String(&a.client_id));
  r.Field("client_secret", r.String(&a.client_secret));
  r.Field("redirect_url", r.Strings(&a.redirect_urls));
  r.Field("redirect_urls", r.Strings(&a.redirect_urls));
  r.Field("public", r.Bool(&a.is_public));
  r.Field("web_origins", r.Strings(&a.web_origins));
  r.Field("post_logout_redirect_urls", r.Strings(&a.post_logout_redirect_urls));
  r.Field("device_grant", r.Bool(&a.device_grant));
  r.Field("testing", r.Table([&](const toml::table& tt, const std::string& tk) -> Status {
    TableReader s(source, tk);
    s.Field("auto_login", s.String(&a.testing.auto_login));
    s.Field("user_picker", s.Bool(&a.testing.user_picker));
    return s.Read(tt);
  }));
  r.Field("users", r.TableArray([&](const toml::table& ut, const std::string& uk) {
    a.users.emplace_back();
    return ReadUser(source, ut, uk, a.users.back());
  }));
  if (auto s = r.Read(t); !s) return s;
  if (a.name.empty()) return r.Fail(key + ".name", "is required");
  if (a.redirect_urls.empty()) return r.Fail(key + ".redirect_url", "is required");
  if (a.is_public && !a.client_secret.empty()) {
    return r.Fail(key + ".client_secret", "a public application has no client secret");
  }
  return Ok();
}

// metrics.listen is "host:port" ("[v6]:port" for an IPv6 address); the
// token is long enough not to be guessed.
Status CheckMetrics(const TableReader& r, const std::string& key, MetricsConfig& m) {
  constexpr size_t kMinTokenLength = 16;
  if (!m.token.empty() && m.token.size() < kMinTokenLength) {
    return r.Fail(key + ".token", "must be at least " + std::to_string(kMinTokenLength) + " characters");
  }
  if (m.listen.empty()) return Ok();
  const size_t colon = m.listen.rfind(':');
  auto bad = [&] {
    return r.Fail(key + ".listen", "expected \"host:port\" such as \"127.0.0.1:9464\", got \"" + m.listen + "\"");
  };
  if (colon == std::string::npos || colon == 0) return bad();
  std::string host = m.listen.substr(0, colon), port = m.listen.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  }
  if (port.empty() || port.size() > 5) return bad();
  for (char ch : port) {
    if (!std::isdigit(static_cast<unsigned char>(ch))) return bad();
  }
  const int n = std::stoi(port);
  if (n > 65535) return bad();
  m.listen_host = host;
  m.listen_port = n;
  return Ok();
}

}  // namespace

std::string Config::PublicUrl(int bound_port) const {
  if (!server.public_url.empty()) {
    std::string u = server.public_url;
    while (!u.empty() && u.back() == '/') u.pop_back();
    return u;
  }
  std::string host = server.host == "0.0.0.0" || server.host == "::" ? "localhost" : server.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // RFC 3986 §3.2.2
  return "http://" + host + ":" + std::to_string(bound_port);
}

Result<Config> ParseConfig(const std::string& text, const std::string& source) {
  Config c;
  c.source = source;
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Error(ErrorCode::kInvalidConfig,
                 OneLine(source + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description())));
  }
  TableReader r(source, "");
  r.Field("server", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("host", s.String(&c.server.host));
    s.Field("port", s.Integer(&c.server.port, 0, 65535));
    s.Field("threads", s.Integer(&c.server.threads, 0, 1024));
    s.Field("public_url", s.String(&c.server.public_url));
    s.Field("max_body_bytes", s.Integer(&c.server.max_body_bytes, 1024, 64 << 20));
    s.Field("max_header_bytes", s.Integer(&c.server.max_header_bytes, 1024, 1 << 20));
    s.Field("max_url_bytes", s.Integer(&c.server.max_url_bytes, 256, 1 << 20));
    s.Field("read_timeout_seconds", s.Integer(&c.server.read_timeout_seconds, 1, 3600));
    s.Field("min_body_bytes_per_second", s.Integer(&c.server.min_body_bytes_per_second, 0, 1 << 30));
    s.Field("keep_alive_seconds", s.Integer(&c.server.keep_alive_seconds, 1, 300));
    s.Field("max_connections", s.Integer(&c.server.max_connections, 0, 10000000));
    s.Field("max_connections_per_client", s.Integer(&c.server.max_connections_per_client, 0, 10000000));
    s.Field("log_format", s.Enum(&c.server.log_format, {{"text", LogFormat::kText}, {"json", LogFormat::kJson}}));
    s.Field("log_level", s.Enum(&c.server.log_level, {{"debug", LogLevel::kDebug},
                                                      {"info", LogLevel::kInfo},
                                                      {"warn", LogLevel::kWarn},
                                                      {"error", LogLevel::kError}}));
    s.Field("access_log", s.Bool(&c.server.access_log));
    s.Field("tls", s.Table([&](const toml::table& tt, const std::string& tk) -> Status {
      TableReader tls(source, tk);
      tls.Field("cert_file", tls.String(&c.server.tls_cert_file));
      tls.Field("key_file", tls.String(&c.server.tls_key_file));
      if (auto st = tls.Read(tt); !st) return st;
      if (c.server.tls_cert_file.empty() != c.server.tls_key_file.empty()) {
        return tls.Fail(tk, "give both cert_file and key_file");
      }
      return Ok();
    }));
    return s.Read(t);
  }));
  r.Field("storage", r.Table([&](const toml::table& t, const std::string& k) -> Status {
    TableReader s(source, k);
    s.Field("path", s.String(&c.storage.path));
    s.Field("synchronous", s.Enum(&c.storage.synchronous, {{"normal", SyncMode::kNormal}, {"full", SyncMode::kFull}}));
    s.Field("url", s.String(&c.storage.url));
    s.Field("pool_size", s.Integer(&c.storage.pool_size, 1, 1000));
    if (auto st = s.Read(t); !st) return st;
    if (!c.storage.url.empty() && !IsPostgresUrl(c.storage.url)) {
      return s.Fail("url",
                    "\"" + RedactPostgresUrl(c.storage.url) +
                        "\" is not a PostgreSQL URL (postgres://USER@HOST/DB); a SQLite file goes in storage.path");
    }
    return Ok();
  }));
  r.Field("tokens", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("issuer", s.String(&c.tokens.issuer));
    s.Field("access_token_ttl", s.Duration(&c.tokens.access_token_ttl, 1));
    s.Field("id_token_ttl", s.Duration(&c.tokens.id_token_ttl, 1));
    s.Field("refresh_token_ttl", s.Duration(&c.tokens.refresh_token_ttl, 1));
    s.Field("code_ttl", s.Duration(&c.tokens.code_ttl, 1));
    return s.Read(t);
  }));
  r.Field("pkce", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("allow_plain", s.Bool(&c.pkce.allow_plain));
    s.Field("strict_verifiers", s.Bool(&c.pkce.strict_verifiers));
    return s.Read(t);
  }));
  r.Field("passwords", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("scrypt_log_n", s.Integer(&c.passwords.scrypt.log_n, 4, 22));
    s.Field("min_length", s.Integer(&c.passwords.min_length, 1, 1024));
    s.Field("max_concurrent_hashes", s.Integer(&c.passwords.max_concurrent_hashes, 0, 1024));
    s.Field("memory_budget", s.Bytes(&c.passwords.memory_budget, 0));
    return s.Read(t);
  }));
  r.Field("keys", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("algorithm", s.Enum(&c.keys.algorithm,
                                {{"RS256", JwsAlg::kRS256}, {"ES256", JwsAlg::kES256}, {"EdDSA", JwsAlg::kEdDSA}}));
    s.Field("rotate_every", s.Duration(&c.keys.rotate_every, 0));
    s.Field("key_file", s.String(&c.keys.key_file));
    s.Field("retired_grace", s.Duration(&c.keys.retired_grace, 0));
    s.Field("encryption_key_file", s.String(&c.keys.encryption_key_file));
    return s.Read(t);
  }));
  r.Field("throttle", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    ThrottlePolicy& th = c.throttle;
    // One base delay for the three rules.
    int64_t base_delay = th.pair.base_delay;
    s.Field("enabled", s.Bool(&th.enabled));
    s.Field("free_attempts", s.Integer(&th.pair.free_failures, 1, 1000000));
    s.Field("max_delay", s.Duration(&th.pair.max_delay, 1));
    s.Field("account_free_attempts", s.Integer(&th.account.free_failures, 1, 1000000));
    s.Field("account_max_delay", s.Duration(&th.account.max_delay, 1));
    s.Field("network_free_attempts", s.Integer(&th.network.free_failures, 1, 1000000));
    s.Field("network_max_delay", s.Duration(&th.network.max_delay, 1));
    s.Field("base_delay", s.Duration(&base_delay, 1));
    s.Field("max_parallel_attempts", s.Integer(&th.max_parallel, 1, 100000));
    s.Field("forget_after", s.Duration(&th.forget_after, 1));
    s.Field("trust_for", s.Duration(&th.trust_for, 0));
    s.Field("max_entries", s.Integer(&th.max_entries, 100, 100000000));
    if (auto st = s.Read(t); !st) return st;
    th.pair.base_delay = th.account.base_delay = th.network.base_delay = base_delay;
    return Ok();
  }));
  r.Field("sessions", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("enabled", s.Bool(&c.sessions.enabled));
    s.Field("lifetime", s.Duration(&c.sessions.lifetime, 60));
    s.Field("atm_login", s.Bool(&c.sessions.atm_login));
    s.Field("revoke_on_logout", s.Bool(&c.sessions.revoke_on_logout));
    s.Field("max_sessions", s.Integer(&c.sessions.max_sessions, 1, 100000000));
    return s.Read(t);
  }));
  r.Field("device", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("code_ttl", s.Duration(&c.device.code_ttl, 60));
    s.Field("interval", s.Duration(&c.device.interval, 1));
    return s.Read(t);
  }));
  r.Field("admin", r.Table([&](const toml::table& t, const std::string& k) -> Status {
    TableReader s(source, k);
    s.Field("username", s.String(&c.admin.username));
    s.Field("password_hash", s.String(&c.admin.password_hash));
    s.Field("password_env", s.String(&c.admin.password_env));
    s.Field("session_ttl", s.Duration(&c.admin.session_ttl, 60));
    s.Field("token_ttl", s.Duration(&c.admin.token_ttl, 60));
    if (auto st = s.Read(t); !st) return st;
    bool has_password = !c.admin.password_hash.empty() || !c.admin.password_env.empty();
    if (c.admin.username.empty() && has_password) return s.Fail(k + ".username", "is required");
    if (!c.admin.username.empty() && !c.admin.password_hash.empty() && !c.admin.password_env.empty()) {
      return s.Fail(k, "give one of password_hash or password_env, not both");
    }
    if (!c.admin.username.empty() && !has_password) {
      return s.Fail(k, "give password_hash or password_env for " + c.admin.username);
    }
    return Ok();
  }));
  r.Field("metrics", r.Table([&](const toml::table& t, const std::string& k) -> Status {
    TableReader s(source, k);
    s.Field("listen", s.String(&c.metrics.listen));
    s.Field("token", s.String(&c.metrics.token));
    if (auto st = s.Read(t); !st) return st;
    return CheckMetrics(s, k, c.metrics);
  }));
  r.Field("audit", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("retention", s.Duration(&c.audit.retention, 60));
    return s.Read(t);
  }));
  r.Field("testing", r.Table([&](const toml::table& t, const std::string& k) {
    TableReader s(source, k);
    s.Field("enabled", s.Bool(&c.testing.enabled));
    return s.Read(t);
  }));
  r.Field("applications", r.TableArray([&](const toml::table& t, const std::string& k) {
    c.applications.emplace_back();
    return ReadApplication(source, t, k, c.applications.back());
  }));
  if (auto s = r.Read(root); !s) {
    Error e = s.error();
    e.description = OneLine(e.description);
    return e;
  }
  c.scrypt_log_n_set = root.at_path("passwords.scrypt_log_n").is_integer();
  ApplyOverrides({}, c);
  return c;
}

Result<Config> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kInvalidConfig, path + ": cannot read the file (does it exist?)");
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Error(ErrorCode::kInvalidConfig, path + ": cannot read the file");
  return ParseConfig(buf.str(), path);
}

std::string StorageConfig::Describe() const { return postgres() ? RedactPostgresUrl(url) : path; }

void ApplyOverrides(const Overrides& overrides, Config& config) {
  if (overrides.db_path && IsPostgresUrl(*overrides.db_path)) {
    config.storage.url = *overrides.db_path;
  } else if (overrides.db_path) {
    config.storage.path = *overrides.db_path;
    config.storage.url.clear();
  }
  if (overrides.testing) config.testing.enabled = true;
  if (config.testing.enabled && !config.scrypt_log_n_set) config.passwords.scrypt.log_n = TestingConfig::kScryptLogN;
}

Status CheckConfig(const Config& config) {
  const std::string& host = config.server.host;
  const bool loopback = host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
  if (config.testing.enabled && !config.server.tls_cert_file.empty() && !loopback) {
    return Error(ErrorCode::kInvalidConfig,
                 config.source + ": testing.enabled (or --testing) with server.tls on server.host = \"" + host +
                     "\", not a loopback address: the test-control API would mint tokens for the network. "
                     "Turn testing off, or listen on 127.0.0.1");
  }
  if (config.testing.enabled && config.storage.postgres()) {
    return Error(ErrorCode::kInvalidConfig,
                 config.source +
                     ": testing.enabled (or --testing) needs the SQLite store, not storage.url: the "
                     "test-control API resets the whole database. Run test servers on SQLite "
                     "(storage.path = \":memory:\")");
  }
  if (!config.testing.enabled) {
    for (size_t i = 0; i < config.applications.size(); ++i) {
      const TestLogin& t = config.applications[i].testing;
      if (!t.auto_login.empty() || t.user_picker) {
        return Error(ErrorCode::kInvalidConfig, config.source + ": applications[" + std::to_string(i) +
                                                    "].testing needs testing.enabled = true (or --testing)");
      }
    }
  }
  return Ok();
}

}  // namespace atm
