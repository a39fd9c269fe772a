// How user passwords are hashed and checked (domain/users.h), each with its
// default: also the [passwords] section of the config file.
#pragma once

#include <cstdint>

#include "crypto/password.h"

namespace atm {

struct PasswordPolicy {
  ScryptParams scrypt;  // the config file sets scrypt.log_n (scrypt_log_n)
  int min_length = 8;
  // scrypt runs at once (each holds 128 MiB at log_n 17); 0 = one per core.
  int max_concurrent_hashes = 0;
  // Bytes that the scrypt runs in progress may hold together; 0 = half of
  // the machine's memory limit (domain/password_budget.h). A hash that does
  // not fit waits for one that does to end.
  uint64_t memory_budget = 0;
};

}  // namespace atm
