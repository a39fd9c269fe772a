#include "testing_rig.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "http_client.h"
#include "limits.h"
#include "server_process.h"

namespace atm::bench {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kApp = "rig-app";  // bench/rig.toml's application
constexpr const char* kUser = "ann@rig.test";

void Say(const std::string& s) {
  std::fprintf(stderr, "bench: %s\n", s.c_str());
  std::fflush(stderr);
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string Fixed(double v, int digits = 2) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// Nearest-rank percentile of sorted values.
double Percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return NAN;
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size(), std::max<size_t>(rank, 1)) - 1];
}

// count, min, p50, p95, p99, max (ms), and the samples when there are at
// most 200 (the starts and the instances; not the thousands of calls).
json Distribution(std::vector<double> v) {
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty()) return {{"count", 0}};
  return {{"count", sorted.size()},
          {"min_ms", sorted.front()},
          {"p50_ms", Percentile(sorted, 0.5)},
          {"p95_ms", Percentile(sorted, 0.95)},
          {"p99_ms", Percentile(sorted, 0.99)},
          {"max_ms", sorted.back()},
          {"samples_ms", v.size() <= 200 ? json(v) : json()}};
}

// The exit status as the shell reports it (128 + signal when killed).
int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

class Rig {
 public:
  explicit Rig(const RigOptions& o) : o_(o) {}

  json Run() {
    std::filesystem::create_directories(o_.work_dir + "/parallel");
    json out;
    out["options"] = {{"config", o_.config}, {"hashed_config", o_.hashed_config},
                      {"starts", o_.starts}, {"calls", o_.calls},
                      {"resets", o_.resets}, {"parallel", o_.parallel}};
    Starts(out);
    out["calls"] = Calls();
    out["reset"] = Resets();
    Say("test rig: " + std::to_string(o_.parallel) + " instances at once, SIGTERM right after the last is ready");
    out["parallel"] = Parallel(/*wait_for_keys=*/false);
    Say("test rig: " + std::to_string(o_.parallel) + " instances at once, SIGTERM once each has its signing key");
    out["parallel_keyed"] = Parallel(/*wait_for_keys=*/true);
    // The same with ES256 keys, whose generation takes microseconds: what
    // the RSA generations running beside the later starts cost them.
    if (const std::string es256 = Es256Config(); !es256.empty()) {
      Say("test rig: " + std::to_string(o_.parallel) + " instances at once with ES256 keys");
      out["parallel_es256"] = Parallel(/*wait_for_keys=*/false, es256);
    }
    return out;
  }

 private:
  SpawnOptions Spawn(const std::string& log, const std::string& config = {}) const {
    SpawnOptions s{o_.atm, config.empty() ? o_.config : config, ":memory:", log};
    s.extra_args = {"--testing"};
    return s;
  }

  ServerProcess Start(const std::string& config = {}) {
    std::string error;
    auto p = ServerProcess::Start(Spawn(o_.work_dir + "/rig.log", config), &error);
    if (!p) throw std::runtime_error(error);
    return std::move(*p);
  }

  // Spawn to the listening line, `starts` times for each config, the two
  // configs taking turns (so both see the same background load); each server
  // is asked GET /_testing once and then stopped (SIGTERM) and waited for,
  // so that the next start has the machine to itself.
  struct StartSamples {
    std::vector<double> ready, answer, stop;
    int unclean = 0, unanswered = 0;
    std::string first_unclean;
  };

  void StartOnce(const std::string& config, StartSamples& s) {
    ServerProcess p = Start(config);
    s.ready.push_back(Ms(p.listening_at() - p.spawned_at()));
    auto r = Fetch(p.port(), "GET", "/_testing", {}, std::chrono::seconds(5));
    if (r && r->status == 200) {
      s.answer.push_back(Ms(Clock::now() - p.spawned_at()));
    } else {
      ++s.unanswered;
    }
    const auto term = Clock::now();
    const int status = p.Stop(std::chrono::seconds(30));
    s.stop.push_back(Ms(Clock::now() - term));
    if (status != 0) {
      ++s.unclean;
      if (s.first_unclean.empty()) s.first_unclean = "exit status " + std::to_string(status);
    }
  }

