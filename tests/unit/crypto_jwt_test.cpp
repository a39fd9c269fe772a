// JWS signing keys and JWTs: round trips for every algorithm, the RFC 7638
// thumbprint kid, and the forgeries a verifier must refuse (RFC 8725).
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "crypto/signing_key.h"

namespace atm {
namespace {

// RFC 7517 Appendix A.2 (the private half of the RFC 7638 §3.1 example key),
// converted to PKCS#8 PEM.
constexpr const char* kRfc7517Pem = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDS/HtqCh5sZxBK
64+Isldmm032ed2tCZtcSmzZqIAVtaEzvwuFbHhxtt8AC1VPzrPC7VErto8UXG6E
NHUvq1Khz8EkQI95tYpFeMFkKIVXifeiSeOEyy2fri1n/Zb7kmwZjgdzmf3IFcCv
CX3eWq3v9E3nDoJ/SHhDJDm/7rlgaNBHT8UNbZC/OpjfrxBAyJwC1pKrOzwolmCd
hv1zt3TOB0BkfO7qoxC9EvmFqOufWf3UJs6lshIPTyo0vKt2S35sVNaEAji8xAWH
pZ5m7R8ziUV3Y1xHCvdc+Swg0dpD4b/EGeIipvDQuzWMXjj5ywUK6v6QSBTxrBqk
nMqeoMqDAgMBAAECggEAX4cTteJY/gn4FYPsXB8rdXix5vwsg1FLN5E3EaG6RJoV
H+HLLKD9M7dx5oo7GURknchnrRweUkC7hT5fJLM0WbFAKNLWY2vv7B6NqXSzUvxT
0/YSfqijwp3RTzlBaCxWp4doFk5N2o8Gy/nHNKroADIkJ46pRUohsXywbReAdYaM
wFs9tv8d/cPVY3i07a3t8MN6TNwm0dSawm9v47UiCl3Sk5ZiG7xojPLu4sbg1U2j
x4IBTNBznbJSzFHK66jT8bgkuqsk0GjskDJk19Z4qwjwbsnn4j2WBii3RL+Us2lG
VkY8fkFzme1z0HbIkfz0Y6mqnOYtqc0X4jfcKoAC8QKBgQDzeL7si8wZegxcKyS/
vdMqvzrfsWI7tnbvO/yiPqltZRDIs9AFDG09WfAPbRH7rR5MOYPa6Ocy3k+ioyub
xF+Y2FVYO2OMyYIyM6lJeJwUePtc65UhhDKpVaVYSHp03foZVliT3c3wFz29jjXH
LwH1HPM4ZVDNe80S+fs7SdVt+wKBgQDd185H1y5ir7RL6aQUvOAi2AwR8XMHareF
Z6Ey4bSgK6qdve+hsvK6aqNVlA7V0it3CBOcJ2ljMFw59bmvfvQAVeOJZ+380YSK
i+ieLOEqmj1VVLvxPMWDGQh2t5xF7Oxn7WRh3+zWoNvG2QMSB8AhMAb0tScAO6fi
8hxvrJ6XGQKBgBuLD15HOmGvcvKCVvfyC4+MbqabtJc4vx+1U5EvMY+UnV93KBNK
IpmMMSItnpkwLntFDmuXaYBRsgSeHPLUNlReNNl0boCg0z/GpGIRaObQAO+0HvzZ
rbmGXNwt5tyNuBthr0ebEg8VMgDds6vC35/RFJrOq2Nzm/GHoipE4gY9AoGBALPZ
QB/X4IAbKBUfDmnNkfxNoMNvNq09pBjgIbyJZRExNXn6wOoblFLzHwXDKZ/Janlu
r8852GOUkkBe6THQv2oCN5xvCG6dQVG9CVIq2kTalHy4XEG/3fRheA4e3u+Fm0bK
G0aJ7o02DdcQmj+kzutY71q1/i9fLcV8OPeEP3IJAoGAGyM/p6JrXySiz1toFgKb
WV+JdI3jQ4ypu9rbMWx3rQJBfmt0FoYzgUIZEVFEcOqwemRN81zoDAaa+Bk0KWNG
DjJHZDdDmFhW3AN7lI+puxk/mHZGJ11rxyR8O55XLSe3SPmRfKwZI6yU24ZxvQKF
YItdldUKGzO6Ia6zTKhAVRU=
-----END PRIVATE KEY-----
)";

// Keys are generated once per algorithm: RSA-2048 generation is slow.
std::shared_ptr<const SigningKey> KeyFor(JwsAlg alg) {
  static std::map<JwsAlg, std::shared_ptr<const SigningKey>> keys;
  auto& slot = keys[alg];
  if (!slot) {
    auto key = SigningKey::Generate(alg);
    REQUIRE(key.ok());
    slot = std::move(*key);
  }
  return slot;
}

KeyLookup Only(std::shared_ptr<const SigningKey> key) {
  return [key](const std::string& kid) { return kid == key->kid() ? key : nullptr; };
}

std::string Part(const nlohmann::json& j) { return Base64UrlEncode(j.dump()); }

// RFC 7638 §3: SHA-256 over the required members, sorted, no white space.
std::string Thumbprint(const nlohmann::json& jwk) {
  nlohmann::json required;
  const std::string kty = jwk.at("kty");
  const char* rsa[] = {"e", "kty", "n"};
  const char* ec[] = {"crv", "kty", "x", "y"};
  const char* okp[] = {"crv", "kty", "x"};
  if (kty == "RSA")
    for (auto m : rsa) required[m] = jwk.at(m);
  if (kty == "EC")
    for (auto m : ec) required[m] = jwk.at(m);
  if (kty == "OKP")
    for (auto m : okp) required[m] = jwk.at(m);
  return Base64UrlEncode(Sha256(required.dump()));  // nlohmann sorts keys
}

std::string PublicPem(const SigningKey& key) {
  std::string priv = key.PrivatePem();
  std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(priv.data(), static_cast<int>(priv.size())), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr),
                                                           &EVP_PKEY_free);
  REQUIRE(pkey);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  REQUIRE(PEM_write_bio_PUBKEY(out.get(), pkey.get()) == 1);
  char* data = nullptr;
  long len = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char mac[32];
  unsigned int len = sizeof mac;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

}  // namespace

