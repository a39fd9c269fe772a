#include "store/schema.h"

namespace atm {

const std::vector<std::string_view>& SchemaMigrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 1: applications, users, codes, grants, refresh tokens, signing keys.
      R"sql(
CREATE TABLE clients (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  secret_hash   TEXT NOT NULL DEFAULT '',
  redirect_urls TEXT NOT NULL,          -- newline-separated
  is_public     INTEGER NOT NULL DEFAULT 0,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  client_id     TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  email         TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  first_name    TEXT NOT NULL DEFAULT '',
  last_name     TEXT NOT NULL DEFAULT '',
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX users_client_email ON users(client_id, email COLLATE NOCASE);
CREATE TABLE auth_codes (
  hash         TEXT PRIMARY KEY,
  client_id    TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  challenge    TEXT NOT NULL,
  method       TEXT NOT NULL,
  redirect_uri TEXT NOT NULL DEFAULT '',
  scope        TEXT NOT NULL DEFAULT '',
  nonce        TEXT NOT NULL DEFAULT '',
  session_id   TEXT NOT NULL DEFAULT '',
  auth_time    INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  used_at      INTEGER,
  grant_id     TEXT
);
CREATE INDEX auth_codes_expiry ON auth_codes(expires_at);
CREATE TABLE grants (
  id         TEXT PRIMARY KEY,
  client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  scope      TEXT NOT NULL DEFAULT '',
  nonce      TEXT NOT NULL DEFAULT '',
  auth_time  INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE refresh_tokens (
  hash       TEXT PRIMARY KEY,
  grant_id   TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
  client_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens(grant_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);
CREATE TABLE signing_keys (
  kid         TEXT PRIMARY KEY,
  alg         TEXT NOT NULL,
  private_pem TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  retired_at  INTEGER NOT NULL DEFAULT 0
);
)sql",
      // 2: revoked access tokens (RFC 7009), kept until they would have expired.
      R"sql(
CREATE TABLE revoked_access_tokens (
  jti        TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens(expires_at);
)sql",
      // 3: admin accounts and their sessions (console cookies and API bearer
      // tokens), each stored as the SHA-256 of the token.
      R"sql(
CREATE TABLE admins (
  id            TEXT PRIMARY KEY,
  username      TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX admins_username ON admins(username COLLATE NOCASE);
CREATE TABLE admin_sessions (
  token_hash TEXT PRIMARY KEY,
  admin_id   TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,             -- console | api
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX admin_sessions_admin ON admin_sessions(admin_id);
CREATE INDEX admin_sessions_expiry ON admin_sessions(expires_at);
)sql",
      // 4: per application, CORS web origins and post-logout redirect URLs
      // (one per line, like redirect_urls).
      R"sql(
ALTER TABLE clients ADD COLUMN web_origins TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN post_logout_redirect_urls TEXT NOT NULL DEFAULT '';
)sql",
      // 5: per user, extra claims for its tokens and /userinfo (a JSON
      // object; '' for none).
      R"sql(
ALTER TABLE users ADD COLUMN claims TEXT NOT NULL DEFAULT '';
)sql",
      // 6: the audit trail (security events, never secrets), and the row the
      // readiness check writes to prove the database takes writes.
      R"sql(
CREATE TABLE audit_events (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  kind      TEXT NOT NULL,
  actor     TEXT NOT NULL DEFAULT '',
  outcome   TEXT NOT NULL DEFAULT '',
  client_id TEXT NOT NULL DEFAULT '',
  subject   TEXT NOT NULL DEFAULT '',
  address   TEXT NOT NULL DEFAULT '',
  detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events(at);
CREATE INDEX audit_events_kind ON audit_events(kind, id);
CREATE TABLE health_probe (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  checked_at INTEGER NOT NULL
);
)sql",
      // 7: the device authorization grant (RFC 8628): which applications may
      // use it, and the requests in flight, their codes stored hashed.
      R"sql(
ALTER TABLE clients ADD COLUMN device_grant INTEGER NOT NULL DEFAULT 0;
CREATE TABLE device_codes (
  device_hash    TEXT PRIMARY KEY,
  user_code_hash TEXT NOT NULL UNIQUE,
  client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  scope          TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  interval_s     INTEGER NOT NULL,
  last_polled_at INTEGER NOT NULL DEFAULT 0,
  state          TEXT NOT NULL DEFAULT 'pending',  -- pending | approved | denied | consumed
  user_id        TEXT NOT NULL DEFAULT '',
  auth_time      INTEGER NOT NULL DEFAULT 0,
  consent_hash   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX device_codes_expiry ON device_codes(expires_at);
)sql",
  };
  return kMigrations;
}

}  // namespace atm
