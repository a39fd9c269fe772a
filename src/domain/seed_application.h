// [[applications]] in the config: an application, and its users, that
// SeedFromConfig (domain/seed.h) creates at start-up when absent.
#pragma once

#include <string>
#include <vector>

namespace atm {

struct SeedUser {
  std::string email;
  std::string password;       // plain, hashed at seeding; or
  std::string password_hash;  // what `atm hash-password` prints
  std::string first_name;
  std::string last_name;
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
};

}  // namespace atm