TEST_CASE("a signed JWT verifies and decodes for every algorithm", "[jwt]") {
  auto alg = GENERATE(JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA);
  auto key = KeyFor(alg);
  CAPTURE(JwsAlgName(alg));
  nlohmann::json payload = {{"iss", "atm"}, {"sub", "user"}, {"n", 42}, {"nested", {{"a", "b"}}}};
  auto token = SignJwt(*key, payload);
  REQUIRE(token.ok());
  auto decoded = VerifyJwt(*token, Only(key));
  REQUIRE(decoded.ok());
  CHECK(decoded->payload == payload);
  CHECK(decoded->header["alg"] == JwsAlgName(alg));
  CHECK(decoded->header["kid"] == key->kid());
  CHECK(decoded->header["typ"] == "JWT");
}

TEST_CASE("signatures have their RFC 7518 sizes", "[jwt]") {
  auto [alg, size] = GENERATE(table<JwsAlg, size_t>({
      {JwsAlg::kRS256, 256},  // RSA-2048, PKCS#1 v1.5
      {JwsAlg::kES256, 64},   // r || s, 32 bytes each (§3.4), not DER
      {JwsAlg::kEdDSA, 64},   // Ed25519 (RFC 8037)
  }));
  auto sig = KeyFor(alg)->Sign("input");
  REQUIRE(sig.ok());
  CHECK(sig->size() == size);
  CHECK(KeyFor(alg)->Verify("input", *sig));
  CHECK_FALSE(KeyFor(alg)->Verify("inpuT", *sig));
}

