// Request bodies of the admin API: a JSON object whose fields are checked by
// name and type, so that every mistake is a 400 naming the field at fault
// (unknown fields too, to catch typos), and the pagination query
// (?offset=&limit=).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/http.h"
#include "store/records.h"

namespace atm {

class JsonBody {
 public:
  // The body must be application/json (else 415) holding an object whose keys
  // are all in `allowed`; an empty body is an empty object.
  static Result<JsonBody> Parse(const HttpRequest& request, const std::set<std::string>& allowed);

  bool Has(const std::string& name) const { return json_.contains(name) && !json_[name].is_null(); }
  // Each returns nullopt when the field is absent or null, and an error
  // naming the field when it has the wrong type.
  Result<std::optional<std::string>> String(const std::string& name) const;
  Result<std::optional<bool>> Bool(const std::string& name) const;
  // A string or an array of strings.
  Result<std::optional<std::vector<std::string>>> Strings(const std::string& name) const;
  // An integer from `min` to `max`.
  Result<std::optional<int64_t>> Integer(const std::string& name, int64_t min, int64_t max) const;
  // A JSON object.
  Result<std::optional<nlohmann::json>> Object(const std::string& name) const;
  // The field as it came, when present (for fields of several types).
  std::optional<nlohmann::json> Raw(const std::string& name) const {
    return Has(name) ? std::optional<nlohmann::json>(json_[name]) : std::nullopt;
  }

 private:
  explicit JsonBody(nlohmann::json json) : json_(std::move(json)) {}
  nlohmann::json json_;
};

inline constexpr int64_t kDefaultPageLimit = 50;
inline constexpr int64_t kMaxPageLimit = 200;

// ?offset= (default 0) and ?limit= (default 50, at most 200).
Result<Page> ParsePage(const std::string& offset, const std::string& limit);

}  // namespace atm
