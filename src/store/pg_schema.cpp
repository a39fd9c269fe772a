// PgStore's schema: SQLite's (schema.cpp, every migration folded into the
// first) in PostgreSQL's types, plus what several nodes share: the sign-in
// throttle counters, the signing keys' version counter and the browser
// sign-in sessions.
//
// Text that is sorted or compared case-insensitively is COLLATE "C": rows
// come out in byte order, as SQLite's BINARY gives them, whatever the
// database's locale; and lower() under "C" folds the ASCII letters only,
// which is exactly SQLite's NOCASE.
#include <string>
#include <string_view>
#include <vector>

#include "store/pg_impl.h"

namespace atm {

const std::vector<std::string_view>& PgSchemaMigrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 1: SQLite's migrations 1-7, the throttle counters, the key version.
      R"sql(
CREATE TABLE clients (
  id                        TEXT COLLATE "C" PRIMARY KEY,
  name                      TEXT NOT NULL,
  secret_hash               TEXT NOT NULL DEFAULT '',
  redirect_urls             TEXT NOT NULL,  -- newline-separated
  is_public                 BOOLEAN NOT NULL DEFAULT FALSE,
  disabled                  BOOLEAN NOT NULL DEFAULT FALSE,
  created_at                BIGINT NOT NULL,
  updated_at                BIGINT NOT NULL,
  web_origins               TEXT NOT NULL DEFAULT '',
  post_logout_redirect_urls TEXT NOT NULL DEFAULT '',
  device_grant              BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE users (
  id            TEXT COLLATE "C" PRIMARY KEY,
  client_id     TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  email         TEXT COLLATE "C" NOT NULL,
  password_hash TEXT NOT NULL,
  first_name    TEXT NOT NULL DEFAULT '',
  last_name     TEXT NOT NULL DEFAULT '',
  disabled      BOOLEAN NOT NULL DEFAULT FALSE,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  claims        TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX users_client_email ON users (client_id, lower(email));
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
  auth_time    BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  used_at      BIGINT,
  grant_id     TEXT
);
CREATE INDEX auth_codes_expiry ON auth_codes (expires_at);
CREATE TABLE grants (
  id         TEXT PRIMARY KEY,
  client_id  TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  scope      TEXT NOT NULL DEFAULT '',
  nonce      TEXT NOT NULL DEFAULT '',
  auth_time  BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
-- For the cascades from clients and users (SQLite scans instead).
CREATE INDEX grants_client ON grants (client_id);
CREATE INDEX grants_user ON grants (user_id);
CREATE TABLE refresh_tokens (
  hash       TEXT PRIMARY KEY,
  grant_id   TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
  client_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  issued_at  BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);
CREATE TABLE signing_keys (
  kid         TEXT COLLATE "C" PRIMARY KEY,
  alg         TEXT NOT NULL,
  private_pem TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  retired_at  BIGINT NOT NULL DEFAULT 0
);
-- Every change of signing_keys adds one, in its transaction: other nodes
-- poll it (DataVersion) to know when to reload the keys.
CREATE TABLE key_version (
  id      INT PRIMARY KEY CHECK (id = 1),
  version BIGINT NOT NULL
);
INSERT INTO key_version (id, version) VALUES (1, 0);
CREATE TABLE revoked_access_tokens (
  jti        TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens (expires_at);
CREATE TABLE admins (
  id            TEXT PRIMARY KEY,
  username      TEXT COLLATE "C" NOT NULL,
  password_hash TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX admins_username ON admins (lower(username));
CREATE TABLE admin_sessions (
  token_hash TEXT PRIMARY KEY,
  admin_id   TEXT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,  -- console | api
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX admin_sessions_admin ON admin_sessions (admin_id);
CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);
CREATE TABLE audit_events (
  id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at        BIGINT NOT NULL,
  kind      TEXT NOT NULL,
  actor     TEXT NOT NULL DEFAULT '',
  outcome   TEXT NOT NULL DEFAULT '',
  client_id TEXT NOT NULL DEFAULT '',
  subject   TEXT NOT NULL DEFAULT '',
  address   TEXT NOT NULL DEFAULT '',
  detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_kind ON audit_events (kind, id);
CREATE TABLE health_probe (
  id         INT PRIMARY KEY CHECK (id = 1),
  checked_at BIGINT NOT NULL
);
CREATE TABLE device_codes (
  device_hash    TEXT PRIMARY KEY,
  user_code_hash TEXT NOT NULL UNIQUE,
  client_id      TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  scope          TEXT NOT NULL DEFAULT '',
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  interval_s     BIGINT NOT NULL,
  last_polled_at BIGINT NOT NULL DEFAULT 0,
  state          TEXT NOT NULL DEFAULT 'pending',  -- pending | approved | denied | consumed
  user_id        TEXT NOT NULL DEFAULT '',
  auth_time      BIGINT NOT NULL DEFAULT 0,
  consent_hash   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX device_codes_expiry ON device_codes (expires_at);
CREATE INDEX device_codes_client ON device_codes (client_id);
-- Sign-in throttle counters (store/throttle_store.h), shared by the nodes.
CREATE TABLE throttle_counters (
  key           TEXT PRIMARY KEY,
  failures      INT NOT NULL DEFAULT 0,
  last_failure  BIGINT NOT NULL DEFAULT 0,
  trusted_until BIGINT NOT NULL DEFAULT 0
);
)sql",
      // 2: browser sign-in sessions, shared by the nodes (store/login_session_store.h).
      R"sql(
CREATE TABLE login_sessions (
  key        TEXT COLLATE "C" NOT NULL,  -- SHA-256 of the cookie
  client_id  TEXT COLLATE "C" NOT NULL,
  user_id    TEXT NOT NULL,
  auth_time  BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (key, client_id)
);
CREATE INDEX login_sessions_expiry ON login_sessions (expires_at);
)sql",
  };
  return kMigrations;
}

std::string PgConstraintField(const std::string& constraint) {
  struct Guard {
    std::string_view constraint, field;
  };
  static constexpr Guard kGuards[] = {
      {"clients_pkey", "id"},
      {"users_pkey", "id"},
      {"users_client_email", "email"},
      {"users_client_id_fkey", "client_id"},
      {"admins_pkey", "id"},
      {"admins_username", "username"},
      {"signing_keys_pkey", "kid"},
      {"auth_codes_pkey", "hash"},
      {"grants_pkey", "id"},
      {"refresh_tokens_pkey", "hash"},
      {"admin_sessions_pkey", "token_hash"},
      {"device_codes_pkey", "device_hash"},
      {"device_codes_user_code_hash_key", "user_code_hash"},
  };
  for (const auto& g : kGuards) {
    if (g.constraint == constraint) return std::string(g.field);
  }
  return "";
}

}  // namespace atm