TEST_CASE("a tampered payload or signature does not verify", "[jwt]") {
  auto alg = GENERATE(JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA);
  auto key = KeyFor(alg);
  auto token = SignJwt(*key, {{"sub", "alice"}, {"admin", false}});
  REQUIRE(token.ok());
  const size_t d1 = token->find('.');
  const size_t d2 = token->rfind('.');
  const std::string header = token->substr(0, d1);
  const std::string sig = token->substr(d2 + 1);

  SECTION("payload swapped") {
    std::string forged = header + "." + Part({{"sub", "alice"}, {"admin", true}}) + "." + sig;
    auto r = VerifyJwt(forged, Only(key));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().description.find("signature") != std::string::npos);
  }
  SECTION("one signature byte flipped") {
    auto raw = Base64UrlDecode(sig);
    REQUIRE(raw);
    (*raw)[raw->size() / 2] ^= 0x01;
    CHECK_FALSE(VerifyJwt(token->substr(0, d2 + 1) + Base64UrlEncode(*raw), Only(key)).ok());
  }
  SECTION("signature removed") { CHECK_FALSE(VerifyJwt(token->substr(0, d2 + 1), Only(key)).ok()); }
  SECTION("signature of another key of the same algorithm") {
    auto other = SigningKey::Generate(alg);
    REQUIRE(other.ok());
    auto foreign = SignJwt(**other, {{"sub", "alice"}});
    REQUIRE(foreign.ok());
    // Claim our kid, keep their signature.
    std::string forged = header + "." + Part({{"sub", "alice"}}) + foreign->substr(foreign->rfind('.'));
    CHECK_FALSE(VerifyJwt(forged, Only(key)).ok());
  }
}

TEST_CASE("alg none is refused", "[jwt]") {
  auto key = KeyFor(JwsAlg::kRS256);
  const std::string body = Part({{"sub", "mallory"}});
  for (const char* alg : {"none", "None", "NONE"}) {
    CAPTURE(alg);
    std::string head = Part({{"alg", alg}, {"typ", "JWT"}, {"kid", key->kid()}});
    CHECK_FALSE(VerifyJwt(head + "." + body + ".", Only(key)).ok());
    // Even with a valid RS256 signature over the same input.
    auto sig = key->Sign(head + "." + body);
    REQUIRE(sig.ok());
    CHECK_FALSE(VerifyJwt(head + "." + body + "." + Base64UrlEncode(*sig), Only(key)).ok());
  }
}

TEST_CASE("HS256 signed with the public key is refused (key confusion)", "[jwt]") {
  auto key = KeyFor(JwsAlg::kRS256);
  const std::string input =
      Part({{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key->kid()}}) + "." + Part({{"sub", "mallory"}});
  for (const std::string& secret :
       {PublicPem(*key), key->PublicJwk().dump(), key->PublicJwk()["n"].get<std::string>()}) {
    std::string forged = input + "." + Base64UrlEncode(HmacSha256(secret, input));
    auto r = VerifyJwt(forged, Only(key));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().description.find("alg") != std::string::npos);
  }
}

TEST_CASE("a token naming another algorithm than its key's is refused", "[jwt]") {
  auto es = KeyFor(JwsAlg::kES256);
  auto token = SignJwt(*es, {{"sub", "x"}});
  REQUIRE(token.ok());
  const std::string rest = token->substr(token->find('.'));
  for (const char* alg : {"RS256", "EdDSA", "ES384", "ES256K"}) {
    CAPTURE(alg);
    std::string forged = Part({{"alg", alg}, {"typ", "JWT"}, {"kid", es->kid()}}) + rest;
    CHECK_FALSE(VerifyJwt(forged, Only(es)).ok());
  }
}

TEST_CASE("an unknown kid or a header without kid or alg is refused", "[jwt]") {
  auto key = KeyFor(JwsAlg::kRS256);
  auto token = SignJwt(*key, {{"sub", "x"}});
  REQUIRE(token.ok());
  KeyLookup nothing = [](const std::string&) { return std::shared_ptr<const SigningKey>(); };
  auto r = VerifyJwt(*token, nothing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().description.find("not signed by a key of this server") != std::string::npos);

  const std::string rest = token->substr(token->find('.'));
  for (const nlohmann::json& header :
       {nlohmann::json{{"alg", "RS256"}}, nlohmann::json{{"kid", key->kid()}},
        nlohmann::json{{"alg", "RS256"}, {"kid", 7}}, nlohmann::json{{"alg", nullptr}, {"kid", key->kid()}}}) {
    CAPTURE(header.dump());
    CHECK_FALSE(VerifyJwt(Part(header) + rest, Only(key)).ok());
  }
}

