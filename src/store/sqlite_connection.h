// One SQLite connection, its prepared statements and the three calls every
// store method is written with:
//
//   Exec(sql, args...)             binds `args` to the ?s in order, runs the
//                                  statement, returns the rows it changed;
//   Query(sql, reader, args...)    binds, and maps every row through `reader`;
//   QueryOne(sql, reader, args...) the first row only, std::nullopt for none.
//
// A reader takes a SqliteRow and reads its columns left to right, so no call
// site numbers its parameters or its columns. Arguments are std::string,
// string literals, integers and bools (stored as 0/1).
//
// Statements are prepared once per connection and cached by their SQL text.
// Each call resets its statement before returning (also when it throws): a
// statement left on a row keeps its read transaction open, and in WAL mode
// that pins the connection to an old snapshot, so the server would not see
// what the CLI (another process) commits.
//
// Not thread-safe: one thread at a time, under mutex(). SQLite's exceptions
// pass through; SqliteStore::Impl turns them into Error values.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace atm {

// The columns of the current row, read left to right. NULL reads as "" or 0.
class SqliteRow {
 public:
  explicit SqliteRow(SQLite::Statement& statement) : statement_(statement) {}

  std::string Text() { return statement_.getColumn(next_++).getString(); }
  int64_t Int() { return statement_.getColumn(next_++).getInt64(); }
  bool Bool() { return Int() != 0; }

 private:
  SQLite::Statement& statement_;
  int next_ = 0;
};

// A reader for rows of one integer (COUNT(*), a PRAGMA, SELECT 1).
inline int64_t ReadInt(SqliteRow& row) { return row.Int(); }

class SqliteConnection {
 public:
  explicit SqliteConnection(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  SQLite::Database& db() { return *db_; }
  std::mutex& mutex() { return mutex_; }

  template <class... Args>
  int Exec(std::string_view sql, const Args&... args) {
    Bound q(*this, sql, args...);
    return q.statement.exec();
  }

  template <class Reader, class... Args>
  auto Query(std::string_view sql, Reader&& read, const Args&... args)
      -> std::vector<std::invoke_result_t<Reader&, SqliteRow&>> {
    Bound q(*this, sql, args...);
    std::vector<std::invoke_result_t<Reader&, SqliteRow&>> out;
    while (q.statement.executeStep()) {
      SqliteRow row(q.statement);
      out.push_back(read(row));
    }
    return out;
  }

  template <class Reader, class... Args>
  auto QueryOne(std::string_view sql, Reader&& read, const Args&... args)
      -> std::optional<std::invoke_result_t<Reader&, SqliteRow&>> {
    Bound q(*this, sql, args...);
    if (!q.statement.executeStep()) return std::nullopt;
    SqliteRow row(q.statement);
    return read(row);
  }

  // The cached statement for `sql` (prepared on first use), reset and with
  // no bindings. Exec, Query and QueryOne are built on it.
  SQLite::Statement& Prepare(std::string_view sql);

 private:
  // A statement from the cache with `args` bound, reset when it goes out of
  // scope.
  struct Bound {
    template <class... Args>
    Bound(SqliteConnection& connection, std::string_view sql, const Args&... args)
        : statement(connection.Prepare(sql)) {
      int index = 0;
      (BindOne(statement, ++index, args), ...);
    }
    ~Bound() { statement.tryReset(); }
    Bound(const Bound&) = delete;
    Bound& operator=(const Bound&) = delete;

    SQLite::Statement& statement;
  };

  template <class T>
  static void BindOne(SQLite::Statement& statement, int index, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      statement.bind(index, value ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
      statement.bind(index, static_cast<int64_t>(value));
    } else {
      statement.bind(index, value);  // std::string or a string literal
    }
  }

  // Lets the cache be searched with a std::string_view, without a copy.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::unique_ptr<SQLite::Database> db_;  // declared first: closes after its statements
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>, TextHash, std::equal_to<>> statements_;
};

}  // namespace atm
