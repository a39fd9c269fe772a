// The bundled HTML pages (web/), filled in with escaped values.
#pragma once

#include <string>

#include "http/http.h"

namespace atm {

HttpResponse LoginPage(const std::string& application_name);
// An error page; never a redirect (README "The flow by hand, with curl", RFC 6749 §4.1.2.1).
HttpResponse ErrorPage(int status, const std::string& title, const std::string& message);
// GET /assets/<name>: the embedded CSS and JavaScript.
HttpResponse StaticAsset(const HttpRequest& request);

}  // namespace atm
