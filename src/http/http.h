// Plain request and response structs: handlers are functions from one to the
// other, so most tests call the router without a socket.
#pragma once

#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atm {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query_string;                    // raw, after '?'
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_addr;
  bool tls = false;
  // When the request was read in full (the server sets it; the latency of
  // the route metrics counts from it, the time in the worker queue included).
  std::chrono::steady_clock::time_point received{};

  // A header by lower-case name, or "".
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  // The token of "Authorization: Bearer <token>" (the scheme compared
  // case-insensitively, RFC 7235 §2.1; spaces around the token dropped):
  // nullopt without an Authorization header, "" for another scheme or no token.
  std::optional<std::string> BearerCredentials() const {
    auto it = headers.find("authorization");
    if (it == headers.end()) return std::nullopt;
    const std::string& h = it->second;
    constexpr std::string_view kScheme = "bearer";
    if (h.size() <= kScheme.size() || h[kScheme.size()] != ' ') return std::string();
    for (size_t i = 0; i < kScheme.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(h[i])) != kScheme[i]) return std::string();
    }
    size_t begin = h.find_first_not_of(' ', kScheme.size()), end = h.find_last_not_of(' ');
    return begin == std::string::npos ? std::string() : h.substr(begin, end - begin + 1);
  }
  // The Content-Type without parameters, lower case: "application/json".
  std::string MediaType() const {
    std::string ct = Header("content-type");
    ct = ct.substr(0, ct.find(';'));
    std::string out;
    for (char c : ct) {
      if (c != ' ' && c != '\t') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  HttpResponse& With(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  std::string Header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

}  // namespace atm
