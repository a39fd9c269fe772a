// Backing up the database while a server runs on it (README "Backups and
// restore"): the rules around SqliteStore::Backup, which does the copying.
#pragma once

#include <string>

#include "core/result.h"
#include "store/sqlite_store.h"

namespace atm {

// Copies the database file `db_path` to `dest` (store/sqlite_store.h says
// how: consistent, online, atomic). Refused with kInvalidRequest (naming the
// field "dest" or "db") for ":memory:", a database that does not exist, and
// a `dest` that is the database itself or one of its -wal and -shm files.
Result<BackupReport> BackupDatabase(const std::string& db_path, const std::string& dest,
                                    const BackupOptions& options = {});

// Puts the backup file `backup` in place of the database `db_path`
// (SqliteStore::Restore: one transaction, refused with kConflict while a
// server has it open). Refused with kInvalidRequest for ":memory:", a backup
// that is missing, not atm's, damaged or newer, and a backup that is the
// database itself.
Result<BackupReport> RestoreDatabase(const std::string& backup, const std::string& db_path);

}  // namespace atm
