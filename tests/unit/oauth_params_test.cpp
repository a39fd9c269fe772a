// Request parameters from JSON, form bodies and query strings: strings only,
// no duplicates, bounded nesting, and a clear error for anything else.
#include <catch2/catch.hpp>

#include "oauth/params.h"

namespace atm {
namespace {

HttpRequest Body(const std::string& content_type, const std::string& body) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/auth";
  if (!content_type.empty()) r.headers["content-type"] = content_type;
  r.body = body;
  return r;
}

}  // namespace

TEST_CASE("JSON objects of strings become parameters; null means absent", "[params]") {
  auto p = ParseBody(Body("application/json", R"({"clientId":"abc","code":"x y","state":null})"));
  REQUIRE(p.ok());
  CHECK(p->Get("clientId") == "abc");
  CHECK(p->Get("code") == "x y");
  CHECK_FALSE(p->Has("state"));
}

TEST_CASE("form bodies and query strings decode the same way", "[params]") {
  auto p = ParseBody(Body("application/x-www-form-urlencoded; charset=UTF-8", "client_id=a%2Bb&scope=openid+email"));
  REQUIRE(p.ok());
  CHECK(p->Get("client_id") == "a+b");
  CHECK(p->Get("scope") == "openid email");
  HttpRequest q;
  q.query_string = "clientId=abc&state=x%20y";
  auto query = ParseQuery(q);
  REQUIRE(query.ok());
  CHECK(query->First({"client_id", "clientId"}) == "abc");
  CHECK(query->Get("state") == "x y");
}

TEST_CASE("an empty body without a content type is no parameters", "[params]") {
  auto p = ParseBody(Body("", ""));
  REQUIRE(p.ok());
  CHECK(p->values().empty());
}

TEST_CASE("bad bodies are invalid_request naming the problem", "[params]") {
  auto [name, type, body, status, needle] = GENERATE(table<std::string, std::string, std::string, int, std::string>({
      {"not JSON", "application/json", "{", 400, "not valid JSON"},
      {"array", "application/json", "[]", 400, "must be an object"},
      {"number value", "application/json", R"({"code": 5})", 400, "code must be a string"},
      {"object value", "application/json", R"({"code": {}})", 400, "code must be a string"},
      {"too deep", "application/json", std::string(17, '[') + std::string(17, ']'), 400, "nested too deeply"},
      {"deep inside a value", "application/json", R"({"a": )" + std::string(20, '[') + std::string(20, ']') + "}", 400,
       "nested too deeply"},
      {"duplicate form field", "application/x-www-form-urlencoded", "code=a&code=b", 400, "more than once"},
      {"bad escape", "application/x-www-form-urlencoded", "code=%zz", 400, "malformed"},
      {"text/plain", "text/plain", "code=a", 415, "Content-Type"},
      {"no content type with a body", "", "code=a", 415, "Content-Type"},
  }));
  CAPTURE(name);
  auto p = ParseBody(Body(type, body));
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().wire_name() == "invalid_request");
  CHECK(p.error().status() == status);
  CHECK(p.error().description.find(needle) != std::string::npos);
}

TEST_CASE("brackets inside JSON strings do not count as nesting", "[params]") {
  auto p = ParseBody(Body("application/json", R"({"state": ")" + std::string(100, '[') + R"(\"]"})"));
  REQUIRE(p.ok());
  CHECK(p->Get("state") == std::string(100, '[') + "\"]");
}

TEST_CASE("First returns the first alias present, even when empty", "[params]") {
  Params p({{"grantType", "refresh_token"}, {"grant_types", "authorization_code"}});
  CHECK(p.First({"grant_type", "grant_types", "grantType"}) == "authorization_code");
  CHECK(p.First({"nope"}).empty());
}

}  // namespace atm
