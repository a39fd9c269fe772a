// Hashes and encodings: SHA-2 digests, hex, base64 and base64url (RFC 4648),
// and a constant-time comparison.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace atm {

std::string Sha256(std::string_view data);                            // raw 32 bytes
std::string Sha512(std::string_view data);                            // raw 64 bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string HexEncode(std::string_view bytes);                        // lowercase
std::string Base64UrlEncode(std::string_view bytes);                  // no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);    // padding optional
std::optional<std::string> Base64Decode(std::string_view text);       // standard alphabet
// Lowercase hex of SHA-256: how high-entropy secrets are stored.
inline std::string HashSecret(std::string_view secret) { return HexEncode(Sha256(secret)); }
// Compares in time that depends only on the lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace atm
