#include "oauth/params.h"

#include <nlohmann/json.hpp>

#include "http/url.h"

namespace atm {
namespace {

constexpr int kMaxJsonDepth = 16;

// Depth of brackets outside strings; parsing a deeper document is refused
// before nlohmann sees it.
bool TooDeep(const std::string& text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

Result<Params> FromJson(const std::string& body) {
  if (TooDeep(body)) return InvalidRequest("the JSON body is nested too deeply");
  auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return InvalidRequest("the body is not valid JSON");
  if (!json.is_object()) return InvalidRequest("the JSON body must be an object");
  std::map<std::string, std::string> out;
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.value().is_null()) continue;
    if (!it.value().is_string()) return InvalidRequest(it.key() + " must be a string", it.key());
    out[it.key()] = it.value().get<std::string>();
  }
  return Params(std::move(out));
}

Result<Params> FromUrlEncoded(const std::string& text, const char* what) {
  auto parsed = ParseUrlEncoded(text);
  if (!parsed) return InvalidRequest(std::string("the ") + what + " has a malformed %-escape");
  std::map<std::string, std::string> out;
  for (auto& [k, v] : *parsed) {
    if (out.count(k)) return InvalidRequest(k + " is given more than once", k);
    out.emplace(k, v);
  }
  return Params(std::move(out));
}

}  // namespace

Result<Params> ParseBody(const HttpRequest& request) {
  std::string type = request.MediaType();
  if (type == "application/json") return FromJson(request.body);
  if (type == "application/x-www-form-urlencoded") return FromUrlEncoded(request.body, "body");
  if (type.empty() && request.body.empty()) return Params();
  return Error(ErrorCode::kUnsupportedMediaType,
               "Content-Type must be application/json or application/x-www-form-urlencoded");
}

Result<Params> ParseFormBody(const HttpRequest& request) {
  std::string type = request.MediaType();
  if (type == "application/x-www-form-urlencoded") return FromUrlEncoded(request.body, "body");
  if (type.empty() && request.body.empty()) return Params();
  return Error(ErrorCode::kUnsupportedMediaType, "Content-Type must be application/x-www-form-urlencoded");
}

Result<Params> ParseQuery(const HttpRequest& request) { return FromUrlEncoded(request.query_string, "query string"); }

}  // namespace atm
