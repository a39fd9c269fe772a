// Random bytes and strings from the OS CSPRNG (OpenSSL RAND_bytes).
#pragma once

#include <string>
#include <string_view>

namespace atm {

inline constexpr std::string_view kAlphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
inline constexpr std::string_view kUrlSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

// `n` random bytes. Aborts the process if the CSPRNG fails: issuing a
// predictable secret is worse than stopping.
std::string RandomBytes(size_t n);
// `length` characters drawn uniformly from `alphabet` (at most 256 letters) by
// rejection sampling, so no letter is favoured.
std::string RandomString(size_t length, std::string_view alphabet);

}  // namespace atm
