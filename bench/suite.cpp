#include "suite.h"

#include <sys/resource.h>

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http_client.h"
#include "idle.h"
#include "limits.h"
#include "load.h"
#include "process_cpu.h"
#include "server_process.h"
#include "testing_rig.h"

namespace atm::bench {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

void Say(const std::string& s) {
  std::fprintf(stderr, "bench: %s\n", s.c_str());
  std::fflush(stderr);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string FirstLineWith(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

json Machine() {
  std::string model = FirstLineWith("/proc/cpuinfo", "model name");
  model = model.substr(std::min(model.size(), model.find(':') + 2));
  std::string mem = FirstLineWith("/proc/meminfo", "MemTotal:");
  long mem_kb = mem.empty() ? 0 : std::atol(mem.c_str() + 9);
  std::string load = ReadText("/proc/loadavg");
  return {{"cpus", std::thread::hardware_concurrency()},
          {"model", model},
          {"mem_mb", mem_kb / 1024},
          {"loadavg_at_start", load.substr(0, load.find('\n'))}};
}

// Its output goes to stderr: stdout is the scenario's JSON.
void RunHook(const std::string& command) {
  if (command.empty()) return;
  int status = std::system(("(" + command + ") >&2").c_str());
  if (status != 0) throw std::runtime_error("\"" + command + "\" failed (status " + std::to_string(status) + ")");
}

json Scenario(const LoadResult& r, int connections) {
  json j = {{"connections", connections},
            {"rate", r.Rate()},
            {"p50_ms", r.PercentileMs(0.5)},
            {"p99_ms", r.PercentileMs(0.99)},
            {"p999_ms", r.PercentileMs(0.999)},
            {"ok", r.ok},
            {"errors", r.errors},
            {"seconds", r.seconds}};
  if (!r.first_error.empty()) j["first_error"] = r.first_error;
  return j;
}

json Starts(const std::string& atm, const std::string& config, const std::string& work_dir, int starts) {
  Say("start-up: " + std::to_string(starts) + " starts with --db :memory:");
  std::vector<double> ms, line_ms;
  for (int i = 0; i < starts; ++i) {
    std::string error;
    auto started = ServerProcess::Start({atm, config, ":memory:", work_dir + "/atm.log"}, &error);
    if (!started) throw std::runtime_error(error);
    ServerProcess& p = *started;
    line_ms.push_back(std::chrono::duration<double, std::milli>(p.listening_at() - p.spawned_at()).count());
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      auto r = Fetch(p.port(), "GET", "/health", {}, std::chrono::milliseconds(1000));
      if (r && r->status == 200) {
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - p.spawned_at()).count());
        break;
      }
    }
    p.Stop();
  }
  if (ms.size() != static_cast<size_t>(starts)) throw std::runtime_error("/health never answered 200");
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  std::sort(line_ms.begin(), line_ms.end());
  return {{"samples_ms", ms},
          {"listening_line_median_ms", line_ms[line_ms.size() / 2]},
          {"median_ms", sorted[sorted.size() / 2]},
          {"min_ms", sorted.front()},
          {"max_ms", sorted.back()}};
}

class Runner {
 public:
  Runner(const SuiteOptions& o, const Identity& id) : o_(o), id_(id) {}

  json Run() {
    std::filesystem::create_directories(o_.work_dir);
    json out;
    out["machine"] = Machine();
    out["options"] = {{"connections", o_.connections},
                      {"seconds", o_.seconds},
                      {"sweep_seconds", o_.sweep_seconds},
                      {"starts", o_.starts},
                      {"limit_seconds", o_.limit_seconds},
                      {"client_threads", o_.client_threads},
                      {"login_cost", o_.login_cost},
                      {"connection_sweep", o_.connection_sweep},
                      {"idle_connections", o_.idle_connections},
                      {"idle_seconds", o_.idle_seconds},
                      {"idle_requests", o_.idle_requests},
                      {"open_file_limit", RaiseOpenFileLimit()},
                      {"only", o_.only}};
    out["binary"] = Binary();
    if (Wants("tokens") || Wants("algs") || Wants("connections")) out["limits"] = Limits();
    if (Wants("start")) out["start"] = StartTimes();
    Servers(out);
    if (Wants("testing")) out["testing"] = TestingRig();
    std::string load = ReadText("/proc/loadavg");
    out["machine"]["loadavg_at_end"] = load.substr(0, load.find('\n'));
    return out;
  }

