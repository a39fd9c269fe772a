// The families of atm's /metrics (README "Operating atm" lists them), written
// from the components that keep them.
#pragma once

#include "core/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "ops/deps.h"

namespace atm {

// atm_http_requests_total{route,status}, atm_http_request_duration_seconds{route},
// atm_http_connections_open, atm_http_connections_idle.
void WriteRequestMetrics(MetricsText& out, const Router& router, const HttpServer& server);
// Sign-ins, tokens, codes, refresh reuse, keys, password hashing, SQLite
// writes, atm_build_info and the process metrics.
void WriteServiceMetrics(MetricsText& out, const OpsDeps& deps);

}  // namespace atm
