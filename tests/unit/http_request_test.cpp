// HttpRequest's helpers: the Bearer credentials of the Authorization header,
// shared by the admin API, the metrics endpoint and the OAuth endpoints.
#include <catch2/catch.hpp>

#include "http/http.h"

namespace atm {

TEST_CASE("BearerCredentials: the token of a Bearer header, the scheme in any case", "[http]") {
  struct Case {
    const char* header;  // nullptr: no Authorization header
    std::optional<std::string> token;
  };
  for (const auto& c : std::vector<Case>{
           {nullptr, std::nullopt},
           {"Bearer abc", "abc"},
           {"bearer abc", "abc"},
           {"BEARER  abc ", "abc"},
           {"Basic YTpi", ""},
           {"Bearer", ""},
           {"Bearer ", ""},
           {"Bearerabc", ""},
           {"", ""},
       }) {
    INFO((c.header ? c.header : "(none)"));
    HttpRequest r;
    if (c.header) r.headers["authorization"] = c.header;
    CHECK(r.BearerCredentials() == c.token);
  }
}

}  // namespace atm
