// What the operations endpoints read: the config and the components that
// count, passed by reference from the composition root (src/app.cpp).
#pragma once

#include "config/config.h"
#include "core/clock.h"
#include "domain/audit.h"
#include "domain/codes.h"
#include "domain/keys.h"
#include "domain/tokens.h"
#include "domain/users.h"
#include "store/sqlite_store.h"
#include "store/store.h"

namespace atm {

struct OpsDeps {
  const Config& config;
  const Clock& clock;
  Store& store;
  const SqliteStore* sqlite;  // the SQLite store's own metrics; null on PostgreSQL
  UserService& users;
  CodeService& codes;
  TokenService& tokens;
  KeyService& keys;
  AuditService& audit;
};

}  // namespace atm
