// [[applications]] in the config: an application, and its users, that
// SeedFromConfig (domain/seed.h) creates at start-up when absent.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace atm {

struct SeedUser {
  std::string email;
  std::string password;       // plain, hashed at seeding; or
  std::string password_hash;  // what `atm hash-password` prints
  std::string first_name;
  std::string last_name;
  std::string id;                                    // generated when empty
  nlohmann::json claims = nlohmann::json::object();  // extra claims (domain/claims.h)
};

// [applications.testing]: the login page's shortcuts for test suites, used
// only when testing is on (README "Testing against atm").
struct TestLogin {
  std::string auto_login;    // the email of a user to sign in without the page
  bool user_picker = false;  // a list of the users instead of the password form
};

struct SeedApplication {
  std::string name;
  std::string client_id;      // generated when empty
  std::string client_secret;  // generated when empty (unless public)
  std::vector<std::string> redirect_urls;
  bool is_public = false;  // public clients authenticate with PKCE only
  std::vector<SeedUser> users;
  std::vector<std::string> web_origins;                // CORS, beside the redirect URLs' origins
  std::vector<std::string> post_logout_redirect_urls;  // RP-initiated logout; redirect URLs allowed too
  bool device_grant = false;                           // may use the device authorization grant (RFC 8628)
  TestLogin testing;
};

}  // namespace atm
