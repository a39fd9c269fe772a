// Records and databases for the store tests.
#pragma once

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite_store.h"
#include "support/test_store.h"

namespace atm::testing {

inline constexpr int64_t kNow = 1700000000;

inline std::unique_ptr<SqliteStore> OpenMemory() {
  auto store = SqliteStore::Open({":memory:", false, 1000});
  REQUIRE(store.ok());
  return std::move(*store);
}

// A temporary database file, removed (with its WAL files) at the end.
struct TempDb {
  std::string path;
  TempDb() {
    char dir[] = "/tmp/atm-store-test-XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    path = std::string(dir) + "/atm.db";
  }
  ~TempDb() { std::filesystem::remove_all(std::filesystem::path(path).parent_path()); }
  std::unique_ptr<SqliteStore> Open() const {
    auto store = SqliteStore::Open({path, false, 1000});
    REQUIRE(store.ok());
    return std::move(*store);
  }
};

inline ClientRecord Client(const std::string& id) {
  ClientRecord c;
  c.id = id;
  c.name = "App " + id;
  c.secret_hash = std::string(64, 'a');
  c.redirect_urls = {"https://app.example/cb", "http://localhost/cb"};
  c.created_at = c.updated_at = kNow;
  return c;
}

inline UserRecord User(const std::string& id, const std::string& client_id, const std::string& email) {
  UserRecord u;
  u.id = id;
  u.client_id = client_id;
  u.email = email;
  u.password_hash = "$scrypt$x";
  u.first_name = "First";
  u.last_name = "Last";
  u.created_at = u.updated_at = kNow;
  return u;
}

inline CodeRecord Code(const std::string& hash, const std::string& client_id, const std::string& user_id,
                       int64_t expires_at) {
  CodeRecord c;
  c.hash = hash;
  c.client_id = client_id;
  c.user_id = user_id;
  c.challenge = "challenge";
  c.method = "S256";
  c.auth_time = kNow;
  c.expires_at = expires_at;
  return c;
}

inline RefreshRecord Refresh(const std::string& hash, const std::string& grant_id, const std::string& client_id,
                             const std::string& user_id, int64_t expires_at = kNow + 3600) {
  return RefreshRecord{hash, grant_id, client_id, user_id, kNow, expires_at};
}

inline GrantRecord Grant(const std::string& id, const std::string& client_id, const std::string& user_id) {
  GrantRecord g;
  g.id = id;
  g.client_id = client_id;
  g.user_id = user_id;
  g.auth_time = kNow;
  g.created_at = kNow;
  return g;
}

// Starts grant `g` with its first refresh token the way an exchange does: a
// fresh code, redeemed.
inline void StartGrant(Store& s, const GrantRecord& g, const RefreshRecord& first) {
  const std::string code = "code-for-" + g.id;
  REQUIRE(s.SaveCode(Code(code, g.client_id, g.user_id, kNow + 60)).ok());
  REQUIRE(s.RedeemCode(code, kNow, g, first).ok());
}

// A store of the backend under test (support/test_store.h) with client "c1"
// and its user "u1", and client "c2".
inline TestStore Seeded() {
  auto s = OpenTestStore();
  REQUIRE(s->CreateClient(Client("c1")).ok());
  REQUIRE(s->CreateClient(Client("c2")).ok());
  REQUIRE(s->CreateUser(User("u1", "c1", "end.user13@gmail.com")).ok());
  return s;
}

}  // namespace atm::testing
