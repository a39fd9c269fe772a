// Storage of signing keys (private keys as PEM, encrypted at rest by the
// caller when configured).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace atm {

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Makes `key` the signing key in one transaction, if the signing key (the
  // newest active one, ListKeys' first) is still `expected_current` ("": no
  // active key): inserts it, retires every other active key at
  // `key.created_at`, and writes `audit`. Returns false and changes nothing
  // when another process installed a key meanwhile: several nodes rotating,
  // or starting on an empty database, at once make exactly one key.
  virtual Result<bool> InstallSigningKey(const KeyRecord& key, const std::string& expected_current,
                                         const AuditEvent* audit = nullptr) = 0;
  // The signing key first, then retired keys, most recently retired first
  // (keys made within one second still come out in a stable, meaningful order).
  virtual Result<std::vector<KeyRecord>> ListKeys() = 0;
  virtual Status DeleteKey(const std::string& kid) = 0;
  // Replaces the stored private key of `kid` (re-encryption at rest).
  virtual Status UpdateKeyPem(const std::string& kid, const std::string& private_pem) = 0;

  // A number that changes whenever another connection or process may have
  // changed the keys, so the key ring can tell when to reload (SQLite's
  // PRAGMA data_version, which changes on any commit by another connection;
  // on PostgreSQL a counter that every change of signing_keys increments).
  virtual Result<int64_t> DataVersion() = 0;
};

}  // namespace atm
