// The physical limits, measured in-process on every core: how many JWS
// signatures OpenSSL makes per second (RS256 = RSA-2048 PKCS#1 v1.5 over
// SHA-256, ES256 = ECDSA P-256, EdDSA = Ed25519), and how many scrypt hashes
// per second a given cost allows. atm's token rates are judged against these.
#pragma once

#include <string>

namespace atm::bench {

struct RateResult {
  double per_second = 0;
  long operations = 0;
  int threads = 0;
  double seconds = 0;
  double cpu_us_per_op = 0;  // thread CPU time per operation
};

// `alg` is RS256, ES256 or EdDSA. Each thread signs a 300-byte JWS input in
// a loop with its own prepared context (the fastest way OpenSSL offers).
RateResult SignRate(const std::string& alg, int threads, double seconds);
// scrypt with N = 2^log_n, r = 8, p = 1 (atm's parameters), one per thread.
RateResult ScryptRate(int log_n, int threads, double seconds);

}  // namespace atm::bench
