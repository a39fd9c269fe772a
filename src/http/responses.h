// Response builders shared by every handler. JSON answers carry
// Cache-Control: no-store (tokens and errors must never be cached, RFC 6749
// §5.1); HTML pages carry a strict CSP (no inline script, no framing).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "http/http.h"

namespace atm {

HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse JsonError(int status, const std::string& code, const std::string& description,
                       const std::string& field = {});
HttpResponse HtmlResponse(int status, std::string html);
// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(const std::string& text);

}  // namespace atm
