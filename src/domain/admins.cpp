#include "domain/admins.h"

#include <algorithm>
#include <cctype>

#include "crypto/encoding.h"
#include "crypto/password.h"
#include "crypto/random.h"
#include "domain/validation.h"

namespace atm {
namespace {

// 43 characters of a 64-letter alphabet: 258 bits.
constexpr size_t kTokenLength = 43;

Error AdminNotFound(const std::string& username) {
  return Error(ErrorCode::kNotFound, "no admin named " + username, "username");
}

Error BadCredentials() { return Error(ErrorCode::kInvalidCredentials, "the username or password is incorrect"); }

const char* KindName(AdminSessionKind kind) { return kind == AdminSessionKind::kApi ? "api" : "console"; }

}  // namespace

Status ValidateAdminUsername(const std::string& username) {
  if (username.empty()) return InvalidRequest("username is required", "username");
  bool ok = username.size() <= 64 && std::all_of(username.begin(), username.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '@' || c == '-';
            });
  if (!ok) return InvalidRequest("username must be 1 to 64 characters of A-Z a-z 0-9 . _ @ -", "username");
  return Ok();
}

AdminService::AdminService(Store& store, const Clock& clock, UserService& passwords, AdminPolicy policy)
    : store_(store), clock_(clock), passwords_(passwords), policy_(policy) {}

const std::string& AdminService::DummyHash() {
  std::call_once(dummy_once_, [this] {
    auto h = passwords_.HashPassword(RandomString(24, kAlphanumeric));
    dummy_hash_ = h ? *h : "";
  });
  return dummy_hash_;
}

Result<AdminRecord> AdminService::Create(const std::string& username, const std::string& password, const Actor& by) {
  if (auto s = ValidateAdminUsername(username); !s) return s.error();
  if (auto s = ValidatePassword(password, policy_.min_password_length, "password"); !s) return s.error();
  auto hash = passwords_.HashPassword(password);
  if (!hash) return hash.error();
  AdminRecord a;
  a.id = RandomString(21, kUrlSafe);
  a.username = username;
  a.password_hash = std::move(*hash);
  a.created_at = a.updated_at = clock_.Now();
  AuditEvent event = NewAuditEvent(audit_kind::kAdminCreate, by, a.created_at);
  event.subject = username;
  if (auto s = store_.CreateAdmin(a, &event); !s) {
    if (s.error().Is(ErrorCode::kConflict)) {
      return Error(ErrorCode::kConflict, "an admin named " + username + " already exists", "username");
    }
    return s.error();
  }
  return a;
}

Result<bool> AdminService::Ensure(const std::string& username, const std::string& password,
                                  const std::string& password_hash) {
  if (auto s = ValidateAdminUsername(username); !s) return s.error();
  auto found = store_.FindAdmin(username);
  if (!found) return found.error();
  if (*found) return false;
  const Actor by{"config", ""};
  if (password_hash.empty()) {
    auto created = Create(username, password, by);
    // Another node seeded it between the lookup and now: it exists, as wanted.
    if (!created && created.error().Is(ErrorCode::kConflict)) return false;
    if (!created) return created.error();
    return true;
  }
  if (!IsPasswordHash(password_hash)) {
    return InvalidRequest("password_hash is not a hash printed by `atm hash-password`", "password_hash");
  }
  AdminRecord a;
  a.id = RandomString(21, kUrlSafe);
  a.username = username;
  a.password_hash = password_hash;
  a.created_at = a.updated_at = clock_.Now();
  AuditEvent event = NewAuditEvent(audit_kind::kAdminCreate, by, a.created_at);
  event.subject = username;
  if (auto s = store_.CreateAdmin(a, &event); !s) {
    if (s.error().Is(ErrorCode::kConflict)) return false;
    return s.error();
  }
  return true;
}

Result<AdminRecord> AdminService::Get(const std::string& username) {
  auto found = store_.FindAdmin(username);
  if (!found) return found.error();
  if (!*found) return AdminNotFound(username);
  return std::move(**found);
}

Result<std::vector<AdminRecord>> AdminService::List() { return store_.ListAdmins(); }

Status AdminService::SetPassword(const std::string& username, const std::string& password, const Actor& by) {
  if (auto s = ValidatePassword(password, policy_.min_password_length, "password"); !s) return s;
  auto admin = Get(username);
  if (!admin) return admin.error();
  auto hash = passwords_.HashPassword(password);
  if (!hash) return hash.error();
  AuditEvent event = NewAuditEvent(audit_kind::kAdminPassword, by, clock_.Now());
  event.subject = admin->username;
  return store_.SetAdminPassword(admin->id, *hash, event.at, &event);
}

