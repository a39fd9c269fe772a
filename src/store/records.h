// The rows atm keeps, as plain structs. Secrets appear only as hashes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atm {

struct ClientRecord {
  std::string id;  // client_id: 20 x [A-Za-z0-9]
  std::string name;
  std::string secret_hash;                 // SHA-256 hex of the client secret; empty for public clients
  std::vector<std::string> redirect_urls;  // the first one is the ATM "Redirect URL"
  bool is_public = false;
  bool disabled = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  // Web origins allowed for CORS besides those of the redirect URLs
  // ("https://app.example.com", Keycloak's "Web Origins").
  std::vector<std::string> web_origins;
  // Where RP-initiated logout may send the browser back to (OpenID Connect
  // RP-Initiated Logout 1.0 §3.1); the redirect URLs are allowed too.
  std::vector<std::string> post_logout_redirect_urls;
  // Whether it may use the device authorization grant (RFC 8628).
  bool device_grant = false;
};

struct UserRecord {
  std::string id;         // 21 x [A-Za-z0-9_-]
  std::string client_id;  // the application the user was added to
  std::string email;
  std::string password_hash;  // scrypt, see crypto/password.h
  std::string first_name;
  std::string last_name;
  bool disabled = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string claims = {};  // extra claims: a JSON object, or "" for none
};

// An authorization code, bound to its client, user, challenge and redirect URI.
struct CodeRecord {
  std::string hash;  // SHA-256 hex of the code
  std::string client_id;
  std::string user_id;
  std::string challenge;
  std::string method;        // canonical PKCE method name
  std::string redirect_uri;  // as sent to /authorize; empty for the ATM /auth flow
  std::string scope;
  std::string nonce;
  std::string session_id;
  int64_t auth_time = 0;
  int64_t expires_at = 0;
};

// One login's chain of refresh tokens (a "grant" or token family). Revoking it
// ends every token descended from that login.
struct GrantRecord {
  std::string id;  // also the ID token's sid
  std::string client_id;
  std::string user_id;
  std::string scope;
  std::string nonce;
  int64_t auth_time = 0;
  int64_t created_at = 0;
};

struct RefreshRecord {
  std::string hash;  // SHA-256 hex of the refresh token
  std::string grant_id;
  std::string client_id;
  std::string user_id;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
};

// A device authorization request (RFC 8628 §3.1) from its start to its token
// request. Both codes are stored only as hashes.
enum class DeviceCodeState { kPending, kApproved, kDenied, kConsumed };
struct DeviceCodeRecord {
  std::string device_hash;     // SHA-256 hex of the device_code
  std::string user_code_hash;  // SHA-256 hex of the user code, normalised (domain/device_codes.h)
  std::string client_id;
  std::string scope;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  int64_t interval = 5;        // seconds the device waits between polls (§3.5: slow_down adds 5)
  int64_t last_polled_at = 0;  // 0 before the first poll
  DeviceCodeState state = DeviceCodeState::kPending;
  std::string user_id;  // who signed in on the verification page
  int64_t auth_time = 0;
  std::string consent_hash;  // SHA-256 hex of the ticket the page got at sign-in
};

struct KeyRecord {
  std::string kid;
  std::string alg;
  std::string private_pem;
  int64_t created_at = 0;
  int64_t retired_at = 0;  // 0 while it is the signing key
};

// An administrator of the console and the admin API.
struct AdminRecord {
  std::string id;
  std::string username;       // unique, compared case-insensitively
  std::string password_hash;  // scrypt, see crypto/password.h
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// A signed-in admin: a console session (cookie) or an API bearer token.
struct AdminSessionRecord {
  std::string token_hash;  // SHA-256 hex of the token; the token itself is never stored
  std::string admin_id;
  std::string kind;  // "console" | "api"
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

// One event of the audit trail (store/audit_store.h).
struct AuditEvent {
  int64_t id = 0;       // assigned by the store, increasing
  int64_t at = 0;       // seconds since the Unix epoch
  std::string kind;     // "signin", "admin.signin", "application.update", ... (README "Audit trail")
  std::string actor;    // who: "admin:<username>", "cli", "config", "schedule", or the account signing in
  std::string outcome;  // "success", "bad_credentials", "throttled", "disabled", "revoked", ...
  std::string client_id;
  std::string subject;  // what it is about: a user or application id, a key id, a grant id
  std::string address;  // the client's IP address, for what came over HTTP
  std::string detail;   // a JSON object: before and after, or the like; "" for none
};

struct Page {
  int64_t offset = 0;
  int64_t limit = 50;
};

}  // namespace atm
