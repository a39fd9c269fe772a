#include "crypto/secret_box.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <optional>

#include "crypto/encoding.h"
#include "crypto/random.h"

namespace atm {
namespace {

constexpr std::string_view kPrefix = "atm-enc:v1:";
constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::optional<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (char c : {hex[i], hex[i + 1]}) {
      int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
              : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
              : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                          : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out += static_cast<char>(v);
  }
  return out;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<SecretBox> SecretBox::FromKeyText(std::string_view text) {
  text = TrimSpace(text);
  std::optional<std::string> key;
  if (text.size() == 2 * kKeyBytes) key = HexDecode(text);
  if (!key) key = Base64Decode(text);
  if (!key) key = Base64UrlDecode(text);
  if (!key || key->size() != kKeyBytes) {
    return InvalidRequest(
        "expected a 256-bit key: 64 hex characters or the base64 of 32 bytes "
        "(e.g. from `openssl rand -hex 32`)");
  }
  return SecretBox(std::move(*key));
}

SecretBox::SecretBox(SecretBox&& other) noexcept : key_(std::move(other.key_)) {
  OPENSSL_cleanse(other.key_.data(), other.key_.size());
  other.key_.clear();
}

SecretBox& SecretBox::operator=(SecretBox&& other) noexcept {
  if (this != &other) {
    OPENSSL_cleanse(key_.data(), key_.size());
    key_ = std::move(other.key_);
    other.key_.clear();
  }
  return *this;
}

SecretBox::~SecretBox() { OPENSSL_cleanse(key_.data(), key_.size()); }

bool SecretBox::IsSealed(std::string_view text) { return text.substr(0, kPrefix.size()) == kPrefix; }

std::string SecretBox::Seal(std::string_view plaintext, std::string_view additional_data) const {
  std::string nonce = RandomBytes(kNonceBytes);
  std::string out(plaintext.size(), '\0');
  std::string tag(kTagBytes, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  // AES-GCM encryption only fails when out of memory: stopping beats
  // storing a secret unencrypted.
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(additional_data), static_cast<int>(additional_data.size())) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), Bytes(out), &len, Bytes(plaintext), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), Bytes(out) + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) != 1) {
    std::abort();
  }
  return std::string(kPrefix) + Base64UrlEncode(nonce + out + tag);
}

Result<std::string> SecretBox::Open(std::string_view sealed, std::string_view additional_data) const {
  auto fail = [] { return InvalidRequest("cannot decrypt: wrong key, or the value was altered"); };
  if (!IsSealed(sealed)) return InvalidRequest("not an encrypted value");
  auto raw = Base64UrlDecode(sealed.substr(kPrefix.size()));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return fail();
  std::string_view all(*raw);
  std::string_view nonce = all.substr(0, kNonceBytes);
  std::string_view cipher = all.substr(kNonceBytes, all.size() - kNonceBytes - kTagBytes);
  std::string tag(all.substr(all.size() - kTagBytes));
  std::string out(cipher.size(), '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key_), Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(additional_data), static_cast<int>(additional_data.size())) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), Bytes(out), &len, Bytes(cipher), static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), Bytes(out) + len, &len) != 1) {
    OPENSSL_cleanse(out.data(), out.size());
    return fail();
  }
  return out;
}

}  // namespace atm
