#include "domain/password_budget.h"

#include <algorithm>

namespace atm {

Result<HashBudget> PlanHashBudget(const PasswordPolicy& policy, const std::optional<MemoryLimit>& machine,
                                  unsigned cores, const std::string& source) {
  HashBudget plan;
  plan.hash_bytes = ScryptMemoryBytes(policy.scrypt);
  if (policy.memory_budget > 0) {
    plan.budget = policy.memory_budget;
    plan.budget_from = "passwords.memory_budget";
  } else if (machine && machine->bytes > 0) {
    plan.budget = machine->bytes / 2;
    plan.budget_from = "the default, half of this machine's memory limit of " + FormatBytes(machine->bytes) + " (" +
                       machine->source + ")";
  } else {
    plan.budget_from = "none: the machine's memory could not be read";
  }
  const int slots =
      policy.max_concurrent_hashes > 0 ? policy.max_concurrent_hashes : static_cast<int>(std::max(1u, cores));
  if (plan.budget == 0) {
    plan.concurrent = slots;
    return plan;
  }
  if (plan.hash_bytes > plan.budget) {
    return Error(ErrorCode::kInvalidConfig,
                 source + ": passwords.memory_budget is " + FormatBytes(plan.budget) +
                     (policy.memory_budget > 0 ? "" : " (" + plan.budget_from + ")") +
                     ", less than one password hash at passwords.scrypt_log_n = " +
                     std::to_string(policy.scrypt.log_n) + " (" + FormatBytes(plan.hash_bytes) +
                     "): raise passwords.memory_budget or lower passwords.scrypt_log_n "
                     "(atm does not lower the cost by itself)",
                 "passwords.memory_budget");
  }
  const uint64_t fit = plan.budget / plan.hash_bytes;
  plan.concurrent = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(slots), fit));
  return plan;
}

}  // namespace atm
