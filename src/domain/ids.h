// Identifier and secret shapes of the ATM service (README "Configuration"), all from the CSPRNG.
#pragma once

#include <string>

#include "crypto/random.h"

namespace atm {

inline std::string NewClientId() { return RandomString(20, kAlphanumeric); }
inline std::string NewClientSecret() { return RandomString(32, kAlphanumeric); }
// Never with a leading '-', which a command line would read as an option
// (`atm user show ID`): 1 of 64 ids did.
inline std::string NewUserId() {
  return RandomString(1, kUrlSafe.substr(0, kUrlSafe.size() - 1)) + RandomString(20, kUrlSafe);
}
inline std::string NewAuthorizationCode() { return RandomString(50, kAlphanumeric); }
// 256 bits: refresh tokens live for weeks, so they get more entropy than codes.
inline std::string NewRefreshToken() { return RandomString(43, kUrlSafe); }
inline std::string NewGrantId() { return RandomString(22, kUrlSafe); }
inline std::string NewTokenId() { return RandomString(22, kUrlSafe); }

}  // namespace atm
