#include "oauth/test_login.h"

namespace atm {

Result<std::optional<SessionSignIn>> AutoLogin(const OAuthDeps& deps, const std::string& client_id) {
  if (deps.test_logins == nullptr) return std::optional<SessionSignIn>();
  auto login = deps.test_logins->For(client_id);
  if (!login || login->auto_login.empty()) return std::optional<SessionSignIn>();
  auto user = deps.users.FindByEmail(client_id, login->auto_login);
  if (!user) {
    return Error(ErrorCode::kAccessDenied,
                 "the auto-login user " + login->auto_login + " is not a user of " + client_id);
  }
  if (user->disabled)
    return Error(ErrorCode::kAccessDenied, "the auto-login user " + login->auto_login + " is disabled");
  return std::optional<SessionSignIn>(SessionSignIn{user->id, deps.clock.Now()});
}

bool HasUserPicker(const OAuthDeps& deps, const std::string& client_id) {
  if (deps.test_logins == nullptr) return false;
  auto login = deps.test_logins->For(client_id);
  return login && login->user_picker;
}

std::vector<UserRecord> PickerUsers(const OAuthDeps& deps, const std::string& client_id) {
  if (!HasUserPicker(deps, client_id)) return {};
  auto users = deps.users.List(client_id, "", {0, 100});
  return users ? std::move(*users) : std::vector<UserRecord>();
}

}  // namespace atm
