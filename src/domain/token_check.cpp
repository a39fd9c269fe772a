#include "domain/token_check.h"

#include <algorithm>
#include <optional>

#include "domain/audit.h"

namespace atm {
namespace {

Error Invalid(const std::string& why) { return Error(ErrorCode::kInvalidToken, why); }

// A NumericDate claim (RFC 7519 §2): a JSON number; fractions are cut.
std::optional<int64_t> Time(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  return it->is_number_float() ? static_cast<int64_t>(it->get<double>()) : it->get<int64_t>();
}

}  // namespace

Result<nlohmann::json> CheckJwt(std::string_view token, const KeyLookup& keys, const Clock& clock,
                                const std::vector<std::string>& issuers) {
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.remove_suffix(1);
  }
  if (token.empty()) return Invalid("no token");
  auto jwt = VerifyJwt(token, keys);
  if (!jwt) return Invalid(jwt.error().description);
  const nlohmann::json& c = jwt->payload;
  const int64_t now = clock.Now();
  // RFC 7519 §4.1.4: exp is required here: every token atm signs has one.
  if (c.contains("exp") && !Time(c, "exp")) return Invalid("the token's exp is not a number");
  auto exp = Time(c, "exp");
  if (!exp) return Invalid("the token has no exp");
  if (*exp <= now) return Invalid("the token expired at " + FormatUtc(*exp));
  if (c.contains("nbf")) {
    auto nbf = Time(c, "nbf");
    if (!nbf) return Invalid("the token's nbf is not a number");
    if (*nbf > now) return Invalid("the token is not valid before " + FormatUtc(*nbf));
  }
  auto iss = c.find("iss");
  if (iss == c.end() || !iss->is_string()) return Invalid("the token has no iss");
  if (std::find(issuers.begin(), issuers.end(), iss->get<std::string>()) == issuers.end()) {
    std::string accepted;
    for (const auto& i : issuers) accepted += (accepted.empty() ? "\"" : ", \"") + i + "\"";
    return Invalid("the token's issuer " + iss->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                   " is not one of " + accepted);
  }
  return c;
}

}  // namespace atm
