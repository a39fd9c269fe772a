// [admin] in the config: the first admin, created at start-up when absent and
// left as it is when present (like the seeded applications, README "Configuration"). The
// password comes from password_hash, or from the environment variable that
// password_env names; when that variable is unset, nothing is created and a
// warning says how to create an admin.
#pragma once

#include "config/config.h"
#include "core/result.h"
#include "domain/admins.h"

namespace atm {

// Errors are invalid_config, naming the file and the key.
Status SeedAdminFromConfig(const Config& config, AdminService& admins);

}  // namespace atm
