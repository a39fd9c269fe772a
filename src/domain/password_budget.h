// How many password hashes may run at once: the memory budget for scrypt and
// the concurrency that follows from it (README "Configuration", passwords).
//
//   budget     = passwords.memory_budget, or by default half of the
//                machine's memory limit (core/machine_memory.h: MemTotal, or
//                the cgroup's limit when lower);
//   per hash   = 128 * r * N bytes at passwords.scrypt_log_n (128 MiB at 17);
//   concurrent = min(passwords.max_concurrent_hashes or the cores,
//                    floor(budget / per hash)).
//
// A budget smaller than one hash is a configuration error naming both keys:
// atm never lowers the cost by itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/machine_memory.h"
#include "core/result.h"
#include "domain/password_policy.h"

namespace atm {

struct HashBudget {
  uint64_t budget = 0;      // bytes; 0 = unknown (no memory limit could be read): only the count bounds
  uint64_t hash_bytes = 0;  // one hash at the configured cost
  int concurrent = 1;       // hashes at once
  std::string budget_from;  // "passwords.memory_budget", or how the default was derived

  // `policy` with the budget and the concurrency resolved (what UserService takes).
  PasswordPolicy Apply(PasswordPolicy policy) const {
    policy.memory_budget = budget;
    policy.max_concurrent_hashes = concurrent;
    return policy;
  }
};

// `machine`: the memory limit (nullopt when unknown); `cores`: the CPUs;
// `source`: the config file, for the error message.
Result<HashBudget> PlanHashBudget(const PasswordPolicy& policy, const std::optional<MemoryLimit>& machine,
                                  unsigned cores, const std::string& source);

}  // namespace atm
