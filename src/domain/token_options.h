// Token lifetimes and the ATM issuer: the TokenService's options, and also
// the [tokens] section of the config file, so defaults are written once.
#pragma once

#include <cstdint>
#include <string>

namespace atm {

struct TokenOptions {
  std::string issuer = "atm";  // iss of the ATM endpoints' tokens
  int64_t access_token_ttl = 600;
  int64_t id_token_ttl = 600;
  int64_t refresh_token_ttl = 30 * 24 * 3600;
  int64_t code_ttl = 60;  // authorization codes (CodeService)
};

}  // namespace atm
