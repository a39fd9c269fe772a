#include "crypto/signing_key.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/encoding.h"

namespace atm {

struct SigningKey::Impl {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, &EVP_PKEY_free};
  // A signing context initialised once (digest fetched, key bound). Sign()
  // copies it instead of running EVP_DigestSignInit each time; the copy only
  // reads it, so threads share it safely.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> prepared{nullptr, &EVP_MD_CTX_free};
};

namespace {

using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using Bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using EcSig = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;

constexpr size_t kEs256Half = 32;

std::string BnParam(EVP_PKEY* pkey, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return {};
  Bn bn(raw, &BN_free);
  std::string out(BN_num_bytes(bn.get()), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string BnParamPadded(EVP_PKEY* pkey, const char* name, size_t width) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return {};
  Bn bn(raw, &BN_free);
  std::string out(width, '\0');
  BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(width));
  return out;
}

const EVP_MD* Digest(JwsAlg alg) { return alg == JwsAlg::kEdDSA ? nullptr : EVP_sha256(); }

// DER ECDSA-Sig-Value -> fixed-width r||s (RFC 7518 §3.4).
std::string DerToRaw(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EcSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
  if (!sig) return {};
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(2 * kEs256Half, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (BN_bn2binpad(r, o, kEs256Half) < 0 || BN_bn2binpad(s, o + kEs256Half, kEs256Half) < 0) {
    return {};
  }
  return out;
}

std::string RawToDer(std::string_view raw) {
  if (raw.size() != 2 * kEs256Half) return {};
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  EcSig sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
  BIGNUM* r = BN_bin2bn(p, kEs256Half, nullptr);
  BIGNUM* s = BN_bin2bn(p + kEs256Half, kEs256Half, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return {};
  std::string out(static_cast<size_t>(len), '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  i2d_ECDSA_SIG(sig.get(), &o);
  return out;
}

}  // namespace

Result<JwsAlg> ParseJwsAlg(std::string_view name) {
  if (name == "RS256") return JwsAlg::kRS256;
  if (name == "ES256") return JwsAlg::kES256;
  if (name == "EdDSA") return JwsAlg::kEdDSA;
  return InvalidRequest("unsupported signing algorithm \"" + std::string(name) + "\"");
}

std::string JwsAlgName(JwsAlg alg) {
  switch (alg) {
    case JwsAlg::kRS256:
      return "RS256";
    case JwsAlg::kES256:
      return "ES256";
    case JwsAlg::kEdDSA:
      return "EdDSA";
  }
  return "RS256";
}

SigningKey::SigningKey(std::unique_ptr<Impl> impl, JwsAlg alg) : impl_(std::move(impl)), alg_(alg) {
  EVP_PKEY* pkey = impl_->pkey.get();
  nlohmann::json thumb;  // RFC 7638 §3.2: required members only, sorted, no spaces
  switch (alg_) {
    case JwsAlg::kRS256:
      thumb = {{"e", Base64UrlEncode(BnParam(pkey, OSSL_PKEY_PARAM_RSA_E))},
               {"kty", "RSA"},
               {"n", Base64UrlEncode(BnParam(pkey, OSSL_PKEY_PARAM_RSA_N))}};
      break;
    case JwsAlg::kES256:
      thumb = {{"crv", "P-256"},
               {"kty", "EC"},
               {"x", Base64UrlEncode(BnParamPadded(pkey, OSSL_PKEY_PARAM_EC_PUB_X, kEs256Half))},
               {"y", Base64UrlEncode(BnParamPadded(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, kEs256Half))}};
      break;
    case JwsAlg::kEdDSA: {
      std::string pub(32, '\0');
      size_t len = pub.size();
      EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(pub.data()), &len);
      thumb = {{"crv", "Ed25519"}, {"kty", "OKP"}, {"x", Base64UrlEncode(pub)}};
      break;
    }
  }
  MdCtx prepared(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (prepared && EVP_DigestSignInit(prepared.get(), nullptr, Digest(alg_), nullptr, pkey) == 1) {
    impl_->prepared.reset(prepared.release());
  }
  kid_ = Base64UrlEncode(Sha256(thumb.dump()));
  jwk_ = thumb;
  jwk_["kid"] = kid_;
  jwk_["use"] = "sig";
  jwk_["alg"] = JwsAlgName(alg_);
}

SigningKey::~SigningKey() = default;

namespace {

// RSA-2048 with a progress callback that gives up once `cancel` is set.
EVP_PKEY* GenerateRsa(const std::atomic<bool>* cancel) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr),
                                                                  EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) <= 0) {
    return nullptr;
  }
  if (cancel != nullptr) {
    EVP_PKEY_CTX_set_app_data(ctx.get(), const_cast<std::atomic<bool>*>(cancel));
    EVP_PKEY_CTX_set_cb(ctx.get(), [](EVP_PKEY_CTX* c) -> int {
      return static_cast<std::atomic<bool>*>(EVP_PKEY_CTX_get_app_data(c))->load() ? 0 : 1;
    });
  }
  EVP_PKEY* out = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &out) <= 0) return nullptr;
  return out;
}

}  // namespace

