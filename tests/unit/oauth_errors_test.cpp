// The one table from error codes to HTTP statuses (RFC 6749 §5.2, RFC 6750
// §3.1) and the JSON error body.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "oauth/errors.h"

namespace atm {

TEST_CASE("each error code has its RFC status", "[errors]") {
  auto [code, status] = GENERATE(table<std::string, int>({
      {"invalid_request", 400},
      {"invalid_client", 401},
      {"invalid_grant", 400},
      {"unauthorized_client", 400},
      {"unsupported_grant_type", 400},
      {"invalid_scope", 400},
      {"access_denied", 403},
      {"invalid_token", 401},
      {"temporarily_unavailable", 503},
      {"server_error", 500},
  }));
  CAPTURE(code);
  CHECK(StatusFor(Error(code, "d")) == status);
  auto r = ErrorResponse(Error(code, "what to do"));
  CHECK(r.status == status);
  CHECK(r.Header("Cache-Control") == "no-store");
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["error"] == code);
  CHECK(body["error_description"] == "what to do");
}

TEST_CASE("an explicit status wins over the table (401 for bad credentials)", "[errors]") {
  CHECK(StatusFor(Error("invalid_grant", "the email or password is incorrect", "", 401)) == 401);
}

TEST_CASE("config errors never leak as such to clients", "[errors]") {
  auto r = ErrorResponse(Error("invalid_config", "x"));
  CHECK(r.status == 500);
  CHECK(nlohmann::json::parse(r.body)["error"] == "server_error");
}

}  // namespace atm
