// Storage of applications (clients). Every method is atomic; errors are
// values: not_found, conflict (with the field at fault), server_error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace atm {

class ClientStore {
 public:
  virtual ~ClientStore() = default;

  virtual Status CreateClient(const ClientRecord& client, const AuditEvent* audit = nullptr) = 0;
  virtual Result<std::optional<ClientRecord>> GetClient(const std::string& id) = 0;
  virtual Result<std::vector<ClientRecord>> ListClients(const Page& page) = 0;
  virtual Result<int64_t> CountClients() = 0;
  // Name, redirect URLs, disabled and updated_at; never the secret, which
  // changes only through SetClientSecret (so that an edit racing a rotation
  // cannot write the old secret back).
  virtual Status UpdateClient(const ClientRecord& client, const AuditEvent* audit = nullptr) = 0;
  virtual Status SetClientSecret(const std::string& id, const std::string& secret_hash, int64_t updated_at,
                                 const AuditEvent* audit = nullptr) = 0;
  // Also deletes its users and every grant, code and token it holds.
  virtual Status DeleteClient(const std::string& id, const AuditEvent* audit = nullptr) = 0;
};

}  // namespace atm
