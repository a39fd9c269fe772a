#include "domain/codes.h"

#include "crypto/encoding.h"
#include "domain/ids.h"

namespace atm {

Result<std::string> CodeService::Issue(const CodeRequest& r) {
  std::string code = NewAuthorizationCode();
  CodeRecord rec;
  rec.hash = HashSecret(code);
  rec.client_id = r.client_id;
  rec.user_id = r.user_id;
  rec.challenge = r.challenge;
  rec.method = PkceMethodName(r.method);
  rec.redirect_uri = r.redirect_uri;
  rec.scope = r.scope;
  rec.nonce = r.nonce;
  rec.session_id = r.session_id;
  rec.auth_time = r.auth_time;
  rec.expires_at = clock_.Now() + ttl_;
  if (auto s = store_.SaveCode(rec, r.audit ? &*r.audit : nullptr); !s) return s.error();
  return code;
}

Result<CodeRecord> CodeService::Redeem(const Redemption& r) {
  if (r.code.empty()) return InvalidRequest("code is required", "code");
  // The shape is checked before the lookup, and a malformed verifier does
  // not spend the code: it is no guess at the challenge.
  if (auto s = r.atm_verifier_rule ? ValidateAtmVerifier(r.code_verifier) : ValidateVerifier(r.code_verifier); !s) {
    return s.error();
  }
  const std::string hash = HashSecret(r.code);
  const int64_t now = clock_.Now();
  auto code = store_.FindUnusedCode(hash, now);
  if (!code && code.error().Is(ErrorCode::kCodeUsed)) {
    replayed_.Add();
    // Presented again: SpendCode revokes what it issued, and says so.
    auto s = store_.SpendCode(hash, now);
    return s ? InvalidGrant("the authorization code was already used") : s.error();
  }
  if (!code && code.error().Is(ErrorCode::kCodeExpired)) {
    expired_.Add();
    return InvalidGrant(code.error().description);
  }
  if (!code) return code;
  auto refuse = [&](const std::string& why) -> Error {
    // The failed attempt spends the code: a verifier cannot be tried twice.
    if (auto s = store_.SpendCode(hash, now); !s) return s.error();
    return InvalidGrant(why);
  };
  // RFC 6749 §4.1.3: the code must have been issued to this client.
  if (code->client_id != r.client_id) return refuse("the authorization code was issued to another client");
  // RFC 6749 §4.1.3: the redirect_uri must be identical to the authorization request's.
  if (!code->redirect_uri.empty() && code->redirect_uri != r.redirect_uri) {
    return refuse("redirect_uri does not match the one of the authorization request");
  }
  auto method = ParsePkceMethod(code->method, /*allow_plain=*/true);
  if (method && r.atm_verifier_rule && !IsAtmMethod(*method)) {
    if (auto s = ValidateVerifier(r.code_verifier); !s) return s.error();  // RFC 7636 §4.1
  }
  // RFC 7636 §4.6.
  if (!method || !VerifyPkce(*method, r.code_verifier, code->challenge)) {
    return refuse("code_verifier does not match the code_challenge");
  }
  return code;
}

}  // namespace atm
