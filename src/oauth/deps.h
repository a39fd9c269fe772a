// What the OAuth endpoints depend on: the domain services and the config,
// passed by reference from the composition root (src/app.cpp).
#pragma once

#include "config/config.h"
#include "core/clock.h"
#include "domain/clients.h"
#include "domain/codes.h"
#include "domain/device_codes.h"
#include "domain/keys.h"
#include "domain/login_sessions.h"
#include "domain/logout.h"
#include "domain/test_logins.h"
#include "domain/tokens.h"
#include "domain/users.h"

namespace atm {

struct OAuthDeps {
  const Config& config;
  const Clock& clock;
  ClientService& clients;
  UserService& users;
  CodeService& codes;
  TokenService& tokens;
  KeyService& keys;
  LoginSessions& sessions;
  LogoutService& logout;
  DeviceCodeService& devices;
  // The login page's test shortcuts; null unless testing is on.
  const TestLogins* test_logins = nullptr;
};

}  // namespace atm
