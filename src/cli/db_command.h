// What the database subcommands (atm app, atm user, atm admin) share: the
// subcommand dispatch, parsing with --help on every command, opening the
// database through the same services the server uses, output (--json or
// text), and exit statuses.
//
// Exit statuses: 0 done; 1 refused by the data (not found, already exists,
// database busy); 2 bad use: an unknown command or option, a missing or
// malformed argument, or a value the rules refuse (an invalid email,
// redirect URL or password), each with a one-line message on stderr.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "app.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "core/result.h"

namespace atm {

inline constexpr int kExitFailed = 1;

// `atm GROUP SUBCOMMAND ...`: runs the subcommand, or prints the group's help.
int DispatchSubcommand(const char* group, const std::vector<Command>& table, const Argv& argv);

struct CommandSpec {
  const char* usage;             // "atm app show CLIENT_ID [--json]"
  const char* help;              // what it does, and its options
  std::set<std::string> valued;  // besides --config and --db
  std::set<std::string> flags;   // besides --json and --help
  size_t positional = 0;         // exactly this many positional arguments
};

struct Invocation {
  Args args;
  std::unique_ptr<Services> services;
  bool json = false;
  const std::string& Arg(size_t i) const { return args.positional[i]; }
};

// Parses `argv` against `spec`, loads the config, opens the database, and
// returns what `body` returns for that invocation. Returns an exit status
// without calling `body` when --help was asked (0, help printed) or the use
// is bad (2, one line on stderr).
int RunDbCommand(const Argv& argv, const CommandSpec& spec, const std::function<int(Invocation&)>& body);

// Prints "atm: <description>" (naming the option at fault) and returns the
// exit status for the error: 2 for invalid values, 1 otherwise.
int Fail(const Error& error);

// --json output: the value, indented, on stdout.
void PrintJson(const nlohmann::json& value);
// Text output: "key  value" lines, aligned.
void PrintFields(const std::vector<std::pair<std::string, std::string>>& fields);
// Text output: a table with a header row.
void PrintTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// --offset and --limit as a Page (the admin API's limits), or a usage error.
Result<Page> PageFromArgs(const Args& args);

}  // namespace atm
