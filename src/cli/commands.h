// The subcommands of the atm executable. Each takes the arguments after its
// name and returns the process exit status (0 ok, 1 failure, 2 bad use).
#pragma once

#include <string>
#include <vector>

namespace atm {

using Argv = std::vector<std::string>;

// A row of a command table: main.cpp's (atm COMMAND) and each database
// group's (atm app|user|admin SUBCOMMAND, DispatchSubcommand).
struct Command {
  const char* name;
  int (*run)(const Argv&);
  const char* summary;
};

int RunServe(const Argv& args);
int RunHashPassword(const Argv& args);
int RunKeys(const Argv& args);
int RunApp(const Argv& args);      // app_commands.cpp
int RunUser(const Argv& args);     // user_commands.cpp
int RunAdmin(const Argv& args);    // admin_commands.cpp
int RunAudit(const Argv& args);    // audit_command.cpp
int RunBackup(const Argv& args);   // backup_command.cpp
int RunRestore(const Argv& args);  // restore_command.cpp
int RunToken(const Argv& args);    // token_command.cpp

}  // namespace atm
