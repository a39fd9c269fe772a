// atm_bench: the load generator and report tool behind bench/run.sh.
//
//   atm_bench run --atm PATH --config bench/bench.toml --work-dir DIR --out RUN.json [options]
//   atm_bench summarize [--out SUMMARY.json] [--table FILE] [--chart-data FILE] RUN.json...
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "idle.h"
#include "report.h"
#include "suite.h"

namespace {

using nlohmann::json;

constexpr const char* kUsage = R"(usage:
  atm_bench run --atm PATH --config FILE --work-dir DIR --out FILE [options]
      --connections N     connections for the single-point scenarios (16)
      --seconds S         duration of each scenario (5)
      --sweep LIST        connection counts for the chart (1,2,4,8,16,32)
      --sweep-seconds S   duration of each sweep point (3)
      --starts N          start-up samples (20)
      --limit-seconds S   duration of each in-process limit measurement (3)
      --login-cost N      log2 N of the login user's scrypt hash (15)
      --algs LIST         exchange algorithms (RS256,ES256,EdDSA)
      --client-threads N  load generator threads (2)
      --connection-sweep LIST  connection counts for the exchange at many
                          connections (16,64,256,1000; each --seconds long)
      --idle-connections N  keep-alive connections held idle (10000; 0 = skip)
      --idle-seconds S    how long they sit idle while the server's CPU is read (5)
      --idle-requests N   sequential GET /health for the latency beside them (2000)
      --rig-config FILE   the test rig's config (rig.toml beside --config)
      --rig-hashed-config FILE  the same with the user's password_hash, whose
                          starts are measured too (rig-hashed.toml beside
                          --config; "-" = none)
      --rig-starts N      test rig: sequential starts with --testing (50)
      --rig-calls N       test rig: timed requests per control call (2000)
      --rig-resets N      test rig: timed resets after changes (100)
      --rig-parallel N    test rig: instances started at once (100)
      --only LIST         only these parts: start, tokens (RS256 scenarios, sweep,
                          login), algs (ES256, EdDSA), connections, idle,
                          metrics (ES256 exchanges with metrics off and on),
                          testing (the test rig targets); the limits are
                          measured with tokens, algs or connections (a partial
                          run, not for CI)
      --smoke             a short run (about 25 s) for CI
  atm_bench summarize [--out FILE] [--table FILE] [--chart-data FILE] RUN.json...
  atm_bench load --port N[,N...] --scenario NAME [--connections N] [--seconds S] [--codes N]
                 [--setup-port N] [--pids PID,...] [--postmaster PID] [--before CMD] [--after CMD]
      one scenario (jwks, client_credentials, exchange, refresh, login) against
      atm nodes already running with bench.toml, e.g. to profile one with perf.
      Several ports: connections go round-robin over the nodes; the setup
      (codes minted, refresh chains started) runs on --setup-port (the first
      port). --pids: atm processes whose CPU time per request is reported;
      --postmaster: the same for a PostgreSQL server and its children.
      --before/--after: shell commands run just before and after the window
  atm_bench starts --atm PATH --config FILE [--count N]
      only the start-up measurement
  atm_bench idle --port N [--connections N] [--seconds S]
      opens N connections (10000) that each GET /health once, then holds them
      idle for S seconds (60) against an atm already running, e.g. to look at
      its memory; the atm needs server.keep_alive_seconds above S
)";

int Usage(const std::string& why) {
  std::fprintf(stderr, "atm_bench: %s\n%s", why.c_str(), kUsage);
  return 2;
}

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out.flush());
}

