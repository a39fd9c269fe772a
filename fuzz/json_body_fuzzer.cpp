// ParseBody on JSON bodies (oauth/params.h) behind each Content-Type
// spelling: never crashes, and what it accepts is a flat map of strings.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "oauth/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* kTypes[] = {"application/json",
                                 "Application/JSON; charset=utf-8",
                                 " application/json ;x=y",
                                 "",
                                 "application/x-www-form-urlencoded",
                                 "text/plain"};
  if (size == 0) return 0;
  atm::HttpRequest request;
  request.method = "POST";
  request.headers["content-type"] = kTypes[data[0] % (sizeof kTypes / sizeof *kTypes)];
  request.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  auto params = atm::ParseBody(request);
  if (params) {
    for (const auto& [k, v] : params->values()) FUZZ_CHECK(params->Get(k) == v);
  } else {
    // A bad body is a client error from the table (400 or 415), never a 5xx.
    FUZZ_CHECK(params.error().status() >= 400 && params.error().status() < 500);
    FUZZ_CHECK(!params.error().description.empty());
  }
  return 0;
}
