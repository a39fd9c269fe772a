// Matching a redirect URI against an application's registered ones, and the
// web origins an application's redirect URIs imply (for CORS).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace atm {

// Exact string match (RFC 6749 §3.1.2.3, RFC 9700 §2.1), with one exception:
// a registered http redirect on a loopback IP literal (127.0.0.1 or [::1])
// matches the same URI with any port, since a native app listens on a port
// the system gives it (RFC 8252 §7.3).
bool MatchesRegisteredRedirect(const std::vector<std::string>& registered, std::string_view uri);

// "scheme://host[:port]" of an http(s) URL, scheme and host in lower case and
// the scheme's default port left out (the serialization of an origin, RFC
// 6454 §6.2); "" for any other URL.
std::string OriginOf(std::string_view url);

}  // namespace atm
