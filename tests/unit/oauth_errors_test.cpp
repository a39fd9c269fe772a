// The one error table (core/error.h): each code's wire name and HTTP status,
// and the JSON error body built from an Error.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http/responses.h"

namespace atm {

TEST_CASE("each error code answers its RFC wire name and status", "[errors]") {
  auto [code, wire, status] = GENERATE(table<ErrorCode, std::string, int>({
      {ErrorCode::kInvalidRequest, "invalid_request", 400},
      {ErrorCode::kInvalidClient, "invalid_client", 401},
      {ErrorCode::kInvalidGrant, "invalid_grant", 400},
      {ErrorCode::kUnauthorizedClient, "unauthorized_client", 400},
      {ErrorCode::kUnsupportedGrantType, "unsupported_grant_type", 400},
      {ErrorCode::kInvalidScope, "invalid_scope", 400},
      {ErrorCode::kAccessDenied, "access_denied", 403},
      {ErrorCode::kInvalidToken, "invalid_token", 401},
      {ErrorCode::kInsufficientScope, "insufficient_scope", 403},
      {ErrorCode::kTemporarilyUnavailable, "temporarily_unavailable", 503},
      {ErrorCode::kServerError, "server_error", 500},
      // atm's own codes that share an RFC wire name
      {ErrorCode::kInvalidCredentials, "invalid_grant", 401},
      {ErrorCode::kTooManyAttempts, "temporarily_unavailable", 429},
      {ErrorCode::kUnsupportedMediaType, "invalid_request", 415},
      {ErrorCode::kPayloadTooLarge, "invalid_request", 413},
      {ErrorCode::kCodeUsed, "invalid_grant", 400},
      {ErrorCode::kMissingToken, "invalid_token", 401},
      {ErrorCode::kNotFound, "not_found", 404},
      {ErrorCode::kConflict, "conflict", 409},
  }));
  CAPTURE(wire, status);
  auto r = ErrorResponse(Error(code, "what to do", "field_x"));
  CHECK(r.status == status);
  CHECK(r.Header("Cache-Control") == "no-store");
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["error"] == wire);
  CHECK(body["error_description"] == "what to do");
  CHECK(body["field"] == "field_x");
}

TEST_CASE("config errors never leak as such to clients", "[errors]") {
  auto r = ErrorResponse(Error(ErrorCode::kInvalidConfig, "x"));
  CHECK(r.status == 500);
  CHECK(nlohmann::json::parse(r.body)["error"] == "server_error");
}

TEST_CASE("an error's debug detail is never sent", "[errors]") {
  Error e = ServerError("storage failure").WithDetail("UNIQUE constraint failed: users.email");
  CHECK(e.Is(ErrorCode::kServerError));
  CHECK(e.detail == "UNIQUE constraint failed: users.email");
  auto r = ErrorResponse(e);
  CHECK(r.body.find("UNIQUE") == std::string::npos);
  CHECK(nlohmann::json::parse(r.body) ==
        nlohmann::json{{"error", "server_error"}, {"error_description", "storage failure"}});
}

}  // namespace atm
