// How long admin sign-ins last and how strong admin passwords are
// (domain/admins.h), each with its default: the [admin] section of the
// config file adds the first administrator to it.
#pragma once

#include <cstdint>

namespace atm {

struct AdminPolicy {
  int64_t session_ttl = 8 * 3600;  // console sessions
  int64_t token_ttl = 3600;        // API bearer tokens from POST /admin/api/tokens
  int min_password_length = 8;     // at least passwords.min_length (set by the app)
};

}  // namespace atm
