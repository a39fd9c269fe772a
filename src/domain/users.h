// Users of an application: creation, editing and password authentication.
// Password hashing is bounded: at most `max_concurrent_hashes` scrypt runs at
// once, holding at most `memory_budget` bytes together (each weighs its own
// cost, domain/password_budget.h), so memory stays bounded under a login
// storm.
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/fifo_gate.h"
#include "core/result.h"
#include "crypto/password.h"
#include "domain/audit.h"
#include "domain/password_policy.h"
#include "store/store.h"

namespace atm {

struct NewUser {
  std::string client_id;
  std::string email;
  std::string password;       // or
  std::string password_hash;  // an encoded scrypt hash (seeding, import)
  std::string first_name;
  std::string last_name;
  nlohmann::json claims = nlohmann::json::object();  // extra claims (domain/claims.h)
  std::string id = {};                               // generated when empty
};

struct UserChanges {
  std::optional<std::string> email;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<bool> disabled;
  std::optional<nlohmann::json> claims;
};

class UserService {
 public:
  UserService(Store& store, const Clock& clock, PasswordPolicy policy);

  // Changes are written to the audit trail as made `by`.
  Result<UserRecord> Create(const NewUser& user, const Actor& by = {});
  Result<UserRecord> Get(const std::string& user_id);
  // The user of `client_id` with this email (case-insensitive), or not_found.
  Result<UserRecord> FindByEmail(const std::string& client_id, const std::string& email);
  Result<std::vector<UserRecord>> List(const std::string& client_id, const std::string& email_filter, const Page& page);
  Result<int64_t> Count(const std::string& client_id, const std::string& email_filter);
  Result<UserRecord> Update(const std::string& user_id, const UserChanges& changes, const Actor& by = {});
  Status SetPassword(const std::string& user_id, const std::string& password, const Actor& by = {});
  Status Delete(const std::string& user_id, const Actor& by = {});
  // What the audit trail shows of a user: everything but the password hash.
  static nlohmann::json AuditView(const UserRecord& user);

  // Checks an email and password against the users of `client_id`. Unknown
  // email and wrong password give the same error after the same work (one
  // scrypt run), so the answer does not reveal which emails exist.
  Result<UserRecord> Authenticate(const std::string& client_id, const std::string& email, const std::string& password);

  // scrypt at the configured cost, within the concurrency bound.
  Result<std::string> HashPassword(const std::string& password);
  // Checks a password against an encoded hash, within the same bound (also
  // used for admin passwords, so every scrypt run shares one limit). A hash
  // whose own cost is more than the whole memory budget (made at a higher
  // scrypt_log_n) never matches, and says so in the log.
  bool Verify(const std::string& password, const std::string& encoded);
  const PasswordPolicy& policy() const { return policy_; }
  // scrypt runs in progress, those waiting for a slot, and the most that
  // ever ran at once.
  int64_t hashes_running() const { return hashes_running_.value(); }
  int64_t hashes_waiting() const { return hashes_waiting_.value(); }
  int64_t hashes_running_max() const { return hashes_running_max_.value(); }
  // The bound: hashes at once, and their memory budget (0 = none).
  int hash_slots() const { return hash_slots_count_; }
  uint64_t hash_memory_budget() const { return hash_gate_->capacity(); }

 private:
  const std::string& DummyHash();

  Store& store_;
  const Clock& clock_;
  PasswordPolicy policy_;
  // Runs `hash` (one scrypt run at `params`) within the bound.
  template <class Fn>
  auto Bounded(const ScryptParams& params, Fn&& hash) -> decltype(hash());

  int hash_slots_count_;
  std::unique_ptr<FifoGate> hash_gate_;
  Gauge hashes_running_;
  Gauge hashes_waiting_;
  Gauge hashes_running_max_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace atm
