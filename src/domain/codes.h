// Authorization codes (RFC 6749 §4.1.2, RFC 7636): minted after a login, bound
// to client, user, PKCE challenge and redirect URI, redeemed once.
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/result.h"
#include "crypto/pkce.h"
#include "store/grant_store.h"

namespace atm {

struct CodeRequest {
  std::string client_id;
  std::string user_id;
  std::string challenge;
  PkceMethod method = PkceMethod::kS256;
  std::string redirect_uri;  // the one the client sent; empty in the ATM flow
  std::string scope;
  std::string nonce;
  std::string session_id;
  int64_t auth_time = 0;
  // The sign-in's audit event, written with the code (one transaction).
  std::optional<AuditEvent> audit;
};

struct Redemption {
  std::string code;
  std::string client_id;
  std::string code_verifier;
  std::string redirect_uri;  // required when the code was bound to one
  // The ATM endpoint's verifier rule: for codes with an ATM method (SHA256,
  // SHA512) any printable verifier, as ATM takes. Otherwise, and for S256 and
  // plain codes always, RFC 7636 §4.1 (43 to 128 unreserved characters).
  bool atm_verifier_rule = false;
};

class CodeService {
 public:
  CodeService(GrantStore& store, const Clock& clock, int64_t ttl_seconds)
      : store_(store), clock_(clock), ttl_(ttl_seconds) {}

  // Returns the plain code (50 x [A-Za-z0-9]); only its hash is stored.
  Result<std::string> Issue(const CodeRequest& request);
  // Checks the code (unused, unexpired) and its binding to client, redirect
  // URI and verifier, and returns it unspent: TokenService::IssueForCode
  // spends it together with the grant it starts (GrantStore::RedeemCode), in one
  // transaction after signing. A failed check spends it, so a verifier cannot
  // be tried twice; a code presented again revokes what it issued.
  Result<CodeRecord> Redeem(const Redemption& redemption);

  // Codes presented again (each revokes what it issued), and after their expiry.
  uint64_t replayed() const { return replayed_.value(); }
  uint64_t expired() const { return expired_.value(); }

 private:
  GrantStore& store_;
  const Clock& clock_;
  int64_t ttl_;
  Counter replayed_;
  Counter expired_;
};

}  // namespace atm
