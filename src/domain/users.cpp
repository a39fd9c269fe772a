#include "domain/users.h"

#include <algorithm>
#include <cctype>
#include <thread>

#include "core/log.h"
#include "core/machine_memory.h"
#include "domain/claims.h"
#include "domain/ids.h"
#include "domain/validation.h"

namespace atm {
namespace {

Status ValidateName(const std::string& value, const std::string& field) {
  if (value.size() > 200) return InvalidRequest(field + " must be at most 200 characters", field);
  return Ok();
}

// A user id given by the caller (seeding, the test-control API): it appears in
// URLs and as the tokens' sub.
Status ValidateUserId(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 100 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '@' || c == ':';
  });
  if (!ok) return InvalidRequest("a user id must be 1 to 100 characters of A-Z a-z 0-9 - _ . @ :", "id");
  return Ok();
}

Error UserNotFound(const std::string& id) { return Error(ErrorCode::kNotFound, "no user with id " + id, "user_id"); }

Error DuplicateEmail() {
  return Error(ErrorCode::kConflict, "a user with this email already exists in this application", "email");
}

Error BadCredentials() {
  // README "The flow by hand, with curl": 401 for bad credentials; RFC 6749
  // §5.2 calls them invalid_grant.
  return Error(ErrorCode::kInvalidCredentials, "the email or password is incorrect");
}

}  // namespace

