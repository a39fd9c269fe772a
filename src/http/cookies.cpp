#include "http/cookies.h"

namespace atm {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::string CookieValue(const HttpRequest& request, const std::string& name) {
  std::string header = request.Header("cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string pair = Trim(header.substr(pos, end - pos));
    size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    pos = end + 1;
  }
  return {};
}

bool SecureCookies(const HttpRequest& request, const std::string& public_url) {
  return request.tls || public_url.rfind("https://", 0) == 0;
}

std::string HttpOnlyCookie(const std::string& name, const std::string& value, int64_t max_age,
                           const CookieAttributes& attributes) {
  return name + "=" + value + "; Path=" + attributes.path + "; Max-Age=" + std::to_string(max_age) +
         "; HttpOnly; SameSite=" + attributes.same_site + (attributes.secure ? "; Secure" : "");
}

}  // namespace atm
