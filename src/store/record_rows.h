// The rows both stores read records from: for each record, the columns a
// SELECT names (kSelect*, which the caller ends with its WHERE) and how a row
// in that order becomes the record (Read*, a reader for SqliteRow and PgRow
// alike: both read left to right with Text(), Int() and Bool()). One list for SQLite
// (sqlite_*.cpp) and PostgreSQL (pg_*.cpp), so the two cannot drift; the
// schemas keep the same column names (schema.cpp, pg_schema.cpp).
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "store/records.h"

namespace atm::rows {

// Lists are stored one item per line.
inline std::string JoinLines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
  return out;
}

inline std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// A LIKE/ILIKE pattern (escape character \) that finds `filter` anywhere,
// its wildcards taken literally.
inline std::string ContainsPattern(const std::string& filter) {
  std::string out = "%";
  for (char c : filter) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

inline const char* DeviceStateName(DeviceCodeState state) {
  switch (state) {
    case DeviceCodeState::kPending:
      return "pending";
    case DeviceCodeState::kApproved:
      return "approved";
    case DeviceCodeState::kDenied:
      return "denied";
    case DeviceCodeState::kConsumed:
      return "consumed";
  }
  return "pending";
}

inline DeviceCodeState ParseDeviceState(const std::string& name) {
  if (name == "approved") return DeviceCodeState::kApproved;
  if (name == "denied") return DeviceCodeState::kDenied;
  if (name == "consumed") return DeviceCodeState::kConsumed;
  return DeviceCodeState::kPending;
}

inline const std::string kSelectClients =
    "SELECT id, name, secret_hash, redirect_urls, is_public, disabled, created_at, updated_at, web_origins, "
    "post_logout_redirect_urls, device_grant FROM clients ";

inline constexpr auto ReadClient = [](auto& row) -> ClientRecord {
  ClientRecord c;
  c.id = row.Text();
  c.name = row.Text();
  c.secret_hash = row.Text();
  c.redirect_urls = SplitLines(row.Text());
  c.is_public = row.Bool();
  c.disabled = row.Bool();
  c.created_at = row.Int();
  c.updated_at = row.Int();
  c.web_origins = SplitLines(row.Text());
  c.post_logout_redirect_urls = SplitLines(row.Text());
  c.device_grant = row.Bool();
  return c;
};

inline const std::string kSelectUsers =
    "SELECT id, client_id, email, password_hash, first_name, last_name, claims, disabled, created_at, updated_at "
    "FROM users ";

inline constexpr auto ReadUser = [](auto& row) -> UserRecord {
  UserRecord u;
  u.id = row.Text();
  u.client_id = row.Text();
  u.email = row.Text();
  u.password_hash = row.Text();
  u.first_name = row.Text();
  u.last_name = row.Text();
  u.claims = row.Text();
  u.disabled = row.Bool();
  u.created_at = row.Int();
  u.updated_at = row.Int();
  return u;
};

inline const std::string kSelectAdmins = "SELECT id, username, password_hash, created_at, updated_at FROM admins ";

inline constexpr auto ReadAdmin = [](auto& row) -> AdminRecord {
  AdminRecord a;
  a.id = row.Text();
  a.username = row.Text();
  a.password_hash = row.Text();
  a.created_at = row.Int();
  a.updated_at = row.Int();
  return a;
};

inline const std::string kSelectAudit =
    "SELECT id, at, kind, actor, outcome, client_id, subject, address, detail FROM audit_events ";

inline constexpr auto ReadAuditEvent = [](auto& row) -> AuditEvent {
  AuditEvent e;
  e.id = row.Int();
  e.at = row.Int();
  e.kind = row.Text();
  e.actor = row.Text();
  e.outcome = row.Text();
  e.client_id = row.Text();
  e.subject = row.Text();
  e.address = row.Text();
  e.detail = row.Text();
  return e;
};

inline const std::string kSelectDeviceCodes =
    "SELECT device_hash, user_code_hash, client_id, scope, created_at, expires_at, interval_s, last_polled_at, "
    "state, user_id, auth_time, consent_hash FROM device_codes ";

inline constexpr auto ReadDeviceCode = [](auto& row) -> DeviceCodeRecord {
  DeviceCodeRecord d;
  d.device_hash = row.Text();
  d.user_code_hash = row.Text();
  d.client_id = row.Text();
  d.scope = row.Text();
  d.created_at = row.Int();
  d.expires_at = row.Int();
  d.interval = row.Int();
  d.last_polled_at = row.Int();
  d.state = ParseDeviceState(row.Text());
  d.user_id = row.Text();
  d.auth_time = row.Int();
  d.consent_hash = row.Text();
  return d;
};

inline const std::string kSelectGrants =
    "SELECT id, client_id, user_id, scope, nonce, auth_time, created_at FROM grants ";

inline constexpr auto ReadGrant = [](auto& row) -> GrantRecord {
  GrantRecord g;
  g.id = row.Text();
  g.client_id = row.Text();
  g.user_id = row.Text();
  g.scope = row.Text();
  g.nonce = row.Text();
  g.auth_time = row.Int();
  g.created_at = row.Int();
  return g;
};

// A code row and whether (and into which grant) it was spent.
struct StoredCode {
  CodeRecord code;
  bool used = false;
  std::string grant_id;  // empty when no grant came from it
};

inline const std::string kSelectStoredCodes =
    "SELECT hash, client_id, user_id, challenge, method, redirect_uri, scope, nonce, session_id, "
    "auth_time, expires_at, used_at IS NOT NULL, COALESCE(grant_id, '') FROM auth_codes ";

inline constexpr auto ReadStoredCode = [](auto& row) -> StoredCode {
  StoredCode s;
  CodeRecord& c = s.code;
  c.hash = row.Text();
  c.client_id = row.Text();
  c.user_id = row.Text();
  c.challenge = row.Text();
  c.method = row.Text();
  c.redirect_uri = row.Text();
  c.scope = row.Text();
  c.nonce = row.Text();
  c.session_id = row.Text();
  c.auth_time = row.Int();
  c.expires_at = row.Int();
  s.used = row.Bool();
  s.grant_id = row.Text();
  return s;
};

inline const std::string kSelectKeys = "SELECT kid, alg, private_pem, created_at, retired_at FROM signing_keys ";

inline constexpr auto ReadKey = [](auto& row) -> KeyRecord {
  KeyRecord k;
  k.kid = row.Text();
  k.alg = row.Text();
  k.private_pem = row.Text();
  k.created_at = row.Int();
  k.retired_at = row.Int();
  return k;
};

}  // namespace atm::rows
