#include "limits.h"

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include <time.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace atm::bench {
namespace {

using Clock = std::chrono::steady_clock;
using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Pkey Generate(const std::string& alg) {
  EVP_PKEY* k = nullptr;
  if (alg == "RS256") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  if (alg == "ES256") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (alg == "EdDSA") k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!k) throw std::runtime_error("cannot generate a " + alg + " key");
  return Pkey(k, &EVP_PKEY_free);
}

long ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

// Runs `op` on `threads` threads until `seconds` pass; counts calls.
template <class MakeOp>
RateResult Measure(int threads, double seconds, MakeOp make_op) {
  std::atomic<long> total{0};
  std::atomic<long> cpu_ns{0};
  std::atomic<bool> failed{false};
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto op = make_op();
      long n = 0;
      const long cpu0 = ThreadCpuNs();
      while (Clock::now() < end) {
        if (!op()) {
          failed = true;
          break;
        }
        ++n;
      }
      cpu_ns += ThreadCpuNs() - cpu0;
      total += n;
    });
  }
  for (auto& t : pool) t.join();
  if (failed) throw std::runtime_error("an OpenSSL operation failed");
  RateResult r;
  r.operations = total;
  r.threads = threads;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.per_second = static_cast<double>(r.operations) / r.seconds;
  r.cpu_us_per_op = r.operations > 0 ? static_cast<double>(cpu_ns) / 1e3 / static_cast<double>(r.operations) : 0;
  return r;
}

}  // namespace

RateResult SignRate(const std::string& alg, int threads, double seconds) {
  Pkey key = Generate(alg);
  const std::string input(300, 'a');  // about a JWT header and payload
  EVP_PKEY* k = key.get();
  if (alg == "EdDSA") {
    // Ed25519 hashes internally: one-shot EVP_DigestSign on a copy of a
    // context initialised once.
    return Measure(threads, seconds, [k, &input] {
      auto proto = std::make_shared<MdCtx>(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
      EVP_DigestSignInit(proto->get(), nullptr, nullptr, nullptr, k);
      auto ctx = std::make_shared<MdCtx>(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
      return [proto, ctx, &input] {
        unsigned char sig[64];
        size_t len = sizeof sig;
        return EVP_MD_CTX_copy_ex(ctx->get(), proto->get()) == 1 &&
               EVP_DigestSign(ctx->get(), sig, &len, reinterpret_cast<const unsigned char*>(input.data()),
                              input.size()) == 1;
      };
    });
  }
  // RS256 / ES256: SHA-256 of the input, then the private-key operation with a
  // per-thread EVP_PKEY_CTX prepared once.
  return Measure(threads, seconds, [k, &input, &alg] {
    auto ctx = std::make_shared<PkeyCtx>(EVP_PKEY_CTX_new(k, nullptr), &EVP_PKEY_CTX_free);
    EVP_PKEY_sign_init(ctx->get());
    if (alg == "RS256") EVP_PKEY_CTX_set_rsa_padding(ctx->get(), RSA_PKCS1_PADDING);
    EVP_PKEY_CTX_set_signature_md(ctx->get(), EVP_sha256());
    return [ctx, &input] {
      unsigned char digest[SHA256_DIGEST_LENGTH];
      SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
      unsigned char sig[512];
      size_t len = sizeof sig;
      return EVP_PKEY_sign(ctx->get(), sig, &len, digest, sizeof digest) == 1;
    };
  });
}

RateResult ScryptRate(int log_n, int threads, double seconds) {
  return Measure(threads, seconds, [log_n] {
    return [log_n] {
      const uint64_t n = uint64_t{1} << log_n;
      const uint64_t maxmem = 128ull * 8 * (n + 1 + 2) + (1u << 20);  // as atm computes it
      const char salt[16] = "0123456789abcde";
      unsigned char out[32];
      return EVP_PBE_scrypt("correct horse battery", 21, reinterpret_cast<const unsigned char*>(salt), 16, n, 8, 1,
                            maxmem, out, sizeof out) == 1;
    };
  });
}

}  // namespace atm::bench
