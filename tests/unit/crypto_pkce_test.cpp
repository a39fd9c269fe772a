// PKCE (RFC 7636) and the ATM hex variants: vectors, method names, and the
// verifier and challenge shape rules.
#include <catch2/catch.hpp>
#include <string>

#include "crypto/pkce.h"

namespace atm {
namespace {

// RFC 7636 Appendix B.
constexpr const char* kRfcVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr const char* kRfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
// The same verifier through the ATM methods, computed independently with
// Python's hashlib (sha256(...).hexdigest(), sha512(...).hexdigest()).
constexpr const char* kSha256Hex = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
constexpr const char* kSha512Hex =
    "805e8e2fa19c8cd5a3d3fef414b7f486b3da7a1870f9b65d957fd4cad5ea92c5"
    "2941d6ec6f7e30c920a15efa62be94956e01796bb3cb69dea17a4906aea5b637";

}  // namespace

TEST_CASE("S256 turns the RFC 7636 Appendix B verifier into its challenge", "[pkce]") {
  CHECK(ComputeChallenge(PkceMethod::kS256, kRfcVerifier) == kRfcChallenge);
  CHECK(VerifyPkce(PkceMethod::kS256, kRfcVerifier, kRfcChallenge));
  CHECK(ValidateChallenge(PkceMethod::kS256, kRfcChallenge).ok());
}

TEST_CASE("SHA256 is the lowercase hex SHA-256 of the verifier", "[pkce]") {
  CHECK(ComputeChallenge(PkceMethod::kSha256Hex, kRfcVerifier) == kSha256Hex);
  CHECK(VerifyPkce(PkceMethod::kSha256Hex, kRfcVerifier, kSha256Hex));
  CHECK(ValidateChallenge(PkceMethod::kSha256Hex, kSha256Hex).ok());
}

TEST_CASE("SHA512 is the lowercase hex SHA-512 of the verifier", "[pkce]") {
  CHECK(ComputeChallenge(PkceMethod::kSha512Hex, kRfcVerifier) == kSha512Hex);
  CHECK(VerifyPkce(PkceMethod::kSha512Hex, kRfcVerifier, kSha512Hex));
  CHECK(ValidateChallenge(PkceMethod::kSha512Hex, kSha512Hex).ok());
}

TEST_CASE("a challenge does not verify under another method or with another verifier", "[pkce]") {
  const std::string other = std::string(kRfcVerifier).replace(0, 1, "e");
  CHECK_FALSE(VerifyPkce(PkceMethod::kS256, other, kRfcChallenge));
  CHECK_FALSE(VerifyPkce(PkceMethod::kSha256Hex, kRfcVerifier, kRfcChallenge));
  CHECK_FALSE(VerifyPkce(PkceMethod::kSha512Hex, kRfcVerifier, kSha256Hex));
  CHECK_FALSE(VerifyPkce(PkceMethod::kS256, kRfcVerifier, std::string(kRfcChallenge) + "="));
  // Upper-case hex is a different string: the ATM methods are lowercase.
  std::string upper = kSha256Hex;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK_FALSE(VerifyPkce(PkceMethod::kSha256Hex, kRfcVerifier, upper));
}

TEST_CASE("method names match case-insensitively", "[pkce]") {
  auto [name, expected] = GENERATE(table<std::string, PkceMethod>({
      {"S256", PkceMethod::kS256},
      {"s256", PkceMethod::kS256},
      {"SHA256", PkceMethod::kSha256Hex},
      {"sha256", PkceMethod::kSha256Hex},
      {"Sha256", PkceMethod::kSha256Hex},
      {"SHA512", PkceMethod::kSha512Hex},
      {"sha512", PkceMethod::kSha512Hex},
      {"sHa512", PkceMethod::kSha512Hex},
  }));
  CAPTURE(name);
  auto method = ParsePkceMethod(name, /*allow_plain=*/false);
  REQUIRE(method.ok());
  CHECK(*method == expected);
}

TEST_CASE("the canonical method names round-trip", "[pkce]") {
  auto method = GENERATE(PkceMethod::kS256, PkceMethod::kSha256Hex, PkceMethod::kSha512Hex, PkceMethod::kPlain);
  auto parsed = ParsePkceMethod(PkceMethodName(method), /*allow_plain=*/true);
  REQUIRE(parsed.ok());
  CHECK(*parsed == method);
}

TEST_CASE("plain is refused unless the config allows it", "[pkce]") {
  auto name = GENERATE("plain", "PLAIN", "Plain");
  auto refused = ParsePkceMethod(name, /*allow_plain=*/false);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().Is(ErrorCode::kInvalidRequest));
  CHECK(refused.error().field == "code_challenge_method");
  auto allowed = ParsePkceMethod(name, /*allow_plain=*/true);
  REQUIRE(allowed.ok());
  CHECK(*allowed == PkceMethod::kPlain);
  CHECK(VerifyPkce(PkceMethod::kPlain, kRfcVerifier, kRfcVerifier));
}

