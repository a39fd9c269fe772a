// Between Beast's messages and the plain HttpRequest / HttpResponse that the
// Router works with.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "http/http.h"

namespace atm {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Header names are lower-cased; the target is split at '?' (the query stays raw).
HttpRequest ToHttpRequest(BeastRequest&& request, const std::string& remote_addr, bool tls);
// With the security headers every answer carries. A HEAD answer keeps the
// Content-Length of its body but sends none (RFC 9110 §9.3.2).
BeastResponse ToBeastResponse(HttpResponse&& response, unsigned version, bool keep_alive, bool head);

}  // namespace atm
