// [audit]: how long the audit trail keeps its events.
#pragma once

#include <cstdint>

namespace atm {

struct AuditOptions {
  int64_t retention = int64_t{90} * 86400;  // seconds; older events are pruned in the background
};

}  // namespace atm
