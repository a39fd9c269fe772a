// atm: argv -> a table of subcommands.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"

namespace {

constexpr atm::Command kCommands[] = {
    {"serve", atm::RunServe, "run the authorization server (the default)"},
    {"hash-password", atm::RunHashPassword, "print the scrypt hash of a password read from stdin"},
    {"keys", atm::RunKeys, "rotate, list or export the signing keys (atm keys rotate | list | export [FILE])"},
    {"token", atm::RunToken, "check a JWT against the database's keys and print its claims (atm token verify)"},
    {"backup", atm::RunBackup, "copy the database while the server runs (atm backup FILE)"},
    {"restore", atm::RunRestore, "put a backup in place of the database, server stopped (atm restore FILE)"},
    {"app", atm::RunApp, "create, list, show, update, delete applications; rotate secrets"},
    {"user", atm::RunUser, "add, list, show, update, disable, enable, delete users; set passwords"},
    {"admin", atm::RunAdmin, "create and manage administrators of /admin; admin API tokens"},
    {"audit", atm::RunAudit, "print the audit trail of security events (atm audit --since 24h)"},
};

void PrintHelp() {
  std::printf("atm: an OAuth 2.0 / OpenID Connect authorization server (Authorization Code + PKCE)\n\n");
  std::printf("usage: atm [COMMAND] [OPTIONS]   (atm COMMAND --help for details)\n\ncommands:\n");
  for (const auto& c : kCommands) std::printf("  %-15s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    PrintHelp();
    return 0;
  }
  if (!args.empty() && args[0] == "--version") {
    std::printf("atm %s\n", ATM_VERSION);
    return 0;
  }
  if (args.empty() || args[0].rfind("-", 0) == 0) return atm::RunServe(args);
  for (const auto& c : kCommands) {
    if (args[0] == c.name) return c.run(atm::Argv(args.begin() + 1, args.end()));
  }
  return atm::UsageError("unknown command \"" + args[0] + "\" (see atm --help)");
}
