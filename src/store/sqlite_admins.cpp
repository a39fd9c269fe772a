// SqliteStore: admin accounts and admin sessions (schema migration 2).
#include "store/sqlite_impl.h"

namespace atm {
namespace {

constexpr const char* kAdminColumns = "id, username, password_hash, created_at, updated_at";

AdminRecord ReadAdmin(SQLite::Statement& q, int first = 0) {
  AdminRecord a;
  a.id = q.getColumn(first + 0).getString();
  a.username = q.getColumn(first + 1).getString();
  a.password_hash = q.getColumn(first + 2).getString();
  a.created_at = q.getColumn(first + 3).getInt64();
  a.updated_at = q.getColumn(first + 4).getInt64();
  return a;
}

Error AdminNotFound() { return Error(ErrorCode::kNotFound, "admin not found", "username"); }

}  // namespace

Status SqliteStore::CreateAdmin(const AdminRecord& a) {
  return impl_->Run("create admin", [&]() -> Status {
    auto& q = impl_->Prepare(
        "INSERT INTO admins (id, username, password_hash, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?)");
    q.bind(1, a.id);
    q.bind(2, a.username);
    q.bind(3, a.password_hash);
    q.bind(4, a.created_at);
    q.bind(5, a.updated_at);
    q.exec();
    return Ok();
  });
}

Result<std::optional<AdminRecord>> SqliteStore::FindAdmin(const std::string& username) {
  return impl_->Read("find admin", [&](SqliteConnection& c) -> Result<std::optional<AdminRecord>> {
    static const std::string sql =
        std::string("SELECT ") + kAdminColumns + " FROM admins WHERE username = ? COLLATE NOCASE";
    auto& q = c.Prepare(sql.c_str());
    q.bind(1, username);
    if (!q.executeStep()) return std::optional<AdminRecord>();
    return std::optional<AdminRecord>(ReadAdmin(q));
  });
}

Result<std::vector<AdminRecord>> SqliteStore::ListAdmins() {
  return impl_->Read("list admins", [&](SqliteConnection& c) -> Result<std::vector<AdminRecord>> {
    static const std::string sql =
        std::string("SELECT ") + kAdminColumns + " FROM admins ORDER BY username COLLATE NOCASE";
    auto& q = c.Prepare(sql.c_str());
    std::vector<AdminRecord> out;
    while (q.executeStep()) out.push_back(ReadAdmin(q));
    return out;
  });
}

Status SqliteStore::SetAdminPassword(const std::string& admin_id, const std::string& password_hash,
                                     int64_t now) {
  return impl_->Run("set admin password", [&]() -> Status {
    SQLite::Transaction tx(*impl_->db);
    auto& q = impl_->Prepare("UPDATE admins SET password_hash = ?, updated_at = ? WHERE id = ?");
    q.bind(1, password_hash);
    q.bind(2, now);
    q.bind(3, admin_id);
    if (q.exec() == 0) return AdminNotFound();
    auto& s = impl_->Prepare("DELETE FROM admin_sessions WHERE admin_id = ?");
    s.bind(1, admin_id);
    s.exec();
    tx.commit();
    return Ok();
  });
}

Status SqliteStore::DeleteAdmin(const std::string& admin_id) {
  return impl_->Run("delete admin", [&]() -> Status {
    auto& q = impl_->Prepare("DELETE FROM admins WHERE id = ?");  // cascades sessions
    q.bind(1, admin_id);
    if (q.exec() == 0) return AdminNotFound();
    return Ok();
  });
}

Status SqliteStore::CreateAdminSession(const AdminSessionRecord& s) {
  return impl_->Run("create admin session", [&]() -> Status {
    auto& q = impl_->Prepare(
        "INSERT INTO admin_sessions (token_hash, admin_id, kind, created_at, expires_at) "
        "VALUES (?, ?, ?, ?, ?)");
    q.bind(1, s.token_hash);
    q.bind(2, s.admin_id);
    q.bind(3, s.kind);
    q.bind(4, s.created_at);
    q.bind(5, s.expires_at);
    q.exec();
    return Ok();
  });
}

Result<std::optional<std::pair<AdminSessionRecord, AdminRecord>>> SqliteStore::GetAdminSession(
    const std::string& token_hash, int64_t now) {
  using Found = std::optional<std::pair<AdminSessionRecord, AdminRecord>>;
  return impl_->Read("get admin session", [&](SqliteConnection& c) -> Result<Found> {
    auto& q = c.Prepare(
        "SELECT s.token_hash, s.kind, s.created_at, s.expires_at, "
        "a.id, a.username, a.password_hash, a.created_at, a.updated_at "
        "FROM admin_sessions s JOIN admins a ON a.id = s.admin_id "
        "WHERE s.token_hash = ? AND s.expires_at > ?");
    q.bind(1, token_hash);
    q.bind(2, now);
    if (!q.executeStep()) return Found();
    AdminSessionRecord s;
    s.token_hash = q.getColumn(0).getString();
    s.kind = q.getColumn(1).getString();
    s.created_at = q.getColumn(2).getInt64();
    s.expires_at = q.getColumn(3).getInt64();
    AdminRecord a = ReadAdmin(q, 4);
    s.admin_id = a.id;
    return Found(std::make_pair(std::move(s), std::move(a)));
  });
}

Status SqliteStore::DeleteAdminSession(const std::string& token_hash) {
  return impl_->Run("delete admin session", [&]() -> Status {
    auto& q = impl_->Prepare("DELETE FROM admin_sessions WHERE token_hash = ?");
    q.bind(1, token_hash);
    q.exec();
    return Ok();
  });
}

}  // namespace atm
