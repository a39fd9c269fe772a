// Signing out (OpenID Connect RP-Initiated Logout 1.0): reading the
// id_token_hint an application sends, and ending the browser's session and,
// with sessions.revoke_on_logout, the refresh tokens of the login the hint
// names.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "domain/keys.h"
#include "domain/login_sessions.h"
#include "store/grant_store.h"

namespace atm {

// What a valid id_token_hint says: which application's login, of whom.
struct IdTokenHint {
  std::string client_id;  // aud
  std::string user_id;    // sub
  std::string grant_id;   // sid: the login (grant) the ID token was issued for
};

class LogoutService {
 public:
  LogoutService(GrantStore& grants, KeyService& keys, LoginSessions& sessions)
      : grants_(grants), keys_(keys), sessions_(sessions) {}

  // An ID token signed by one of atm's keys (retired ones too) and issued by
  // one of `issuers`; it may have expired (§2: the hint is often an old token).
  Result<IdTokenHint> ReadHint(const std::string& id_token, const std::vector<std::string>& issuers);
  // Ends session `session_id` (if live) and, when configured and the hint
  // named a login, revokes that login's refresh tokens.
  Status SignOut(const std::string& session_id, const IdTokenHint* hint);

 private:
  GrantStore& grants_;
  KeyService& keys_;
  LoginSessions& sessions_;
};

}  // namespace atm