  static json StartJson(const std::string& config, const StartSamples& s) {
    json j = {{"config", config},
              {"ready", Distribution(s.ready)},
              {"first_answer", Distribution(s.answer)},
              {"stop", Distribution(s.stop)},
              {"unanswered", s.unanswered},
              {"unclean_exits", s.unclean}};
    if (!s.first_unclean.empty()) j["first_unclean"] = s.first_unclean;
    Say("  " + config + ": ready: median " + Fixed(j["ready"]["p50_ms"]) + " ms, p95 " + Fixed(j["ready"]["p95_ms"]) +
        " ms; SIGTERM to exit: median " + Fixed(j["stop"]["p50_ms"], 1) + " ms");
    return j;
  }

  void Starts(json& out) {
    const bool both = !o_.hashed_config.empty();
    Say("test rig: " + std::to_string(o_.starts) + " starts with --testing --db :memory: (" + o_.config +
        (both ? ", and as many with " + o_.hashed_config : std::string()) + ")");
    StartSamples plain, hashed;
    for (int i = 0; i < o_.starts; ++i) {
      StartOnce(o_.config, plain);
      if (both) StartOnce(o_.hashed_config, hashed);
    }
    out["start"] = StartJson(o_.config, plain);
    if (both) out["start_prehashed"] = StartJson(o_.hashed_config, hashed);
  }

  // A request that must answer 2xx; throws with the answer otherwise (set-up).
  static void Must(KeepAliveClient& c, const std::string& method, const std::string& path, const std::string& body) {
    auto r = c.Send(method, path, body, std::chrono::seconds(30));
    if (!r) throw std::runtime_error(method + " " + path + ": no answer");
    if (r->status / 100 != 2) {
      throw std::runtime_error(method + " " + path + " answered " + std::to_string(r->status) + ": " + r->body);
    }
  }

  // The first token after ready waits for the first signing key (generated
  // in the background): how long, from the listening line.
  static double FirstMint(const ServerProcess& p, KeepAliveClient& c) {
    Must(c, "POST", "/_testing/tokens", json{{"sub", "first"}, {"client_id", kApp}}.dump());
    return Ms(Clock::now() - p.listening_at());
  }

  struct Call {
    std::string name, method, path;
    std::function<std::string(int)> body;  // of the i-th request
  };

  // `calls` sequential requests (after a short untimed warm-up) on one
  // keep-alive connection: latency from send to the whole answer.
  json Timed(const ServerProcess& p, KeepAliveClient& c, const Call& call) {
    const int warm_up = std::min(20, o_.calls);
    for (int i = 0; i < warm_up; ++i) c.Send(call.method, call.path, call.body(-1 - i));
    std::vector<double> ms;
    ms.reserve(static_cast<size_t>(o_.calls));
    int errors = 0;
    std::string first_error;
    const int connects = c.connects();
    const double cpu = p.CpuSeconds();
    for (int i = 0; i < o_.calls; ++i) {
      const std::string body = call.body(i);
      const auto t = Clock::now();
      auto r = c.Send(call.method, call.path, body);
      const double took = Ms(Clock::now() - t);
      if (r && r->status / 100 == 2) {
        ms.push_back(took);
      } else {
        ++errors;
        if (first_error.empty()) {
          first_error = r ? std::to_string(r->status) + ": " + r->body.substr(0, 200) : "no answer";
        }
      }
    }
    json j = Distribution(ms);
    j["request"] = call.method + " " + call.path;
    j["errors"] = errors;
    j["reconnects"] = c.connects() - connects;
    if (!ms.empty()) j["server_cpu_us"] = (p.CpuSeconds() - cpu) * 1e6 / static_cast<double>(ms.size());
    if (!first_error.empty()) j["first_error"] = first_error;
    Say("  " + call.name + ": p50 " + Fixed(j.value("p50_ms", NAN), 3) + " ms, p99 " +
        Fixed(j.value("p99_ms", NAN), 3) + " ms" + (errors ? ", " + std::to_string(errors) + " errors" : ""));
    return j;
  }

