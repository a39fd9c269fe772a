// Identifier shapes of the ATM service (README "Configuration").
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "domain/ids.h"

namespace atm {

TEST_CASE("generated identifiers have the ATM shapes and do not repeat", "[ids]") {
  auto [name, make, pattern] = GENERATE(table<std::string, std::string (*)(), std::string>({
      {"client id", NewClientId, "[A-Za-z0-9]{20}"},
      {"client secret", NewClientSecret, "[A-Za-z0-9]{32}"},
      // Never a leading '-': `atm user show ID` would read it as an option.
      {"user id", NewUserId, "[A-Za-z0-9_][A-Za-z0-9_-]{20}"},
      {"authorization code", NewAuthorizationCode, "[A-Za-z0-9]{50}"},
      {"refresh token", NewRefreshToken, "[A-Za-z0-9_-]{43}"},
  }));
  CAPTURE(name);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    std::string id = make();
    CHECK(std::regex_match(id, std::regex(pattern)));
    seen.insert(id);
  }
  CHECK(seen.size() == 2000);
}

}  // namespace atm
