// POST /revoke (RFC 7009) and POST /introspect (RFC 7662): form-encoded,
// client-authenticated token endpoints over domain/token_status.h.
#pragma once

#include "domain/token_status.h"
#include "http/router.h"
#include "oauth/deps.h"

namespace atm {

// RFC 7009 §2: any application may revoke its own tokens (a public one with
// its client_id alone). 200 also for unknown tokens (§2.2).
Handler MakeRevokeHandler(const OAuthDeps& deps, TokenStatusService& status, IssuerSet issuers);
// RFC 7662 §2: only an application that authenticates (a confidential one)
// may introspect, and it sees only its own tokens as active.
Handler MakeIntrospectHandler(const OAuthDeps& deps, TokenStatusService& status, IssuerSet issuers);

}  // namespace atm
