// atm backup FILE: a consistent copy of the database, taken while a server
// runs on it (README "Backups and restore"; domain/backup.h).
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/machine_memory.h"
#include "domain/backup.h"

namespace atm {
namespace {

constexpr const char* kHelp = R"(usage: atm backup FILE [--config PATH] [--db PATH] [--json]

Copies the database to FILE with SQLite's online backup API, also while a
server runs on it: the copy is of one moment (the server's writes go on
meanwhile and are not in it), taken in steps of 1 MiB with short pauses so
that the server keeps the disk, written to a temporary file beside FILE
(mode 0600: it holds the signing keys), synced, then renamed over FILE.
FILE is a complete database: to restore, stop the server and run
atm restore FILE (README "Backups and restore").
  --config PATH  the TOML config (default ./config.toml); its storage.path is the database
  --db PATH      the SQLite database file (overrides the config)
  --json         print {"file","pages","bytes","milliseconds"}
)";

}  // namespace

int RunBackup(const Argv& argv) {
  int status = 0;
  auto command = StartFileCommand(argv, {"--json"}, kHelp, "atm backup FILE [--config PATH] [--db PATH]", &status);
  if (!command) return status;
  const Config* config = &command->config;
  const Args* args = &command->args;
  const std::string& file = command->file;
  if (auto s = RequireSqlite(*config, "atm backup"); !s) return UsageError(s.error().description);
  if (auto s = RequireDatabaseFile(*config); !s) return UsageError(s.error().description);
  const auto start = std::chrono::steady_clock::now();
  auto report = BackupDatabase(config->storage.path, file);
  if (!report) {
    if (report.error().Is(ErrorCode::kInvalidRequest)) return UsageError(report.error().description);
    std::fprintf(stderr, "atm: backup of %s failed: %s\n", config->storage.path.c_str(),
                 report.error().description.c_str());
    return 1;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (args->Flag("--json")) {
    std::printf("%s\n", nlohmann::json(
                            {{"file", file}, {"pages", report->pages}, {"bytes", report->bytes}, {"milliseconds", ms}})
                            .dump()
                            .c_str());
  } else {
    std::printf("backed up %s to %s: %s in %lld ms\n", config->storage.path.c_str(), file.c_str(),
                FormatBytes(static_cast<uint64_t>(report->bytes)).c_str(), static_cast<long long>(ms));
  }
  return 0;
}

}  // namespace atm
