// What the test-control API (README "Testing against atm") works on: the
// services, the clock it moves, the store it resets, and the in-memory state
// a reset clears. Passed by reference from the composition root.
#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "domain/clients.h"
#include "domain/codes.h"
#include "domain/keys.h"
#include "domain/login_sessions.h"
#include "domain/test_logins.h"
#include "domain/throttle.h"
#include "domain/tokens.h"
#include "domain/users.h"
#include "store/sqlite_store.h"

namespace atm {

struct TestingDeps {
  const Config& config;
  AdjustableClock& clock;
  SqliteStore& store;
  ClientService& clients;
  UserService& users;
  CodeService& codes;
  TokenService& tokens;
  KeyService& keys;
  LoginSessions& sessions;
  Throttle& throttle;
  TestLogins& test_logins;
  std::string issuer;  // the OpenID issuer (App::IssuerUrl)
  // The client_id of each [[applications]] entry, in the config's order.
  std::vector<std::string> seeded_client_ids;
};

}  // namespace atm
