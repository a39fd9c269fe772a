// Input validation shared by every interface (domain/validation.h), the
// scrypt hash parser (crypto/password.h) and the throttle's network key:
// never crash, and what is accepted has the promised shape.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "crypto/password.h"
#include "domain/throttle.h"
#include "domain/validation.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  if (atm::ValidateRedirectUrl(text, "redirect_url")) {
    FUZZ_CHECK(text.find('#') == std::string::npos);
    FUZZ_CHECK(text.find(' ') == std::string::npos);
    std::string scheme = text.substr(0, text.find(':'));
    for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    FUZZ_CHECK(scheme != "javascript" && scheme != "data" && scheme != "file");
  }
  (void)atm::ValidateEmail(text, "email");
  (void)atm::ValidatePassword(text, 8, "password");
  FUZZ_CHECK(atm::Trim(atm::Trim(text)) == atm::Trim(text));
  (void)atm::IsPasswordHash(text);  // parsing only: VerifyPassword would run scrypt
  (void)atm::ClientNetwork(text);
  return 0;
}
