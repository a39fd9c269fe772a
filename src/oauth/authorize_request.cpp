#include "oauth/authorize_request.h"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

#include "crypto/pkce.h"
#include "domain/claims.h"
#include "domain/redirect_uris.h"
#include "http/url.h"

namespace atm {
namespace {

constexpr size_t kMaxNonce = 512;
constexpr size_t kMaxState = 2048;

using Multimap = std::multimap<std::string, std::string>;

std::string Value(const Multimap& params, const std::string& name) {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

AuthorizeDecision ErrorPageDecision(Error error) {
  AuthorizeDecision d;
  d.kind = AuthorizeDecision::Kind::kErrorPage;
  d.error = std::move(error);
  return d;
}

bool IsNonNegativeInteger(const std::string& s) {
  return !s.empty() && s.size() <= 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// The checks that run once the client and redirect URI are known good; their
// errors are redirected. Fills `out` and returns Ok() when all pass.
Status CheckRequest(const Multimap& params, const AuthorizeOptions& options, AuthorizeRequest& out) {
  // RFC 6749 §3.1: no parameter may be sent twice.
  for (auto it = params.begin(); it != params.end(); it = params.upper_bound(it->first)) {
    if (params.count(it->first) > 1) return InvalidRequest(it->first + " is given more than once", it->first);
  }
  // OpenID Connect Core §6: request objects are not supported.
  if (params.count("request")) return Error(ErrorCode::kRequestNotSupported, "request objects are not supported");
  if (params.count("request_uri")) return Error(ErrorCode::kRequestUriNotSupported, "request_uri is not supported");
  if (params.count("registration")) {
    return Error(ErrorCode::kRegistrationNotSupported, "the registration parameter is not supported");
  }
  const std::string response_type = Value(params, "response_type");
  if (response_type.empty()) return InvalidRequest("response_type is required (use \"code\")", "response_type");
  if (response_type != "code") {
    return Error(ErrorCode::kUnsupportedResponseType, "response_type must be \"code\" (the authorization code flow)");
  }
  if (params.count("response_mode") && Value(params, "response_mode") != "query") {
    return InvalidRequest("response_mode must be \"query\"", "response_mode");
  }
  // RFC 6749 §3.3: atm knows openid, profile and email; anything else is refused.
  out.scope = Value(params, "scope");
  if (auto s = CheckScopes(out.scope); !s) return s.error();
  if (HasScope(out.scope, "openid") && !out.redirect_uri_given) {
    // OpenID Connect Core §3.1.2.1.
    return InvalidRequest("redirect_uri is required in an OpenID Connect request", "redirect_uri");
  }
  // RFC 7636 §4.3, RFC 9700 §2.1.1: PKCE is required; plain only when enabled.
  out.code_challenge = Value(params, "code_challenge");
  if (out.code_challenge.empty()) {
    return InvalidRequest("code_challenge is required (PKCE, RFC 7636)", "code_challenge");
  }
  // RFC 7636 §4.3: an absent method means plain.
  if (!params.count("code_challenge_method") && !options.allow_plain) {
    return InvalidRequest("code_challenge_method is required (S256)", "code_challenge_method");
  }
  out.code_challenge_method = params.count("code_challenge_method") ? Value(params, "code_challenge_method") : "plain";
  const bool known_method =
      out.code_challenge_method == "S256" || (out.code_challenge_method == "plain" && options.allow_plain);
  if (!known_method) {
    return InvalidRequest(std::string("code_challenge_method must be S256") + (options.allow_plain ? " or plain" : ""),
                          "code_challenge_method");
  }
  auto method = ParsePkceMethod(out.code_challenge_method, options.allow_plain);
  if (!method) return InvalidRequest(method.error().description, "code_challenge_method");
  if (auto s = ValidateChallenge(*method, out.code_challenge); !s) {
    return InvalidRequest(s.error().description, "code_challenge");
  }
  out.nonce = Value(params, "nonce");
  if (out.nonce.size() > kMaxNonce) {
    return InvalidRequest("nonce must be at most " + std::to_string(kMaxNonce) + " characters", "nonce");
  }
  if (out.state.size() > kMaxState) {
    return InvalidRequest("state must be at most " + std::to_string(kMaxState) + " characters", "state");
  }
  if (params.count("max_age")) {
    if (!IsNonNegativeInteger(Value(params, "max_age"))) {
      return InvalidRequest("max_age must be a number of seconds", "max_age");
    }
    out.max_age = std::stoll(Value(params, "max_age"));
  }
  // OpenID Connect Core §3.1.2.1: none, login, consent, select_account.
  std::vector<std::string> prompts;
  std::istringstream prompt(Value(params, "prompt"));
  for (std::string p; prompt >> p;) prompts.push_back(p);
  auto has = [&](const char* p) { return std::find(prompts.begin(), prompts.end(), p) != prompts.end(); };
  out.prompt_none = has("none");
  out.prompt_login = has("login");
  if (out.prompt_none && prompts.size() > 1) {
    return InvalidRequest("prompt=none cannot be combined with other values", "prompt");
  }
  return Ok();
}

}  // namespace

AuthorizeDecision ValidateAuthorizeRequest(const Multimap& params, ClientService& clients,
                                           const AuthorizeOptions& options) {
  // Until the client and redirect URI are known good: error pages only.
  if (params.count("client_id") > 1) return ErrorPageDecision(InvalidRequest("client_id is given more than once."));
  const std::string client_id = Value(params, "client_id");
  if (client_id.empty()) {
    return ErrorPageDecision(InvalidRequest("The request has no client_id: it must name an application."));
  }
  auto client = clients.FindActive(client_id);
  if (!client) {
    if (client.error().Is(ErrorCode::kInvalidClient)) {
      return ErrorPageDecision(InvalidClient("No active application has the client_id \"" + client_id + "\"."));
    }
    return ErrorPageDecision(client.error());
  }
  if (params.count("redirect_uri") > 1) {
    return ErrorPageDecision(InvalidRequest("redirect_uri is given more than once."));
  }
  AuthorizeRequest request;
  request.client = *client;
  request.redirect_uri = Value(params, "redirect_uri");
  request.redirect_uri_given = !request.redirect_uri.empty();
  if (request.redirect_uri_given) {
    // RFC 6749 §3.1.2.3, RFC 9700 §2.1: exact string match, no patterns (but
    // any port on a loopback redirect, RFC 8252 §7.3).
    if (!MatchesRegisteredRedirect(request.client.redirect_urls, request.redirect_uri)) {
      return ErrorPageDecision(
          InvalidRequest("The redirect_uri \"" + request.redirect_uri + "\" is not registered for this application."));
    }
  } else if (request.client.redirect_urls.size() == 1) {
    request.redirect_uri = request.client.redirect_urls.front();  // RFC 6749 §3.1.2.3
  } else {
    return ErrorPageDecision(
        InvalidRequest("The request has no redirect_uri, and the application has several registered: name one."));
  }
  request.state = Value(params, "state");
  if (auto s = CheckRequest(params, options, request); !s) {
    AuthorizeDecision d;
    d.kind = AuthorizeDecision::Kind::kErrorRedirect;
    d.error = s.error();
    d.redirect_uri = request.redirect_uri;
    d.state = params.count("state") == 1 ? request.state : std::string();
    return d;
  }
  AuthorizeDecision d;
  d.kind = AuthorizeDecision::Kind::kLogin;
  d.request = std::move(request);
  return d;
}

std::string ErrorRedirectUrl(const std::string& redirect_uri, const Error& error, const std::string& state) {
  std::string url = redirect_uri;
  AppendQuery(url, "error", error.wire_name());
  if (!error.description.empty()) AppendQuery(url, "error_description", error.description);
  if (!state.empty()) AppendQuery(url, "state", state);
  return url;
}

std::string LoginPageUrl(const AuthorizeRequest& r, bool start_session) {
  std::string url = "login?clientId=" + PercentEncode(r.client.id) +
                    "&code_challenge=" + PercentEncode(r.code_challenge) +
                    "&code_challenge_method=" + PercentEncode(r.code_challenge_method);
  if (r.redirect_uri_given) url += "&redirect_uri=" + PercentEncode(r.redirect_uri);
  if (!r.scope.empty()) url += "&scope=" + PercentEncode(r.scope);
  if (!r.nonce.empty()) url += "&nonce=" + PercentEncode(r.nonce);
  if (!r.state.empty()) url += "&state=" + PercentEncode(r.state);
  if (start_session) url += "&session=1";
  return url;
}

}  // namespace atm
