// atm hash-password: reads a password from stdin and prints its scrypt hash,
// for password_hash in the config (README "Configuration").
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/common.h"
#include "crypto/password.h"

namespace atm {

int RunHashPassword(const Argv& argv) {
  auto args = ParseArgs(argv, {"--config", "--cost"}, {});
  if (!args) return UsageError(args.error().description);
  if (args->Flag("--help")) {
    std::fputs(
        "usage: echo -n PASSWORD | atm hash-password [--config PATH] [--cost LOG2N]\n\n"
        "Reads one password from stdin (up to the first newline) and prints its scrypt\n"
        "hash, for password_hash in [[applications.users]]. The cost is the config's\n"
        "passwords.scrypt_log_n unless --cost is given.\n",
        stdout);
    return 0;
  }
  auto config = LoadConfigFromArgs(*args);
  if (!config) return UsageError(config.error().description);
  ScryptParams params;
  params.log_n = config->passwords.scrypt.log_n;
  if (auto cost = args->Option("--cost")) {
    char* end = nullptr;
    long v = std::strtol(cost->c_str(), &end, 10);
    if (cost->empty() || *end != '\0' || v < 4 || v > 22) {
      return UsageError("--cost: expected a number from 4 to 22, got \"" + *cost + "\"");
    }
    params.log_n = static_cast<int>(v);
  }
  std::string password;
  if (!std::getline(std::cin, password) && password.empty()) {
    return UsageError("no password on stdin (try: echo -n 'secret' | atm hash-password)");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (static_cast<int>(password.size()) < config->passwords.min_length) {
    return UsageError("the password must be at least " + std::to_string(config->passwords.min_length) + " characters");
  }
  auto hash = HashPassword(password, params);
  if (!hash) {
    std::fprintf(stderr, "atm: %s\n", hash.error().description.c_str());
    return 1;
  }
  std::printf("%s\n", hash->c_str());
  return 0;
}

}  // namespace atm