TEST_CASE("unknown or missing methods are invalid_request naming the field", "[pkce]") {
  auto name = GENERATE("", "S384", "SHA-256", "sha1", "md5", "S256 ", " S256", "none");
  CAPTURE(name);
  auto method = ParsePkceMethod(name, /*allow_plain=*/true);
  REQUIRE_FALSE(method.ok());
  CHECK(method.error().Is(ErrorCode::kInvalidRequest));
  CHECK(method.error().field == "code_challenge_method");
}

TEST_CASE("a verifier is 43 to 128 unreserved characters (RFC 7636 §4.1)", "[pkce]") {
  auto [verifier, valid] = GENERATE(table<std::string, bool>({
      {std::string(43, 'a'), true},
      {std::string(128, 'Z'), true},
      {std::string(42, 'a'), false},
      {std::string(129, 'a'), false},
      {"", false},
      {std::string(40, 'a') + "-._~", true},
      {std::string(40, 'a') + "0123456789", true},
      {std::string(42, 'a') + " ", false},
      {std::string(42, 'a') + "+", false},
      {std::string(42, 'a') + "/", false},
      {std::string(42, 'a') + "=", false},
      {std::string(42, 'a') + "%", false},
      {std::string(42, 'a') + "\xc3\xa9", false},  // é
      {std::string(42, 'a') + std::string(1, '\0'), false},
  }));
  CAPTURE(verifier);
  auto s = ValidateVerifier(verifier);
  CHECK(s.ok() == valid);
  if (!s.ok()) {
    CHECK(s.error().Is(ErrorCode::kInvalidRequest));
    CHECK(s.error().field == "code_verifier");
  }
}

TEST_CASE("ATM's verifier rule: any non-empty printable ASCII", "[pkce]") {
  auto [verifier, valid] = GENERATE(table<std::string, bool>({
      {"123456789", true},
      {"a", true},
      {"with space and !\"#$%&'()*+,/:;<=>?@[\\]^`{|}~", true},
      {std::string(200, 'a'), true},
      {"", false},
      {"tab\there", false},
      {"new\nline", false},
      {"caf\xc3\xa9", false},
      {std::string("nul") + std::string(1, '\0'), false},
  }));
  CAPTURE(verifier);
  auto s = ValidateAtmVerifier(verifier);
  CHECK(s.ok() == valid);
  if (!s.ok()) CHECK(s.error().field == "code_verifier");
}

TEST_CASE("SHA256 and SHA512 are the ATM methods", "[pkce]") {
  CHECK(IsAtmMethod(PkceMethod::kSha256Hex));
  CHECK(IsAtmMethod(PkceMethod::kSha512Hex));
  CHECK_FALSE(IsAtmMethod(PkceMethod::kS256));
  CHECK_FALSE(IsAtmMethod(PkceMethod::kPlain));
}

TEST_CASE("a challenge must have the shape its method produces", "[pkce]") {
  auto [method, challenge, valid] = GENERATE(table<PkceMethod, std::string, bool>({
      {PkceMethod::kS256, kRfcChallenge, true},
      {PkceMethod::kS256, std::string(kRfcChallenge) + "=", false},
      {PkceMethod::kS256, std::string(kRfcChallenge).substr(0, 42), false},
      {PkceMethod::kS256, std::string(42, 'a') + "+", false},  // standard base64, not url
      {PkceMethod::kS256, kSha256Hex, false},
      {PkceMethod::kSha256Hex, kSha256Hex, true},
      {PkceMethod::kSha256Hex, std::string(kSha256Hex).substr(1), false},
      {PkceMethod::kSha256Hex, std::string(63, 'a') + "g", false},
      {PkceMethod::kSha256Hex, std::string(64, 'A'), false},
      {PkceMethod::kSha256Hex, kRfcChallenge, false},
      {PkceMethod::kSha512Hex, kSha512Hex, true},
      {PkceMethod::kSha512Hex, kSha256Hex, false},
      {PkceMethod::kSha512Hex, std::string(kSha512Hex) + "0", false},
      {PkceMethod::kPlain, kRfcVerifier, true},
      {PkceMethod::kPlain, "short", false},
      {PkceMethod::kS256, "", false},
      {PkceMethod::kSha512Hex, "", false},
  }));
  CAPTURE(PkceMethodName(method), challenge);
  auto s = ValidateChallenge(method, challenge);
  CHECK(s.ok() == valid);
  if (!s.ok()) CHECK(s.error().field == "code_challenge");
}

}  // namespace atm
