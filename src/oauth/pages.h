// The bundled HTML pages (web/), filled in with escaped values.
#pragma once

#include <string>
#include <vector>

#include "domain/users.h"
#include "http/http.h"

namespace atm {

// The login page; with `picker_users` (testing), a list of them to pick
// from instead of the password form.
HttpResponse LoginPage(const std::string& application_name, const std::vector<UserRecord>& picker_users = {});
// An error page; never a redirect (README "The flow by hand, with curl", RFC 6749 §4.1.2.1).
HttpResponse ErrorPage(int status, const std::string& title, const std::string& message);
// "Sign out?" with a form that posts the logout request back, confirmed. Its
// CSP lets the form's answer redirect to `return_origin` (the post-logout
// redirect URL's origin; "" = atm's own pages only).
struct LogoutForm {
  std::string application;  // shown to the user; "" when the request named none
  std::string client_id;
  std::string post_logout_redirect_uri;
  std::string state;
};
HttpResponse LogoutConfirmPage(const LogoutForm& form, const std::string& return_origin);
HttpResponse SignedOutPage();
// The device verification page (RFC 8628 §3.3); its script reads the code
// from ?user_code= (verification_uri_complete).
HttpResponse DevicePage();
// GET /assets/<name>: the embedded CSS and JavaScript.
HttpResponse StaticAsset(const HttpRequest& request);

}  // namespace atm
