// SqliteStore::Backup and the rules around it (domain/backup.h): a copy of
// one moment taken while another connection keeps writing, written
// atomically with mode 0600; and the refusals, each naming what is wrong.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <thread>

#include "domain/backup.h"
#include "store/sqlite_store.h"

namespace atm {
namespace {

std::string TempFolder() {
  char tmpl[] = "/tmp/atm-backup-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  return tmpl;
}

ClientRecord Client(int i) {
  ClientRecord c{"app-" + std::to_string(i), "Application", std::string(64, 'a'), {"https://a.example/cb"}};
  c.created_at = c.updated_at = 1700000000;
  return c;
}

}  // namespace

TEST_CASE("a backup taken during writes is a sound copy of one moment, written with mode 0600", "[backup]") {
  const std::string dir = TempFolder();
  const std::string db = dir + "/atm.db", copy = dir + "/copy.db";
  auto store = SqliteStore::Open({db, false, 5000});
  REQUIRE(store);
  for (int i = 0; i < 200; ++i) REQUIRE((*store)->CreateClient(Client(i)));
  std::atomic<bool> stop{false};
  std::atomic<int> written{200};
  std::atomic<bool> failed{false};
  std::thread writer([&] {
    for (int i = 200; !stop; ++i) {
      if (!(*store)->CreateClient(Client(i))) {
        failed = true;
        return;
      }
      written = i + 1;
    }
  });
  // One page a step with a pause: the copy spans many of the writer's commits.
  auto report = SqliteStore::Backup(db, copy, BackupOptions{1, 1});
  const int after = written;
  stop = true;
  writer.join();
  CHECK_FALSE(failed);
  REQUIRE(report);
  CHECK(report->steps > 5);
  CHECK(report->pages >= report->steps - 1);
  CHECK(report->bytes == report->pages * 4096);

  struct stat st {};
  REQUIRE(stat(copy.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto restored = SqliteStore::Open({copy, false, 5000});
  REQUIRE(restored);
  CHECK((*restored)->IntegrityCheck().value() == "ok");
  CHECK((*restored)->SchemaVersion().value() == SqliteStore::LatestSchemaVersion());
  const int64_t n = (*restored)->CountClients().value();
  CHECK(n >= 200);
  CHECK(n <= after);
  // One moment: every application up to the count, none after it.
  CHECK((*restored)->GetClient("app-" + std::to_string(n - 1)).value().has_value());
  CHECK_FALSE((*restored)->GetClient("app-" + std::to_string(n)).value().has_value());
  restored->reset();
  store->reset();
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("a backup replaces an older one whole", "[backup]") {
  const std::string dir = TempFolder();
  const std::string db = dir + "/atm.db", copy = dir + "/copy.db";
  {
    auto store = SqliteStore::Open({db, false, 5000});
    REQUIRE(store);
    REQUIRE((*store)->CreateClient(Client(1)));
    REQUIRE(BackupDatabase(db, copy));
    REQUIRE((*store)->CreateClient(Client(2)));
    REQUIRE(BackupDatabase(db, copy));
  }
  auto restored = SqliteStore::Open({copy, false, 5000});
  REQUIRE(restored);
  CHECK((*restored)->CountClients().value() == 2);
  restored->reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE("a backup is refused for what cannot be copied or would overwrite the database", "[backup]") {
  // One folder for every generated case (the table is made once, with its paths).
  const std::string dir = "/tmp/atm-backup-refusals-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directory(dir);
  const std::string db = dir + "/atm.db";
  {
    auto store = SqliteStore::Open({db, false, 5000});
    REQUIRE(store);
  }
  struct Case {
    const char* name;
    std::string db;
    std::string dest;
    const char* field;
    const char* says;
  };
  auto c = GENERATE_COPY(values<Case>({
      {"an in-memory database", ":memory:", dir + "/x.db", "db", "the database is \":memory:\""},
      {"no database file", dir + "/none.db", dir + "/x.db", "db", "no database file at"},
      {"the database is a folder", dir, dir + "/x.db", "db", "no database file at"},
      {"no destination", db, "", "dest", "name the file"},
      {"the database itself", db, db, "dest", "is the database's own file"},
      {"the database by another name", db, dir + "/../" + std::filesystem::path(dir).filename().string() + "/atm.db",
       "dest", "is the database's own file"},
      {"its WAL", db, db + "-wal", "dest", "is the database's own file"},
      {"a folder", db, dir, "dest", "exists and is not a regular file"},
  }));
  INFO(c.name);
  auto r = BackupDatabase(c.db, c.dest);
  REQUIRE_FALSE(r);
  CHECK(r.error().Is(ErrorCode::kInvalidRequest));
  CHECK(r.error().field == c.field);
  CHECK(r.error().description.find(c.says) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/none.db"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a backup into a folder that does not exist fails cleanly", "[backup]") {
  const std::string dir = TempFolder();
  const std::string db = dir + "/atm.db";
  {
    auto store = SqliteStore::Open({db, false, 5000});
    REQUIRE(store);
  }
  auto r = BackupDatabase(db, dir + "/missing/copy.db");
  REQUIRE_FALSE(r);
  CHECK(r.error().Is(ErrorCode::kServerError));
  CHECK(r.error().description.find("cannot create") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a restore replaces the database with the backup, and is refused while it is open", "[backup]") {
  const std::string dir = TempFolder();
  const std::string db = dir + "/atm.db", copy = dir + "/copy.db";
  auto store = SqliteStore::Open({db, false, 5000});
  REQUIRE(store);
  REQUIRE((*store)->CreateClient(Client(1)));
  REQUIRE(BackupDatabase(db, copy));
  REQUIRE((*store)->CreateClient(Client(2)));
  auto busy = RestoreDatabase(copy, db);
  REQUIRE_FALSE(busy);
  CHECK(busy.error().Is(ErrorCode::kConflict));
  CHECK(busy.error().description ==
        db + " is in use (a server or another atm command has it open): stop it, then restore");
  CHECK((*store)->CountClients().value() == 2);  // nothing changed
  store->reset();

  REQUIRE(RestoreDatabase(copy, db));
  auto restored = SqliteStore::Open({db, false, 5000});
  REQUIRE(restored);
  CHECK((*restored)->IntegrityCheck().value() == "ok");
  CHECK((*restored)->GetClient("app-1").value().has_value());
  CHECK_FALSE((*restored)->GetClient("app-2").value().has_value());
  restored->reset();

  // Onto a machine without a database: created, owner only.
  const std::string fresh = dir + "/fresh.db";
  REQUIRE(RestoreDatabase(copy, fresh));
  struct stat st {};
  REQUIRE(stat(fresh.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto opened = SqliteStore::Open({fresh, false, 5000});
  REQUIRE(opened);
  CHECK((*opened)->CountClients().value() == 1);
  opened->reset();
  std::filesystem::remove_all(dir);
}

TEST_CASE("a restore refuses a backup that is not a sound atm database this atm knows", "[backup]") {
  const std::string dir = TempFolder();
  const std::string db = dir + "/atm.db", copy = dir + "/copy.db";
  {
    auto store = SqliteStore::Open({db, false, 5000});
    REQUIRE(store);
    REQUIRE((*store)->CreateClient(Client(1)));
  }
  REQUIRE(BackupDatabase(db, copy));
  auto with_sql = [&](const std::string& sql) {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(copy.c_str(), &h) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
  };
  struct Case {
    const char* name;
    std::string sql;  // done to the backup
    const char* says;
  };
  auto c = GENERATE(values<Case>({
      {"a newer schema", "PRAGMA user_version = 999", "is from a newer atm (schema 999"},
      {"not atm's", "DROP TABLE signing_keys", "is not an atm database"},
      {"no schema at all", "PRAGMA user_version = 0", "is not an atm database"},
  }));
  INFO(c.name);
  with_sql(c.sql);
  auto r = RestoreDatabase(copy, db);
  REQUIRE_FALSE(r);
  CHECK(r.error().Is(ErrorCode::kInvalidRequest));
  CHECK(r.error().description.find(c.says) != std::string::npos);
  auto store = SqliteStore::Open({db, false, 5000});
  REQUIRE(store);
  CHECK((*store)->CountClients().value() == 1);  // untouched
  store->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace atm
