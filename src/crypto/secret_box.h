// Authenticated encryption of secrets at rest: AES-256-GCM (NIST SP 800-38D)
// with a random 96-bit nonce per value. A sealed value is the text
//   "atm-enc:v1:" + base64url(nonce || ciphertext || 16-byte tag)
// and carries additional data that binds it to where it is stored (for a
// signing key, its kid), so sealed values cannot be swapped between rows.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace atm {

class SecretBox {
 public:
  // The key as text: 64 hex characters, or the base64 / base64url of 32
  // bytes (`openssl rand -hex 32` or `openssl rand -base64 32`). White space
  // around it is ignored.
  static Result<SecretBox> FromKeyText(std::string_view text);

  SecretBox(SecretBox&& other) noexcept;
  SecretBox& operator=(SecretBox&& other) noexcept;
  SecretBox(const SecretBox&) = delete;
  SecretBox& operator=(const SecretBox&) = delete;
  ~SecretBox();  // wipes the key

  std::string Seal(std::string_view plaintext, std::string_view additional_data) const;
  // Fails for a value sealed with another key or other additional data, or
  // altered in any way.
  Result<std::string> Open(std::string_view sealed, std::string_view additional_data) const;
  // Whether `text` has the shape Seal produces.
  static bool IsSealed(std::string_view text);

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;  // 32 bytes
};

}  // namespace atm
