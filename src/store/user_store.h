// Storage of users. Every method is atomic; errors are values: not_found,
// conflict (with the field at fault), server_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace atm {

class UserStore {
 public:
  virtual ~UserStore() = default;

  // Users, each belonging to one application. Emails are unique per
  // application, compared case-insensitively.
  virtual Status CreateUser(const UserRecord& user, const AuditEvent* audit = nullptr) = 0;
  virtual Result<std::optional<UserRecord>> GetUser(const std::string& id) = 0;
  virtual Result<std::optional<UserRecord>> FindUserByEmail(const std::string& client_id, const std::string& email) = 0;
  // Users of an application whose email contains `email_filter` (empty: all).
  virtual Result<std::vector<UserRecord>> ListUsers(const std::string& client_id, const std::string& email_filter,
                                                    const Page& page) = 0;
  virtual Result<int64_t> CountUsers(const std::string& client_id, const std::string& email_filter) = 0;
  // Email, names, disabled and updated_at; never the password hash, which
  // changes only through SetUserPassword.
  virtual Status UpdateUser(const UserRecord& user, const AuditEvent* audit = nullptr) = 0;
  virtual Status SetUserPassword(const std::string& id, const std::string& password_hash, int64_t updated_at,
                                 const AuditEvent* audit = nullptr) = 0;
  // Also revokes every grant of the user.
  virtual Status DeleteUser(const std::string& id, const AuditEvent* audit = nullptr) = 0;
};

}  // namespace atm
