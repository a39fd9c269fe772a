// Setting state from a test (README "Testing against atm"): applications and
// users created or updated with the ids, secrets and claims the test chooses
// (PUT, so a test can run the same set-up twice), and the reset back to the
// config's seed: every row but the signing keys, the sign-in sessions, the
// throttle, the clock and the login shortcuts.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "admin/json_body.h"
#include "core/result.h"
#include "testing/deps.h"

namespace atm {

struct Upserted {
  nlohmann::json view;
  bool created = false;
};

// PUT /_testing/applications/{client_id}.
Result<Upserted> PutApplication(TestingDeps& deps, const std::string& client_id, const JsonBody& body);
// PUT /_testing/users/{id}.
Result<Upserted> PutUser(TestingDeps& deps, const std::string& user_id, const JsonBody& body);

// Applies the config's login shortcuts, and remembers the state to reset to
// (after seeding, at start).
Status SaveSeedState(TestingDeps& deps);
void ApplySeedTestLogins(TestingDeps& deps);
// Back to that state (the routes also clear the queued failures and the
// records).
Status ResetToSeed(TestingDeps& deps);

}  // namespace atm
