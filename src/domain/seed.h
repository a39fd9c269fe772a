// Seeding (README "Configuration"): applications and users declared in the config are created
// at start-up when absent and left as they are when present, so restarts are
// idempotent.
#pragma once

#include <vector>

#include "core/result.h"
#include "domain/clients.h"
#include "domain/seed_application.h"
#include "domain/users.h"

namespace atm {

struct SeedReport {
  int applications_created = 0;
  int users_created = 0;
  // Generated credentials of applications created now (shown once, on stderr).
  std::vector<std::pair<std::string, std::string>> generated_secrets;  // client_id, secret
  // The client_id of each seeded application, in the config's order.
  std::vector<std::string> client_ids;
};

Result<SeedReport> SeedFromConfig(const std::vector<SeedApplication>& apps, ClientService& clients, UserService& users);

}  // namespace atm
