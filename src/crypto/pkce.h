// PKCE (RFC 7636) and the ATM service's hex variants.
//   S256   : BASE64URL(SHA256(verifier))           (RFC 7636 §4.2)
//   SHA256 : lowercase hex of SHA256(verifier)      (ATM)
//   SHA512 : lowercase hex of SHA512(verifier)      (ATM)
//   plain  : verifier itself, only when the config allows it
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace atm {

enum class PkceMethod { kPlain, kS256, kSha256Hex, kSha512Hex };

// Method names match case-insensitively.
Result<PkceMethod> ParsePkceMethod(std::string_view name, bool allow_plain);
std::string PkceMethodName(PkceMethod method);
// Checks the challenge has the shape its method produces.
Status ValidateChallenge(PkceMethod method, std::string_view challenge);
// RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
Status ValidateVerifier(std::string_view verifier);
// The ATM service's own rule for its hex methods (SHA256, SHA512): any
// non-empty verifier of printable ASCII (the seed's example is "123456789").
Status ValidateAtmVerifier(std::string_view verifier);
// True for SHA256 and SHA512, the methods the ATM service defines.
bool IsAtmMethod(PkceMethod method);
// The transformed verifier for `method`.
std::string ComputeChallenge(PkceMethod method, std::string_view verifier);
// Constant-time comparison of the transformed verifier with the challenge.
bool VerifyPkce(PkceMethod method, std::string_view verifier, std::string_view challenge);

}  // namespace atm