 private:
  json Binary() {
    std::string stripped = o_.work_dir + "/atm.stripped";
    std::string cmd = "strip -o '" + stripped + "' '" + o_.atm + "'";
    long stripped_size = std::system(cmd.c_str()) == 0 ? static_cast<long>(std::filesystem::file_size(stripped)) : -1;
    return {{"path", o_.atm}, {"size_bytes", std::filesystem::file_size(o_.atm)}, {"stripped_bytes", stripped_size}};
  }

  bool Wants(const std::string& part) const {
    return o_.only.empty() || std::find(o_.only.begin(), o_.only.end(), part) != o_.only.end();
  }

  static int Cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

  static double OwnCpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }

  json Limits() {
    const int cores = Cores();
    json out;
    for (const char* alg : {"RS256", "ES256", "EdDSA"}) {
      Say(std::string("limit: ") + alg + " signatures/s on " + std::to_string(cores) + " threads");
      auto r = SignRate(alg, cores, o_.limit_seconds);
      out[alg] = {{"per_second", r.per_second},
                  {"threads", r.threads},
                  {"seconds", r.seconds},
                  {"cpu_us_per_op", r.cpu_us_per_op}};
      limits_[alg] = r.per_second;
    }
    Say("limit: scrypt ln=" + std::to_string(o_.login_cost) + " hashes/s");
    auto s = ScryptRate(o_.login_cost, cores, o_.limit_seconds);
    out["scrypt"] = {{"log_n", o_.login_cost}, {"per_second", s.per_second}, {"threads", s.threads},
                     {"seconds", s.seconds},   {"operations", s.operations}, {"cpu_us_per_op", s.cpu_us_per_op}};
    return out;
  }

  std::string ConfigFor(const std::string& alg) {
    if (alg == "RS256") return o_.config;  // the default algorithm
    std::string path = o_.work_dir + "/bench-" + alg + ".toml";
    std::ofstream(path) << ReadText(o_.config) << "\n[keys]\nalgorithm = \"" << alg << "\"\n";
    return path;
  }

  // A database file that no earlier run left behind.
  std::string FreshDb(const std::string& name) {
    std::string db = o_.work_dir + "/" + name + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    return db;
  }

  ServerProcess Start(const std::string& config, const std::string& db) {
    SpawnOptions s{o_.atm, config, db, o_.work_dir + "/atm.log"};
    std::string error;
    auto p = ServerProcess::Start(s, &error);
    if (!p) throw std::runtime_error(error);
    return std::move(*p);
  }

  json StartTimes() { return Starts(o_.atm, o_.config, o_.work_dir, o_.starts); }

  json TestingRig() {
    RigOptions r;
    r.atm = o_.atm;
    const std::filesystem::path dir = std::filesystem::path(o_.config).parent_path();
    r.config = o_.rig_config.empty() ? (dir / "rig.toml").string() : o_.rig_config;
    r.hashed_config = o_.rig_hashed_config.empty() ? (dir / "rig-hashed.toml").string() : o_.rig_hashed_config;
    if (r.hashed_config == "-") r.hashed_config.clear();
    r.work_dir = o_.work_dir + "/rig";
    r.starts = o_.rig_starts;
    r.calls = o_.rig_calls;
    r.resets = o_.rig_resets;
    r.parallel = o_.rig_parallel;
    return RunTestingRig(r);
  }

  // Waits until the first signing key exists (JWKS answers 200).
  void WaitForKey(const ServerProcess& p) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < deadline) {
      auto r = Fetch(p.port(), "GET", "/auth/.well-known/jwks.json");
      if (r && r->status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("the signing key never became ready");
  }

  // Waits (at most 30 s) until the server has used no CPU for 300 ms.
  static void WaitUntilIdle(const ServerProcess& p) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    double last = p.CpuSeconds();
    while (Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      double now = p.CpuSeconds();
      if (now - last < 0.005) return;
      last = now;
    }
  }

  LoadResult Load(const ServerProcess& p, Workload& w, int connections, double seconds) {
    return RunLoad({{p.port()}, connections, o_.client_threads, seconds}, w);
  }

  // A scenario with the server's peak RSS and the CPU time (server and load
  // generator) per answer. With `limit_alg`, that algorithm's signing limit
  // is measured again just before and after, so that the ratio compares
  // numbers taken under the same background load.
  json Measured(const ServerProcess& p, Workload& w, int connections, double seconds,
                const std::string& limit_alg = "") {
    double before = limit_alg.empty() ? 0 : SignRate(limit_alg, Cores(), 1.0).per_second;
    p.ResetPeak();
    const double server_cpu = p.CpuSeconds();
    const double client_cpu = OwnCpuSeconds();
    auto r = Load(p, w, connections, seconds);
    json j = Scenario(r, connections);
    if (r.ok > 0) {
      j["server_cpu_us"] = (p.CpuSeconds() - server_cpu) * 1e6 / static_cast<double>(r.ok);
      j["client_cpu_us"] = (OwnCpuSeconds() - client_cpu) * 1e6 / static_cast<double>(r.ok);
    }
    j["peak_rss_kb"] = p.StatusKb("VmHWM");
    if (!limit_alg.empty()) {
      double after = SignRate(limit_alg, Cores(), 1.0).per_second;
      j["adjacent_limit"] = (before + after) / 2;
    }
    if (r.errors > 0) Say("  " + std::to_string(r.errors) + " errors, first: " + r.first_error);
    Say("  " + std::to_string(static_cast<long>(r.Rate())) + "/s p99 " + std::to_string(r.PercentileMs(0.99)) + " ms");
    return j;
  }

  std::vector<std::string> Mint(const ServerProcess& p, long count) {
    return MintCodes(p.port(), id_, count, o_.client_threads);
  }

  long CodesFor(const std::string& alg, double seconds, int connections) {
    double expected = limits_[alg] / 2;  // an exchange signs two tokens
    long n = static_cast<long>(expected * seconds * 1.25) + connections;
    return std::min(n, o_.max_codes);
  }

  json Exchange(const ServerProcess& p, const std::string& alg, int connections, double seconds,
                const std::string& limit_alg = "") {
    auto codes = Mint(p, CodesFor(alg, seconds, connections));
    CodeExchange w(p.port(), id_, std::move(codes));
    return Measured(p, w, connections, seconds, limit_alg);
  }

  void Servers(json& out) {
    json scenarios, sweep, memory;
    const int c = o_.connections;
    if (Wants("tokens")) {
      ServerProcess p = Start(o_.config, FreshDb("bench-rs256"));
      WaitForKey(p);
      WaitUntilIdle(p);
      memory["idle_rss_kb"] = p.StatusKb("VmRSS");
      memory["idle_rss_anon_kb"] = p.StatusKb("RssAnon");
      Say("idle RSS " + std::to_string(memory["idle_rss_kb"].get<long>()) + " kB");
      Say("jwks, " + std::to_string(c) + " connections");
      FixedGet jwks(p.port(), "/auth/.well-known/jwks.json");
      scenarios["jwks"] = Measured(p, jwks, c, o_.seconds);
      Say("client_credentials");
      ClientCredentials cc(p.port(), id_);
      scenarios["client_credentials"] = Measured(p, cc, c, o_.seconds, "RS256");
      Say("authorization_code exchange (RS256)");
      scenarios["exchange_rs256"] = Exchange(p, "RS256", c, o_.seconds, "RS256");
      Say("refresh rotation (RS256)");
      RefreshChains refresh(p.port(), id_, StartChains(p.port(), id_, c, o_.client_threads));
      scenarios["refresh_rs256"] = Measured(p, refresh, c, o_.seconds, "RS256");
      for (int level : o_.sweep) {
        Say("sweep: " + std::to_string(level) + " connections");
        sweep["exchange_rs256"].push_back(Exchange(p, "RS256", level, o_.sweep_seconds));
        FixedGet g(p.port(), "/auth/.well-known/jwks.json");
        sweep["jwks"].push_back(Measured(p, g, level, o_.sweep_seconds));
      }
      long token_peak = 0;
      for (auto& [name, s] : scenarios.items()) token_peak = std::max(token_peak, s["peak_rss_kb"].get<long>());
      for (auto& [name, list] : sweep.items()) {
        for (auto& s : list) token_peak = std::max(token_peak, s["peak_rss_kb"].get<long>());
      }
      memory["peak_rss_kb"] = token_peak;
      Say("login (/auth, scrypt ln=" + std::to_string(o_.login_cost) + ")");
      Login login(p.port(), id_, id_.login_email, id_.login_password);
      scenarios["login"] = Measured(p, login, c, o_.seconds);
      // scrypt's own rate again right after, once the server has finished
      // the logins abandoned at the deadline (else they compete with it).
      WaitUntilIdle(p);
      scenarios["login"]["adjacent_limit"] = ScryptRate(o_.login_cost, Cores(), o_.limit_seconds).per_second;
      memory["login_peak_rss_kb"] = scenarios["login"]["peak_rss_kb"];
      // Logins the load generator abandoned at its deadline still run (and
      // hold their 32 MiB) until the server has worked through them.
      WaitUntilIdle(p);
      memory["after_load_rss_kb"] = p.StatusKb("VmRSS");
      memory["after_load_rss_anon_kb"] = p.StatusKb("RssAnon");
      p.Stop();
    }
    for (const auto& alg : o_.exchange_algs) {
      if (alg == "RS256" || !Wants("algs")) continue;
      std::string name = alg == "ES256" ? "es256" : "eddsa";
      ServerProcess p = Start(ConfigFor(alg), FreshDb("bench-" + name));
      WaitForKey(p);
      Say("authorization_code exchange (" + alg + ")");
      scenarios["exchange_" + name] = Exchange(p, alg, c, o_.seconds);
      p.Stop();
    }
    if (!o_.connection_sweep.empty() && Wants("connections")) sweep["exchange_connections"] = ConnectionSweep();
    if (o_.idle_connections > 0 && Wants("idle")) out["idle"] = Idle(scenarios);
    if (Wants("metrics")) out["metrics_cost"] = MetricsCost(scenarios);
    out["scenarios"] = scenarios;
    out["sweep"] = sweep;
    out["memory"] = memory;
  }

  // GET /metrics with the bench's metrics token, on a fresh connection; true on a 200.
  static bool Scrape(int port, const std::string& token) {
    int fd = ConnectLoopback(port);
    if (fd < 0) return false;
    std::string request =
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n";
    bool ok = ::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size());
    std::string answer;
    char buf[16384];
    for (ssize_t n; ok && (n = ::read(fd, buf, sizeof buf)) > 0;) answer.append(buf, static_cast<size_t>(n));
    ::close(fd);
    return answer.rfind("HTTP/1.1 200", 0) == 0;
  }

  // What the metrics cost an exchange: the ES256 exchange (the cheapest, so
  // a fixed cost per request weighs most) on two servers that differ only in
  // [metrics] (off; on, with /metrics scraped every second as a busy
  // Prometheus would), in alternating rounds so that both see the same
  // background load: each round runs both back to back, and the cost is the
  // median over the rounds of on / off (a round's two runs share the load of
  // their moment, which on a shared machine moves more than the cost).
  json MetricsCost(json& scenarios) {
    constexpr int kRounds = 9;
    const std::string token = "bench-metrics-token-0123456789";
    const std::string base = ConfigFor("ES256");
    const std::string on_config = o_.work_dir + "/bench-metrics-on.toml";
    std::ofstream(on_config) << ReadText(base) << "\n[metrics]\ntoken = \"" << token << "\"\n";
    ServerProcess off = Start(base, FreshDb("bench-metrics-off"));
    ServerProcess on = Start(on_config, FreshDb("bench-metrics-on"));
    WaitForKey(off);
    WaitForKey(on);
    if (!Scrape(on.port(), token)) throw std::runtime_error("the metrics server does not serve /metrics");
    json rounds = {{"off", json::array()}, {"on", json::array()}};
    std::vector<double> ratios, cpu_ratios;
    long scrapes = 0, failed_scrapes = 0;
    for (int round = 0; round < kRounds; ++round) {
      // Alternate which goes first, so that neither always follows the other.
      for (int k = 0; k < 2; ++k) {
        const bool metrics = (round + k) % 2 == 1;
        Say(std::string("metrics cost: exchange (ES256), metrics ") + (metrics ? "on" : "off") + ", round " +
            std::to_string(round + 1));
        std::atomic<bool> done{false};
        std::thread scraper;
        if (metrics) {
          scraper = std::thread([&] {
            while (!done) {
              ++scrapes;
              if (!Scrape(on.port(), token)) ++failed_scrapes;
              for (int i = 0; i < 20 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
          });
        }
        json r = Exchange(metrics ? on : off, "ES256", o_.connections, o_.seconds);
        done = true;
        if (scraper.joinable()) scraper.join();
        rounds[metrics ? "on" : "off"].push_back(r);
      }
      const json& a = rounds["off"].back();
      const json& b = rounds["on"].back();
      ratios.push_back(b["rate"].get<double>() / a["rate"].get<double>());
      if (a.contains("server_cpu_us") && b.contains("server_cpu_us")) {
        cpu_ratios.push_back(b["server_cpu_us"].get<double>() / a["server_cpu_us"].get<double>());
      }
      Say("  round " + std::to_string(round + 1) + ": on / off " + std::to_string(ratios.back()));
    }
    off.Stop();
    on.Stop();
    // The round with the median rate of each side, as the table's rows.
    auto median = [](json list) {
      std::sort(list.begin(), list.end(), [](const json& a, const json& b) { return a["rate"] < b["rate"]; });
      return list[list.size() / 2];
    };
    json off_median = median(rounds["off"]), on_median = median(rounds["on"]);
    scenarios["exchange_es256_metrics_off"] = off_median;
    scenarios["exchange_es256_metrics_on"] = on_median;
    auto middle = [](std::vector<double> v) {
      if (v.empty()) return 0.0;
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    const double ratio = middle(ratios);
    Say("  metrics on / off, median of the rounds: " + std::to_string(ratio));
    return {{"rounds", rounds},
            {"rate_off", off_median["rate"]},
            {"rate_on", on_median["rate"]},
            {"round_ratios", ratios},
            {"ratio", ratio},
            {"server_cpu_ratio", middle(cpu_ratios)},
            {"scrapes", scrapes},
            {"failed_scrapes", failed_scrapes}};
  }

  // The exchange at many connections, on a server of its own so that the
  // token scenarios' peak and after-load RSS keep meaning what they did. The
  // rate should hold as connections grow, with no errors; latency grows with
  // the queue (connections x CPU per exchange / cores).
  json ConnectionSweep() {
    ServerProcess p = Start(o_.config, FreshDb("bench-connections"));
    WaitForKey(p);
    json points = json::array();
    for (int level : o_.connection_sweep) {
      Say("connection sweep: exchange (RS256), " + std::to_string(level) + " connections");
      points.push_back(Exchange(p, "RS256", level, o_.seconds));
    }
    p.Stop();
    return points;
  }

  // `idle_requests` sequential GET /health on one fresh connection.
  json HealthLatency(const ServerProcess& p) {
    FixedGet health(p.port(), "/health", o_.idle_requests);
    auto r = RunLoad({{p.port()}, 1, 1, /*seconds (a bound; it stops when done)=*/60}, health);
    if (r.errors > 0) Say("  " + std::to_string(r.errors) + " errors, first: " + r.first_error);
    Say("  p50 " + std::to_string(r.PercentileMs(0.5)) + " ms, p99 " + std::to_string(r.PercentileMs(0.99)) + " ms");
    return Scenario(r, 1);
  }

  // Keep-alive connections that each made one request and went quiet (on a
  // fresh server; bench.toml's keep_alive_seconds keeps them open): the RSS
  // they add, the server's CPU while they sit idle, and a fresh client's
  // /health latency beside them, against the same without them.
  json Idle(json& scenarios) {
    ServerProcess p = Start(o_.config, FreshDb("bench-idle"));
    WaitForKey(p);
    WaitUntilIdle(p);
    json j = {{"connections", o_.idle_connections}, {"batch", OpenBatchSize()}};
    // A batch's requests arrive together and grow the worker pool to its
    // bound (32 threads: stacks and malloc arenas, about 1 MB), once per
    // server. A short burst over 64 connections grows it first, so that the
    // increase below is the connections' own (opening and closing a whole
    // batch instead would leave freed session memory for the real ones to
    // reuse). The burst's growth is recorded, and the thread count before and
    // after (StatusKb reads any numeric field of /proc/<pid>/status).
    const long cold = p.StatusKb("VmRSS");
    FixedGet burst(p.port(), "/health");
    Load(p, burst, 64, 0.3);
    WaitUntilIdle(p);
    j["rss_warm_up_kb"] = p.StatusKb("VmRSS") - cold;
    Say("idle connections: /health latency, no other connection open");
    scenarios["health"] = HealthLatency(p);
    WaitUntilIdle(p);
    const long before = p.StatusKb("VmRSS");
    j["rss_before_kb"] = before;
    j["threads_before"] = p.StatusKb("Threads");
    j["rss_anon_before_kb"] = p.StatusKb("RssAnon");
    p.ResetPeak();
    Say("idle connections: opening " + std::to_string(o_.idle_connections) + " in batches of " +
        std::to_string(OpenBatchSize()));
    IdleConnections idle;
    const auto opening = Clock::now();
    // In two halves: the RSS between them gives the marginal cost of a
    // connection, free of whatever the first batches grew once.
    const int half = o_.idle_connections / 2;
    idle.Open(p.port(), half);
    const long at_half = p.StatusKb("VmRSS");
    const int opened_half = idle.open();
    idle.Open(p.port(), o_.idle_connections - half);
    j["open_seconds"] = std::chrono::duration<double>(Clock::now() - opening).count();
    j["opened"] = idle.open();
    j["errors"] = idle.errors();
    if (!idle.first_error().empty()) {
      j["first_error"] = idle.first_error();
      Say("  " + std::to_string(idle.errors()) + " failed, first: " + idle.first_error());
    }
    WaitUntilIdle(p);  // the last answers' access-log lines, and the like
    const double cpu = p.CpuSeconds();
    const auto idle_from = Clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(o_.idle_seconds));
    const double window = std::chrono::duration<double>(Clock::now() - idle_from).count();
    const double used = p.CpuSeconds() - cpu;  // in clock ticks (10 ms), hence a 5 s window
    j["idle_window_seconds"] = window;
    j["cpu_seconds"] = used;
    j["cpu_percent"] = 100 * used / window;
    // After the idle window: what the connections hold once settled.
    const long open = p.StatusKb("VmRSS");
    j["rss_open_kb"] = open;
    j["rss_anon_open_kb"] = p.StatusKb("RssAnon");
    j["peak_rss_kb"] = p.StatusKb("VmHWM");
    j["threads_open"] = p.StatusKb("Threads");
    j["rss_increase_kb"] = open - before;
    if (idle.open() > 0) j["rss_per_connection_bytes"] = static_cast<double>(open - before) * 1024 / idle.open();
    j["rss_at_half_kb"] = at_half;
    if (idle.open() > opened_half) {
      j["rss_per_connection_marginal_bytes"] = static_cast<double>(open - at_half) * 1024 / (idle.open() - opened_half);
    }
    Say("  " + std::to_string(idle.open()) + " open: RSS +" + std::to_string(open - before) + " kB, CPU " +
        std::to_string(100 * used / window) + " % of a core over " + std::to_string(window) + " s");
    Say("idle connections: /health latency beside them");
    scenarios["health_idle"] = HealthLatency(p);
    scenarios["health_idle"]["idle_connections"] = idle.open();
    j["closed_by_server"] = idle.CountClosedByPeer();
    idle.CloseAll();
    WaitUntilIdle(p);
    j["rss_after_close_kb"] = p.StatusKb("VmRSS");
    j["rss_anon_after_close_kb"] = p.StatusKb("RssAnon");
    p.Stop();
    return j;
  }

  const SuiteOptions& o_;
  const Identity& id_;
  std::map<std::string, double> limits_;
};

}  // namespace

