// application/x-www-form-urlencoded and query-string decoding.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace atm {

// Percent-decodes; with `plus_is_space`, '+' becomes ' ' (form encoding).
// Returns nullopt for a malformed escape.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);
// Parses "a=1&b=2"; nullopt when an escape is malformed.
std::optional<std::multimap<std::string, std::string>> ParseUrlEncoded(std::string_view in);
// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
std::string PercentEncode(std::string_view in);
// Appends name=value (percent-encoded) to the query of `url`, with '?' or '&'.
void AppendQuery(std::string& url, std::string_view name, std::string_view value);

}  // namespace atm
