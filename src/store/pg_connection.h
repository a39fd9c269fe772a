// One PostgreSQL connection (libpq), its prepared statements, and the pool
// PgStore takes them from. The calls every PgStore method is written with
// mirror SqliteConnection's:
//
//   Exec(sql, args...)             binds `args` to $1, $2, ... and runs the
//                                  statement; returns the rows it changed;
//   Query(sql, reader, args...)    binds, and maps every row through `reader`;
//   QueryOne(sql, reader, args...) the first row only, std::nullopt for none.
//
// A reader takes a PgRow and reads its columns left to right. Arguments are
// std::string, string literals, integers (bigint), bools (boolean) and
// PgTextArray (text[]); each is sent as a bound parameter of that type, never
// spliced into the SQL. Statements are prepared once per connection, found
// by their SQL text. Text goes over as UTF-8: a NUL or an invalid UTF-8
// sequence (which PostgreSQL refuses, and a NUL would cut the value short)
// is sent as U+FFFD.
//
// A failed statement throws PgFailure, which never leaves the store: PgStore
// turns it into an Error value (PgError, pg_impl.h). Not thread-safe: one
// thread at a time, which the pool's lease guarantees.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/result.h"

namespace atm {

// Why a statement failed. `sqlstate` is empty when libpq itself gave up (the
// connection broke); the message is the server's primary message, which
// names no parameter value.
struct PgFailure : std::exception {
  std::string sqlstate;
  std::string message;
  std::string constraint;        // the constraint at fault, for class 23
  bool connection_lost = false;  // the connection is unusable: drop it
  bool in_begin = false;         // failed at BEGIN: nothing of the call ran

  const char* what() const noexcept override { return message.c_str(); }
  // A serialization failure or a deadlock: the transaction was rolled back
  // and may be run again.
  bool Retryable() const { return sqlstate == "40001" || sqlstate == "40P01"; }
};

// A text[] parameter (for "= ANY($1)" and unnest($1)).
struct PgTextArray {
  std::vector<std::string> items;
};

// `text` as valid UTF-8 without NUL: each invalid byte, and each NUL, becomes
// U+FFFD.
std::string PgSafeText(std::string_view text);

// The columns of one row, read left to right. NULL reads as "" or 0.
class PgRow {
 public:
  PgRow(const PGresult* result, int row) : result_(result), row_(row) {}

  std::string Text();
  int64_t Int();
  bool Bool();

 private:
  const PGresult* result_;
  int row_;
  int next_ = 0;
};

// A reader for rows of one integer (COUNT(*), a version).
inline int64_t ReadPgInt(PgRow& row) { return row.Int(); }

class PgConnection {
 public:
  // Connects with libpq's keyword/value arrays (null-terminated), or returns
  // null and sets `error` to libpq's message.
  static std::unique_ptr<PgConnection> Connect(const char* const* keywords, const char* const* values,
                                               std::string* error);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  template <class... Args>
  int Exec(std::string_view sql, const Args&... args) {
    Params params;
    (params.Add(args), ...);
    ResultPtr r = Run(sql, params);
    const char* rows = PQcmdTuples(r.get());
    return static_cast<int>(std::strtol(rows, nullptr, 10));
  }

  template <class Reader, class... Args>
  auto Query(std::string_view sql, Reader&& read, const Args&... args)
      -> std::vector<std::invoke_result_t<Reader&, PgRow&>> {
    Params params;
    (params.Add(args), ...);
    ResultPtr r = Run(sql, params);
    std::vector<std::invoke_result_t<Reader&, PgRow&>> out;
    const int rows = PQntuples(r.get());
    out.reserve(rows);
    for (int i = 0; i < rows; ++i) {
      PgRow row(r.get(), i);
      out.push_back(read(row));
    }
    return out;
  }

  template <class Reader, class... Args>
  auto QueryOne(std::string_view sql, Reader&& read, const Args&... args)
      -> std::optional<std::invoke_result_t<Reader&, PgRow&>> {
    Params params;
    (params.Add(args), ...);
    ResultPtr r = Run(sql, params);
    if (PQntuples(r.get()) == 0) return std::nullopt;
    PgRow row(r.get(), 0);
    return read(row);
  }