TEST_CASE("malformed tokens are errors, never crashes", "[jwt]") {
  auto key = KeyFor(JwsAlg::kRS256);
  auto token =
      GENERATE(as<std::string>{}, "", ".", "..", "...", "a.b.c", "a.b", "a.b.c.d", "e30.e30.", "W10.e30.", "e30.W10.",
               "!!.e30.e30", "eyJ.e30.e30", "bnVsbA.bnVsbA.", std::string(10000, 'a') + ".e30.e30");
  CAPTURE(token);
  CHECK_FALSE(VerifyJwt(token, Only(key)).ok());
}

TEST_CASE("DecodeJwtUnverified reads the parts without checking the signature", "[jwt]") {
  auto key = KeyFor(JwsAlg::kES256);
  auto token = SignJwt(*key, {{"sub", "bob"}});
  REQUIRE(token.ok());
  auto d = DecodeJwtUnverified(token->substr(0, token->rfind('.') + 1) + "AAAA");
  REQUIRE(d.ok());
  CHECK(d->payload["sub"] == "bob");
  CHECK_FALSE(DecodeJwtUnverified("not a jwt").ok());
}

TEST_CASE("the kid is the RFC 7638 thumbprint of the RFC 7517 example key", "[jwk]") {
  auto key = SigningKey::FromPem(kRfc7517Pem);
  REQUIRE(key.ok());
  CHECK((*key)->alg() == JwsAlg::kRS256);
  // RFC 7638 §3.1.
  CHECK((*key)->kid() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  auto jwk = (*key)->PublicJwk();
  CHECK(jwk["kty"] == "RSA");
  CHECK(jwk["e"] == "AQAB");
  CHECK(jwk["n"].get<std::string>().rfind("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4", 0) == 0);
  CHECK(jwk["kid"] == (*key)->kid());
  // The test's own thumbprint helper agrees with the RFC vector too.
  CHECK(Thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  CHECK(jwk["use"] == "sig");
  CHECK(jwk["alg"] == "RS256");
  CHECK_FALSE(jwk.contains("d"));
}

TEST_CASE("every key's kid is the thumbprint of its public JWK, and the JWK has no private part", "[jwk]") {
  auto [alg, kty, members] = GENERATE(table<JwsAlg, std::string, std::vector<std::string>>({
      {JwsAlg::kRS256, "RSA", {"n", "e"}},
      {JwsAlg::kES256, "EC", {"crv", "x", "y"}},
      {JwsAlg::kEdDSA, "OKP", {"crv", "x"}},
  }));
  auto key = KeyFor(alg);
  auto jwk = key->PublicJwk();
  CHECK(jwk["kty"] == kty);
  for (const auto& m : members) CHECK(jwk.contains(m));
  CHECK_FALSE(jwk.contains("d"));
  CHECK(key->kid() == Thumbprint(jwk));
  CHECK(key->kid().size() == 43);
}

TEST_CASE("a key survives a PEM round trip with its kid and signatures", "[jwk]") {
  auto alg = GENERATE(JwsAlg::kRS256, JwsAlg::kES256, JwsAlg::kEdDSA);
  auto key = KeyFor(alg);
  auto copy = SigningKey::FromPem(key->PrivatePem());
  REQUIRE(copy.ok());
  CHECK((*copy)->alg() == alg);
  CHECK((*copy)->kid() == key->kid());
  auto token = SignJwt(*key, {{"sub", "x"}});
  REQUIRE(token.ok());
  std::shared_ptr<const SigningKey> reloaded(std::move(*copy));
  CHECK(VerifyJwt(*token, Only(reloaded)).ok());
}

TEST_CASE("FromPem refuses what it cannot sign with", "[jwk]") {
  CHECK_FALSE(SigningKey::FromPem("").ok());
  CHECK_FALSE(SigningKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
  CHECK_FALSE(SigningKey::FromPem(PublicPem(*KeyFor(JwsAlg::kRS256))).ok());
}

TEST_CASE("algorithm names parse exactly", "[jwk]") {
  CHECK(ParseJwsAlg("RS256").ok());
  CHECK(ParseJwsAlg("ES256").ok());
  CHECK(ParseJwsAlg("EdDSA").ok());
  CHECK_FALSE(ParseJwsAlg("rs256").ok());
  CHECK_FALSE(ParseJwsAlg("HS256").ok());
  CHECK_FALSE(ParseJwsAlg("none").ok());
}

}  // namespace atm
