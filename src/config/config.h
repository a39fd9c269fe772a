// The Config struct: every option with its default in-class, written once:
// a section that configures one module is that module's own options struct.
// LoadConfig reads a TOML file into it; unknown keys and wrong types are
// errors that name the file, the key and what was expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/result.h"
#include "crypto/signing_key.h"
#include "domain/admin_policy.h"
#include "domain/audit_options.h"
#include "domain/device_options.h"
#include "domain/password_policy.h"
#include "domain/seed_application.h"
#include "domain/session_options.h"
#include "domain/throttle_policy.h"
#include "domain/token_options.h"
#include "http/server_options.h"

namespace atm {

enum class LogFormat { kText, kJson };

// [server]: the HTTP server's own options, and what the app does with them.
struct ServerConfig : ServerOptions {
  std::string public_url;  // base URL of the issuer; default http://host:port
  LogFormat log_format = LogFormat::kText;
  LogLevel log_level = LogLevel::kInfo;
};

// SQLite's synchronous mode: NORMAL survives process crashes, FULL also
// power loss.
enum class SyncMode { kNormal, kFull };

struct StorageConfig {
  std::string path = "atm.db";  // ":memory:" keeps nothing on disk
  SyncMode synchronous = SyncMode::kNormal;
  // A PostgreSQL database (postgres://... or postgresql://...) instead of the
  // SQLite file: several atm nodes share it (docs/SCALING.md). Empty: SQLite.
  std::string url;
  int pool_size = 10;  // PostgreSQL connections per node
  bool postgres() const { return !url.empty(); }
  // What the database is, for messages: the file, or the URL without its password.
  std::string Describe() const;
};

struct PkceConfig {
  bool allow_plain = false;
  // RFC 7636 §4.1's verifier rules on the ATM endpoints too (by default they
  // take any printable verifier for SHA256/SHA512 codes, as ATM does).
  bool strict_verifiers = false;
};

struct KeyConfig {
  JwsAlg algorithm = JwsAlg::kRS256;
  int64_t rotate_every = 0;  // seconds; 0 = only on `atm keys rotate`
  std::string key_file;      // optional PEM private key to sign with
  // A retired key stays in the JWKS until the last token it signed expires,
  // plus this margin for clock skew (seconds).
  int64_t retired_grace = 60;
  // A file holding the key that encrypts the signing keys in the database
  // (64 hex characters); the ATM_KEY_ENCRYPTION_KEY variable is the other way.
  std::string encryption_key_file;
};

// [admin]: the first administrator, created at start-up when absent (and left
// as it is when present), and how long admin sign-ins last.
struct AdminConfig : AdminPolicy {
  std::string username;
  std::string password_hash;  // what `atm hash-password` prints; or
  std::string password_env;   // the name of an environment variable holding the password
};

// [metrics]: Prometheus metrics at /metrics (README "Operating atm"). Off
// unless one of the two is set.
struct MetricsConfig {
  // "host:port" of a listener of its own (only /metrics and /health/*),
  // e.g. "127.0.0.1:9464"; "" = none.
  std::string listen;
  std::string listen_host;  // listen, split
  int listen_port = 0;
  // A bearer token that opens /metrics on the main port; "" = not served there.
  std::string token;

  bool enabled() const { return !listen.empty() || !token.empty(); }
};

// [testing]: the test-control API and the login page's shortcuts (README
// "Testing against atm"). Never on in production: it mints tokens for anyone.
struct TestingConfig {
  bool enabled = false;
  // With testing on, passwords.scrypt_log_n defaults to this (test passwords
  // need no protection; a server per test run must start in milliseconds).
  static constexpr int kScryptLogN = 10;
};

struct Config {
  std::string source = "config.toml";  // the file it came from (for messages)
  ServerConfig server;
  StorageConfig storage;
  TokenOptions tokens;
  PkceConfig pkce;
  PasswordPolicy passwords;
  KeyConfig keys;
  AdminConfig admin;
  ThrottlePolicy throttle;
  SessionOptions sessions;
  DeviceOptions device;
  MetricsConfig metrics;
  AuditOptions audit;
  TestingConfig testing;
  std::vector<SeedApplication> applications;
  bool scrypt_log_n_set = false;  // whether the file set passwords.scrypt_log_n

  // The issuer's base URL for discovery documents (no trailing slash).
  std::string PublicUrl(int bound_port) const;
};

// Reads and validates the TOML file at `path`. The error's description is one
// line: "<file>: <key>: <what is wrong>".
Result<Config> LoadConfig(const std::string& path);
// Parses TOML text (used by LoadConfig and by tests); `source` names it in errors.
Result<Config> ParseConfig(const std::string& text, const std::string& source);

struct Overrides {
  std::optional<std::string> db_path;  // --db: a SQLite file, or a postgres:// URL
  bool testing = false;                // --testing
};
void ApplyOverrides(const Overrides& overrides, Config& config);
// The checks that need the overrides applied: testing with TLS on an address
// other than loopback (a production set-up) is refused, naming both keys.
Status CheckConfig(const Config& config);

}  // namespace atm
