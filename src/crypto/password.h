// User passwords: scrypt (memory-hard) via OpenSSL, stored in a self-describing
// string "$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt b64url>$<hash b64url>", so the
// cost can change without invalidating existing hashes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace atm {

struct ScryptParams {
  int log_n = 17;  // N = 2^log_n
  int r = 8;
  int p = 1;
};

Result<std::string> HashPassword(std::string_view password, const ScryptParams& params);
// True when `password` matches `encoded`. A malformed `encoded` never matches.
bool VerifyPassword(std::string_view password, std::string_view encoded);
// True when `encoded` has the shape HashPassword produces (used to check
// password_hash values in config before they are stored).
bool IsPasswordHash(std::string_view encoded);
// The parameters an encoded hash was made with; nullopt when malformed.
std::optional<ScryptParams> PasswordHashParams(std::string_view encoded);
// The memory one scrypt run at `params` holds: its V array, 128 * r * N
// bytes (128 MiB at log_n 17, r 8); OpenSSL adds 128 * r * (p + 2) bytes.
inline uint64_t ScryptMemoryBytes(const ScryptParams& params) {
  return uint64_t{128} * static_cast<uint64_t>(params.r) * (uint64_t{1} << params.log_n);
}

}  // namespace atm
