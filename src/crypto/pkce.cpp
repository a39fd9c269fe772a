#include "crypto/pkce.h"

#include <algorithm>
#include <cctype>

#include "crypto/encoding.h"

namespace atm {
namespace {

bool IsUnreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<PkceMethod> ParsePkceMethod(std::string_view name, bool allow_plain) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "s256") return PkceMethod::kS256;
  if (lower == "sha256") return PkceMethod::kSha256Hex;
  if (lower == "sha512") return PkceMethod::kSha512Hex;
  if (lower == "plain") {
    if (allow_plain) return PkceMethod::kPlain;
    return InvalidRequest("code_challenge_method \"plain\" is not allowed: use S256", "code_challenge_method");
  }
  if (lower.empty()) {
    return InvalidRequest("code_challenge_method is required: S256, SHA256 or SHA512", "code_challenge_method");
  }
  return InvalidRequest("code_challenge_method must be S256, SHA256 or SHA512", "code_challenge_method");
}

std::string PkceMethodName(PkceMethod method) {
  switch (method) {
    case PkceMethod::kPlain:
      return "plain";
    case PkceMethod::kS256:
      return "S256";
    case PkceMethod::kSha256Hex:
      return "SHA256";
    case PkceMethod::kSha512Hex:
      return "SHA512";
  }
  return "S256";
}

Status ValidateChallenge(PkceMethod method, std::string_view challenge) {
  if (challenge.empty()) return InvalidRequest("code_challenge is required", "code_challenge");
  switch (method) {
    case PkceMethod::kS256:
      if (challenge.size() != 43 || !Base64UrlDecode(challenge)) {
        return InvalidRequest("code_challenge for S256 must be 43 characters of base64url", "code_challenge");
      }
      break;
    case PkceMethod::kSha256Hex:
      if (challenge.size() != 64 || !IsLowerHex(challenge)) {
        return InvalidRequest("code_challenge for SHA256 must be 64 lowercase hex characters", "code_challenge");
      }
      break;
    case PkceMethod::kSha512Hex:
      if (challenge.size() != 128 || !IsLowerHex(challenge)) {
        return InvalidRequest("code_challenge for SHA512 must be 128 lowercase hex characters", "code_challenge");
      }
      break;
    case PkceMethod::kPlain:
      if (auto s = ValidateVerifier(challenge); !s) {
        return InvalidRequest("code_challenge for plain must be 43 to 128 unreserved characters", "code_challenge");
      }
      break;
  }
  return Ok();
}

Status ValidateVerifier(std::string_view verifier) {
  if (verifier.empty()) return InvalidRequest("code_verifier is required", "code_verifier");
  if (verifier.size() < 43 || verifier.size() > 128 || !std::all_of(verifier.begin(), verifier.end(), IsUnreserved)) {
    return InvalidRequest("code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)",
                          "code_verifier");
  }
  return Ok();
}

Status ValidateAtmVerifier(std::string_view verifier) {
  if (verifier.empty()) return InvalidRequest("code_verifier is required", "code_verifier");
  if (!std::all_of(verifier.begin(), verifier.end(), [](char c) { return c >= 0x20 && c <= 0x7e; })) {
    return InvalidRequest("code_verifier must be printable ASCII", "code_verifier");
  }
  return Ok();
}

bool IsAtmMethod(PkceMethod method) { return method == PkceMethod::kSha256Hex || method == PkceMethod::kSha512Hex; }

std::string ComputeChallenge(PkceMethod method, std::string_view verifier) {
  switch (method) {
    case PkceMethod::kS256:
      return Base64UrlEncode(Sha256(verifier));
    case PkceMethod::kSha256Hex:
      return HexEncode(Sha256(verifier));
    case PkceMethod::kSha512Hex:
      return HexEncode(Sha512(verifier));
    case PkceMethod::kPlain:
      return std::string(verifier);
  }
  return {};
}

bool VerifyPkce(PkceMethod method, std::string_view verifier, std::string_view challenge) {
  return ConstantTimeEquals(ComputeChallenge(method, verifier), challenge);
}

}  // namespace atm
