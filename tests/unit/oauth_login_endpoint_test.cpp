// GET /login through the router (README "The flow by hand, with curl"): the
// login page for a valid link, an error page (never a redirect) for a bad one,
// and escaping.
#include <catch2/catch.hpp>
#include <string>

#include "support/test_atm.h"

namespace atm {
using namespace atm::testing;

TEST_CASE("GET /login serves the login page for a known client with a challenge", "[router]") {
  TestAtm atm;
  auto r = atm.Get(std::string("/login?clientId=") + kClientId + "&code_challenge=" + kS256Challenge +
                   "&code_challenge_method=S256&state=xyz");
  REQUIRE(r.status == 200);
  CHECK(r.content_type.rfind("text/html", 0) == 0);
  CHECK(r.body.find("Demo SPA") != std::string::npos);
  CHECK(r.body.find("id=\"email\"") != std::string::npos);
  CHECK(r.body.find("id=\"password\"") != std::string::npos);
  CHECK(r.Header("Content-Security-Policy").find("default-src 'none'") != std::string::npos);
  CHECK(r.Header("X-Frame-Options") == "DENY");
}

TEST_CASE("GET /login shows an error page, never a redirect, for a bad link", "[router]") {
  TestAtm atm;
  const std::string ok_challenge = std::string("&code_challenge=") + kS256Challenge + "&code_challenge_method=S256";
  auto [name, target] = GENERATE_COPY(table<std::string, std::string>({
      {"unknown client", "/login?clientId=nope" + ok_challenge},
      {"no client", "/login?code_challenge=" + std::string(kS256Challenge) + "&code_challenge_method=S256"},
      {"missing challenge", std::string("/login?clientId=") + kClientId + "&code_challenge_method=S256"},
      {"missing method", std::string("/login?clientId=") + kClientId + "&code_challenge=" + kS256Challenge},
      {"plain method",
       std::string("/login?clientId=") + kClientId + "&code_challenge=" + kVerifier + "&code_challenge_method=plain"},
      {"malformed query", std::string("/login?clientId=%zz") + ok_challenge},
      {"duplicate clientId", std::string("/login?clientId=") + kClientId + "&clientId=x" + ok_challenge},
      {"unregistered redirect_uri",
       std::string("/login?clientId=") + kClientId + ok_challenge + "&redirect_uri=https%3A%2F%2Fevil.example%2F"},
  }));
  CAPTURE(name);
  auto r = atm.Get(target);
  CHECK(r.status == 400);
  CHECK(r.content_type.rfind("text/html", 0) == 0);
  CHECK(r.Header("Location").empty());
  CHECK(r.body.find("<form") == std::string::npos);
}

TEST_CASE("the login and error pages escape what they show", "[router]") {
  TestAtm atm;
  auto r = atm.Get("/login?clientId=%3Cscript%3Ealert(1)%3C%2Fscript%3E&code_challenge=x");
  CHECK(r.status == 400);
  CHECK(r.body.find("<script>alert(1)") == std::string::npos);
  CHECK(r.body.find("&lt;script&gt;") != std::string::npos);
}

}  // namespace atm
