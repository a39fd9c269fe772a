// Validation of an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3,
// OpenID Connect Core §3.1.2.1), apart from HTTP so that it can be tested as
// a table of cases.
//
// RFC 6749 §4.1.2.1 decides how a bad request is answered: while the client
// or the redirect URI is missing, unknown or not registered, the user gets an
// error page and is never redirected (an open redirector otherwise); once both
// are known good, every other error goes back to the client's redirect URI as
// ?error=...&error_description=...&state=...
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "domain/clients.h"

namespace atm {

struct AuthorizeOptions {
  bool allow_plain = false;  // config pkce.allow_plain
};

// A request that passed every check: what the login page needs.
struct AuthorizeRequest {
  ClientRecord client;
  std::string redirect_uri;  // where the answer goes
  // Whether the client sent redirect_uri (then the code is bound to it and
  // /token wants it again, RFC 6749 §4.1.3); when it did not, its only
  // registered URI is used.
  bool redirect_uri_given = false;
  std::string scope;
  std::string state;
  std::string nonce;
  std::string code_challenge;
  std::string code_challenge_method;  // "S256", or "plain" when allowed
  // OpenID Connect Core §3.1.2.1: prompt=none answers from the session or
  // with login_required; prompt=login shows the form even with a session;
  // max_age (seconds) shows it when the session's sign-in is older.
  bool prompt_none = false;
  bool prompt_login = false;
  std::optional<int64_t> max_age;
};

struct AuthorizeDecision {
  enum class Kind { kLogin, kErrorPage, kErrorRedirect };
  Kind kind = Kind::kErrorPage;
  AuthorizeRequest request;  // kLogin
  Error error;               // kErrorPage and kErrorRedirect: code and description
  std::string redirect_uri;  // kErrorRedirect
  std::string state;         // kErrorRedirect, echoed when the request had one
};

// `params` is the query string (GET) or the form body (POST), duplicates kept.
AuthorizeDecision ValidateAuthorizeRequest(const std::multimap<std::string, std::string>& params,
                                           ClientService& clients, const AuthorizeOptions& options);

// RFC 6749 §4.1.2.1: the redirect URI with error, error_description and state
// added to its query (keeping any query it already has).
std::string ErrorRedirectUrl(const std::string& redirect_uri, const Error& error, const std::string& state);

// The login page's address for a valid request, relative to /authorize so that
// it also works behind a reverse proxy that mounts atm under a path. With
// `start_session`, the page asks /auth for a session cookie (session=1).
std::string LoginPageUrl(const AuthorizeRequest& request, bool start_session);

}  // namespace atm
