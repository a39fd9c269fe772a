// The login shortcuts for test suites (README "Testing against atm"), set per
// application and only when testing is on: auto-login, where /authorize and
// /login answer with a code for one user at once, and a user picker, where
// the login page lists the users and signs one in without a password.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/login_sessions.h"
#include "oauth/deps.h"

namespace atm {

// The sign-in (now) of the application's auto-login user; nullopt when it has
// none or testing is off; an error when that user is missing or disabled.
Result<std::optional<SessionSignIn>> AutoLogin(const OAuthDeps& deps, const std::string& client_id);
// Whether the application's login page is a user picker.
bool HasUserPicker(const OAuthDeps& deps, const std::string& client_id);
// The picker's users (the first 100 by email), or none without a picker.
std::vector<UserRecord> PickerUsers(const OAuthDeps& deps, const std::string& client_id);

}  // namespace atm
