#include "domain/claims.h"

#include <algorithm>
#include <sstream>

namespace atm {

const std::vector<std::string>& SupportedScopes() {
  static const std::vector<std::string> kScopes = {"openid", "profile", "email"};
  return kScopes;
}

Status CheckScopes(const std::string& scope) {
  std::istringstream scopes(scope);
  const auto& known = SupportedScopes();
  for (std::string s; scopes >> s;) {
    if (std::find(known.begin(), known.end(), s) == known.end()) {
      return Error(ErrorCode::kInvalidScope, "unknown scope \"" + s + "\": atm supports openid, profile and email");
    }
  }
  return Ok();
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
  AddExtraClaims(user, out);
  return out;
}

Result<std::string> ExtraClaimsText(const nlohmann::json& claims, const std::string& field) {
  // clang-format off
  static const std::vector<std::string> kReserved = {
      "iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce", "at_hash", "sid", "azp", "client_id",
      "scope", "scp", "email", "email_verified", "name", "given_name", "family_name", "cnf", "acr", "amr"};
  // clang-format on
  constexpr size_t kMaxBytes = 8192;
  if (!claims.is_object()) return InvalidRequest(field + " must be a JSON object", field);
  for (const auto& [name, value] : claims.items()) {
    if (name.empty()) return InvalidRequest(field + " has an empty claim name", field);
    if (std::find(kReserved.begin(), kReserved.end(), name) != kReserved.end()) {
      return InvalidRequest(field + "." + name + " is set by atm itself and cannot be an extra claim", field);
    }
  }
  std::string text = claims.empty() ? "" : claims.dump();
  if (text.size() > kMaxBytes) {
    return InvalidRequest(field + " is too large (at most " + std::to_string(kMaxBytes) + " bytes)", field);
  }
  return text;
}

void AddExtraClaims(const UserRecord& user, nlohmann::json& token) {
  if (user.claims.empty()) return;
  auto extra = nlohmann::json::parse(user.claims, nullptr, /*allow_exceptions=*/false);
  if (!extra.is_object()) return;
  for (const auto& [name, value] : extra.items()) {
    if (!token.contains(name)) token[name] = value;
  }
}

}  // namespace atm
