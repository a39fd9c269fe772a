// Malformed requests to POST /auth and POST /auth/token through the router:
// every one gets a 4xx JSON error, never a 500; accepted encodings work.
#include <catch2/catch.hpp>
#include <string>

#include "support/test_atm.h"

namespace atm {
using namespace atm::testing;

TEST_CASE("malformed bodies get a 4xx JSON error, never a 500", "[router]") {
  TestAtm atm;
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  const std::string deep_object = [] {
    std::string s;
    for (int i = 0; i < 5000; ++i) s += "{\"a\":";
    s += "1";
    for (int i = 0; i < 5000; ++i) s += "}";
    return s;
  }();
  const std::string huge(60 * 1024, 'A');
  const std::string json = "application/json";
  const std::string form = "application/x-www-form-urlencoded";
  auto [name, type, body] = GENERATE_COPY(table<std::string, std::string, std::string>({
      {"empty JSON body", json, ""},
      {"not JSON", json, "this is not json"},
      {"truncated JSON", json, R"({"clientId": "abc")"},
      {"JSON array", json, R"(["clientId", "OJJvmTmatjCOTuqBxur2"])"},
      {"JSON string", json, R"("hello")"},
      {"JSON number", json, "42"},
      {"JSON null", json, "null"},
      {"number for a string", json, R"({"clientId": 12345, "code": 1})"},
      {"object for a string", json, R"({"clientId": {"$ne": ""}})"},
      {"array for a string", json, R"({"clientId": ["OJJvmTmatjCOTuqBxur2"]})"},
      {"boolean for a string", json, R"({"clientId": true})"},
      {"null for every field", json,
       R"({"clientId": null, "clientSecret": null, "grant_types": null, "code": null, "code_verifier": null})"},
      {"deeply nested arrays", json, deep},
      {"deeply nested objects", json, deep_object},
      {"huge values", json, R"({"clientId": ")" + huge + R"(", "code": ")" + huge + R"("})"},
      {"huge key", json, "{\"" + huge + "\": 1}"},
      {"invalid UTF-8", json, "{\"clientId\": \"\xff\xfe\"}"},
      {"NUL inside a string", json, std::string("{\"clientId\": \"a\\u0000b\"}")},
      {"wrong content type", "text/plain", "clientId=x"},
      {"XML", "application/xml", "<clientId>x</clientId>"},
      {"no content type", "", R"({"clientId": "x"})"},
      {"multipart", "multipart/form-data; boundary=x", "--x--"},
      {"form duplicates", form, "clientId=a&clientId=b&grant_type=authorization_code"},
      {"form malformed escape", form, "clientId=%zz&grant_type=authorization_code"},
      {"form truncated escape", form, "clientId=%4"},
      {"form huge value", form, "clientId=" + huge + "&grant_type=refresh_token&refresh_token=" + huge},
      {"form without values", form, "&&&==&grant_type"},
      {"form invalid UTF-8", form, "clientId=%ff%fe&grant_type=authorization_code"},
  }));
  CAPTURE(name);
  for (const char* path : {"/auth", "/auth/token"}) {
    CAPTURE(path);
    auto r = atm.Post(path, type, body);
    INFO(r.body.substr(0, 300));
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    auto parsed = Json(r);
    CHECK(parsed["error"].is_string());
    CHECK(parsed["error_description"].is_string());
    CHECK(r.Header("Cache-Control") == "no-store");
  }
}

TEST_CASE("a wrong content type is 415", "[router]") {
  TestAtm atm;
  ExpectError(atm.Post("/auth/token", "text/plain", "grant_type=refresh_token"), 415, "invalid_request");
}

TEST_CASE("the token endpoint accepts form bodies and JSON with a charset", "[router]") {
  TestAtm atm;
  SECTION("form") {
    const std::string body = std::string("client_id=") + kClientId + "&client_secret=" + kClientSecret +
                             "&grant_type=authorization_code&code=" + atm.Login() + "&code_verifier=" + kVerifier;
    CHECK(atm.Post("/auth/token", "application/x-www-form-urlencoded", body).status == 200);
  }
  SECTION("JSON; charset=utf-8") {
    CHECK(atm.Post("/auth/token", "Application/JSON; charset=utf-8", TokenBody(atm.Login()).dump()).status == 200);
  }
}

}  // namespace atm
