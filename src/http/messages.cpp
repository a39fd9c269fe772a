#include "http/messages.h"

#include <algorithm>
#include <cctype>

namespace atm {

namespace http = boost::beast::http;

HttpRequest ToHttpRequest(BeastRequest&& request, const std::string& remote_addr, bool tls) {
  HttpRequest out;
  out.method = std::string(request.method_string());
  std::string_view target = request.target();
  size_t q = target.find('?');
  out.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) out.query_string = std::string(target.substr(q + 1));
  for (const auto& field : request) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.headers.emplace(std::move(name), std::string(field.value()));
  }
  out.body = std::move(request.body());
  out.remote_addr = remote_addr;
  out.tls = tls;
  return out;
}

BeastResponse ToBeastResponse(HttpResponse&& response, unsigned version, bool keep_alive, bool head) {
  BeastResponse out{static_cast<http::status>(response.status), version};
  for (auto& [name, value] : response.headers) out.insert(name, value);
  out.set("X-Content-Type-Options", "nosniff");
  out.set("Referrer-Policy", "no-referrer");
  if (!response.body.empty() || !response.content_type.empty()) {
    out.set(http::field::content_type, response.content_type);
  }
  out.body() = std::move(response.body);
  out.keep_alive(keep_alive);
  out.prepare_payload();
  // RFC 9110 §8.6: no Content-Length on a 204 (nor a 1xx or a 304).
  if (response.status == 204 || response.status == 304 || response.status < 200) {
    out.erase(http::field::content_length);
  }
  if (head) out.body().clear();  // the Content-Length stays that of the GET answer
  return out;
}

}  // namespace atm
