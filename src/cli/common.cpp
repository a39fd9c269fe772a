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

}  // namespace atm
