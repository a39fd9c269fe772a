#include "crypto/password.h"

#include <openssl/evp.h>

#include <cstdio>
#include <optional>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace atm {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

struct Parsed {
  ScryptParams params;
  std::string salt;
  std::string hash;
};

std::optional<std::string> Derive(std::string_view password, std::string_view salt, const ScryptParams& p) {
  const uint64_t n = uint64_t{1} << p.log_n;
  const uint64_t maxmem = 128ull * p.r * (n + p.p + 2) + (1u << 20);
  std::string out(kHashBytes, '\0');
  if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                     n, static_cast<uint64_t>(p.r), static_cast<uint64_t>(p.p), maxmem,
                     reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1) {
    return std::nullopt;
  }
  return out;
}

std::optional<Parsed> Parse(std::string_view encoded) {
  constexpr std::string_view kPrefix = "$scrypt$";
  if (encoded.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  encoded.remove_prefix(kPrefix.size());
  size_t d1 = encoded.find('$');
  if (d1 == std::string_view::npos) return std::nullopt;
  size_t d2 = encoded.find('$', d1 + 1);
  if (d2 == std::string_view::npos) return std::nullopt;
  Parsed out;
  std::string params(encoded.substr(0, d1));
  int consumed = 0;
  if (std::sscanf(params.c_str(), "ln=%d,r=%d,p=%d%n", &out.params.log_n, &out.params.r, &out.params.p, &consumed) !=
          3 ||
      consumed != static_cast<int>(params.size())) {
    return std::nullopt;
  }
  // Bounds keep a crafted hash from asking for gigabytes or hours.
  if (out.params.log_n < 1 || out.params.log_n > 22 || out.params.r < 1 || out.params.r > 32 || out.params.p < 1 ||
      out.params.p > 16) {
    return std::nullopt;
  }
  auto salt = Base64UrlDecode(encoded.substr(d1 + 1, d2 - d1 - 1));
  auto hash = Base64UrlDecode(encoded.substr(d2 + 1));
  if (!salt || !hash || salt->size() < 8 || hash->size() != kHashBytes) return std::nullopt;
  out.salt = std::move(*salt);
  out.hash = std::move(*hash);
  return out;
}

}  // namespace

Result<std::string> HashPassword(std::string_view password, const ScryptParams& params) {
  std::string salt = RandomBytes(kSaltBytes);
  auto hash = Derive(password, salt, params);
  if (!hash) return ServerError("scrypt failed (not enough memory?)");
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "$scrypt$ln=%d,r=%d,p=%d$", params.log_n, params.r, params.p);
  return std::string(prefix) + Base64UrlEncode(salt) + "$" + Base64UrlEncode(*hash);
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  auto parsed = Parse(encoded);
  if (!parsed) return false;
  auto hash = Derive(password, parsed->salt, parsed->params);
  return hash && ConstantTimeEquals(*hash, parsed->hash);
}

bool IsPasswordHash(std::string_view encoded) { return Parse(encoded).has_value(); }

std::optional<ScryptParams> PasswordHashParams(std::string_view encoded) {
  auto parsed = Parse(encoded);
  if (!parsed) return std::nullopt;
  return parsed->params;
}

}  // namespace atm
