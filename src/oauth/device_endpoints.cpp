#include "oauth/device_endpoints.h"

#include "crypto/encoding.h"
#include "domain/claims.h"
#include "domain/validation.h"
#include "http/responses.h"
#include "oauth/client_auth.h"
#include "oauth/login_session.h"
#include "oauth/pages.h"
#include "oauth/params.h"
#include "oauth/password_sign_in.h"

namespace atm {
namespace {

// §3.1-3.2: a client allowed the grant starts a request.
Handler MakeDeviceAuthorizationHandler(const OAuthDeps& deps, const std::string& issuer) {
  return [&deps, issuer](const HttpRequest& request) -> HttpResponse {
    auto params = ParseFormBody(request);
    if (!params) return ErrorResponse(params.error());
    auto credentials = ExtractClientCredentials(request, *params);
    if (!credentials) return ClientAuthFailure(credentials.error(), false);
    auto client = deps.clients.Authenticate(credentials->client_id, credentials->client_secret,
                                            /*secret_required=*/true);
    if (!client) return ClientAuthFailure(client.error(), credentials->basic);
    if (!client->device_grant) {
      return ErrorResponse(Error(ErrorCode::kUnauthorizedClient,
                                 "this application may not use the device authorization grant (see its "
                                 "device_grant setting)"));
    }
    const std::string scope = params->Get("scope");
    if (auto s = CheckScopes(scope); !s) return ErrorResponse(s.error());
    auto started = deps.devices.Start(client->id, scope);
    if (!started) return ErrorResponse(started.error());
    const std::string page = issuer + "/device";
    return JsonResponse(200, {{"device_code", started->device_code},
                              {"user_code", started->user_code},
                              {"verification_uri", page},
                              {"verification_uri_complete", page + "?user_code=" + started->user_code},
                              {"expires_in", started->expires_in},
                              {"interval", started->interval}});
  };
}

// The page's calls: JSON from atm's own page only.
Result<Params> PageParams(const HttpRequest& request) {
  if (!FromOwnPage(request)) {
    return Error(ErrorCode::kAccessDenied, "only atm's device page may call this: open /device in a browser");
  }
  return ParseBody(request);
}

// Admits a guess of a user code like a sign-in (RFC 8628 §5.1: the user code
// is short, so guessing is throttled per client network), and finds it.
struct CodeCheck {
  std::optional<DeviceCodeRecord> record;
  HttpResponse refusal;
};
CodeCheck CheckUserCode(const OAuthDeps& deps, Throttle& throttle, const HttpRequest& request,
                        const std::string& typed) {
  if (Trim(typed).empty()) return {std::nullopt, ErrorResponse(InvalidRequest("user_code is required", "user_code"))};
  Throttle::Attempt attempt = throttle.Admit("device\n" + NormalizeUserCode(typed), request.remote_addr);
  if (!attempt.allowed()) return {std::nullopt, ThrottledResponse(attempt.retry_after())};
  auto found = deps.devices.FindPending(typed);
  if (!found) {
    if (found.error().Is(ErrorCode::kInvalidGrant)) attempt.Failed();
    return {std::nullopt, ErrorResponse(found.error())};
  }
  attempt.Succeeded();
  return {std::move(*found), {}};
}

Handler MakeCodeHandler(const OAuthDeps& deps, Throttle& throttle) {
  return [&deps, &throttle](const HttpRequest& request) -> HttpResponse {
    auto params = PageParams(request);
    if (!params) return ErrorResponse(params.error());
    CodeCheck check = CheckUserCode(deps, throttle, request, params->Get("user_code"));
    if (!check.record) return check.refusal;
    auto client = deps.clients.FindActive(check.record->client_id);
    if (!client) return ErrorResponse(client.error());
    return JsonResponse(200, {{"user_code", FormatUserCode(NormalizeUserCode(params->Get("user_code")))},
                              {"application", client->name},
                              {"scope", check.record->scope}});
  };
}

Handler MakeSignInHandler(const OAuthDeps& deps, Throttle& throttle, AuditService& audit) {
  return [&deps, &throttle, &audit](const HttpRequest& request) -> HttpResponse {
    auto params = PageParams(request);
    if (!params) return ErrorResponse(params.error());
    const std::string typed_code = params->Get("user_code");
    const std::string login = params->First({"loginId", "email", "username"});
    const std::string password = params->Get("password");
    if (login.empty()) return ErrorResponse(InvalidRequest("loginId is required", "loginId"));
    if (password.empty()) return ErrorResponse(InvalidRequest("password is required", "password"));
    CodeCheck check = CheckUserCode(deps, throttle, request, typed_code);
    if (!check.record) return check.refusal;
    const std::string& client_id = check.record->client_id;
    SignInResult signed_in =
        SignInWithPassword(deps, throttle, audit, {client_id, login, password, false, request.remote_addr});
    if (!signed_in.user) return signed_in.refusal;
    const UserRecord& user = *signed_in.user;
    AuditEvent event = audit.SignInSucceeded(client_id, Trim(login), user.id, request.remote_addr);
    auto ticket = deps.devices.BindUser(typed_code, user.id, deps.clock.Now(), &event);
    if (!ticket) return ErrorResponse(ticket.error());
    return JsonResponse(200, {{"ticket", *ticket}, {"user", user.email}});
  };
}

Handler MakeDecisionHandler(const OAuthDeps& deps) {
  return [&deps](const HttpRequest& request) -> HttpResponse {
    auto params = PageParams(request);
    if (!params) return ErrorResponse(params.error());
    const std::string decision = params->Get("decision");
    if (decision != "allow" && decision != "deny") {
      return ErrorResponse(InvalidRequest("decision must be \"allow\" or \"deny\"", "decision"));
    }
    const bool approved = decision == "allow";
    auto pending = deps.devices.FindPending(params->Get("user_code"));
    if (!pending) return ErrorResponse(pending.error());
    AuditEvent event = NewAuditEvent(approved ? audit_kind::kDeviceApprove : audit_kind::kDeviceDeny,
                                     Actor{pending->user_id, request.remote_addr}, deps.clock.Now());
    event.client_id = pending->client_id;
    event.subject = pending->user_id;
    event.address = request.remote_addr;
    event.outcome = approved ? "approved" : "denied";
    auto decided = deps.devices.Decide(params->Get("user_code"), params->Get("ticket"), approved, &event);
    if (!decided) return ErrorResponse(decided.error());
    return JsonResponse(200, {{"approved", approved}});
  };
}

}  // namespace

void RegisterDeviceRoutes(Router& router, const OAuthDeps& deps, Throttle& throttle, AuditService& audit,
                          const std::string& issuer) {
  router.Add("POST", "/device_authorization", MakeDeviceAuthorizationHandler(deps, issuer));
  router.Add("GET", "/device", [](const HttpRequest&) { return DevicePage(); });
  router.Add("POST", "/device/code", MakeCodeHandler(deps, throttle));
  router.Add("POST", "/device/signin", MakeSignInHandler(deps, throttle, audit));
  router.Add("POST", "/device/decide", MakeDecisionHandler(deps));
}

}  // namespace atm
