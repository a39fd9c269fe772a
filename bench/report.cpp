#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

namespace atm::bench {
namespace {

using nlohmann::json;

struct Metric {
  std::string key;
  std::string label;
  std::string unit;
  bool higher_is_better;
  std::function<double(const json&)> get;  // NaN when the run lacks it
  double target = NAN;                     // NaN: none
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

std::vector<Metric> Metrics() {
  std::vector<Metric> m;
  auto add = [&](std::string key, std::string label, std::string unit, bool higher,
                 std::function<double(const json&)> get, double target = NAN) {
    m.push_back({std::move(key), std::move(label), std::move(unit), higher, std::move(get), target});
  };
  add("limit_rs256", "RSA-2048 signatures/s, all cores (limit)", "/s", true,
      [](const json& r) { return At(r, {"limits", "RS256", "per_second"}); });
  add("limit_es256", "ES256 signatures/s, all cores", "/s", true,
      [](const json& r) { return At(r, {"limits", "ES256", "per_second"}); });
  add("limit_eddsa", "Ed25519 signatures/s, all cores", "/s", true,
      [](const json& r) { return At(r, {"limits", "EdDSA", "per_second"}); });
  add("limit_scrypt", "scrypt hashes/s at the login cost, all cores", "/s", true,
      [](const json& r) { return At(r, {"limits", "scrypt", "per_second"}); });
  // Ratios to the limit use the one measured right before and after the
  // scenario when there is one (same background load), else the run's.
  add("exchange_ratio", "RS256 exchanges / (RSA limit / 2)", "", true,
      [](const json& r) { return Rate(r, "exchange_rs256") / (Limit(r, "exchange_rs256", "RS256") / 2); }, 0.8);
  add("refresh_ratio", "RS256 refresh rotations / (RSA limit / 2)", "", true,
      [](const json& r) { return Rate(r, "refresh_rs256") / (Limit(r, "refresh_rs256", "RS256") / 2); }, 0.8);
  add("cc_ratio", "client_credentials / RSA limit", "", true,
      [](const json& r) { return Rate(r, "client_credentials") / Limit(r, "client_credentials", "RS256"); }, 0.8);
  // The same ratios in CPU time, which background load does not skew:
  // signing CPU per answer / the server's whole CPU per answer.
  add("exchange_cpu", "RS256 exchange: signing CPU / server CPU", "", true,
      [](const json& r) { return 2 * SignCpu(r, "RS256") / At(r, {"scenarios", "exchange_rs256", "server_cpu_us"}); },
      0.8);
  add("refresh_cpu", "RS256 refresh: signing CPU / server CPU", "", true,
      [](const json& r) { return 2 * SignCpu(r, "RS256") / At(r, {"scenarios", "refresh_rs256", "server_cpu_us"}); },
      0.8);
  add("cc_cpu", "client_credentials: signing CPU / server CPU", "", true,
      [](const json& r) { return SignCpu(r, "RS256") / At(r, {"scenarios", "client_credentials", "server_cpu_us"}); },
      0.8);
  add("es256_cpu", "ES256 exchange: signing CPU / server CPU", "", true,
      [](const json& r) { return 2 * SignCpu(r, "ES256") / At(r, {"scenarios", "exchange_es256", "server_cpu_us"}); });
  add("es256_exchanges", "ES256 exchanges/s", "/s", true,
      [](const json& r) { return At(r, {"scenarios", "exchange_es256", "rate"}); }, 10000);
  add("jwks_rate", "JWKS GETs/s", "/s", true, [](const json& r) { return At(r, {"scenarios", "jwks", "rate"}); },
      40000);
  add("exchange_p99", "RS256 exchange p99 at 16 connections", "ms", false, [](const json& r) -> double {
    if (r.contains("scenarios") && r["scenarios"].contains("exchange_rs256") &&
        r["scenarios"]["exchange_rs256"]["connections"] == 16) {
      return r["scenarios"]["exchange_rs256"]["p99_ms"].get<double>();
    }
    if (!r.contains("sweep") || !r["sweep"].contains("exchange_rs256")) return NAN;
    for (const auto& s : r["sweep"]["exchange_rs256"]) {
      if (s["connections"] == 16) return s["p99_ms"].get<double>();
    }
    return NAN;
  }, 10);
  add("start_median", "exec to first /health 200 (median, :memory:)", "ms", false,
      [](const json& r) { return At(r, {"start", "median_ms"}); }, 10);
  add("start_min", "exec to first /health 200 (fastest start)", "ms", false,
      [](const json& r) { return At(r, {"start", "min_ms"}); });
  add("start_line", "exec to listening line (median, :memory:)", "ms", false,
      [](const json& r) { return At(r, {"start", "listening_line_median_ms"}); });
  add("idle_rss", "idle RSS", "MiB", false,
      [](const json& r) { return At(r, {"memory", "idle_rss_kb"}) / 1024; }, 8);
  add("idle_rss_anon", "  of which private (RssAnon)", "MiB", false,
      [](const json& r) { return At(r, {"memory", "idle_rss_anon_kb"}) / 1024; });
  add("peak_rss", "peak RSS under token and JWKS load", "MiB", false,
      [](const json& r) { return At(r, {"memory", "peak_rss_kb"}) / 1024; });
  add("login_peak_rss", "peak RSS under the login storm", "MiB", false,
      [](const json& r) { return At(r, {"memory", "login_peak_rss_kb"}) / 1024; });
  add("after_load_rss", "RSS after the load, idle again", "MiB", false,
      [](const json& r) { return At(r, {"memory", "after_load_rss_kb"}) / 1024; });
  add("after_load_rss_anon", "  of which private (RssAnon)", "MiB", false,
      [](const json& r) { return At(r, {"memory", "after_load_rss_anon_kb"}) / 1024; });
  add("stripped_size", "stripped static binary", "MiB", false,
      [](const json& r) { return At(r, {"binary", "stripped_bytes"}) / (1024.0 * 1024.0); }, 8);
  add("login_ratio", "/auth logins / scrypt's own rate", "", true,
      [](const json& r) { return Rate(r, "login") / Limit(r, "login", "scrypt"); }, 0.9);
  add("login_cpu", "/auth login: scrypt CPU / server CPU", "", true, [](const json& r) {
    return At(r, {"limits", "scrypt", "cpu_us_per_op"}) / At(r, {"scenarios", "login", "server_cpu_us"});
  }, 0.9);
  return m;
}

const std::vector<std::pair<const char*, const char*>> kScenarios = {
    {"exchange_rs256", "authorization_code, RS256"}, {"exchange_es256", "authorization_code, ES256"},
    {"exchange_eddsa", "authorization_code, EdDSA"}, {"refresh_rs256", "refresh_token rotation, RS256"},
    {"client_credentials", "client_credentials, RS256"}, {"jwks", "GET jwks.json"},
    {"login", "POST /auth (scrypt login)"}};

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

double Get(const json& j, const char* key) { return j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN; }

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
      s["target"] = m.target;
      double best = s["best"];
      s["met"] = m.higher_is_better ? best >= m.target : best <= m.target;
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
  for (const char* key : {"exchange_rs256", "jwks"}) {
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
                  Num(best(s, "p99_ms")).c_str(), Num(best(s, "p999_ms")).c_str(), Num(best(s, "server_cpu_us")).c_str(),
                  Num(best(s, "peak_rss_kb") / 1024).c_str(), Errors(s).c_str());
    out += line;
  }
  for (const char* key : {"exchange_rs256", "jwks"}) {
    if (!summary.contains("sweep") || !summary["sweep"].contains(key)) continue;
    out += std::string("\nsweep ") + key + ":\n";
    for (const auto& s : summary["sweep"][key]) {
      std::string spread = Num(s["rate"]["min"]) + ".." + Num(s["rate"]["max"]);
      std::snprintf(line, sizeof line, "%-32s %5d %9s %15s %8s %8s %9s %8s %8s %6s\n", "", s["connections"].get<int>(),
                    Num(best(s, "rate")).c_str(), spread.c_str(), Num(best(s, "p50_ms")).c_str(),
                    Num(best(s, "p99_ms")).c_str(), Num(best(s, "p999_ms")).c_str(), Num(best(s, "server_cpu_us")).c_str(),
                    Num(best(s, "peak_rss_kb") / 1024).c_str(), Errors(s).c_str());
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
    std::string target = s.contains("target") ? (m.higher_is_better ? ">= " : "<= ") + Num(s["target"]) : "";
    std::string met = s.contains("met") ? (s["met"].get<bool>() ? "yes" : "NO") : "";
    std::snprintf(line, sizeof line, "%-52s %10s %21s %8s %5s\n", label.c_str(), Num(s["best"]).c_str(),
                  spread.c_str(), target.c_str(), met.c_str());
    out += line;
  }
  out += "\nload average (1/5/15 min) at start and end of each run:\n";
  for (const auto& l : summary["loadavg"]) out += "  " + l[0].get<std::string>() + "  ->  " + l[1].get<std::string>() + "\n";
  return out;
}

std::string ChartData(const json& summary) {
  std::string out = "# connections exchanges_per_s exchange_p99_ms jwks_per_s jwks_p99_ms\n";
  if (!summary.contains("sweep")) return out;
  const json& ex = summary["sweep"]["exchange_rs256"];
  const json& jw = summary["sweep"]["jwks"];
  for (size_t i = 0; i < std::min(ex.size(), jw.size()); ++i) {
    char line[160];
    std::snprintf(line, sizeof line, "%d %.1f %.3f %.1f %.3f\n", ex[i]["connections"].get<int>(),
                  ex[i]["rate"]["best"].get<double>(), ex[i]["p99_ms"]["best"].get<double>(),
                  jw[i]["rate"]["best"].get<double>(), jw[i]["p99_ms"]["best"].get<double>());
    out += line;
  }
  return out;
}

}  // namespace atm::bench
