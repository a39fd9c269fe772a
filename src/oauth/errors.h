// The one table from error codes (RFC 6749 §5.2, §4.1.2.1; RFC 6750 §3.1) to
// HTTP statuses, and the JSON error response built from an Error value.
#pragma once

#include "core/result.h"
#include "http/http.h"

namespace atm {

int StatusFor(const Error& error);
// {"error", "error_description"[, "field"]} with Cache-Control: no-store.
HttpResponse ErrorResponse(const Error& error);

}  // namespace atm
