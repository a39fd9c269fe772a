// Browser sign-in sessions (domain/login_sessions.h), each option with its
// default: also the [sessions] section of the config file.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atm {

struct SessionOptions {
  bool enabled = true;           // /authorize answers from a live session without the form
  int64_t lifetime = 10 * 3600;  // seconds from the sign-in (Keycloak's SSO Session Max)
  bool atm_login = false;        // the ATM /login page takes part (ATM's own behaviour is unknown)
  bool revoke_on_logout = true;  // RP-initiated logout revokes the login's refresh tokens
  size_t max_sessions = 100000;  // memory bound (the oldest go first)
};

}  // namespace atm
