// atm restore FILE: puts a backup made by atm backup in place of the
// database, with the server stopped (README "Backups and restore";
// domain/backup.h).
#include <cstdio>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/machine_memory.h"
#include "domain/backup.h"

namespace atm {
namespace {

constexpr const char* kHelp = R"(usage: atm restore FILE [--config PATH] [--db PATH]

Replaces the database with the backup FILE (made by atm backup), in one
SQLite transaction: should the machine stop halfway, the database is the old
one or the backup, never a mix. Stop the server first: while any process has
the database open, restore refuses (exit status 1) and changes nothing.
FILE must pass SQLite's integrity check and be an atm database this atm can
read; it is not changed. The database's -wal and -shm files are handled by
SQLite (never copy a backup over a database file by hand while its -wal
exists: SQLite would apply the old log to the new file).
  --config PATH  the TOML config (default ./config.toml); its storage.path is the database
  --db PATH      the SQLite database file (overrides the config); created when absent
)";

}  // namespace

int RunRestore(const Argv& argv) {
  int status = 0;
  auto command = StartFileCommand(argv, {}, kHelp, "atm restore FILE [--config PATH] [--db PATH]", &status);
  if (!command) return status;
  const Config* config = &command->config;
  const std::string& file = command->file;
  if (auto s = RequireSqlite(*config, "atm restore"); !s) return UsageError(s.error().description);
  auto report = RestoreDatabase(file, config->storage.path);
  if (!report) {
    if (report.error().Is(ErrorCode::kInvalidRequest)) return UsageError(report.error().description);
    std::fprintf(stderr, "atm: %s\n", report.error().description.c_str());
    return 1;
  }
  std::printf("restored %s from %s: %s\n", config->storage.path.c_str(), file.c_str(),
              FormatBytes(static_cast<uint64_t>(report->bytes)).c_str());
  return 0;
}

}  // namespace atm
