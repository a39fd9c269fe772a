#include "domain/backup.h"

#include <sys/stat.h>

namespace atm {
namespace {

// Whether `a` and `b` name the same existing file.
bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

}  // namespace

Result<BackupReport> BackupDatabase(const std::string& db_path, const std::string& dest, const BackupOptions& options) {
  if (db_path.empty() || db_path == ":memory:") {
    return InvalidRequest("the database is \":memory:\": there is no file to back up", "db");
  }
  struct stat st {};
  if (stat(db_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidRequest("no database file at " + db_path, "db");
  }
  if (dest.empty()) return InvalidRequest("name the file to write the backup to", "dest");
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    const std::string companion = db_path + suffix;
    if (dest == companion || SameFile(dest, companion)) {
      return InvalidRequest(dest + " is the database's own file " + companion + ": choose another name", "dest");
    }
  }
  struct stat dt {};
  if (stat(dest.c_str(), &dt) == 0 && !S_ISREG(dt.st_mode)) {
    return InvalidRequest(dest + " exists and is not a regular file", "dest");
  }
  return SqliteStore::Backup(db_path, dest, options);
}

Result<BackupReport> RestoreDatabase(const std::string& backup, const std::string& db_path) {
  if (db_path.empty() || db_path == ":memory:") {
    return InvalidRequest("the database is \":memory:\": name the database file to restore into", "db");
  }
  struct stat st {};
  if (stat(backup.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidRequest("no backup file at " + backup, "backup");
  }
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    if (backup == db_path + suffix || SameFile(backup, db_path + suffix)) {
      return InvalidRequest(backup + " is the database's own file: restore from a backup made by atm backup", "backup");
    }
  }
  return SqliteStore::Restore(backup, db_path);
}

}  // namespace atm
