// Redirect URI matching (RFC 6749 §3.1.2.3, RFC 8252 §7.3) and web origins.
#include <catch2/catch.hpp>

#include "domain/redirect_uris.h"

namespace atm {

TEST_CASE("redirect URIs match exactly, except a loopback one, which takes any port", "[redirect]") {
  const std::vector<std::string> registered = {"https://app.example.com/cb", "http://127.0.0.1/callback",
                                               "http://[::1]:8000/cb?x=1", "com.example.app:/oauth"};
  auto [uri, match] = GENERATE(table<std::string, bool>({
      {"https://app.example.com/cb", true},
      {"https://app.example.com:8443/cb", false},  // not loopback: exact only
      {"https://app.example.com/cb/", false},
      {"https://APP.example.com/cb", false},
      {"http://127.0.0.1/callback", true},
      {"http://127.0.0.1:51234/callback", true},  // RFC 8252 §7.3
      {"http://127.0.0.1:1/callback", true},
      {"http://127.0.0.1:51234/callback2", false},
      {"http://127.0.0.1:51234/callback?x=1", false},
      {"https://127.0.0.1:51234/callback", false},
      {"http://localhost:51234/callback", false},
      {"http://127.0.0.2:51234/callback", false},
      {"http://127.0.0.1:51234@evil.example/callback", false},
      {"http://127.0.0.1:port/callback", false},
      {"http://[::1]:40000/cb?x=1", true},
      {"http://[::1]/cb?x=1", true},
      {"http://[::1]:40000/cb", false},
      {"com.example.app:/oauth", true},
      {"com.example.app:/oauth2", false},
  }));
  CAPTURE(uri);
  CHECK(MatchesRegisteredRedirect(registered, uri) == match);
}

TEST_CASE("the origin of a URL is scheme, host and a non-default port", "[redirect]") {
  CHECK(OriginOf("https://App.Example.com/cb?x=1") == "https://app.example.com");
  CHECK(OriginOf("https://app.example.com:443/cb") == "https://app.example.com");
  CHECK(OriginOf("http://localhost:3000/callback") == "http://localhost:3000");
  CHECK(OriginOf("http://localhost:80") == "http://localhost");
  CHECK(OriginOf("http://[::1]:8080/") == "http://[::1]:8080");
  CHECK(OriginOf("com.example.app:/oauth").empty());
  CHECK(OriginOf("myapp://callback").empty());
}

}  // namespace atm