int Run(const std::vector<std::string>& args) {
  atm::bench::SuiteOptions o;
  std::string out;
  bool smoke = false;
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--smoke") {
      smoke = true;
    } else if (args[i].rfind("--", 0) == 0 && i + 1 < args.size()) {
      values[args[i]] = args[i + 1];
      ++i;
    } else {
      return Usage("unexpected argument \"" + args[i] + "\"");
    }
  }
  if (smoke) {
    o.seconds = 0.5;
    o.sweep_seconds = 0.3;
    o.sweep = {1, 4};
    o.starts = 3;
    o.limit_seconds = 0.3;
    o.max_codes = 4000;
    o.connection_sweep = {16, 64};
    o.idle_connections = 200;
    o.idle_seconds = 0.5;
    o.idle_requests = 200;
    o.rig_starts = 5;
    o.rig_calls = 100;
    o.rig_resets = 5;
    o.rig_parallel = 10;
  }
  try {
    for (const auto& [k, v] : values) {
      if (k == "--atm")
        o.atm = v;
      else if (k == "--config")
        o.config = v;
      else if (k == "--work-dir")
        o.work_dir = v;
      else if (k == "--out")
        out = v;
      else if (k == "--connections")
        o.connections = std::stoi(v);
      else if (k == "--seconds")
        o.seconds = std::stod(v);
      else if (k == "--sweep-seconds")
        o.sweep_seconds = std::stod(v);
      else if (k == "--starts")
        o.starts = std::stoi(v);
      else if (k == "--limit-seconds")
        o.limit_seconds = std::stod(v);
      else if (k == "--login-cost")
        o.login_cost = std::stoi(v);
      else if (k == "--client-threads")
        o.client_threads = std::stoi(v);
      else if (k == "--algs")
        o.exchange_algs = Split(v);
      else if (k == "--only")
        o.only = Split(v);
      else if (k == "--idle-connections")
        o.idle_connections = std::stoi(v);
      else if (k == "--idle-seconds")
        o.idle_seconds = std::stod(v);
      else if (k == "--idle-requests")
        o.idle_requests = std::stol(v);
      else if (k == "--rig-config")
        o.rig_config = v;
      else if (k == "--rig-hashed-config")
        o.rig_hashed_config = v;
      else if (k == "--rig-starts")
        o.rig_starts = std::stoi(v);
      else if (k == "--rig-calls")
        o.rig_calls = std::stoi(v);
      else if (k == "--rig-resets")
        o.rig_resets = std::stoi(v);
      else if (k == "--rig-parallel")
        o.rig_parallel = std::stoi(v);
      else if (k == "--sweep") {
        o.sweep.clear();
        for (const auto& s : Split(v)) o.sweep.push_back(std::stoi(s));
      } else if (k == "--connection-sweep") {
        o.connection_sweep.clear();
        for (const auto& s : Split(v)) o.connection_sweep.push_back(std::stoi(s));
      } else {
        return Usage("unknown option " + k);
      }
    }
  } catch (const std::exception&) {
    return Usage("a numeric option has a value that is not a number");
  }
  if (o.atm.empty() || o.config.empty() || o.work_dir.empty() || out.empty()) {
    return Usage("run needs --atm, --config, --work-dir and --out");
  }
  if (o.connections < 1 || o.starts < 1 || o.seconds <= 0 || o.sweep.empty()) {
    return Usage("connections, starts and seconds must be positive");
  }
  for (const auto& part : o.only) {
    if (part != "start" && part != "tokens" && part != "algs" && part != "connections" && part != "idle" &&
        part != "metrics" && part != "testing") {
      return Usage("--only takes start, tokens, algs, connections, idle, metrics and testing, not \"" + part + "\"");
    }
  }
  if (o.idle_connections < 0 || o.idle_seconds <= 0 || o.idle_requests < 1 ||
      std::any_of(o.connection_sweep.begin(), o.connection_sweep.end(), [](int c) { return c < 1; })) {
    return Usage("idle connections must be >= 0; idle seconds, idle requests and sweep points positive");
  }
  if (o.rig_starts < 1 || o.rig_calls < 1 || o.rig_resets < 1 || o.rig_parallel < 1) {
    return Usage("the test rig's starts, calls, resets and instances must be positive");
  }
  try {
    json result = atm::bench::RunSuite(o, atm::bench::Identity{});
    result["smoke"] = smoke;
    if (!WriteFile(out, result.dump(2) + "\n")) return Usage("cannot write " + out);
    std::fputs(atm::bench::FormatTable(atm::bench::Summarize({result})).c_str(), stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atm_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

int Load(const std::vector<std::string>& args) {
  std::map<std::string, std::string> v = {{"--connections", "16"},   {"--seconds", "10"},   {"--codes", "20000"},
                                          {"--client-threads", "2"}, {"--setup-port", "0"}, {"--postmaster", "0"}};
  for (size_t i = 0; i + 1 < args.size(); i += 2) v[args[i]] = args[i + 1];
  if (args.size() % 2 != 0 || !v.count("--port") || !v.count("--scenario")) {
    return Usage("load needs --port and --scenario");
  }
  atm::bench::AgainstOptions o;
  try {
    for (const auto& p : Split(v["--port"])) o.ports.push_back(std::stoi(p));
    for (const auto& p : Split(v["--pids"])) o.pids.push_back(std::stoi(p));
    o.setup_port = std::stoi(v["--setup-port"]);
    o.postmaster = std::stoi(v["--postmaster"]);
    o.connections = std::stoi(v["--connections"]);
    o.seconds = std::stod(v["--seconds"]);
    o.client_threads = std::stoi(v["--client-threads"]);
    o.codes = std::stol(v["--codes"]);
  } catch (const std::exception&) {
    return Usage("a numeric option has a value that is not a number");
  }
  o.scenario = v["--scenario"];
  o.before = v["--before"];
  o.after = v["--after"];
  if (o.ports.empty() || o.connections < 1) return Usage("load needs a port and at least one connection");
  try {
    json r = atm::bench::RunAgainst(o, atm::bench::Identity{});
    std::printf("%s\n", r.dump(2).c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atm_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

int Idle(const std::vector<std::string>& args) {
  std::map<std::string, std::string> v = {{"--connections", "10000"}, {"--seconds", "60"}};
  for (size_t i = 0; i + 1 < args.size(); i += 2) v[args[i]] = args[i + 1];
  if (args.size() % 2 != 0 || !v.count("--port")) return Usage("idle needs --port");
  int port = 0, count = 0;
  double seconds = 0;
  try {
    port = std::stoi(v["--port"]);
    count = std::stoi(v["--connections"]);
    seconds = std::stod(v["--seconds"]);
  } catch (const std::exception&) {
    return Usage("a numeric option has a value that is not a number");
  }
  atm::bench::IdleConnections idle;
  idle.Open(port, count);
  std::fprintf(stderr, "atm_bench: %d open, %d failed%s%s; idle for %.0f s\n", idle.open(), idle.errors(),
               idle.errors() ? ", first: " : "", idle.first_error().c_str(), seconds);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  std::fprintf(stderr, "atm_bench: %d of them closed by the server\n", idle.CountClosedByPeer());
  return idle.errors() > 0 ? 1 : 0;
}

int Summarize(const std::vector<std::string>& args) {
  std::string out, table, chart;
  std::vector<json> runs;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--out" || args[i] == "--table" || args[i] == "--chart-data") && i + 1 < args.size()) {
      (args[i] == "--out" ? out : args[i] == "--table" ? table : chart) = args[i + 1];
      ++i;
      continue;
    }
    std::ifstream in(args[i]);
    json run = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!in || run.is_discarded() || !run.is_object()) return Usage(args[i] + " is not a run's JSON");
    runs.push_back(std::move(run));
  }
  if (runs.empty()) return Usage("summarize needs at least one run's JSON");
  json summary = atm::bench::Summarize(runs);
  std::string text = atm::bench::FormatTable(summary);
  std::fputs(text.c_str(), stdout);
  if (!out.empty() && !WriteFile(out, summary.dump(2) + "\n")) return Usage("cannot write " + out);
  if (!table.empty() && !WriteFile(table, text)) return Usage("cannot write " + table);
  if (!chart.empty() && !WriteFile(chart, atm::bench::ChartData(summary))) return Usage("cannot write " + chart);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help") return Usage("a command is required");
  // Thousands of connections (the idle scenario, the connection sweep) need
  // more descriptors than the usual soft limit of 1,024.
  atm::bench::RaiseOpenFileLimit();
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "run") return Run(args);
  if (command == "summarize") return Summarize(args);
  if (command == "load") return Load(args);
  if (command == "idle") return Idle(args);
  if (command == "starts") {
    std::map<std::string, std::string> v = {{"--count", "20"}, {"--work-dir", "/tmp"}};
    for (size_t i = 0; i + 1 < args.size(); i += 2) v[args[i]] = args[i + 1];
    if (!v.count("--atm") || !v.count("--config")) return Usage("starts needs --atm and --config");
    try {
      std::printf("%s\n", atm::bench::MeasureStarts(v["--atm"], v["--config"], v["--work-dir"], std::stoi(v["--count"]))
                              .dump()
                              .c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "atm_bench: %s\n", e.what());
      return 1;
    }
    return 0;
  }
  return Usage("unknown command \"" + command + "\"");
}
