// Storage of the audit trail: security events, each written in the same
// transaction as the change it records (the store methods that change what
// an event records take it as their last argument, `audit`), or on its own
// for what changes nothing (a failed sign-in). Never secrets nor hashes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace atm {

// Events matching every field that is set.
struct AuditFilter {
  int64_t since = 0;  // at >= since (0: no bound)
  int64_t until = 0;  // at < until (0: no bound)
  std::string kind;
  std::string outcome;
  std::string client_id;
  std::string actor;
  std::string subject;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;

  virtual Status AppendAudit(const AuditEvent& event) = 0;
  // Newest first.
  virtual Result<std::vector<AuditEvent>> ListAudit(const AuditFilter& filter, const Page& page) = 0;
  virtual Result<int64_t> CountAudit(const AuditFilter& filter) = 0;
  // Deletes the events older than `before`; returns how many.
  virtual Result<int64_t> PruneAudit(int64_t before) = 0;
};

}  // namespace atm
