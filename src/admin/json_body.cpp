#include "admin/json_body.h"

#include <cctype>

namespace atm {
namespace {

constexpr int kMaxDepth = 8;

Result<int64_t> ParseCount(const std::string& text, const std::string& field, int64_t min, int64_t max) {
  bool digits = !text.empty() && text.size() <= 9;
  for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  int64_t v = digits ? std::stoll(text) : -1;
  if (!digits || v < min || v > max) {
    return InvalidRequest(field + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max),
                          field);
  }
  return v;
}

}  // namespace

Result<JsonBody> JsonBody::Parse(const HttpRequest& request, const std::set<std::string>& allowed) {
  if (request.body.empty()) return JsonBody(nlohmann::json::object());
  if (request.MediaType() != "application/json") {
    return Error(ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json");
  }
  // The callback sees every value with its depth; anything deeper than the
  // limit is dropped before it is built, and the body refused.
  bool too_deep = false;
  auto limit = [&too_deep](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxDepth) too_deep = true;
    return depth <= kMaxDepth;
  };
  auto json = nlohmann::json::parse(request.body, limit, /*allow_exceptions=*/false);
  if (too_deep) return InvalidRequest("the JSON body is nested too deeply");
  if (json.is_discarded()) return InvalidRequest("the body is not valid JSON");
  if (!json.is_object()) return InvalidRequest("the JSON body must be an object");
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (!allowed.count(it.key())) return InvalidRequest("unknown field " + it.key(), it.key());
  }
  return JsonBody(std::move(json));
}

Result<std::optional<std::string>> JsonBody::String(const std::string& name) const {
  if (!Has(name)) return std::optional<std::string>();
  const auto& v = json_[name];
  if (!v.is_string()) return InvalidRequest(name + " must be a string", name);
  return std::optional<std::string>(v.get<std::string>());
}

Result<std::optional<bool>> JsonBody::Bool(const std::string& name) const {
  if (!Has(name)) return std::optional<bool>();
  const auto& v = json_[name];
  if (!v.is_boolean()) return InvalidRequest(name + " must be true or false", name);
  return std::optional<bool>(v.get<bool>());
}

Result<std::optional<int64_t>> JsonBody::Integer(const std::string& name, int64_t min, int64_t max) const {
  if (!Has(name)) return std::optional<int64_t>();
  const auto& v = json_[name];
  if (!v.is_number_integer() || v.get<int64_t>() < min || v.get<int64_t>() > max) {
    return InvalidRequest(name + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
                          name);
  }
  return std::optional<int64_t>(v.get<int64_t>());
}

Result<std::optional<nlohmann::json>> JsonBody::Object(const std::string& name) const {
  if (!Has(name)) return std::optional<nlohmann::json>();
  const auto& v = json_[name];
  if (!v.is_object()) return InvalidRequest(name + " must be a JSON object", name);
  return std::optional<nlohmann::json>(v);
}

Result<std::optional<std::vector<std::string>>> JsonBody::Strings(const std::string& name) const {
  using Out = std::optional<std::vector<std::string>>;
  if (!Has(name)) return Out();
  const auto& v = json_[name];
  if (v.is_string()) return Out(std::vector<std::string>{v.get<std::string>()});
  if (!v.is_array()) return InvalidRequest(name + " must be a string or an array of strings", name);
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (!item.is_string()) return InvalidRequest(name + " must be an array of strings", name);
    out.push_back(item.get<std::string>());
  }
  return Out(std::move(out));
}

Result<Page> ParsePage(const std::string& offset, const std::string& limit) {
  Page page;
  page.limit = kDefaultPageLimit;
  if (!offset.empty()) {
    auto v = ParseCount(offset, "offset", 0, 999999999);
    if (!v) return v.error();
    page.offset = *v;
  }
  if (!limit.empty()) {
    auto v = ParseCount(limit, "limit", 1, kMaxPageLimit);
    if (!v) return v.error();
    page.limit = *v;
  }
  return page;
}

}  // namespace atm
