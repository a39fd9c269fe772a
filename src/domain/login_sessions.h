// Browser sign-in sessions: after a sign-in on atm's login page, the browser
// holds an opaque session id (an HttpOnly cookie) and atm remembers, per
// application, who signed in and when (users belong to one application, so a
// session holds one sign-in per application). /authorize answers from it
// without the form (prompt=none, a second tab, a silent renew) until it ends:
// its lifetime passes, or the user signs out (RP-initiated logout). On one
// node (SQLite) sessions live in memory, like Keycloak's default user
// sessions, bounded by SessionOptions::max_sessions, and end when atm
// restarts; on PostgreSQL they live in the database that every node shares
// (store/login_session_store.h), so a browser signed in through one node is
// signed in on all, and a restart keeps them. Only a SHA-256 of the id is kept.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"
#include "domain/session_options.h"
#include "store/login_session_store.h"

namespace atm {

struct SessionSignIn {
  std::string user_id;
  int64_t auth_time = 0;
};

class LoginSessions {
 public:
  // `shared`: the database's sessions (PostgreSQL), or null for memory.
  LoginSessions(const Clock& clock, SessionOptions options, LoginSessionStore* shared = nullptr)
      : clock_(clock), options_(options), shared_(shared) {}

  // Records a sign-in to `client_id` under a new session id, which it
  // returns for the cookie; the sign-ins of session `id`, when it is live,
  // move to it and `id` stops working. "" when the shared sessions cannot be
  // written (logged): the sign-in stands, without a session.
  std::string SignIn(const std::string& id, const std::string& client_id, const std::string& user_id,
                     int64_t auth_time);
  // The live sign-in of session `id` for `client_id`, if any; the shared
  // sessions' error (temporarily_unavailable) when they cannot be read.
  Result<std::optional<SessionSignIn>> Find(const std::string& id, const std::string& client_id);
  // Ends session `id`; true if it was live. An error when the shared
  // sessions cannot be written: the session may still be live.
  Result<bool> End(const std::string& id);
  // Ends every session (the test-control API's reset).
  void Clear();

  const SessionOptions& options() const { return options_; }

 private:
  struct Session {
    int64_t expires_at = 0;
    std::map<std::string, SessionSignIn> by_client;
  };
  void EraseLocked(const std::string& key);
  void EvictExpiredLocked(int64_t now);

  const Clock& clock_;
  const SessionOptions options_;
  LoginSessionStore* const shared_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;        // SHA-256 hex of the id -> session
  std::multimap<int64_t, std::string> by_expiry_;  // expires_at -> key, for eviction
};

}  // namespace atm
