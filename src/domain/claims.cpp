#include "domain/claims.h"

#include <sstream>

namespace atm {

const std::vector<std::string>& SupportedScopes() {
  static const std::vector<std::string> kScopes = {"openid", "profile", "email"};
  return kScopes;
}

const std::vector<std::string>& SupportedClaims() {
  // clang-format off
  static const std::vector<std::string> kClaims = {
      "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid",
      "email", "email_verified", "name", "given_name", "family_name"};
  // clang-format on
  return kClaims;
}

bool HasScope(const std::string& scope, const std::string& item) {
  std::istringstream in(scope);
  std::string s;
  while (in >> s) {
    if (s == item) return true;
  }
  return false;
}

nlohmann::json UserClaims(const UserRecord& user, const std::string& scope) {
  const bool all = scope.empty();
  nlohmann::json out = {{"sub", user.id}};
  if (all || HasScope(scope, "email")) {
    out["email"] = user.email;
    // atm never verifies addresses: it says so rather than guess.
    out["email_verified"] = false;
  }
  if (all || HasScope(scope, "profile")) {
    out["given_name"] = user.first_name;
    out["family_name"] = user.last_name;
    std::string sep = user.first_name.empty() || user.last_name.empty() ? "" : " ";
    std::string name = user.first_name + sep + user.last_name;
    if (!name.empty()) out["name"] = name;
  }
  return out;
}

}  // namespace atm
