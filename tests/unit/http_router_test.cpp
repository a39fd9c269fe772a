// The router (exact path + method, 404/405 as JSON, HEAD as GET, one
// catch-all for exceptions) and the response helpers.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "http/responses.h"
#include "http/router.h"

namespace atm {
namespace {

HttpRequest Request(const std::string& method, const std::string& path) {
  HttpRequest r;
  r.method = method;
  r.path = path;
  return r;
}

}  // namespace

TEST_CASE("the router dispatches on exact path and method", "[http]") {
  Router router;
  router.Add("GET", "/a", [](const HttpRequest&) { return JsonResponse(200, {{"route", "get a"}}); });
  router.Add("POST", "/a", [](const HttpRequest&) { return JsonResponse(201, {{"route", "post a"}}); });
  CHECK(router.Handle(Request("GET", "/a")).status == 200);
  CHECK(router.Handle(Request("POST", "/a")).status == 201);
  CHECK(router.Handle(Request("HEAD", "/a")).status == 200);
  auto missing = router.Handle(Request("GET", "/a/"));
  CHECK(missing.status == 404);
  CHECK(nlohmann::json::parse(missing.body)["error"] == "not_found");
  auto wrong = router.Handle(Request("DELETE", "/a"));
  CHECK(wrong.status == 405);
  CHECK(wrong.Header("Allow") == "GET, POST");
}

TEST_CASE("an exception in a handler becomes an opaque 500 server_error", "[http]") {
  Router router;
  router.Add("GET", "/boom",
             [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("secret internal detail"); });
  router.Add("GET", "/int", [](const HttpRequest&) -> HttpResponse { throw 42; });
  for (const char* path : {"/boom", "/int"}) {
    auto r = router.Handle(Request("GET", path));
    CHECK(r.status == 500);
    auto body = nlohmann::json::parse(r.body);
    CHECK(body["error"] == "server_error");
    CHECK(r.body.find("secret internal detail") == std::string::npos);
  }
}

TEST_CASE("JSON responses are no-store and survive invalid UTF-8", "[http]") {
  auto r = ErrorResponse(InvalidRequest(std::string("bad \xff value"), "clientId"));
  CHECK(r.content_type == "application/json");
  CHECK(r.Header("Cache-Control") == "no-store");
  CHECK(r.Header("Pragma") == "no-cache");
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["error"] == "invalid_request");
  CHECK(body["field"] == "clientId");
}

TEST_CASE("HTML responses carry a strict CSP and escaping covers the five specials", "[http]") {
  auto r = HtmlResponse(200, "<p>x</p>");
  CHECK(r.content_type == "text/html; charset=utf-8");
  CHECK(r.Header("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  CHECK(r.Header("Content-Security-Policy").find("frame-ancestors 'none'") != std::string::npos);
  CHECK(HtmlEscape("<a href=\"x\" title='y'>&</a>") == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

}  // namespace atm