Status AdminService::Delete(const std::string& username, const Actor& by) {
  auto admin = Get(username);
  if (!admin) return admin.error();
  AuditEvent event = NewAuditEvent(audit_kind::kAdminDelete, by, clock_.Now());
  event.subject = admin->username;
  return store_.DeleteAdmin(admin->id, &event);
}

Result<AdminSignIn> AdminService::SignIn(const std::string& username, const std::string& password,
                                         AdminSessionKind kind, const std::string& address) {
  if (username.empty()) return InvalidRequest("username is required", "username");
  if (password.empty()) return InvalidRequest("password is required", "password");
  auto found = store_.FindAdmin(username);
  if (!found) return found.error();
  // The name as typed (cut to the longest valid one), so that failures are
  // traceable too.
  AuditEvent event = NewAuditEvent(audit_kind::kAdminSignIn, Actor{username.substr(0, 64), address}, clock_.Now());
  event.detail = nlohmann::json{{"kind", KindName(kind)}}.dump();
  auto failed = [&]() -> Error {
    event.outcome = std::string(SignInOutcomeName(SignInOutcome::kBadCredentials));
    if (auto s = store_.AppendAudit(event); !s) return s.error();
    return BadCredentials();
  };
  if (!*found) {
    passwords_.Verify(password, DummyHash());  // the same cost as a real check
    return failed();
  }
  if (!passwords_.Verify(password, (*found)->password_hash)) return failed();
  event.actor = "admin:" + (*found)->username;
  event.subject = (*found)->username;
  int64_t ttl = kind == AdminSessionKind::kApi ? policy_.token_ttl : policy_.session_ttl;
  return StartSession(**found, kind, ttl, &event);
}

Result<AdminSignIn> AdminService::IssueToken(const std::string& username, int64_t ttl) {
  auto admin = Get(username);
  if (!admin) return admin.error();
  AuditEvent event = NewAuditEvent(audit_kind::kAdminSignIn, Actor{"cli", ""}, clock_.Now());
  event.subject = admin->username;
  event.detail = nlohmann::json{{"kind", "api"}}.dump();
  return StartSession(*admin, AdminSessionKind::kApi, ttl > 0 ? ttl : policy_.token_ttl, &event);
}

Result<AdminSignIn> AdminService::StartSession(const AdminRecord& admin, AdminSessionKind kind, int64_t ttl,
                                               const AuditEvent* audit) {
  AdminSignIn out;
  out.admin = admin;
  out.kind = kind;
  out.token = RandomString(kTokenLength, kUrlSafe);
  AdminSessionRecord s;
  s.token_hash = HashSecret(out.token);
  s.admin_id = admin.id;
  s.kind = KindName(kind);
  s.created_at = clock_.Now();
  s.expires_at = out.expires_at = s.created_at + ttl;
  if (auto st = store_.CreateAdminSession(s, audit); !st) return st.error();
  if (kind == AdminSessionKind::kConsole) out.csrf_token = CsrfToken(out.token);
  return out;
}

Result<AdminIdentity> AdminService::Check(const std::string& token) {
  auto invalid = [] {
    return Error(ErrorCode::kInvalidToken, "the admin session has expired or was ended: sign in again");
  };
  if (token.size() != kTokenLength) return invalid();
  std::string hash = HashSecret(token);
  auto found = store_.GetAdminSession(hash, clock_.Now());
  if (!found) return found.error();
  // The lookup is by hash; the comparison below is constant-time anyway.
  if (!*found || !ConstantTimeEquals((*found)->first.token_hash, hash)) return invalid();
  AdminIdentity id;
  id.admin = std::move((*found)->second);
  id.kind = (*found)->first.kind == "api" ? AdminSessionKind::kApi : AdminSessionKind::kConsole;
  id.expires_at = (*found)->first.expires_at;
  return id;
}

Status AdminService::SignOut(const std::string& token) {
  if (token.empty()) return Ok();
  return store_.DeleteAdminSession(HashSecret(token));
}

std::string AdminService::CsrfToken(const std::string& session_token) {
  return Base64UrlEncode(Sha256("atm admin csrf\n" + session_token));
}

bool AdminService::CheckCsrf(const std::string& session_token, const std::string& presented) {
  if (session_token.empty() || presented.empty()) return false;
  return ConstantTimeEquals(CsrfToken(session_token), presented);
}

}  // namespace atm