  json Calls() {
    Say("test rig: control calls, " + std::to_string(o_.calls) + " each on one keep-alive connection");
    ServerProcess p = Start();
    KeepAliveClient c(p.port());
    json out;
    out["first_mint_after_ready_ms"] = FirstMint(p, c);
    // What the PUTs then update (the creation hashes the password).
    Must(c, "PUT", "/_testing/users/rig-bench-user",
         json{{"client_id", kApp}, {"email", "bench-user@rig.test"}, {"password", "bench-password-1"}}.dump());
    Must(c, "PUT", "/_testing/applications/rig-bench-app",
         json{{"name", "Bench App"},
              {"client_secret", "bench-app-secret-0123456789abcdef"},
              {"redirect_urls", {"http://localhost:3000/callback"}}}
             .dump());
    auto none = [](int) { return std::string(); };
    const std::vector<Call> calls = {
        {"clock_get", "GET", "/_testing/clock", none},
        {"clock_advance", "POST", "/_testing/clock", [](int) { return std::string(R"({"advance":1})"); }},
        {"clock_reset", "DELETE", "/_testing/clock", none},
        {"put_user", "PUT", "/_testing/users/rig-bench-user",
         [](int i) {
           return json{{"first_name", "Bench " + std::to_string(i)}, {"claims", {{"n", i}}}}.dump();
         }},
        {"put_application", "PUT", "/_testing/applications/rig-bench-app",
         [](int i) {
           return json{{"name", "Bench App " + std::to_string(i)}}.dump();
         }},
        {"mint_sub", "POST", "/_testing/tokens",
         [](int i) {
           return json{{"sub", "subject-" + std::to_string(i)}, {"client_id", kApp}}.dump();
         }},
        {"mint_user", "POST", "/_testing/tokens",
         [](int) {
           return json{{"user", kUser}, {"client_id", kApp}}.dump();
         }},
    };
    int errors = 0;
    for (const auto& call : calls) {
      out[call.name] = Timed(p, c, call);
      errors += out[call.name]["errors"].get<int>();
    }
    p.Stop();
    // One signature's CPU time in-process (one thread), for comparison.
    for (const char* alg : {"RS256", "ES256"}) {
      out["signature_cpu_us"][alg] = SignRate(alg, 1, std::min(1.0, 0.002 * o_.calls)).cpu_us_per_op;
    }
    // The mints again with ES256 keys: what a token costs besides its two
    // RSA-2048 signatures (access and ID token).
    const std::string es256_config = Es256Config();
    if (es256_config.empty()) {
      Say("test rig: " + o_.config + " has a [keys] table: no ES256 mints");
      out["errors"] = errors;
      return out;
    }
    Say("test rig: the mints with [keys] algorithm = \"ES256\"");
    ServerProcess es = Start(es256_config);
    KeepAliveClient ec(es.port());
    FirstMint(es, ec);
    for (const auto& call : calls) {
      if (call.name.rfind("mint_", 0) != 0) continue;
      const std::string name = call.name + "_es256";
      out[name] = Timed(es, ec, call);
      errors += out[name]["errors"].get<int>();
    }
    es.Stop();
    out["errors"] = errors;
    return out;
  }

  // rig.toml with ES256 signing keys, in the work folder; empty when the
  // config has keys of its own.
  std::string Es256Config() const {
    std::ifstream in(o_.config, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + o_.config);
    std::stringstream text;
    text << in.rdbuf();
    if (("\n" + text.str()).find("\n[keys]") != std::string::npos) return "";
    const std::string path = o_.work_dir + "/rig-es256.toml";
    std::ofstream(path) << text.str() << "\n[keys]\nalgorithm = \"ES256\"\n";
    return path;
  }

  // What a test leaves behind before its suite's next reset: applications,
  // users (their passwords hashed), tokens for users and for subjects, the
  // clock moved, a failure queued.
  static constexpr int kApps = 2, kUsers = 3, kUserTokens = 5, kSubjectTokens = 5;
  static void Changes(KeepAliveClient& c) {
    for (int k = 0; k < kApps; ++k) {
      Must(c, "PUT", "/_testing/applications/reset-app-" + std::to_string(k),
           json{{"name", "Reset App " + std::to_string(k)},
                {"client_secret", "reset-app-secret-0123456789abcdef"},
                {"redirect_urls", {"http://localhost:3000/callback"}}}
               .dump());
    }
    for (int k = 0; k < kUsers; ++k) {
      Must(c, "PUT", "/_testing/users/reset-user-" + std::to_string(k),
           json{{"client_id", "reset-app-" + std::to_string(k % kApps)},
                {"email", "reset-" + std::to_string(k) + "@rig.test"},
                {"password", "reset-password-1"}}
               .dump());
    }
    for (int k = 0; k < kUserTokens; ++k) {
      Must(c, "POST", "/_testing/tokens", json{{"user", kUser}, {"client_id", kApp}}.dump());
    }
    for (int k = 0; k < kSubjectTokens; ++k) {
      Must(c, "POST", "/_testing/tokens", json{{"sub", "s-" + std::to_string(k)}, {"client_id", kApp}}.dump());
    }
    Must(c, "POST", "/_testing/clock", R"({"advance":3600})");
    Must(c, "POST", "/_testing/failures", R"({"path":"/auth/token","status":503,"error":"temporarily_unavailable"})");
  }

