#include "domain/redirect_uris.h"

#include <algorithm>
#include <cctype>

namespace atm {
namespace {

struct HttpUrl {
  std::string scheme;  // lower case
  std::string host;    // lower case; IPv6 in brackets
  std::string port;    // as written; "" when absent
  std::string rest;    // path, query
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Splits an http or https URL; false for anything else.
bool SplitHttpUrl(std::string_view url, HttpUrl& out) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return false;
  out.scheme = Lower(url.substr(0, sep));
  if (out.scheme != "http" && out.scheme != "https") return false;
  std::string_view rest = url.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  out.rest = end == std::string_view::npos ? "" : std::string(rest.substr(end));
  if (authority.find('@') != std::string_view::npos) return false;
  size_t port_colon = std::string_view::npos;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return false;
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return false;
      port_colon = close + 1;
    }
  } else {
    port_colon = authority.find(':');
  }
  out.host = Lower(authority.substr(0, port_colon));
  out.port = port_colon == std::string_view::npos ? "" : std::string(authority.substr(port_colon + 1));
  if (!std::all_of(out.port.begin(), out.port.end(), [](unsigned char c) { return std::isdigit(c); })) return false;
  return !out.host.empty();
}

bool IsLoopbackLiteral(const std::string& host) { return host == "127.0.0.1" || host == "[::1]"; }

bool LoopbackMatch(const std::string& registered, std::string_view uri) {
  HttpUrl r, u;
  if (!SplitHttpUrl(registered, r) || !SplitHttpUrl(uri, u)) return false;
  return r.scheme == "http" && u.scheme == "http" && IsLoopbackLiteral(r.host) && r.host == u.host && r.rest == u.rest;
}

}  // namespace

bool MatchesRegisteredRedirect(const std::vector<std::string>& registered, std::string_view uri) {
  return std::any_of(registered.begin(), registered.end(),
                     [&](const std::string& r) { return r == uri || LoopbackMatch(r, uri); });
}

std::string OriginOf(std::string_view url) {
  HttpUrl u;
  if (!SplitHttpUrl(url, u)) return {};
  const bool default_port =
      u.port.empty() || (u.scheme == "http" && u.port == "80") || (u.scheme == "https" && u.port == "443");
  return u.scheme + "://" + u.host + (default_port ? "" : ":" + u.port);
}

}  // namespace atm
