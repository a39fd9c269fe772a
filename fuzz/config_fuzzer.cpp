// ParseConfig (config/config.h) on any TOML text: never crashes or throws;
// every refusal is one line naming the source.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto config = atm::ParseConfig(text, "fuzz.toml");
  if (!config) {
    const std::string& d = config.error().description;
    FUZZ_CHECK(d.rfind("fuzz.toml", 0) == 0);
    FUZZ_CHECK(d.find('\n') == std::string::npos);
  } else {
    FUZZ_CHECK(config->server.port >= 0 && config->server.port <= 65535);
    FUZZ_CHECK(config->tokens.access_token_ttl >= 1);
    FUZZ_CHECK(config->server.tls_cert_file.empty() == config->server.tls_key_file.empty());
  }
  return 0;
}
