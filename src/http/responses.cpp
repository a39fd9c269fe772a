#include "http/responses.h"

namespace atm {

HttpResponse JsonResponse(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.With("Cache-Control", "no-store").With("Pragma", "no-cache");
  return r;
}

HttpResponse ErrorResponse(const Error& error) {
  nlohmann::json body = {{"error", error.wire_name()}, {"error_description", error.description}};
  if (!error.field.empty()) body["field"] = error.field;
  HttpResponse r = JsonResponse(error.status(), body);
  // 503: the database (or the signing key) is away for a moment; clients and
  // load balancers retry (RFC 9110 §10.2.3).
  if (error.status() == 503) r.With("Retry-After", "1");
  return r;
}

HttpResponse HtmlResponse(int status, std::string html) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  r.With("Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
      .With("X-Frame-Options", "DENY")
      .With("Cache-Control", "no-store");
  return r;
}

HttpResponse Redirect(const std::string& location) {
  HttpResponse r;
  r.status = 302;
  r.content_type = "text/plain; charset=utf-8";
  r.With("Location", location).With("Cache-Control", "no-store");
  return r;
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace atm
