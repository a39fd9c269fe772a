// The subcommands of the atm executable. Each takes the arguments after its
// name and returns the process exit status (0 ok, 1 failure, 2 bad use).
#pragma once

#include <string>
#include <vector>

namespace atm {

using Argv = std::vector<std::string>;

int RunServe(const Argv& args);
int RunHashPassword(const Argv& args);
int RunKeys(const Argv& args);
int RunApp(const Argv& args);    // app_commands.cpp
int RunUser(const Argv& args);   // user_commands.cpp
int RunAdmin(const Argv& args);  // admin_commands.cpp

}  // namespace atm