  // Runs a constant script of several statements (a migration) with the
  // simple-query protocol. It takes no parameters: never pass it a value.
  void Script(const char* sql);
  // `name` quoted as an SQL identifier (a schema's), for the DDL that cannot
  // take it as a parameter.
  std::string QuoteIdentifier(const std::string& name);
  // When the connection goes over the network (TCP to a host other than
  // loopback) without a verified server certificate (sslmode verify-ca or
  // verify-full): the sslmode it uses and the host; std::nullopt otherwise.
  std::optional<std::pair<std::string, std::string>> UnverifiedRemote() const;

  // Whether the connection broke (it is then dropped, not pooled again).
  bool broken() const { return broken_; }
  // Whether it may go back to the pool: not broken, and not in a transaction.
  bool Idle() const { return !broken_ && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE; }
  // Whether it is idle and healthy, as far as can be told without a round
  // trip: not in a transaction, and the server has not closed it (a restart,
  // an idle timeout).
  bool Healthy();

 private:
  friend class PgTransaction;
  struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

  // The parameters of one statement, as text, with their types.
  class Params {
   public:
    void Add(const std::string& v) { Push(PgSafeText(v), kText); }
    void Add(const char* v) { Push(PgSafeText(v), kText); }
    void Add(const PgTextArray& v);
    void Add(bool v) { Push(v ? "true" : "false", kBool); }
    template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
    void Add(T v) {
      Push(std::to_string(static_cast<int64_t>(v)), kInt8);
    }
    int size() const { return static_cast<int>(values_.size()); }
    const Oid* types() const { return types_.data(); }
    std::vector<const char*> pointers() const;

   private:
    // The type OIDs of PostgreSQL's catalog (pg_type.dat), fixed since 8.x.
    static constexpr Oid kBool = 16, kInt8 = 20, kText = 25, kTextArray = 1009;
    void Push(std::string value, Oid type) {
      values_.push_back(std::move(value));
      types_.push_back(type);
    }
    std::vector<std::string> values_;
    std::vector<Oid> types_;
  };

  explicit PgConnection(PGconn* conn) : conn_(conn) {}
  // Prepares `sql` on first use, runs it with `params`; throws PgFailure.
  ResultPtr Run(std::string_view sql, const Params& params);
  // Checks a result: throws PgFailure unless the command succeeded.
  ResultPtr Check(PGresult* r);
  // Simple-query statements with no parameters (BEGIN, COMMIT, ROLLBACK).
  void Command(const char* sql);

  // Lets the cache be searched with a std::string_view, without a copy.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  std::unique_ptr<PGconn, ConnDeleter> conn_;
  std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> statements_;  // SQL -> name
  bool broken_ = false;
};

// A transaction on `db`, mirroring SQLite::Transaction: BEGIN on
// construction, Commit() to keep it, rolled back when it goes out of scope
// uncommitted (a returned error, a thrown PgFailure).
class PgTransaction {
 public:
  explicit PgTransaction(PgConnection& db);
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void Commit();

 private:
  PgConnection& db_;
  bool done_ = false;
};

// A fixed number of connections, made when first needed and remade after
// one breaks. Acquire waits at most `wait` for a free one. Thread-safe.
class PgPool {
 public:
  using Connector = std::function<std::unique_ptr<PgConnection>(std::string* error)>;

  // A connection on loan: back to the pool when it goes out of scope, or
  // closed if it broke or was left inside a transaction.
  class Lease {
   public:
    Lease(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) { other.pool_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() { return *conn_; }
    PgConnection* operator->() { return conn_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> conn_;
  };

  PgPool(int size, std::chrono::milliseconds wait, Connector connect)
      : size_(size < 1 ? 1 : size), wait_(wait), connect_(std::move(connect)) {
    idle_.reserve(size_);  // so that giving a connection back (in a destructor) never allocates
  }
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A healthy connection, or temporarily_unavailable when none frees up in
  // time or the database cannot be reached (`connect_error`, when given, then
  // receives libpq's message).
  Result<Lease> Acquire(std::string* connect_error = nullptr);
  // Closes the idle connections: after one was found lost (a restart, a
  // partition), the others most likely are too, and a retry should connect
  // afresh rather than wait on each of them.
  void DropIdle();

 private:
  void Release(std::unique_ptr<PgConnection> conn);

  const int size_;
  const std::chrono::milliseconds wait_;
  const Connector connect_;
  std::mutex mutex_;
  std::condition_variable freed_;
  int leased_ = 0;
  bool up_ = true;        // whether the last connection attempt succeeded (to log outages once)
  bool probing_ = false;  // a connection attempt is under way while !up_
  std::vector<std::unique_ptr<PgConnection>> idle_;
};

}  // namespace atm
