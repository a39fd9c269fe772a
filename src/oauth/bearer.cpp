#include "oauth/bearer.h"

#include <cctype>

#include "http/responses.h"
#include "oauth/params.h"

namespace atm {
namespace {

// RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E.
std::string HeaderSafe(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\'';
    } else if (c >= 0x20 && c <= 0x7e) {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::string> ExtractBearerToken(const HttpRequest& request) {
  std::string header_token;
  const std::string auth = request.Header("authorization");
  if (!auth.empty()) {
    std::string scheme = auth.substr(0, auth.find(' '));
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "bearer") return InvalidRequest("the Authorization header must use the Bearer scheme");
    size_t start = auth.find_first_not_of(' ', scheme.size());
    if (start == std::string::npos) return InvalidRequest("the Authorization header has no token");
    header_token = auth.substr(start);
    if (header_token.find(' ') != std::string::npos) return InvalidRequest("the Authorization header is malformed");
  }
  std::string body_token;
  if (request.method == "POST" && !request.body.empty()) {
    auto params = ParseFormBody(request);
    if (params) body_token = params->Get("access_token");
  }
  if (!header_token.empty() && !body_token.empty()) {
    return InvalidRequest("send the access token one way only (RFC 6750 §2)");
  }
  if (!header_token.empty()) return header_token;
  if (!body_token.empty()) return body_token;
  return Error(ErrorCode::kMissingToken, "an access token is required: Authorization: Bearer <token>");
}

HttpResponse BearerFailure(const Error& error, const std::string& required_scope) {
  // RFC 6750 §3.1: a request with no token at all gets a challenge naming no error.
  std::string challenge = "Bearer realm=\"atm\"";
  if (!error.Is(ErrorCode::kMissingToken)) {
    challenge += ", error=\"" + std::string(error.wire_name()) + "\", error_description=\"" +
                 HeaderSafe(error.description) + "\"";
  }
  if (!required_scope.empty()) challenge += ", scope=\"" + required_scope + "\"";
  return ErrorResponse(error).With("WWW-Authenticate", challenge);
}

}  // namespace atm