  json Resets() {
    Say("test rig: " + std::to_string(o_.resets) + " resets after changes, " + std::to_string(o_.resets) +
        " with nothing to undo");
    ServerProcess p = Start();
    KeepAliveClient c(p.port());
    FirstMint(p, c);
    auto timed_reset = [&](std::vector<double>& ms, int& errors) {
      const auto t = Clock::now();
      auto r = c.Send("POST", "/_testing/reset", "{}");
      const double took = Ms(Clock::now() - t);
      if (r && r->status == 200) {
        ms.push_back(took);
      } else {
        ++errors;
      }
    };
    std::vector<double> after, clean;
    int errors = 0;
    for (int i = 0; i < o_.resets; ++i) {
      Changes(c);
      timed_reset(after, errors);
    }
    for (int i = 0; i < o_.resets; ++i) timed_reset(clean, errors);
    p.Stop();
    json j = {{"after_changes", Distribution(after)},
              {"nothing_to_undo", Distribution(clean)},
              {"errors", errors},
              {"changes",
               {{"applications", kApps},
                {"users", kUsers},
                {"user_tokens", kUserTokens},
                {"subject_tokens", kSubjectTokens},
                {"clock_moved", true},
                {"failures_queued", 1}}}};
    Say("  after changes: p50 " + Fixed(j["after_changes"].value("p50_ms", NAN), 3) + " ms, p99 " +
        Fixed(j["after_changes"].value("p99_ms", NAN), 3) + " ms; nothing to undo: p50 " +
        Fixed(j["nothing_to_undo"].value("p50_ms", NAN), 3) + " ms");
    return j;
  }

  // Every child still running is killed and reaped, whatever happens.
  struct Children {
    std::vector<Spawned> all;
    std::vector<bool> reaped;
    ~Children() {
      for (size_t i = 0; i < all.size(); ++i) {
        if (all[i].stdout_fd >= 0) ::close(all[i].stdout_fd);
        if (reaped[i]) continue;
        ::kill(all[i].pid, SIGKILL);
        int status = 0;
        ::waitpid(all[i].pid, &status, 0);
      }
    }
  };

