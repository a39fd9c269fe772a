// PKCE (crypto/pkce.h): method names, challenge and verifier validation never
// crash; a valid verifier always matches its own computed challenge under
// every method and never matches a different challenge.
#include <cstddef>
#include <cstdint>
#include <string>

#include "crypto/pkce.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  // "method\nverifier\nchallenge"
  size_t a = input.find('\n');
  size_t b = a == std::string::npos ? a : input.find('\n', a + 1);
  std::string method = input.substr(0, a);
  std::string verifier = a == std::string::npos ? "" : input.substr(a + 1, b == std::string::npos ? b : b - a - 1);
  std::string challenge = b == std::string::npos ? "" : input.substr(b + 1);

  for (bool allow_plain : {false, true}) {
    auto m = atm::ParsePkceMethod(method, allow_plain);
    if (!m) continue;
    FUZZ_CHECK(allow_plain || *m != atm::PkceMethod::kPlain);
    (void)atm::ValidateChallenge(*m, challenge);
    bool matches = atm::VerifyPkce(*m, verifier, challenge);
    FUZZ_CHECK(matches == (atm::ComputeChallenge(*m, verifier) == challenge));
  }
  if (atm::ValidateVerifier(verifier)) {
    for (auto m :
         {atm::PkceMethod::kS256, atm::PkceMethod::kSha256Hex, atm::PkceMethod::kSha512Hex, atm::PkceMethod::kPlain}) {
      std::string own = atm::ComputeChallenge(m, verifier);
      FUZZ_CHECK(atm::ValidateChallenge(m, own).ok());
      FUZZ_CHECK(atm::VerifyPkce(m, verifier, own));
      if (challenge != own) FUZZ_CHECK(!atm::VerifyPkce(m, verifier, challenge));
    }
  }
  return 0;
}
