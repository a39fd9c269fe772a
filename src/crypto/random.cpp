#include "crypto/random.h"

#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace atm {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::fputs("atm: the random number generator failed\n", stderr);
    std::abort();
  }
  return out;
}

std::string RandomString(size_t length, std::string_view alphabet) {
  const size_t n = alphabet.size();
  // Accept only bytes below the largest multiple of n that fits in a byte.
  const unsigned limit = 256 - (256 % n);
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    std::string batch = RandomBytes(length - out.size() + 8);
    for (unsigned char b : batch) {
      if (b >= limit) continue;
      out += alphabet[b % n];
      if (out.size() == length) break;
    }
  }
  return out;
}

}  // namespace atm
