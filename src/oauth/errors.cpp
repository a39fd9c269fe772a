#include "oauth/errors.h"

#include <map>
#include <string>

#include "http/responses.h"

namespace atm {

int StatusFor(const Error& error) {
  if (error.status != 0) return error.status;
  static const std::map<std::string, int> kStatus = {
      {"invalid_request", 400},         {"invalid_client", 401},
      {"invalid_grant", 400},           {"unauthorized_client", 400},
      {"unsupported_grant_type", 400},  {"invalid_scope", 400},
      {"access_denied", 403},           {"unsupported_response_type", 400},
      {"invalid_token", 401},           {"insufficient_scope", 403},
      {"not_found", 404},               {"conflict", 409},
      {"unsupported_token_type", 400},  {"temporarily_unavailable", 503},
      {"server_error", 500},            {"invalid_config", 500},
  };
  auto it = kStatus.find(error.code);
  return it == kStatus.end() ? 400 : it->second;
}

HttpResponse ErrorResponse(const Error& error) {
  std::string code = error.code == "invalid_config" ? "server_error" : error.code;
  return JsonError(StatusFor(error), code, error.description, error.field);
}

}  // namespace atm
