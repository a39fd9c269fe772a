// Loading the config for a subcommand: --config PATH (default ./config.toml)
// and --db PATH, with the one-line error on failure.
#pragma once

#include <optional>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "config/config.h"
#include "domain/audit.h"

namespace atm {

// The audit trail's author of what the command line changes.
inline const Actor kCliActor{"cli", ""};

// The options every database subcommand accepts.
inline const std::set<std::string> kConfigOptions = {"--config", "--db"};

// Reads the config named by --config, or ./config.toml; when no --config was
// given and ./config.toml does not exist, the defaults. Applies --db.
Result<Config> LoadConfigFromArgs(const Args& args);

// The start of a command that takes one FILE and the config options (atm
// backup, atm restore): the arguments parsed with `flags`, --help printed,
// exactly one FILE, the config loaded. When the command ends there (help, or
// bad use with its one-line message), returns nullopt and sets *exit_status.
struct FileCommand {
  Args args;
  Config config;
  std::string file;
};
std::optional<FileCommand> StartFileCommand(const Argv& argv, const std::set<std::string>& flags, const char* help,
                                            const char* usage, int* exit_status);

// For commands that read an existing database and must not create one
// (atm backup, keys export, token verify): an error naming the path when
// storage.path is ":memory:" or no file is there (a PostgreSQL database passes).
Status RequireDatabaseFile(const Config& config);
// atm backup and atm restore copy a SQLite file: on PostgreSQL, an error
// that points to pg_dump and pg_restore.
Status RequireSqlite(const Config& config, const std::string& command);

// Writes `text` to `path` through a temporary file beside it, synced and
// renamed over it: readers see the old file or the whole new one.
Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace atm
