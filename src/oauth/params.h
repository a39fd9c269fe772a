// Request parameters from a JSON object or a form-encoded body (or a query
// string), as a flat map of strings. Anything else is invalid_request:
// non-string values, nested objects, duplicate parameters (RFC 6749 §3.1),
// deep nesting, malformed encodings; an unsupported Content-Type is 415.
#pragma once

#include <initializer_list>
#include <map>
#include <string>

#include "core/result.h"
#include "http/http.h"

namespace atm {

class Params {
 public:
  explicit Params(std::map<std::string, std::string> values = {}) : values_(std::move(values)) {}
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::string() : it->second;
  }
  // The value of the first of `names` that is present (aliases), or "".
  std::string First(std::initializer_list<const char*> names) const {
    for (const char* n : names) {
      if (Has(n)) return Get(n);
    }
    return {};
  }
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

// A token request's grant_type; with `atm_aliases`, also the ATM spellings
// grant_types and grantType.
inline std::string GrantTypeParam(const Params& params, bool atm_aliases) {
  return atm_aliases ? params.First({"grant_type", "grant_types", "grantType"}) : params.Get("grant_type");
}

// Body as application/json or application/x-www-form-urlencoded.
Result<Params> ParseBody(const HttpRequest& request);
// Body as application/x-www-form-urlencoded only, as the standard endpoints
// require (RFC 6749 §4.1.3, RFC 7009 §2.1, RFC 7662 §2.1); anything else is 415.
Result<Params> ParseFormBody(const HttpRequest& request);
// The query string of the request.
Result<Params> ParseQuery(const HttpRequest& request);

}  // namespace atm
