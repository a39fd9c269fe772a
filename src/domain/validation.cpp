#include "domain/validation.h"

#include <algorithm>
#include <cctype>

namespace atm {
namespace {

bool IsSchemeChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

Status ValidateRedirectUrl(std::string_view url, const std::string& field) {
  auto fail = [&](const std::string& why) { return InvalidRequest("redirect URL " + why, field); };
  if (url.empty()) return fail("is required");
  if (url.size() > 2000) return fail("is too long (2000 characters at most)");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' ||
        c == '`') {
      return fail("must not contain spaces, quotes or control characters");
    }
  }
  if (url.find('#') != std::string_view::npos) return fail("must not contain a fragment (#)");
  size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(url[0])) ||
      !std::all_of(url.begin(), url.begin() + colon, IsSchemeChar)) {
    return fail("must be absolute, such as https://app.example.com/callback");
  }
  std::string scheme = Lower(url.substr(0, colon));
  std::string_view rest = url.substr(colon + 1);
  if (scheme == "https" || scheme == "http") {
    if (rest.substr(0, 2) != "//") return fail("must be absolute, such as https://app.example.com/callback");
    std::string_view authority = rest.substr(2);
    authority = authority.substr(0, authority.find_first_of("/?"));
    if (authority.find('@') != std::string_view::npos) return fail("must not contain user information (@)");
    std::string host;
    if (!authority.empty() && authority[0] == '[') {
      size_t close = authority.find(']');
      if (close == std::string_view::npos) return fail("has an invalid IPv6 host");
      host = Lower(authority.substr(0, close + 1));
    } else {
      host = Lower(authority.substr(0, authority.find(':')));
    }
    if (host.empty()) return fail("has no host");
    if (scheme == "http" && host != "localhost" && host != "127.0.0.1" && host != "[::1]") {
      return fail("must use https (http is allowed only for localhost and 127.0.0.1)");
    }
    return Ok();
  }
  // Private-use scheme for native apps: "com.example.app:/callback" or "myapp://callback".
  static const char* kForbidden[] = {"javascript", "data", "file", "vbscript", "about", "blob"};
  for (const char* f : kForbidden) {
    if (scheme == f) return fail("must not use the " + scheme + ": scheme");
  }
  if (rest.empty()) return fail("needs a path after the scheme, such as myapp://callback");
  return Ok();
}

Status ValidateEmail(std::string_view email, const std::string& field) {
  auto fail = [&]() { return InvalidRequest("enter a valid email address, such as name@example.com", field); };
  if (email.empty()) return InvalidRequest("email is required", field);
  if (email.size() > 254) return fail();
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) {
    return fail();
  }
  std::string_view domain = email.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos || domain.front() == '.' ||
      domain.back() == '.' || domain.find("..") != std::string_view::npos) {
    return fail();
  }
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
        c == '\\' || c == '(' || c == ')' || c == '[' || c == ']' || c == 0x7f) {
      return fail();
    }
  }
  return Ok();
}

Status ValidatePassword(std::string_view password, int min_length, const std::string& field) {
  if (password.empty()) return InvalidRequest("password is required", field);
  if (static_cast<int>(password.size()) < min_length) {
    return InvalidRequest("password must be at least " + std::to_string(min_length) + " characters", field);
  }
  if (password.size() > 1024) return InvalidRequest("password must be at most 1024 characters", field);
  return Ok();
}

}  // namespace atm
