// Start-up checks of the files that hold secrets (the database and its WAL,
// the key-encryption key file, the TLS and signing key files): atm refuses to
// run with a file that every user of the machine can read or write, and
// creates a new database readable by its owner only.
#pragma once

#include <string>

#include "core/result.h"

namespace atm {

// Ok when `path` exists and neither "other" read nor write permission is set.
// `what` names the file in the error, e.g. "server.tls.key_file".
Status CheckPrivateFile(const std::string& path, const std::string& what);
// For a database path (":memory:" is left alone): checks the file and its
// -wal and -shm companions when they exist; creates a missing file empty
// with mode 0600 (SQLite would create it with the umask's, usually 0644).
Status PrepareDatabaseFile(const std::string& path);

}  // namespace atm
