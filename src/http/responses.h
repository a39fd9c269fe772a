// Response builders shared by every handler. JSON answers carry
// Cache-Control: no-store (tokens and errors must never be cached, RFC 6749
// §5.1); HTML pages carry a strict CSP (no inline script, no framing).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "http/http.h"

namespace atm {

HttpResponse JsonResponse(int status, const nlohmann::json& body);
// {"error", "error_description"[, "field"]} with the status of the error's
// code (core/error.h); the error's detail is never sent.
HttpResponse ErrorResponse(const Error& error);
HttpResponse HtmlResponse(int status, std::string html);
// 302 to `location`, not cached.
HttpResponse Redirect(const std::string& location);
// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(const std::string& text);

}  // namespace atm
