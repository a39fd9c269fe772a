// Browser sign-in sessions shared by every atm node on one database
// (PostgreSQL), so that a browser signed in through one node is signed in on
// all of them, and signing out on one ends the session everywhere
// (domain/login_sessions.h). A single-node SQLite store has no such table:
// the sessions live in the node's memory there. Sessions are keyed by the
// SHA-256 of the browser's cookie, never by the cookie itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"

namespace atm {

struct LoginSignInRecord {
  std::string user_id;
  int64_t auth_time = 0;
};

class LoginSessionStore {
 public:
  virtual ~LoginSessionStore() = default;
  // Records a sign-in to `client_id` under session `key`. When session
  // `old_key` is live at `now`, its sign-ins move to `key` with their expiry
  // and `old_key` stops working; otherwise the session expires at
  // `new_expires_at`. One transaction.
  virtual Status SaveLoginSignIn(const std::string& old_key, const std::string& key, const std::string& client_id,
                                 const LoginSignInRecord& sign_in, int64_t now, int64_t new_expires_at) = 0;
  // The sign-in of live session `key` for `client_id`, if any.
  virtual Result<std::optional<LoginSignInRecord>> FindLoginSignIn(const std::string& key, const std::string& client_id,
                                                                   int64_t now) = 0;
  // Ends session `key`; true if it was live at `now`.
  virtual Result<bool> EndLoginSession(const std::string& key, int64_t now) = 0;
  // Ends every session (the test-control API's reset).
  virtual Status ClearLoginSessions() = 0;
};

}  // namespace atm