UserService::UserService(Store& store, const Clock& clock, PasswordPolicy policy)
    : store_(store),
      clock_(clock),
      policy_(policy),
      hash_slots_count_(policy.max_concurrent_hashes > 0
                            ? policy.max_concurrent_hashes
                            : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
      hash_gate_(std::make_unique<FifoGate>(static_cast<size_t>(hash_slots_count_), policy.memory_budget)) {}

template <class Fn>
auto UserService::Bounded(const ScryptParams& params, Fn&& hash) -> decltype(hash()) {
  hashes_waiting_.Add(1);
  FifoGate::Pass pass(*hash_gate_, ScryptMemoryBytes(params));
  hashes_waiting_.Add(-1);
  hashes_running_.Add(1);
  hashes_running_max_.Raise(hashes_running_.value());
  struct Done {
    Gauge& running;
    ~Done() { running.Add(-1); }
  } done{hashes_running_};
  return hash();
}

Result<std::string> UserService::HashPassword(const std::string& password) {
  // The configured cost fits the budget: Services::Open checks it at start.
  if (!hash_gate_->Fits(ScryptMemoryBytes(policy_.scrypt))) {
    return ServerError("a password hash at passwords.scrypt_log_n = " + std::to_string(policy_.scrypt.log_n) +
                       " needs more memory than passwords.memory_budget");
  }
  return Bounded(policy_.scrypt, [&] { return atm::HashPassword(password, policy_.scrypt); });
}

bool UserService::Verify(const std::string& password, const std::string& encoded) {
  auto params = PasswordHashParams(encoded);
  if (!params) return false;
  const uint64_t bytes = ScryptMemoryBytes(*params);
  if (!hash_gate_->Fits(bytes)) {
    Log(LogLevel::kError, "passwords: a stored password hash at scrypt ln=" + std::to_string(params->log_n) +
                              " needs " + FormatBytes(bytes) + ", more than passwords.memory_budget (" +
                              FormatBytes(hash_gate_->capacity()) +
                              "): that password cannot be checked until the budget is raised or the password reset");
    return false;
  }
  return Bounded(*params, [&] { return VerifyPassword(password, encoded); });
}

const std::string& UserService::DummyHash() {
  std::call_once(dummy_once_, [this] {
    auto h = HashPassword(RandomString(24, kAlphanumeric));
    dummy_hash_ = h ? *h : "";
  });
  return dummy_hash_;
}

nlohmann::json UserService::AuditView(const UserRecord& u) {
  return {{"email", u.email}, {"first_name", u.first_name}, {"last_name", u.last_name}, {"disabled", u.disabled}};
}

Result<UserRecord> UserService::Create(const NewUser& in, const Actor& by) {
  UserRecord u;
  u.client_id = in.client_id;
  u.email = Trim(in.email);
  u.first_name = Trim(in.first_name);
  u.last_name = Trim(in.last_name);
  if (auto s = ValidateEmail(u.email, "email"); !s) return s.error();
  if (auto s = ValidateName(u.first_name, "first_name"); !s) return s.error();
  if (auto s = ValidateName(u.last_name, "last_name"); !s) return s.error();
  auto claims = ExtraClaimsText(in.claims, "claims");
  if (!claims) return claims.error();
  u.claims = std::move(*claims);
  u.id = in.id.empty() ? NewUserId() : in.id;
  if (auto s = ValidateUserId(u.id); !s) return s.error();
  auto client = store_.GetClient(in.client_id);
  if (!client) return client.error();
  if (!*client) return Error(ErrorCode::kNotFound, "no application with client_id " + in.client_id, "client_id");
  auto existing = store_.FindUserByEmail(u.client_id, u.email);
  if (!existing) return existing.error();
  if (*existing) return DuplicateEmail();
  if (!in.id.empty()) {
    auto same_id = store_.GetUser(u.id);
    if (!same_id) return same_id.error();
    if (*same_id) return Error(ErrorCode::kConflict, "a user with this id already exists", "id");
  }
  if (!in.password_hash.empty()) {
    if (!IsPasswordHash(in.password_hash)) {
      return InvalidRequest("password_hash is not a hash printed by `atm hash-password`", "password_hash");
    }
    u.password_hash = in.password_hash;
  } else {
    if (auto s = ValidatePassword(in.password, policy_.min_length, "password"); !s) return s.error();
    auto hash = HashPassword(in.password);
    if (!hash) return hash.error();
    u.password_hash = std::move(*hash);
  }
  u.created_at = u.updated_at = clock_.Now();
  AuditEvent event = NewAuditEvent(audit_kind::kUserCreate, by, u.created_at);
  event.client_id = u.client_id;
  event.subject = u.id;
  event.detail = ChangeDetail(nullptr, AuditView(u));
  if (auto s = store_.CreateUser(u, &event); !s) {
    if (s.error().Is(ErrorCode::kConflict)) return DuplicateEmail();
    return s.error();
  }
  return u;
}

Result<UserRecord> UserService::Get(const std::string& user_id) {
  auto found = store_.GetUser(user_id);
  if (!found) return found.error();
  if (!*found) return UserNotFound(user_id);
  return std::move(**found);
}

Result<UserRecord> UserService::FindByEmail(const std::string& client_id, const std::string& email) {
  auto found = store_.FindUserByEmail(client_id, Trim(email));
  if (!found) return found.error();
  if (!*found)
    return Error(ErrorCode::kNotFound, "no user with email " + Trim(email) + " in this application", "email");
  return std::move(**found);
}

Result<std::vector<UserRecord>> UserService::List(const std::string& client_id, const std::string& email_filter,
                                                  const Page& page) {
  return store_.ListUsers(client_id, email_filter, page);
}

Result<int64_t> UserService::Count(const std::string& client_id, const std::string& email_filter) {
  return store_.CountUsers(client_id, email_filter);
}

Result<UserRecord> UserService::Update(const std::string& user_id, const UserChanges& changes, const Actor& by) {
  auto current = Get(user_id);
  if (!current) return current;
  const nlohmann::json before = AuditView(*current);
  UserRecord u = std::move(*current);
  if (changes.email) {
    std::string email = Trim(*changes.email);
    if (auto s = ValidateEmail(email, "email"); !s) return s.error();
    auto other = store_.FindUserByEmail(u.client_id, email);
    if (!other) return other.error();
    if (*other && (*other)->id != u.id) return DuplicateEmail();
    u.email = email;
  }
  if (changes.first_name) {
    u.first_name = Trim(*changes.first_name);
    if (auto s = ValidateName(u.first_name, "first_name"); !s) return s.error();
  }
  if (changes.last_name) {
    u.last_name = Trim(*changes.last_name);
    if (auto s = ValidateName(u.last_name, "last_name"); !s) return s.error();
  }
  if (changes.disabled) u.disabled = *changes.disabled;
  if (changes.claims) {
    auto claims = ExtraClaimsText(*changes.claims, "claims");
    if (!claims) return claims.error();
    u.claims = std::move(*claims);
  }
  u.updated_at = clock_.Now();
  AuditEvent event = NewAuditEvent(audit_kind::kUserUpdate, by, u.updated_at);
  event.client_id = u.client_id;
  event.subject = u.id;
  event.detail = ChangeDetail(before, AuditView(u));
  if (auto s = store_.UpdateUser(u, &event); !s) {
    if (s.error().Is(ErrorCode::kConflict)) return DuplicateEmail();
    return s.error();
  }
  return u;
}

Status UserService::SetPassword(const std::string& user_id, const std::string& password, const Actor& by) {
  if (auto s = ValidatePassword(password, policy_.min_length, "password"); !s) return s;
  auto current = Get(user_id);
  if (!current) return current.error();
  auto hash = HashPassword(password);
  if (!hash) return hash.error();
  AuditEvent event = NewAuditEvent(audit_kind::kUserPassword, by, clock_.Now());
  event.client_id = current->client_id;
  event.subject = user_id;
  event.detail = nlohmann::json{{"email", current->email}}.dump();
  auto s = store_.SetUserPassword(user_id, *hash, event.at, &event);
  if (!s && s.error().Is(ErrorCode::kNotFound)) return UserNotFound(user_id);
  return s;
}

Status UserService::Delete(const std::string& user_id, const Actor& by) {
  AuditEvent event = NewAuditEvent(audit_kind::kUserDelete, by, clock_.Now());
  event.subject = user_id;
  if (auto current = store_.GetUser(user_id); current && *current) {
    event.client_id = (**current).client_id;
    event.detail = ChangeDetail(AuditView(**current), nullptr);
  }
  auto s = store_.DeleteUser(user_id, &event);
  if (!s && s.error().Is(ErrorCode::kNotFound)) return UserNotFound(user_id);
  return s;
}

Result<UserRecord> UserService::Authenticate(const std::string& client_id, const std::string& email,
                                             const std::string& password) {
  auto found = store_.FindUserByEmail(client_id, Trim(email));
  if (!found) return found.error();
  if (!*found) {
    Verify(password, DummyHash());  // same cost as a real check
    return BadCredentials();
  }
  if (!Verify(password, (*found)->password_hash)) return BadCredentials();
  if ((*found)->disabled) return Error(ErrorCode::kAccessDenied, "this account is disabled");
  return std::move(**found);
}

}  // namespace atm
