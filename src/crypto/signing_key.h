// A JWS signing key (RS256, ES256 or EdDSA/Ed25519) owning its OpenSSL handle.
// Its kid is the RFC 7638 JWK thumbprint of the public key.
#pragma once

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace atm {

enum class JwsAlg { kRS256, kES256, kEdDSA };

Result<JwsAlg> ParseJwsAlg(std::string_view name);
std::string JwsAlgName(JwsAlg alg);

class SigningKey {
 public:
  struct Impl;
  ~SigningKey();
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;

  // RSA keys are 2048 bits; generation takes a few hundred milliseconds.
  // `cancel`, when given and set meanwhile, stops an RSA generation early
  // (it fails), so that a server stopping does not wait for it.
  static Result<std::unique_ptr<SigningKey>> Generate(JwsAlg alg, const std::atomic<bool>* cancel = nullptr);
  // Loads a PKCS#8 or traditional PEM private key; the algorithm follows the key type.
  static Result<std::unique_ptr<SigningKey>> FromPem(std::string_view pem);

  JwsAlg alg() const { return alg_; }
  const std::string& kid() const { return kid_; }
  std::string PrivatePem() const;
  // The public JWK: kty, kid, use "sig", alg, and n/e, crv/x/y or crv/x.
  nlohmann::json PublicJwk() const;

  // The raw JWS signature of `input` (RFC 7518 §3: PKCS#1 v1.5, r||s, or Ed25519).
  Result<std::string> Sign(std::string_view input) const;
  bool Verify(std::string_view input, std::string_view signature) const;

 private:
  SigningKey(std::unique_ptr<Impl> impl, JwsAlg alg);
  std::unique_ptr<Impl> impl_;
  JwsAlg alg_;
  std::string kid_;
  nlohmann::json jwk_;
};

}  // namespace atm
