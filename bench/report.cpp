#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

namespace atm::bench {
namespace {

using nlohmann::json;

// How a metric is held to its target: by its best run, at or past the
// target; by its best run, strictly past it ("under 1 %"); or, for counts of
// failures, by its worst run (a failure in any run counts), which is then
// what the table shows as "best".
enum class Judge { kBest, kBestStrict, kWorst };

struct Metric {
  std::string key;
  std::string label;
  std::string unit;
  bool higher_is_better;
  std::function<double(const json&)> get;  // NaN when the run lacks it
  double target = NAN;                     // NaN: none
  Judge judge = Judge::kBest;
};

double At(const json& run, std::initializer_list<const char*> path) {
  const json* j = &run;
  for (const char* p : path) {
    if (!j->is_object() || !j->contains(p)) return NAN;
    j = &(*j)[p];
  }
  return j->is_number() ? j->get<double>() : NAN;
}

double Rate(const json& run, const char* scenario) { return At(run, {"scenarios", scenario, "rate"}); }

double Limit(const json& run, const char* scenario, const char* alg) {
  double adjacent = At(run, {"scenarios", scenario, "adjacent_limit"});
  return std::isnan(adjacent) ? At(run, {"limits", alg, "per_second"}) : adjacent;
}

double SignCpu(const json& run, const char* alg) { return At(run, {"limits", alg, "cpu_us_per_op"}); }

// The exchange at many connections (sweep.exchange_connections).
const json* ConnectionSweep(const json& run) {
  if (!run.contains("sweep") || !run["sweep"].contains("exchange_connections")) return nullptr;
  const json& points = run["sweep"]["exchange_connections"];
  return points.is_array() && !points.empty() ? &points : nullptr;
}

double SweepErrors(const json& run) {
  const json* points = ConnectionSweep(run);
  if (!points) return NAN;
  double errors = 0;
  for (const auto& p : *points) errors += p.value("errors", 0.0);
  return errors;
}

// The lowest rate of the points over that of the first (16 connections).
double SweepRateHeld(const json& run) {
  const json* points = ConnectionSweep(run);
  if (!points) return NAN;
  double first = (*points)[0].value("rate", 0.0), lowest = first;
  for (const auto& p : *points) lowest = std::min(lowest, p.value("rate", 0.0));
  return first > 0 ? lowest / first : NAN;
}

double IdleMb(const json& run, const char* key) { return At(run, {"idle", key}) * 1024 / 1e6; }

// The control calls of the test rig (testing.calls.<key>), as the table
// names them.
const std::vector<std::pair<const char*, const char*>> kRigCalls = {
    {"clock_get", "GET /_testing/clock"},
    {"clock_advance", "POST /_testing/clock (advance)"},
    {"clock_reset", "DELETE /_testing/clock"},
    {"put_user", "PUT /_testing/users/ID (update)"},
    {"put_application", "PUT /_testing/applications/ID (update)"},
    {"mint_sub", "POST /_testing/tokens (sub)"},
    {"mint_user", "POST /_testing/tokens (user)"},
    {"mint_sub_es256", "POST /_testing/tokens (sub), ES256"},
    {"mint_user_es256", "POST /_testing/tokens (user), ES256"}};

std::vector<Metric> Metrics() {
  std::vector<Metric> m;
  auto add = [&](std::string key, std::string label, std::string unit, bool higher,
                 std::function<double(const json&)> get, double target = NAN, Judge judge = Judge::kBest) {
    m.push_back({std::move(key), std::move(label), std::move(unit), higher, std::move(get), target, judge});
  };
  add("limit_rs256", "RSA-2048 signatures/s, all cores (limit)", "/s", true, [](const json& r) {
    return At(r, {"limits", "RS256", "per_second"});
  });
  add("limit_es256", "ES256 signatures/s, all cores", "/s", true, [](const json& r) {
    return At(r, {"limits", "ES256", "per_second"});
  });
  add("limit_eddsa", "Ed25519 signatures/s, all cores", "/s", true, [](const json& r) {
    return At(r, {"limits", "EdDSA", "per_second"});
  });
  add("limit_scrypt", "scrypt hashes/s at the login cost, all cores", "/s", true, [](const json& r) {
    return At(r, {"limits", "scrypt", "per_second"});
  });
  // Ratios to the limit use the one measured right before and after the
  // scenario when there is one (same background load), else the run's.
  add(
      "exchange_ratio", "RS256 exchanges / (RSA limit / 2)", "", true,
      [](const json& r) { return Rate(r, "exchange_rs256") / (Limit(r, "exchange_rs256", "RS256") / 2); }, 0.8);
  add(
      "refresh_ratio", "RS256 refresh rotations / (RSA limit / 2)", "", true,
      [](const json& r) { return Rate(r, "refresh_rs256") / (Limit(r, "refresh_rs256", "RS256") / 2); }, 0.8);
  add(
      "cc_ratio", "client_credentials / RSA limit", "", true,
      [](const json& r) { return Rate(r, "client_credentials") / Limit(r, "client_credentials", "RS256"); }, 0.8);
  // The same ratios in CPU time, which background load does not skew:
  // signing CPU per answer / the server's whole CPU per answer.
  add(
      "exchange_cpu", "RS256 exchange: signing CPU / server CPU", "", true,
      [](const json& r) {
        return 2 * SignCpu(r, "RS256") / At(r, {"scenarios", "exchange_rs256", "server_cpu_us"});
      },
      0.8);
  add(
      "refresh_cpu", "RS256 refresh: signing CPU / server CPU", "", true,
      [](const json& r) {
        return 2 * SignCpu(r, "RS256") / At(r, {"scenarios", "refresh_rs256", "server_cpu_us"});
      },
      0.8);
  add(
      "cc_cpu", "client_credentials: signing CPU / server CPU", "", true,
      [](const json& r) {
        return SignCpu(r, "RS256") / At(r, {"scenarios", "client_credentials", "server_cpu_us"});
      },
      0.8);
  add("es256_cpu", "ES256 exchange: signing CPU / server CPU", "", true, [](const json& r) {
    return 2 * SignCpu(r, "ES256") / At(r, {"scenarios", "exchange_es256", "server_cpu_us"});
  });
  add(
      "es256_exchanges", "ES256 exchanges/s", "/s", true,
      [](const json& r) {
        return At(r, {"scenarios", "exchange_es256", "rate"});
      },
      10000);
  add(
      "jwks_rate", "JWKS GETs/s", "/s", true,
      [](const json& r) {
        return At(r, {"scenarios", "jwks", "rate"});
      },
      40000);
  add(
      "exchange_p99", "RS256 exchange p99 at 16 connections", "ms", false,
      [](const json& r) -> double {
        if (r.contains("scenarios") && r["scenarios"].contains("exchange_rs256") &&
            r["scenarios"]["exchange_rs256"]["connections"] == 16) {
          return r["scenarios"]["exchange_rs256"]["p99_ms"].get<double>();
        }
        if (!r.contains("sweep") || !r["sweep"].contains("exchange_rs256")) return NAN;
        for (const auto& s : r["sweep"]["exchange_rs256"]) {
          if (s["connections"] == 16) return s["p99_ms"].get<double>();
        }
        return NAN;
      },
      10);
  add(
      "start_median", "exec to first /health 200 (median, :memory:)", "ms", false,
      [](const json& r) {
        return At(r, {"start", "median_ms"});
      },
      10);
  add("start_min", "exec to first /health 200 (fastest start)", "ms", false, [](const json& r) {
    return At(r, {"start", "min_ms"});
  });
  add("start_line", "exec to listening line (median, :memory:)", "ms", false, [](const json& r) {
    return At(r, {"start", "listening_line_median_ms"});
  });
  add(
      "idle_rss", "idle RSS", "MiB", false,
      [](const json& r) {
        return At(r, {"memory", "idle_rss_kb"}) / 1024;
      },
      8);
  add("idle_rss_anon", "  of which private (RssAnon)", "MiB", false, [](const json& r) {
    return At(r, {"memory", "idle_rss_anon_kb"}) / 1024;
  });
  add("peak_rss", "peak RSS under token and JWKS load", "MiB", false, [](const json& r) {
    return At(r, {"memory", "peak_rss_kb"}) / 1024;
  });
  add("login_peak_rss", "peak RSS under the login storm", "MiB", false, [](const json& r) {
    return At(r, {"memory", "login_peak_rss_kb"}) / 1024;
  });
  add("after_load_rss", "RSS after the load, idle again", "MiB", false, [](const json& r) {
    return At(r, {"memory", "after_load_rss_kb"}) / 1024;
  });
  add("after_load_rss_anon", "  of which private (RssAnon)", "MiB", false, [](const json& r) {
    return At(r, {"memory", "after_load_rss_anon_kb"}) / 1024;
  });
  // In MB (10^6 bytes), as the target is stated.
  add(
      "stripped_size", "stripped static binary", "MB", false,
      [](const json& r) {
        return At(r, {"binary", "stripped_bytes"}) / 1e6;
      },
      9);
  add(
      "login_ratio", "/auth logins / scrypt's own rate", "", true,
      [](const json& r) { return Rate(r, "login") / Limit(r, "login", "scrypt"); }, 0.9);
  add(
      "login_cpu", "/auth login: scrypt CPU / server CPU", "", true,
      [](const json& r) {
        return At(r, {"limits", "scrypt", "cpu_us_per_op"}) / At(r, {"scenarios", "login", "server_cpu_us"});
      },
      0.9);
  // What the metrics cost (issue 15): exchanges with /metrics on and scraped
  // every second, over the same with metrics off; at most 3 % slower.
  add(
      "metrics_cost", "ES256 exchanges, metrics on / off", "", true,
      [](const json& r) {
        return At(r, {"metrics_cost", "ratio"});
      },
      0.97);
  // The exchange at 16 to 1,000 connections: no errors, and the rate held.
  add("connections_errors", "exchange at 16..1000 conns: errors, worst run", "", false, SweepErrors, 0, Judge::kWorst);
  add("connections_rate_held", "exchange at 16..1000 conns: lowest rate / at 16", "", true, SweepRateHeld, 0.9);
  // Idle keep-alive connections (10,000 in a full run). The memory target is
  // 30 MB for 10,000, i.e. 3,000 bytes each, which holds for any count.
  add(
      "idle_failures", "idle connections failed or closed early, worst run", "", false,
      [](const json& r) {
        return At(r, {"idle", "errors"}) + At(r, {"idle", "closed_by_server"});
      },
      0, Judge::kWorst);
  add("idle_open_rate", "idle connections opened (with their request)", "/s", true, [](const json& r) {
    return At(r, {"idle", "opened"}) / At(r, {"idle", "open_seconds"});
  });
  add(
      "idle_rss_increase", "idle connections: server RSS increase, all", "MB", false,
      [](const json& r) { return IdleMb(r, "rss_open_kb") - IdleMb(r, "rss_before_kb"); }, 30);
  add(
      "idle_rss_per_connection", "  per connection", "bytes", false,
      [](const json& r) {
        return At(r, {"idle", "rss_per_connection_bytes"});
      },
      3000);
  add("idle_rss_marginal", "  per connection, second half only", "bytes", false, [](const json& r) {
    return At(r, {"idle", "rss_per_connection_marginal_bytes"});
  });
  add("idle_rss_after_close", "  still held after they closed", "MB", false,
      [](const json& r) { return IdleMb(r, "rss_after_close_kb") - IdleMb(r, "rss_before_kb"); });
  add(
      "idle_cpu", "idle connections: server CPU while idle", "% core", false,
      [](const json& r) {
        return At(r, {"idle", "cpu_percent"});
      },
      1, Judge::kBestStrict);
  add("idle_health_p50", "/health p50 beside the idle connections", "ms", false, [](const json& r) {
    return At(r, {"scenarios", "health_idle", "p50_ms"});
  });
  add(
      "idle_health_p99", "/health p99 beside the idle connections", "ms", false,
      [](const json& r) {
        return At(r, {"scenarios", "health_idle", "p99_ms"});
      },
      10);
  add("health_p99", "/health p99 without them", "ms", false, [](const json& r) {
    return At(r, {"scenarios", "health", "p99_ms"});
  });
  // The test rig (testing_rig.h): atm with --testing and bench/rig.toml.
  add(
      "rig_start_median", "rig: spawn to listening line, --testing (median)", "ms", false,
      [](const json& r) {
        return At(r, {"testing", "start", "ready", "p50_ms"});
      },
      10);
  add("rig_start_p95", "  p95", "ms", false, [](const json& r) {
    return At(r, {"testing", "start", "ready", "p95_ms"});
  });
  add("rig_start_prehashed_median", "rig: the same, user given as password_hash (median)", "ms", false,
      [](const json& r) {
        return At(r, {"testing", "start_prehashed", "ready", "p50_ms"});
      });
  add("rig_start_prehashed_p95", "  p95", "ms", false, [](const json& r) {
    return At(r, {"testing", "start_prehashed", "ready", "p95_ms"});
  });
  add("rig_stop_median", "rig: SIGTERM right after ready to exit (median)", "ms", false, [](const json& r) {
    return At(r, {"testing", "start", "stop", "p50_ms"});
  });
  add("rig_first_mint", "rig: first token after ready (waits for the key)", "ms", false, [](const json& r) {
    return At(r, {"testing", "calls", "first_mint_after_ready_ms"});
  });
  for (const auto& [key, label] : kRigCalls) {
    add(
        std::string("rig_") + key + "_p50", std::string("rig: ") + label + " p50", "ms", false,
        [key = key](const json& r) {
          return At(r, {"testing", "calls", key, "p50_ms"});
        },
        1);
    add(std::string("rig_") + key + "_p99", "  p99", "ms", false, [key = key](const json& r) {
      return At(r, {"testing", "calls", key, "p99_ms"});
    });
  }
  add("rig_rsa_sign", "rig: one RSA-2048 signature, CPU, one thread", "ms", false, [](const json& r) {
    return At(r, {"testing", "calls", "signature_cpu_us", "RS256"}) / 1000;
  });
  add(
      "rig_reset_p50", "rig: POST /_testing/reset after changes p50", "ms", false,
      [](const json& r) {
        return At(r, {"testing", "reset", "after_changes", "p50_ms"});
      },
      5);
  add("rig_reset_p99", "  p99", "ms", false, [](const json& r) {
    return At(r, {"testing", "reset", "after_changes", "p99_ms"});
  });
  add("rig_reset_clean_p50", "rig: reset with nothing to undo p50", "ms", false, [](const json& r) {
    return At(r, {"testing", "reset", "nothing_to_undo", "p50_ms"});
  });
  add("rig_parallel_count", "rig: instances started at once", "", true, [](const json& r) {
    return At(r, {"testing", "parallel", "instances"});
  });
  add(
      "rig_parallel_ready", "rig: at once: the last ready, from the first spawn", "ms", false,
      [](const json& r) {
        return At(r, {"testing", "parallel", "last_ready_ms"});
      },
      2000);
  add("rig_parallel_ready_median", "  the median one ready", "ms", false, [](const json& r) {
    return At(r, {"testing", "parallel", "ready", "p50_ms"});
  });
  add("rig_parallel_spawn", "  of which the spawning (posix_spawn, one thread)", "ms", false, [](const json& r) {
    return At(r, {"testing", "parallel", "spawn_ms"});
  });
  add("rig_parallel_exit", "rig: at once: SIGTERM to the last exit", "ms", false, [](const json& r) {
    return At(r, {"testing", "parallel", "last_exit_ms"});
  });
  add("rig_parallel_es256_ready", "rig: at once, ES256 keys: the last ready", "ms", false, [](const json& r) {
    return At(r, {"testing", "parallel_es256", "last_ready_ms"});
  });
  add("rig_parallel_es256_exit", "rig: at once, ES256 keys: SIGTERM to the last exit", "ms", false, [](const json& r) {
    return At(r, {"testing", "parallel_es256", "last_exit_ms"});
  });
  add("rig_parallel_keyed_exit", "rig: at once, keys ready: SIGTERM to the last exit", "ms", false, [](const json& r) {
    return At(r, {"testing", "parallel_keyed", "last_exit_ms"});
  });
  add(
      "rig_failures", "rig: not ready, unanswered or unclean exit, worst run", "", false,
      [](const json& r) -> double {
        if (!r.contains("testing")) return NAN;
        double sum = 0;  // a part that did not run counts nothing
        for (const auto& path : std::vector<std::vector<const char*>>{{"parallel", "failures"},
                                                                      {"parallel_keyed", "failures"},
                                                                      {"parallel_es256", "failures"},
                                                                      {"start", "unclean_exits"},
                                                                      {"start", "unanswered"},
                                                                      {"start_prehashed", "unclean_exits"},
                                                                      {"start_prehashed", "unanswered"},
                                                                      {"calls", "errors"},
                                                                      {"reset", "errors"}}) {
          const json* j = &r["testing"];
          for (const char* p : path) j = j && j->is_object() && j->contains(p) ? &(*j)[p] : nullptr;
          if (j && j->is_number()) sum += j->get<double>();
        }
        return sum;
      },
      0, Judge::kWorst);
  return m;
}

const std::vector<std::pair<const char*, const char*>> kScenarios = {
    {"exchange_rs256", "authorization_code, RS256"},
    {"exchange_es256", "authorization_code, ES256"},
    {"exchange_eddsa", "authorization_code, EdDSA"},
    {"exchange_es256_metrics_off", "  ES256, metrics off (A/B)"},
    {"exchange_es256_metrics_on", "  ES256, metrics on (A/B)"},
    {"refresh_rs256", "refresh_token rotation, RS256"},
    {"client_credentials", "client_credentials, RS256"},
    {"jwks", "GET jwks.json"},
    {"login", "POST /auth (scrypt login)"},
    {"health", "GET /health, no idle conns"},
    {"health_idle", "GET /health, idle conns open"}};

// The sweeps, in the order the table prints them.
const std::vector<const char*> kSweeps = {"exchange_rs256", "jwks", "exchange_connections"};

json Stat(const std::vector<double>& values, bool higher) {
  std::vector<double> v;
  for (double x : values) {
    if (!std::isnan(x)) v.push_back(x);
  }
  if (v.empty()) return nullptr;
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return {{"best", higher ? *hi : *lo}, {"min", *lo}, {"max", *hi}, {"values", v}};
}

std::string Num(double v) {
  char buf[64];
  if (std::isnan(v)) return "-";
  if (std::fabs(v) >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (std::fabs(v) >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  }
  return buf;
}

std::string Errors(const json& s) {
  return s["errors"].is_null() ? "-" : std::to_string(static_cast<long>(s["errors"].get<double>()));
}

double Get(const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

}  // namespace

json Summarize(const std::vector<json>& runs) {
  json out;
  out["runs"] = runs.size();
  out["machine"] = runs.empty() ? json() : runs[0]["machine"];
  out["loadavg"] = json::array();
  for (const auto& r : runs) {
    out["loadavg"].push_back({r["machine"].value("loadavg_at_start", ""), r["machine"].value("loadavg_at_end", "")});
  }
  for (const auto& m : Metrics()) {
    std::vector<double> values;
    for (const auto& r : runs) values.push_back(m.get(r));
    json s = Stat(values, m.higher_is_better);
    if (s.is_null()) continue;
    s["label"] = m.label;
    s["unit"] = m.unit;
    if (!std::isnan(m.target)) {
      if (m.judge == Judge::kWorst) s["best"] = m.higher_is_better ? s["min"] : s["max"];
      s["target"] = m.target;
      double v = s["best"];
      bool strict = m.judge == Judge::kBestStrict;
      s["strict"] = strict;
      s["met"] = m.higher_is_better ? (strict ? v > m.target : v >= m.target) : (strict ? v < m.target : v <= m.target);
    }
    out["metrics"][m.key] = s;
  }
  // Scenarios and the sweep: best rate and best latencies over the runs.
  auto merge = [](const std::vector<const json*>& points) {
    json p;
    std::vector<double> rate, p50, p99, p999, rss, errors, cpu;
    for (const json* s : points) {
      rate.push_back(Get(*s, "rate"));
      p50.push_back(Get(*s, "p50_ms"));
      p99.push_back(Get(*s, "p99_ms"));
      p999.push_back(Get(*s, "p999_ms"));
      rss.push_back(Get(*s, "peak_rss_kb"));
      errors.push_back(Get(*s, "errors"));
      cpu.push_back(Get(*s, "server_cpu_us"));
    }
    p["connections"] = (*points[0])["connections"];
    p["rate"] = Stat(rate, true);
    p["p50_ms"] = Stat(p50, false);
    p["p99_ms"] = Stat(p99, false);
    p["p999_ms"] = Stat(p999, false);
    p["peak_rss_kb"] = Stat(rss, false);
    p["errors"] = Stat(errors, true)["max"];
    p["server_cpu_us"] = Stat(cpu, false);
    return p;
  };
  for (const auto& [key, label] : kScenarios) {
    std::vector<const json*> points;
    for (const auto& r : runs) {
      if (r.contains("scenarios") && r["scenarios"].contains(key)) points.push_back(&r["scenarios"][key]);
    }
    if (!points.empty()) out["scenarios"][key] = merge(points);
  }
  for (const char* key : kSweeps) {
    if (runs.empty() || !runs[0].contains("sweep") || !runs[0]["sweep"].contains(key)) continue;
    for (size_t i = 0; i < runs[0]["sweep"][key].size(); ++i) {
      std::vector<const json*> points;
      for (const auto& r : runs) {
        if (r.contains("sweep") && r["sweep"].contains(key) && r["sweep"][key].size() > i) {
          points.push_back(&r["sweep"][key][i]);
        }
      }
      out["sweep"][key].push_back(merge(points));
    }
  }
  return out;
}

std::string FormatTable(const json& summary) {
  std::string out;
  char line[256];
  const int runs = summary.value("runs", 0);
  std::snprintf(line, sizeof line, "atm benchmark: %s, %d cores, %ld MiB RAM; best of %d run(s), spread = min..max\n\n",
                summary["machine"].value("model", "?").c_str(), summary["machine"].value("cpus", 0),
                summary["machine"].value("mem_mb", 0L), runs);
  out += line;
  std::snprintf(line, sizeof line, "%-32s %5s %9s %15s %8s %8s %9s %8s %8s %6s\n", "scenario", "conns", "rate/s",
                "spread", "p50 ms", "p99 ms", "p99.9 ms", "CPU us", "peak MiB", "errors");
  out += line;
  auto best = [](const json& s, const char* k) {
    return !s.contains(k) || s[k].is_null() ? NAN : s[k]["best"].get<double>();
  };
  for (const auto& [key, label] : kScenarios) {
    if (!summary.contains("scenarios") || !summary["scenarios"].contains(key)) continue;
    const json& s = summary["scenarios"][key];
    std::string spread = Num(s["rate"]["min"]) + ".." + Num(s["rate"]["max"]);
    std::snprintf(line, sizeof line, "%-32s %5d %9s %15s %8s %8s %9s %8s %8s %6s\n", label, s["connections"].get<int>(),
                  Num(best(s, "rate")).c_str(), spread.c_str(), Num(best(s, "p50_ms")).c_str(),
                  Num(best(s, "p99_ms")).c_str(), Num(best(s, "p999_ms")).c_str(),
                  Num(best(s, "server_cpu_us")).c_str(), Num(best(s, "peak_rss_kb") / 1024).c_str(), Errors(s).c_str());
    out += line;
  }
  for (const char* key : kSweeps) {
    if (!summary.contains("sweep") || !summary["sweep"].contains(key)) continue;
    out += std::string("\nsweep ") + key + ":\n";
    for (const auto& s : summary["sweep"][key]) {
      std::string spread = Num(s["rate"]["min"]) + ".." + Num(s["rate"]["max"]);
      std::snprintf(line, sizeof line, "%-32s %5d %9s %15s %8s %8s %9s %8s %8s %6s\n", "", s["connections"].get<int>(),
                    Num(best(s, "rate")).c_str(), spread.c_str(), Num(best(s, "p50_ms")).c_str(),
                    Num(best(s, "p99_ms")).c_str(), Num(best(s, "p999_ms")).c_str(),
                    Num(best(s, "server_cpu_us")).c_str(), Num(best(s, "peak_rss_kb") / 1024).c_str(),
                    Errors(s).c_str());
      out += line;
    }
  }
  std::snprintf(line, sizeof line, "\n%-52s %10s %21s %8s %5s\n", "measure", "best", "spread", "target", "met");
  out += line;
  for (const auto& m : Metrics()) {
    if (!summary.contains("metrics") || !summary["metrics"].contains(m.key)) continue;
    const json& s = summary["metrics"][m.key];
    std::string label = m.label + (m.unit.empty() || m.unit == "/s" ? "" : " (" + m.unit + ")");
    std::string spread = Num(s["min"]) + ".." + Num(s["max"]);
    std::string bound = std::string(m.higher_is_better ? ">" : "<") + (m.judge == Judge::kBestStrict ? " " : "= ");
    std::string target = s.contains("target") ? bound + Num(s["target"]) : "";
    std::string met = s.contains("met") ? (s["met"].get<bool>() ? "yes" : "NO") : "";
    std::snprintf(line, sizeof line, "%-52s %10s %21s %8s %5s\n", label.c_str(), Num(s["best"]).c_str(), spread.c_str(),
                  target.c_str(), met.c_str());
    out += line;
  }
  out += "\nload average (1/5/15 min) at start and end of each run:\n";
  for (const auto& l : summary["loadavg"])
    out += "  " + l[0].get<std::string>() + "  ->  " + l[1].get<std::string>() + "\n";
  return out;
}

std::string ChartData(const json& summary) {
  // Each data set is named by its first comment (gnuplot: index "sweep").
  std::string out = "# sweep: connections exchanges_per_s exchange_p99_ms jwks_per_s jwks_p99_ms\n";
  if (!summary.contains("sweep")) return out;  // gnuplot fails: no chart
  // A partial run (atm_bench run --only) may lack either sweep.
  const json none = json::array();
  const json& sweep = summary["sweep"];
  const json& ex = sweep.contains("exchange_rs256") ? sweep["exchange_rs256"] : none;
  const json& jw = sweep.contains("jwks") ? sweep["jwks"] : none;
  // gnuplot does not count a data set without a line, and would take the
  // next one's points for it: an absent set gets one line of undefined values.
  if (std::min(ex.size(), jw.size()) == 0) out += "NaN NaN NaN NaN NaN\n";
  for (size_t i = 0; i < std::min(ex.size(), jw.size()); ++i) {
    char line[160];
    std::snprintf(line, sizeof line, "%d %.1f %.3f %.1f %.3f\n", ex[i]["connections"].get<int>(),
                  ex[i]["rate"]["best"].get<double>(), ex[i]["p99_ms"]["best"].get<double>(),
                  jw[i]["rate"]["best"].get<double>(), jw[i]["p99_ms"]["best"].get<double>());
    out += line;
  }
  // The second data set: the exchange at many connections.
  out += "\n\n# many_connections: connections exchanges_per_s exchange_p50_ms exchange_p99_ms errors\n";
  if (!sweep.contains("exchange_connections") || sweep["exchange_connections"].empty()) {
    return out + "NaN NaN NaN NaN NaN\n";
  }
  for (const auto& p : sweep["exchange_connections"]) {
    char line[160];
    std::snprintf(line, sizeof line, "%d %.1f %.3f %.3f %ld\n", p["connections"].get<int>(),
                  p["rate"]["best"].get<double>(), p["p50_ms"]["best"].get<double>(), p["p99_ms"]["best"].get<double>(),
                  p["errors"].is_null() ? 0L : p["errors"].get<long>());
    out += line;
  }
  return out;
}

}  // namespace atm::bench
