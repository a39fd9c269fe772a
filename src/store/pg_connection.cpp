#include "store/pg_connection.h"

#include <poll.h>

#include <cstdlib>
#include <utility>

#include "core/log.h"

namespace atm {
namespace {

// The length of the valid UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, at most U+10FFFF) that starts at s[i], or 0. A NUL is 0 too.
size_t Utf8SequenceAt(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 == 0) return 0;
  if (b0 < 0x80) return 1;
  size_t n = 0;
  uint32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string Field(const PGresult* r, int field) {
  const char* v = PQresultErrorField(r, field);
  return v ? v : "";
}

// libpq's message on one line (for the log): its line breaks and the tabs
// that indent its hints become single spaces, the final newline goes.
std::string OneLine(const char* message) {
  std::string out;
  for (const char* p = message ? message : ""; *p != '\0'; ++p) {
    const bool space = *p == '\n' || *p == '\t' || *p == ' ';
    if (!space) {
      out += *p;
    } else if (!out.empty() && out.back() != ' ') {
      out += ' ';
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// NOTICEs ("schema ... already exists, skipping") are not errors; libpq
// would print them to stderr.
void IgnoreNotice(void*, const char*) {}

}  // namespace

std::string PgSafeText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = Utf8SequenceAt(text, i);
    if (n == 0) break;
    i += n;
  }
  if (i == text.size()) return std::string(text);
  std::string out(text.substr(0, i));
  while (i < text.size()) {
    const size_t n = Utf8SequenceAt(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string PgRow::Text() {
  const int column = next_++;
  if (PQgetisnull(result_, row_, column)) return "";
  return std::string(PQgetvalue(result_, row_, column), PQgetlength(result_, row_, column));
}

int64_t PgRow::Int() {
  const int column = next_++;
  if (PQgetisnull(result_, row_, column)) return 0;
  return std::strtoll(PQgetvalue(result_, row_, column), nullptr, 10);
}

bool PgRow::Bool() {
  const int column = next_++;
  if (PQgetisnull(result_, row_, column)) return false;
  return PQgetvalue(result_, row_, column)[0] == 't';
}

void PgConnection::Params::Add(const PgTextArray& v) {
  // An array literal: every element quoted, with " and \ escaped.
  std::string literal = "{";
  for (const auto& item : v.items) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (char c : PgSafeText(item)) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  Push(literal + "}", kTextArray);
}

std::vector<const char*> PgConnection::Params::pointers() const {
  std::vector<const char*> out;
  out.reserve(values_.size());
  for (const auto& v : values_) out.push_back(v.c_str());
  return out;
}

std::unique_ptr<PgConnection> PgConnection::Connect(const char* const* keywords, const char* const* values,
                                                    std::string* error) {
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    *error = "out of memory";
    return nullptr;
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    *error = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return nullptr;
  }
  PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() = default;

PgConnection::ResultPtr PgConnection::Check(PGresult* r) {
  ResultPtr result(r);
  const ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  PgFailure f;
  if (r) {
    f.sqlstate = Field(r, PG_DIAG_SQLSTATE);
    f.message = Field(r, PG_DIAG_MESSAGE_PRIMARY);
    f.constraint = Field(r, PG_DIAG_CONSTRAINT_NAME);
  }
  f.message = OneLine(f.message.empty() ? PQerrorMessage(conn_.get()) : f.message.c_str());
  // No SQLSTATE: libpq gave up on its own (the server went away). Class 08
  // is a connection exception; 57P01-57P03 the server shutting down or
  // starting.
  const std::string& s = f.sqlstate;
  f.connection_lost = PQstatus(conn_.get()) != CONNECTION_OK || s.empty() || s.compare(0, 2, "08") == 0 ||
                      s == "57P01" || s == "57P02" || s == "57P03";
  // A read-only server (25006) is a standby, or a primary being demoted:
  // the next call connects afresh, which libpq's target_session_attrs=read-write
  // points at the new primary. A prepared statement missing (26000) or there
  // already (42P05) means a pooler moved the session (PgBouncer without
  // max_prepared_statements): a fresh connection starts a fresh cache.
  if (f.connection_lost || s == "25006" || s == "26000" || s == "42P05") broken_ = true;
  throw f;
}

PgConnection::ResultPtr PgConnection::Run(std::string_view sql, const Params& params) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::string text(sql);
    std::string name = "atm_" + std::to_string(statements_.size() + 1);
    Check(PQprepare(conn_.get(), name.c_str(), text.c_str(), params.size(), params.types()));
    it = statements_.emplace(std::move(text), std::move(name)).first;
  }
  const std::vector<const char*> values = params.pointers();
  return Check(PQexecPrepared(conn_.get(), it->second.c_str(), params.size(), values.data(), nullptr, nullptr, 0));
}

void PgConnection::Command(const char* sql) {
  Check(PQexecParams(conn_.get(), sql, 0, nullptr, nullptr, nullptr, nullptr, 0));
}

void PgConnection::Script(const char* sql) { Check(PQexec(conn_.get(), sql)); }

std::string PgConnection::QuoteIdentifier(const std::string& name) {
  char* quoted = PQescapeIdentifier(conn_.get(), name.data(), name.size());
  if (quoted == nullptr) {
    PgFailure f;
    f.message = OneLine(PQerrorMessage(conn_.get()));
    throw f;
  }
  std::string out(quoted);
  PQfreemem(quoted);
  return out;
}

bool PgConnection::Healthy() {
  PGconn* c = conn_.get();
  if (broken_ || PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE) return false;
  // An idle connection has nothing to read (atm never LISTENs) unless the
  // server is closing it: a restart, pg_terminate_backend or an idle timeout
  // sends FATAL (57P01, ...) and then closes. Reading that message leaves
  // libpq at CONNECTION_OK until a later read meets the end of the stream,
  // so anything to read, or a hang-up, means a connection not to reuse.
  pollfd p{PQsocket(c), POLLIN, 0};
  return p.fd >= 0 && poll(&p, 1, 0) == 0;
}

PgTransaction::PgTransaction(PgConnection& db) : db_(db) {
  try {
    db_.Command("BEGIN");
  } catch (PgFailure& f) {
    f.in_begin = true;
    throw;
  }
}

void PgTransaction::Commit() {
  done_ = true;  // a failed COMMIT ends the transaction too
  db_.Command("COMMIT");
}

PgTransaction::~PgTransaction() {
  if (done_ || db_.broken_) return;
  PGconn* c = db_.conn_.get();
  const PGTransactionStatusType status = PQtransactionStatus(c);
  if (status == PQTRANS_IDLE) return;
  if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) {
    PGresult* r = PQexecParams(c, "ROLLBACK", 0, nullptr, nullptr, nullptr, nullptr, 0);
    const bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (ok) return;
  }
  db_.broken_ = true;  // in an unknown state: closed rather than pooled
}

std::optional<std::pair<std::string, std::string>> PgConnection::UnverifiedRemote() const {
  const char* host = PQhost(conn_.get());
  const std::string h = host ? host : "";
  if (h.empty() || h[0] == '/' || h == "localhost" || h == "127.0.0.1" || h == "::1") return std::nullopt;
  std::string mode = "prefer";
  PQconninfoOption* options = PQconninfo(conn_.get());
  for (PQconninfoOption* o = options; o && o->keyword; ++o) {
    if (std::string_view(o->keyword) == "sslmode" && o->val) mode = o->val;
  }
  PQconninfoFree(options);
  if (mode == "verify-full" || mode == "verify-ca") return std::nullopt;
  return std::make_pair(mode, h);
}

PgPool::Lease::~Lease() {
  if (pool_) pool_->Release(std::move(conn_));
}

Result<PgPool::Lease> PgPool::Acquire(std::string* connect_error) {
  std::unique_ptr<PgConnection> conn;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!freed_.wait_for(lock, wait_, [&] { return leased_ < size_; })) {
      return Error(ErrorCode::kTemporarilyUnavailable, "the database is busy: every connection is in use");
    }
    ++leased_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());  // the most recently used: its caches are warm
      idle_.pop_back();
    }
  }
  if (conn && !conn->Healthy()) conn.reset();
  if (!conn) {
    // While the database is down, one caller at a time tries to connect; the
    // others answer at once rather than each wait out a connect timeout.
    bool probing = false;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (!up_ && probing_) {
        --leased_;
        lock.unlock();
        freed_.notify_one();
        return Error(ErrorCode::kTemporarilyUnavailable, "the database is unavailable");
      }
      if (!up_) probing_ = probing = true;
    }
    std::string error;
    conn = connect_(&error);
    if (!conn) {
      bool was_up = false;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        --leased_;
        was_up = std::exchange(up_, false);
        if (probing) probing_ = false;
      }
      freed_.notify_one();
      // Once per outage, not once per request.
      if (was_up) Log(LogLevel::kWarn, "storage: cannot connect to PostgreSQL: " + error);
      if (connect_error) *connect_error = error;
      return Error(ErrorCode::kTemporarilyUnavailable, "the database is unavailable").WithDetail(error);
    }
    bool was_down = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      was_down = !std::exchange(up_, true);
      if (probing) probing_ = false;
    }
    if (was_down) Log(LogLevel::kInfo, "storage: connected to PostgreSQL again");
  }
  return Lease(this, std::move(conn));
}

void PgPool::DropIdle() {
  std::vector<std::unique_ptr<PgConnection>> dropped;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(idle_);
    idle_.reserve(size_);
  }
  // They close here, outside the lock.
}

void PgPool::Release(std::unique_ptr<PgConnection> conn) {
  const bool keep = conn && !conn->broken() && conn->Idle();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --leased_;
    if (keep) idle_.push_back(std::move(conn));
  }
  freed_.notify_one();
  // A connection not kept closes here, outside the lock.
}

}  // namespace atm
