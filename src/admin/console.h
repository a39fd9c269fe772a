// The admin console: one page (web/admin.html) and its script and styles,
// embedded in the binary. The page holds no data; admin.js fetches
// everything from the admin API with the session cookie and CSRF token.
#pragma once

#include "http/http.h"

namespace atm {

// GET /admin: the console page, under the strict CSP (script-src 'self').
HttpResponse ConsolePage(const HttpRequest& request);
// GET /assets/admin.css and /assets/admin.js.
HttpResponse ConsoleAsset(const HttpRequest& request);

}  // namespace atm
