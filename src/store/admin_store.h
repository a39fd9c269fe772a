// Storage of admin accounts and their sessions. Every method is atomic;
// errors are values: not_found, conflict, server_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace atm {

class AdminStore {
 public:
  virtual ~AdminStore() = default;

  // Admin accounts. Usernames are unique, compared case-insensitively.
  virtual Status CreateAdmin(const AdminRecord& admin, const AuditEvent* audit = nullptr) = 0;
  virtual Result<std::optional<AdminRecord>> FindAdmin(const std::string& username) = 0;
  virtual Result<std::vector<AdminRecord>> ListAdmins() = 0;
  // Replaces the password hash and ends every session of the admin.
  virtual Status SetAdminPassword(const std::string& admin_id, const std::string& password_hash, int64_t now,
                                  const AuditEvent* audit = nullptr) = 0;
  // Also ends every session of the admin.
  virtual Status DeleteAdmin(const std::string& admin_id, const AuditEvent* audit = nullptr) = 0;

  // Admin sessions, looked up by the hash of their token.
  virtual Status CreateAdminSession(const AdminSessionRecord& session, const AuditEvent* audit = nullptr) = 0;
  // The live (unexpired) session with this token hash, and its admin.
  virtual Result<std::optional<std::pair<AdminSessionRecord, AdminRecord>>> GetAdminSession(
      const std::string& token_hash, int64_t now) = 0;
  virtual Status DeleteAdminSession(const std::string& token_hash) = 0;
};

}  // namespace atm