json RunSuite(const SuiteOptions& options, const Identity& identity) { return Runner(options, identity).Run(); }

json MeasureStarts(const std::string& atm, const std::string& config, const std::string& work_dir, int starts) {
  return Starts(atm, config, work_dir, starts);
}

json RunAgainst(const AgainstOptions& o, const Identity& id) {
  if (o.ports.empty()) throw std::runtime_error("no port to send to");
  const int port = o.setup_port > 0 ? o.setup_port : o.ports[0];
  std::unique_ptr<Workload> w;
  if (o.scenario == "jwks") {
    w = std::make_unique<FixedGet>(port, "/auth/.well-known/jwks.json");
  } else if (o.scenario == "client_credentials") {
    w = std::make_unique<ClientCredentials>(port, id);
  } else if (o.scenario == "exchange") {
    w = std::make_unique<CodeExchange>(port, id, MintCodes(port, id, o.codes, o.client_threads));
  } else if (o.scenario == "refresh") {
    w = std::make_unique<RefreshChains>(port, id, StartChains(port, id, o.connections, o.client_threads));
  } else if (o.scenario == "login") {
    w = std::make_unique<Login>(port, id, id.login_email, id.login_password);
  } else {
    throw std::runtime_error("unknown scenario \"" + o.scenario + "\"");
  }
  Say(o.scenario + ": " + std::to_string(o.connections) + " connections over " + std::to_string(o.ports.size()) +
      " node(s) for " + std::to_string(o.seconds) + " s");
  RunHook(o.before);
  CpuMeter cpu(o.pids, o.postmaster);
  cpu.Start();
  LoadResult r = RunLoad({o.ports, o.connections, o.client_threads, o.seconds}, *w);
  json j = Scenario(r, o.connections);
  if (!o.pids.empty() || o.postmaster > 0) j["cpu"] = cpu.Finish(r.ok);
  j["late"] = r.late;
  RunHook(o.after);
  if (o.ports.size() > 1) {
    j["ports"] = o.ports;
    j["setup_port"] = port;
  }
  return j;
}

}  // namespace atm::bench
