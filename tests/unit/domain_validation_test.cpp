// Validation shared by every interface: redirect URLs (RFC 6749 §3.1.2,
// RFC 8252 §7), emails and passwords.
#include <catch2/catch.hpp>

#include "domain/validation.h"

namespace atm {

TEST_CASE("redirect URLs: https anywhere, http only on loopback, private schemes, no fragment", "[validation]") {
  auto [url, valid] = GENERATE(table<std::string, bool>({
      {"https://app.example.com/callback", true},
      {"https://app.example.com:8443/cb?x=1", true},
      {"HTTPS://APP.EXAMPLE.COM/cb", true},
      {"http://localhost:8080/callback", true},
      {"http://127.0.0.1/cb", true},
      {"http://[::1]:3000/cb", true},
      {"com.example.app:/oauth2redirect", true},
      {"myapp://callback", true},
      {"http://app.example.com/callback", false},
      {"http://localhost.evil.com/cb", false},
      {"https://user:pw@app.example.com/cb", false},
      {"https://app.example.com/cb#fragment", false},
      {"https:///cb", false},
      {"https:app.example.com", false},
      {"/relative/callback", false},
      {"callback", false},
      {"", false},
      {"javascript:alert(1)", false},
      {"JavaScript://x", false},
      {"data:text/html,x", false},
      {"file:///etc/passwd", false},
      {"https://app.example.com/c b", false},
      {"https://app.example.com/\"cb", false},
      {"https://app.example.com/<cb>", false},
      {"https://[::1/cb", false},
      {"myapp:", false},
      {"1app://cb", false},
      {"https://app.example.com/" + std::string(2000, 'a'), false},
  }));
  CAPTURE(url);
  auto s = ValidateRedirectUrl(url, "redirect_url");
  CHECK(s.ok() == valid);
  if (!s.ok()) {
    CHECK(s.error().field == "redirect_url");
    CHECK(s.error().Is(ErrorCode::kInvalidRequest));
  }
}

TEST_CASE("emails need one @ and a dotted domain, without spaces or specials", "[validation]") {
  auto [email, valid] = GENERATE(table<std::string, bool>({
      {"end.user13@gmail.com", true},
      {"a+tag@sub.example.co", true},
      {"", false},
      {"no-at-sign", false},
      {"@example.com", false},
      {"a@b@example.com", false},
      {"a@localhost", false},
      {"a@.example.com", false},
      {"a@example.com.", false},
      {"a@example..com", false},
      {"a b@example.com", false},
      {"a<b>@example.com", false},
      {"\"a\"@example.com", false},
      {std::string(250, 'a') + "@example.com", false},
  }));
  CAPTURE(email);
  CHECK(ValidateEmail(email, "email").ok() == valid);
}

TEST_CASE("passwords have a minimum and a maximum length", "[validation]") {
  CHECK(ValidatePassword("12345678", 8, "password").ok());
  CHECK_FALSE(ValidatePassword("1234567", 8, "password").ok());
  CHECK_FALSE(ValidatePassword("", 1, "password").ok());
  CHECK(ValidatePassword(std::string(1024, 'x'), 8, "password").ok());
  CHECK_FALSE(ValidatePassword(std::string(1025, 'x'), 8, "password").ok());
  CHECK(ValidatePassword("1234567", 8, "pw").error().field == "pw");
}

TEST_CASE("Trim removes surrounding white space only", "[validation]") {
  CHECK(Trim("  a b \t\n") == "a b");
  CHECK(Trim("") == "");
  CHECK(Trim(" \t ") == "");
}

}  // namespace atm
