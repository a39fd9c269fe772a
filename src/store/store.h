// The storage interfaces, one per aggregate, in the way Ory fosite composes
// its storage: ClientStore, UserStore, GrantStore (codes, grants, refresh
// tokens), DeviceCodeStore, KeyStore, AdminStore, AuditStore. A service takes the narrowest one it needs;
// Store, all of them, is what a backend (store/sqlite_store.h) implements and
// what the composition root wires. Every method is atomic: it runs in one
// transaction and either happens entirely or not at all. Errors are values:
//   not_found (404), conflict (409, with the field at fault), server_error.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "store/admin_store.h"
#include "store/audit_store.h"
#include "store/client_store.h"
#include "store/device_code_store.h"
#include "store/grant_store.h"
#include "store/key_store.h"
#include "store/user_store.h"

namespace atm {

class Store : public ClientStore,
              public UserStore,
              public GrantStore,
              public DeviceCodeStore,
              public KeyStore,
              public AdminStore,
              public AuditStore {
 public:
  // Deletes codes, device codes, refresh tokens, revoked-token records and admin sessions that
  // expired before `now`.
  virtual Status PurgeExpired(int64_t now) = 0;

  // Readiness (GET /readyz): commits a small write, waiting at most
  // `timeout_ms`; an error when the database does not take writes now.
  virtual Status ProbeWrite(int64_t now, int timeout_ms) = 0;
  // The number of migrations applied to the database, and how many this atm knows.
  virtual Result<int> SchemaVersion() = 0;
  virtual int KnownSchemaVersion() const = 0;
};

}  // namespace atm
