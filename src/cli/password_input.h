// Passwords for the CLI come from stdin or a prompt, never from argv (where
// `ps` and shell history would show them).
#pragma once

#include <string>

#include "core/result.h"

namespace atm {

// On a terminal: prompts on stderr and reads without echo, asking twice when
// `confirm` (a mismatch is an error). Otherwise: the first line of stdin
// (without its line ending). An empty password is an invalid_request error.
Result<std::string> ReadPassword(const std::string& prompt, bool confirm);

}  // namespace atm