  // `parallel` instances spawned back to back, then each one's listening
  // line awaited (poll over all the pipes); the time until the last is ready
  // counts from the first spawn. Then SIGTERM to all at once (optionally
  // only once each has its signing key), and the time until the last exit.
  json Parallel(bool wait_for_keys, const std::string& config = {}) {
    const int n = o_.parallel;
    Children kids;
    std::string error;
    std::vector<std::string> lines(static_cast<size_t>(n));
    std::vector<int> ports(static_cast<size_t>(n), 0);
    std::vector<double> ready;
    int failed = 0, waiting = 0;
    std::string first_failure;
    auto fail = [&](int i, const std::string& why) {
      ++failed;
      if (first_failure.empty()) first_failure = "instance " + std::to_string(i) + ": " + why;
    };
    const auto t0 = Clock::now();
    // Reads the listening lines that have arrived, waiting at most
    // `timeout_ms` for the first; false when nothing came.
    auto read_lines = [&](int timeout_ms) {
      std::vector<pollfd> fds;
      std::vector<int> index;
      for (int i = 0; i < static_cast<int>(kids.all.size()); ++i) {
        if (kids.all[i].stdout_fd < 0) continue;
        fds.push_back({kids.all[i].stdout_fd, POLLIN, 0});
        index.push_back(i);
      }
      if (fds.empty() || ::poll(fds.data(), fds.size(), timeout_ms) <= 0) return false;
      const auto now = Clock::now();
      for (size_t k = 0; k < fds.size(); ++k) {
        if (fds[k].revents == 0) continue;
        const int i = index[k];
        char buf[256];
        ssize_t r = ::read(fds[k].fd, buf, sizeof buf);
        if (r > 0) lines[i].append(buf, static_cast<size_t>(r));
        const bool line_done = lines[i].find('\n') != std::string::npos;
        if (!line_done && r > 0) continue;
        ::close(kids.all[i].stdout_fd);
        kids.all[i].stdout_fd = -1;
        --waiting;
        ports[i] = ListeningPort(lines[i]);
        if (ports[i] > 0) {
          ready.push_back(Ms(now - t0));
        } else {
          fail(i, "no listening line (\"" + lines[i] + "\")");
        }
      }
      return true;
    };
    // Between two spawns, the lines already there are read, so that a ready
    // time is not the end of the spawning.
    for (int i = 0; i < n; ++i) {
      auto s = SpawnAtm(Spawn(o_.work_dir + "/parallel/atm-" + std::to_string(i) + ".log", config), &error);
      if (!s) throw std::runtime_error(error);
      kids.all.push_back(*s);
      kids.reaped.push_back(false);
      ++waiting;
      read_lines(0);
    }
    const double spawn_ms = Ms(Clock::now() - t0);
    const auto deadline = t0 + std::chrono::seconds(30);
    while (waiting > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0 || !read_lines(static_cast<int>(left))) break;
    }
    for (int i = 0; i < n; ++i) {
      if (kids.all[i].stdout_fd >= 0) fail(i, "not ready within 30 s");
    }
    const double last_ready = ready.empty() ? NAN : *std::max_element(ready.begin(), ready.end());
    // Each one answers (not timed).
    int answered = 0;
    for (int i = 0; i < n; ++i) {
      if (ports[i] == 0) continue;
      auto r = Fetch(ports[i], "GET", "/_testing", {}, std::chrono::seconds(5));
      if (r && r->status == 200) {
        ++answered;
      } else {
        fail(i, "GET /_testing did not answer 200");
      }
    }
    json j;
    if (wait_for_keys) {
      const auto key_deadline = Clock::now() + std::chrono::seconds(120);
      for (int i = 0; i < n; ++i) {
        if (ports[i] == 0) continue;
        for (;;) {
          auto r = Fetch(ports[i], "GET", "/auth/.well-known/jwks.json", {}, std::chrono::seconds(5));
          if (r && r->status == 200) break;
          if (Clock::now() > key_deadline) {
            fail(i, "no signing key within 120 s");
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
      j["last_key_ms"] = Ms(Clock::now() - t0);
    }
    // SIGTERM to every one, then wait for every exit.
    const auto term = Clock::now();
    for (const auto& k : kids.all) ::kill(k.pid, SIGTERM);
    std::vector<double> exits;
    int clean = 0;
    const auto exit_deadline = term + std::chrono::seconds(60);
    for (int left = n; left > 0 && Clock::now() < exit_deadline;) {
      for (int i = 0; i < n; ++i) {
        if (kids.reaped[i]) continue;
        int status = 0;
        pid_t r = ::waitpid(kids.all[i].pid, &status, WNOHANG);
        if (r == 0) continue;
        kids.reaped[i] = true;
        --left;
        exits.push_back(Ms(Clock::now() - term));
        if (r == kids.all[i].pid && ExitCode(status) == 0) {
          ++clean;
        } else {
          fail(i, r < 0 ? "waitpid failed" : "exit status " + std::to_string(ExitCode(status)));
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    for (int i = 0; i < n; ++i) {
      if (!kids.reaped[i]) fail(i, "still running 60 s after SIGTERM (killed)");
    }
    j.update(
        {{"instances", n},
         {"spawn_ms", spawn_ms},
         {"ready", Distribution(ready)},
         {"ready_count", ready.size()},
         {"last_ready_ms", last_ready},
         {"answered", answered},
         {"exit", Distribution(exits)},
         {"last_exit_ms", exits.size() == static_cast<size_t>(n) ? *std::max_element(exits.begin(), exits.end()) : NAN},
         {"clean_exits", clean},
         {"failures", failed}});
    if (!first_failure.empty()) j["first_failure"] = first_failure;
    Say("  " + std::to_string(ready.size()) + " of " + std::to_string(n) + " ready, the last at " +
        Fixed(last_ready, 0) + " ms (spawning took " + Fixed(spawn_ms, 0) + " ms); " + std::to_string(clean) +
        " exited with status 0, the last " +
        Fixed(j["last_exit_ms"].is_number() ? j["last_exit_ms"].get<double>() : NAN, 0) + " ms after SIGTERM" +
        (failed ? "; " + std::to_string(failed) + " failures, first: " + first_failure : ""));
    return j;
  }

  const RigOptions& o_;
};

}  // namespace

json RunTestingRig(const RigOptions& options) { return Rig(options).Run(); }

}  // namespace atm::bench
