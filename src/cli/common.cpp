#include "cli/common.h"

#include <sys/stat.h>

namespace atm {

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

}  // namespace atm
