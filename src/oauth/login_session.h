// The browser side of sign-in sessions (domain/login_sessions.h): the
// atm_session cookie, and when a session may answer a login request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/login_sessions.h"
#include "http/http.h"
#include "oauth/deps.h"

namespace atm {

inline constexpr const char* kSessionCookie = "atm_session";

// Whom a login request for `client_id` is answered for without the form:
// the application's auto-login user (testing), else, when `use_session`,
// the browser session's sign-in if sessions are on, it is live, its user
// still exists and is enabled, and it is at most `max_age` seconds old.
// None, or an error (temporarily_unavailable when the database cannot tell)
// for the caller's error redirect.
Result<std::optional<SessionSignIn>> SignedInAlready(const OAuthDeps& deps, const HttpRequest& request,
                                                     const std::string& client_id, bool use_session,
                                                     std::optional<int64_t> max_age);

// Issues a code for the session's sign-in (`code` names everything but the
// user and auth_time) and sends the browser to `target` with ?code=&state=,
// as the login page would; an error goes to `target` as an error redirect.
HttpResponse AnswerFromSession(const OAuthDeps& deps, const SessionSignIn& sign_in, CodeRequest code,
                               const std::string& target, const std::string& state);

// Whether a request comes from a page of atm's own origin (the login page's
// fetch): Sec-Fetch-Site, or else Origin against Host.
bool FromOwnPage(const HttpRequest& request);

// Set-Cookie values: the session `id` for its lifetime, or its removal.
std::string SessionCookie(const OAuthDeps& deps, const HttpRequest& request, const std::string& id);
std::string ExpiredSessionCookie(const OAuthDeps& deps, const HttpRequest& request);

}  // namespace atm
