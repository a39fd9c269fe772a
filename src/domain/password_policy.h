// How user passwords are hashed and checked (domain/users.h), each with its
// default: also the [passwords] section of the config file.
#pragma once

#include "crypto/password.h"

namespace atm {

struct PasswordPolicy {
  ScryptParams scrypt;  // the config file sets scrypt.log_n (scrypt_log_n)
  int min_length = 8;
  // scrypt runs at once (each holds 128 MiB at log_n 17); 0 = one per core.
  int max_concurrent_hashes = 0;
};

}  // namespace atm
