#include "cli/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace atm {

std::optional<FileCommand> StartFileCommand(const Argv& argv, const std::set<std::string>& flags, const char* help,
                                            const char* usage, int* exit_status) {
  auto args = ParseArgs(argv, kConfigOptions, flags);
  if (!args) {
    *exit_status = UsageError(args.error().description);
    return std::nullopt;
  }
  if (args->Flag("--help")) {
    std::fputs(help, stdout);
    *exit_status = 0;
    return std::nullopt;
  }
  if (args->positional.size() != 1) {
    *exit_status = UsageError(std::string(args->positional.empty() ? "missing argument" : "too many arguments") +
                              ": usage: " + usage);
    return std::nullopt;
  }
  auto config = LoadConfigFromArgs(*args);
  if (!config) {
    *exit_status = UsageError(config.error().description);
    return std::nullopt;
  }
  std::string file = args->positional[0];
  return FileCommand{std::move(*args), std::move(*config), std::move(file)};
}

Result<Config> LoadConfigFromArgs(const Args& args) {
  Result<Config> config = Config{};
  if (auto path = args.Option("--config")) {
    config = LoadConfig(*path);
  } else {
    struct stat st {};
    if (stat("config.toml", &st) == 0) config = LoadConfig("config.toml");
  }
  if (!config) return config;
  Overrides o;
  if (auto db = args.Option("--db")) o.db_path = *db;
  o.testing = args.Flag("--testing");
  ApplyOverrides(o, *config);
  return config;
}

Status RequireDatabaseFile(const Config& config) {
  if (config.storage.postgres()) return Ok();
  const std::string& path = config.storage.path;
  if (path.empty() || path == ":memory:") {
    return InvalidRequest("the database is \":memory:\": name a database file with --db PATH or --config FILE");
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidRequest("no database file at " + path + " (--db PATH, or storage.path in --config FILE)");
  }
  return Ok();
}

Status RequireSqlite(const Config& config, const std::string& command) {
  if (!config.storage.postgres()) return Ok();
  return InvalidRequest(command + " copies a SQLite database, and the database is PostgreSQL (" +
                        config.storage.Describe() + "): use pg_dump and pg_restore (docs/SCALING.md)");
}

Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp-" + std::to_string(getpid());
  auto failed = [&](const std::string& what) {
    Error e(ErrorCode::kServerError, what + ": " + std::strerror(errno));
    unlink(temp.c_str());
    return e;
  };
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return failed("cannot create " + temp);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      return failed("cannot write " + temp);
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    close(fd);
    return failed("cannot sync " + temp);
  }
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) return failed("cannot rename " + temp + " to " + path);
  return Ok();
}

}  // namespace atm
