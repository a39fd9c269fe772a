// The Config struct: every option with its default in-class. LoadConfig reads a
// TOML file into it; unknown keys and wrong types are errors that name the file,
// the key and what was expected.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace atm {

struct SeedUser {
  std::string email;
  std::string password;       // plain, hashed at seeding; or
  std::string password_hash;  // what `atm hash-password` prints
  std::string first_name;
  std::string last_name;
};

struct SeedApplication {
  std::string name;
  std::string client_id;      // generated when empty
  std::string client_secret;  // generated when empty (unless public)
  std::vector<std::string> redirect_urls;
  bool is_public = false;  // public clients authenticate with PKCE only
  std::vector<SeedUser> users;
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 0;                   // 0 = chosen from the core count
  std::string public_url;            // base URL of the issuer; default http://host:port
  int64_t max_body_bytes = 64 * 1024;
  int64_t max_header_bytes = 64 * 1024;  // request line and headers (431)
  int64_t max_url_bytes = 8192;           // request target (414)
  int read_timeout_seconds = 10;     // the head once started; each body read; each answer
  int64_t min_body_bytes_per_second = 1024;  // after the first read_timeout (slow POST); 0 = none
  int keep_alive_seconds = 5;        // idle time before a request, on a new connection or between requests
  int64_t max_connections = 0;       // 0 = from RLIMIT_NOFILE (raised to the hard limit)
  int64_t max_connections_per_client = 0;  // per client address; 0 = no limit
  std::string log_format = "text";   // text | json
  std::string log_level = "info";    // debug | info | warn | error
  bool access_log = true;            // one line per request on stderr
  std::string tls_cert_file;         // [server.tls] cert_file: PEM chain; with key_file, HTTPS
  std::string tls_key_file;          // [server.tls] key_file
};

struct StorageConfig {
  std::string path = "atm.db";       // ":memory:" keeps nothing on disk
  std::string synchronous = "normal";  // normal | full
};

struct TokenConfig {
  std::string issuer = "atm";
  int64_t access_token_ttl = 600;
  int64_t id_token_ttl = 600;
  int64_t refresh_token_ttl = 30 * 24 * 3600;
  int64_t code_ttl = 60;
};

struct PkceConfig {
  bool allow_plain = false;
  // RFC 7636 §4.1's verifier rules on the ATM endpoints too (by default they
  // take any printable verifier for SHA256/SHA512 codes, as ATM does).
  bool strict_verifiers = false;
};

struct PasswordConfig {
  int scrypt_log_n = 17;  // N = 2^17, r = 8, p = 1: 128 MiB, OWASP's first choice
  int min_length = 8;
  int max_concurrent_hashes = 0;  // 0 = one per core
};

struct KeyConfig {
  std::string algorithm = "RS256";  // RS256 | ES256 | EdDSA
  int64_t rotate_every = 0;         // seconds; 0 = only on `atm keys rotate`
  std::string key_file;             // optional PEM private key to sign with
  // A retired key stays in the JWKS until the last token it signed expires,
  // plus this margin for clock skew (seconds).
  int64_t retired_grace = 60;
  // A file holding the key that encrypts the signing keys in the database
  // (64 hex characters); the ATM_KEY_ENCRYPTION_KEY variable is the other way.
  std::string encryption_key_file;
};

// [throttle]: backoff of failed password sign-ins (see domain/throttle.h).
struct ThrottleConfig {
  bool enabled = true;
  int free_attempts = 5;           // per account and client network
  int64_t max_delay = 60;          // seconds
  int account_free_attempts = 20;  // per account, from anywhere
  int64_t account_max_delay = 30;
  int network_free_attempts = 100;  // per client network, any account
  int64_t network_max_delay = 300;
  int64_t base_delay = 1;           // the first delay; it doubles per failure
  int max_parallel_attempts = 32;   // in flight per counter before it backs off
  int64_t forget_after = 3600;
  int64_t trust_for = 30 * 86400;
  int64_t max_entries = 100000;
};

// [admin]: the first administrator, created at start-up when absent (and left
// as it is when present), and how long admin sign-ins last.
struct AdminConfig {
  std::string username;
  std::string password_hash;  // what `atm hash-password` prints; or
  std::string password_env;   // the name of an environment variable holding the password
  int64_t session_ttl = 8 * 3600;  // console sessions
  int64_t token_ttl = 3600;        // API bearer tokens from POST /admin/api/tokens
};

struct Config {
  std::string source = "config.toml";  // the file it came from (for messages)
  ServerConfig server;
  StorageConfig storage;
  TokenConfig tokens;
  PkceConfig pkce;
  PasswordConfig passwords;
  KeyConfig keys;
  AdminConfig admin;
  ThrottleConfig throttle;
  std::vector<SeedApplication> applications;

  // The issuer's base URL for discovery documents (no trailing slash).
  std::string PublicUrl(int bound_port) const;
};

// Reads and validates the TOML file at `path`. The error's description is one
// line: "<file>: <key>: <what is wrong>".
Result<Config> LoadConfig(const std::string& path);
// Parses TOML text (used by LoadConfig and by tests); `source` names it in errors.
Result<Config> ParseConfig(const std::string& text, const std::string& source);

struct Overrides {
  std::optional<int> port;
  std::optional<std::string> db_path;
};
void ApplyOverrides(const Overrides& overrides, Config& config);

}  // namespace atm
