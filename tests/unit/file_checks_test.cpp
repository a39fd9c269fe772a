// Start-up checks of secret-holding files (core/file_checks.h).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/file_checks.h"

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/atm-files-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path).c_str()); }
  std::string File(const std::string& name, mode_t mode) const {
    std::string p = path + "/" + name;
    std::ofstream(p) << "secret";
    chmod(p.c_str(), mode);
    return p;
  }
};

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("a file other users can read or write is refused, with the fix in the message", "[files]") {
  TempDir dir;
  auto [mode, ok] = GENERATE(table<mode_t, bool>({{0600, true},
                                                  {0400, true},
                                                  {0640, true},
                                                  {0660, true},
                                                  {0604, false},
                                                  {0644, false},
                                                  {0602, false},
                                                  {0666, false}}));
  std::string file = dir.File("key.pem", mode);
  auto s = atm::CheckPrivateFile(file, "server.tls.key_file");
  INFO("mode " << std::oct << mode);
  CHECK(s.ok() == ok);
  if (!ok) {
    CHECK(s.error().description.rfind("server.tls.key_file: " + file + " is open to every user", 0) == 0);
    CHECK(s.error().description.find("chmod 600 " + file) != std::string::npos);
    CHECK(s.error().description.find('\n') == std::string::npos);
  }
}

TEST_CASE("a missing key file is an error that names it", "[files]") {
  TempDir dir;
  auto s = atm::CheckPrivateFile(dir.path + "/missing", "keys.encryption_key_file");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().description.find("cannot read " + dir.path + "/missing") != std::string::npos);
}

TEST_CASE("a new database file is created readable by its owner only", "[files]") {
  TempDir dir;
  std::string db = dir.path + "/atm.db";
  REQUIRE(atm::PrepareDatabaseFile(db).ok());
  CHECK(ModeOf(db) == 0600);
  CHECK(atm::PrepareDatabaseFile(":memory:").ok());
}

TEST_CASE("a world-readable database, WAL or shared-memory file is refused", "[files]") {
  TempDir dir;
  std::string db = dir.File("atm.db", 0600);
  CHECK(atm::PrepareDatabaseFile(db).ok());
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::string file = dir.File(std::string("atm.db") + suffix, 0644);
    INFO(file);
    auto s = atm::PrepareDatabaseFile(db);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().description.find(file + " is open to every user") != std::string::npos);
    chmod(file.c_str(), 0600);
  }
  CHECK(atm::PrepareDatabaseFile(db).ok());
}
