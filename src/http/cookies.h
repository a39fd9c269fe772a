// Cookies (RFC 6265): reading one from the request, and the Set-Cookie value
// of an HttpOnly one.
#pragma once

#include <cstdint>
#include <string>

#include "http/http.h"

namespace atm {

// The value of the cookie `name` in the Cookie header, or "".
std::string CookieValue(const HttpRequest& request, const std::string& name);

// Whether cookies get the Secure attribute: over TLS, or behind a proxy that
// serves atm on an https public URL.
bool SecureCookies(const HttpRequest& request, const std::string& public_url);

struct CookieAttributes {
  std::string path = "/";
  std::string same_site = "Lax";  // "Strict" or "Lax"
  bool secure = false;
};
// `name=value; Path=..; Max-Age=..; HttpOnly; SameSite=..[; Secure]`; max_age 0
// removes the cookie.
std::string HttpOnlyCookie(const std::string& name, const std::string& value, int64_t max_age,
                           const CookieAttributes& attributes);

}  // namespace atm
