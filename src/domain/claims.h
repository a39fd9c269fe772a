// Scopes and the standard claims they release (OpenID Connect Core §5.4):
// the one mapping used by ID tokens and by /userinfo.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace atm {

// The scopes /authorize accepts (and discovery advertises).
const std::vector<std::string>& SupportedScopes();
// RFC 6749 §3.3: invalid_scope naming the first scope atm does not know.
Status CheckScopes(const std::string& scope);
// The claims ID tokens and /userinfo can carry (discovery's claims_supported).
const std::vector<std::string>& SupportedClaims();

// True when the space-separated `scope` list contains `item`.
bool HasScope(const std::string& scope, const std::string& item);

// The user's claims that `scope` releases: "sub" always; "email" ->
// email, email_verified; "profile" -> name, given_name, family_name. An empty
// scope (the ATM flow, which has no scope parameter) releases all of them.
// Plus the user's extra claims (ExtraClaims), whatever the scope.
nlohmann::json UserClaims(const UserRecord& user, const std::string& scope);

// A user's extra claims (UserRecord::claims: set in the config or by the
// test-control API), e.g. {"roles": ["admin"]}: a JSON object of at most
// 8 KiB, without the names atm sets itself (sub, iss, email, ...). Returns
// its stored text, "" for an empty object; invalid_request naming `field`.
Result<std::string> ExtraClaimsText(const nlohmann::json& claims, const std::string& field);
// Adds the user's extra claims to `token` (ID and access tokens, /userinfo).
void AddExtraClaims(const UserRecord& user, nlohmann::json& token);

}  // namespace atm
