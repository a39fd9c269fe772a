#include "ops/exposition.h"

#include <string>

#include "ops/process_metrics.h"

#ifndef ATM_VERSION
#define ATM_VERSION "dev"
#endif

namespace atm {

void WriteRequestMetrics(MetricsText& out, const Router& router, const HttpServer& server) {
  // Only the routes and statuses that have answered: a route's series
  // appears with its first request, as with any labelled counter.
  out.Family("atm_http_requests_total", "counter",
             "HTTP requests answered, by route pattern (\"other\" for unknown paths) and status code.");
  router.ForEachRoute([&](const std::string& route, const RouteStats& stats) {
    for (int status = RouteStats::kMinStatus; status <= RouteStats::kMaxStatus; ++status) {
      if (uint64_t n = stats.count(status))
        out.Sample("atm_http_requests_total", {{"route", route}, {"status", std::to_string(status)}}, n);
    }
  });
  out.Family("atm_http_request_duration_seconds", "histogram",
             "Time from a request read in full to its answer, queueing for a worker included, by route pattern.");
  router.ForEachRoute([&](const std::string& route, const RouteStats& stats) {
    if (stats.latency().count() > 0)
      out.Histogram("atm_http_request_duration_seconds", {{"route", route}}, stats.latency());
  });
  out.Family("atm_http_connections_open", "gauge", "Open client connections.");
  out.Sample("atm_http_connections_open", {}, static_cast<uint64_t>(server.open_connections()));
  out.Family("atm_http_connections_idle", "gauge", "Open client connections waiting between requests.");
  out.Sample("atm_http_connections_idle", {}, server.idle_connections());
}

void WriteServiceMetrics(MetricsText& out, const OpsDeps& d) {
  out.Family("atm_logins_total", "counter",
             "Sign-ins with a password at /auth, by outcome (success, bad_credentials, throttled, disabled).");
  for (SignInOutcome o : kSignInOutcomes) {
    out.Sample("atm_logins_total", {{"outcome", SignInOutcomeName(o)}}, d.audit.signins(o));
  }
  out.Family("atm_tokens_issued_total", "counter", "Token responses issued, by grant type and signing algorithm.");
  for (auto grant : TokenService::kGrants) {
    for (auto alg : TokenService::kAlgs) {
      out.Sample("atm_tokens_issued_total", {{"grant_type", TokenService::GrantName(grant)}, {"alg", JwsAlgName(alg)}},
                 d.tokens.issued(grant, alg));
    }
  }
  out.Family("atm_refresh_token_reuse_total", "counter",
             "Refresh tokens presented a second time; each revoked every token of its login.");
  out.Sample("atm_refresh_token_reuse_total", {}, d.tokens.refresh_reused());
  out.Family("atm_authorization_codes_rejected_total", "counter",
             "Authorization codes refused at the token endpoint: presented again (replayed) or after their expiry.");
  out.Sample("atm_authorization_codes_rejected_total", {{"reason", "replayed"}}, d.codes.replayed());
  out.Sample("atm_authorization_codes_rejected_total", {{"reason", "expired"}},
             d.codes.expired() + d.tokens.codes_expired());

  const int64_t now = d.clock.Now();
  if (const int64_t created = d.keys.current_created_at(); created != 0) {
    out.Family("atm_signing_key_age_seconds", "gauge", "Age of the current signing key.");
    out.Sample("atm_signing_key_age_seconds", {}, now - created);
  }
  if (const int64_t next = d.keys.next_rotation_at(); next != 0) {
    out.Family("atm_signing_key_next_rotation_seconds", "gauge",
               "Seconds until the scheduled key rotation (keys.rotate_every); negative when overdue.");
    out.Sample("atm_signing_key_next_rotation_seconds", {}, next - now);
  }
  out.Family("atm_password_hashes_running", "gauge", "scrypt password hashes running now.");
  out.Sample("atm_password_hashes_running", {}, d.users.hashes_running());
  out.Family("atm_password_hashes_waiting", "gauge",
             "scrypt password hashes waiting for a slot (passwords.max_concurrent_hashes, passwords.memory_budget).");
  out.Sample("atm_password_hashes_waiting", {}, d.users.hashes_waiting());
  out.Family("atm_password_hashes_running_max", "gauge",
             "The most scrypt password hashes that ran at once since start.");
  out.Sample("atm_password_hashes_running_max", {}, d.users.hashes_running_max());
  out.Family("atm_password_hash_slots", "gauge",
             "scrypt password hashes allowed at once: min(passwords.max_concurrent_hashes or the cores, "
             "memory budget / memory of one hash).");
  out.Sample("atm_password_hash_slots", {}, static_cast<int64_t>(d.users.hash_slots()));
  out.Family("atm_password_hash_memory_budget_bytes", "gauge",
             "The memory the running scrypt hashes may hold together (passwords.memory_budget); 0 = none.");
  out.Sample("atm_password_hash_memory_budget_bytes", {}, d.users.hash_memory_budget());
  if (d.sqlite) {
    out.Family("atm_sqlite_write_duration_seconds", "histogram",
               "Time of a write to the database, the wait for the writer connection included.");
    out.Histogram("atm_sqlite_write_duration_seconds", {}, d.sqlite->write_latency());
  }
  out.Family("atm_build_info", "gauge", "The version of atm, as a label; always 1.");
  out.Sample("atm_build_info", {{"version", ATM_VERSION}}, uint64_t{1});
  WriteProcessMetrics(out);
}

}  // namespace atm
