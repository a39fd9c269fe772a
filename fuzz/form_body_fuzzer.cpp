// Form bodies and query strings (oauth/params.h, http/url.h): never crash,
// duplicates are refused, and percent-encoding round-trips.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "http/url.h"
#include "oauth/params.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  atm::HttpRequest request;
  request.method = "POST";
  request.headers["content-type"] = "application/x-www-form-urlencoded";
  request.body = text;
  request.query_string = text;
  auto body = atm::ParseBody(request);
  auto query = atm::ParseQuery(request);
  FUZZ_CHECK(body.ok() == query.ok());
  if (body) FUZZ_CHECK(body->values() == query->values());

  auto pairs = atm::ParseUrlEncoded(text);
  if (pairs && body) FUZZ_CHECK(pairs->size() == body->values().size());  // no duplicates slipped through

  // Any bytes survive encoding and decoding unchanged, with or without '+'.
  std::string encoded = atm::PercentEncode(text);
  for (bool plus : {false, true}) {
    auto decoded = atm::PercentDecode(encoded, plus);
    FUZZ_CHECK(decoded && *decoded == text);
  }
  return 0;
}