Result<std::unique_ptr<SigningKey>> SigningKey::Generate(JwsAlg alg, const std::atomic<bool>* cancel) {
  EVP_PKEY* raw = nullptr;
  switch (alg) {
    case JwsAlg::kRS256:
      raw = GenerateRsa(cancel);
      break;
    case JwsAlg::kES256:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case JwsAlg::kEdDSA:
      raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  if (!raw) return ServerError("key generation failed");
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  return std::unique_ptr<SigningKey>(new SigningKey(std::move(impl), alg));
}

Result<std::unique_ptr<SigningKey>> SigningKey::FromPem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return ServerError("out of memory");
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (!raw) return InvalidRequest("not a PEM private key");
  auto impl = std::make_unique<Impl>();
  impl->pkey.reset(raw);
  JwsAlg alg;
  if (EVP_PKEY_is_a(raw, "RSA")) {
    if (EVP_PKEY_get_bits(raw) < 2048) return InvalidRequest("RSA keys must have at least 2048 bits");
    alg = JwsAlg::kRS256;
  } else if (EVP_PKEY_is_a(raw, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    EVP_PKEY_get_utf8_string_param(raw, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len);
    if (std::string_view(group) != "prime256v1" && std::string_view(group) != "P-256") {
      return InvalidRequest("EC keys must be on the P-256 curve for ES256");
    }
    alg = JwsAlg::kES256;
  } else if (EVP_PKEY_is_a(raw, "ED25519")) {
    alg = JwsAlg::kEdDSA;
  } else {
    return InvalidRequest("unsupported key type: use RSA, EC P-256 or Ed25519");
  }
  return std::unique_ptr<SigningKey>(new SigningKey(std::move(impl), alg));
}

std::string SigningKey::PrivatePem() const {
  Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return {};
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

nlohmann::json SigningKey::PublicJwk() const { return jwk_; }

Result<std::string> SigningKey::Sign(std::string_view input) const {
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  bool ready = ctx && impl_->prepared && EVP_MD_CTX_copy_ex(ctx.get(), impl_->prepared.get()) == 1;
  if (!ready && (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, Digest(alg_), nullptr, impl_->pkey.get()) != 1)) {
    return ServerError("signing failed");
  }
  // The largest signature of the key: the modulus size, a DER ECDSA-Sig-Value
  // or 64 bytes for Ed25519.
  size_t len = static_cast<size_t>(EVP_PKEY_get_size(impl_->pkey.get()));
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, input.size()) != 1) {
    return ServerError("signing failed");
  }
  sig.resize(len);
  if (alg_ == JwsAlg::kES256) {
    sig = DerToRaw(sig);
    if (sig.empty()) return ServerError("signing failed");
  }
  return sig;
}

bool SigningKey::Verify(std::string_view input, std::string_view signature) const {
  std::string sig(signature);
  if (alg_ == JwsAlg::kES256) {
    sig = RawToDer(signature);
    if (sig.empty()) return false;
  }
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, Digest(alg_), nullptr, impl_->pkey.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

}  // namespace atm
