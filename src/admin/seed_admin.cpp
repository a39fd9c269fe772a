#include "admin/seed_admin.h"

#include <cstdlib>

#include "core/log.h"

namespace atm {

// [admin]: the first admin, created when absent. Its password comes from
// password_hash or from the environment variable password_env names.
Status SeedAdminFromConfig(const Config& c, AdminService& admins) {
  const AdminConfig& a = c.admin;
  if (a.username.empty()) {
    if (auto all = admins.List(); all && all->empty()) {
      Log(LogLevel::kWarn, "no admin account yet: run `atm admin create NAME` or set [admin] in " + c.source +
                               " to use the console at /admin");
    }
    return Ok();
  }
  std::string password;
  if (!a.password_env.empty()) {
    const char* value = std::getenv(a.password_env.c_str());
    password = value ? value : "";
    if (password.empty()) {
      if (auto found = admins.Get(a.username); found) return Ok();
      Log(LogLevel::kWarn, c.source + ": admin.password_env: " + a.password_env +
                               " is not set, so no admin was created (set it, or run `atm admin create`)");
      return Ok();
    }
  }
  auto created = admins.Ensure(a.username, password, a.password_hash);
  if (!created) {
    const std::string& field = created.error().field;
    std::string key = field == "username"        ? "admin.username"
                      : field == "password_hash" ? "admin.password_hash"
                      : field == "password"      ? "admin.password_env (" + a.password_env + ")"
                                                 : "admin";
    return Error(ErrorCode::kInvalidConfig, c.source + ": " + key + ": " + created.error().description);
  }
  if (*created) Log(LogLevel::kInfo, "created admin " + a.username + " from the config");
  return Ok();
}

}  // namespace atm
