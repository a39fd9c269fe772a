// One run of every scenario: the in-process limits, start-up times, memory,
// and the HTTP scenarios against freshly started atm servers. The result is
// the JSON document described in bench/README.md.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "workloads.h"

namespace atm::bench {

struct SuiteOptions {
  std::string atm;       // the atm binary
  std::string config;    // bench/bench.toml
  std::string work_dir;  // databases, derived configs and server logs
  int connections = 16;  // for the single-point scenarios
  int client_threads = 2;
  double seconds = 5;
  double sweep_seconds = 3;
  std::vector<int> sweep = {1, 2, 4, 8, 16, 32};
  int starts = 20;
  double limit_seconds = 3;
  int login_cost = 15;  // log2 N of the login user's hash in bench.toml
  long max_codes = 40000;
  std::vector<std::string> exchange_algs = {"RS256", "ES256", "EdDSA"};
  // The exchange at many connections (each point `seconds` long).
  std::vector<int> connection_sweep = {16, 64, 256, 1000};
  // The idle-connections scenario: how many, how long they sit idle while
  // the server's CPU is measured, and the fresh client's /health sample.
  int idle_connections = 10000;
  double idle_seconds = 5;
  long idle_requests = 2000;
  // The test rig (testing_rig.h): its configs (empty: rig.toml and
  // rig-hashed.toml beside `config`), sequential starts, requests per
  // control call, resets, and instances started at once.
  std::string rig_config;
  std::string rig_hashed_config;
  int rig_starts = 50;
  int rig_calls = 2000;
  int rig_resets = 100;
  int rig_parallel = 100;
  // Parts to run (start, tokens, algs, connections, idle, testing); empty =
  // all. The binary's size is always measured, the limits whenever tokens,
  // algs or connections run (the exchange needs the RSA limit to know how
  // many codes to mint).
  std::vector<std::string> only;
};

nlohmann::json RunSuite(const SuiteOptions& options, const Identity& identity);

// Time from spawning atm (config, --db :memory:) to its first 200 on /health,
// `starts` times: samples, median, min, max.
nlohmann::json MeasureStarts(const std::string& atm, const std::string& config, const std::string& work_dir,
                             int starts);

// One scenario against atm nodes already running with bench.toml on
// 127.0.0.1 (one, e.g. under perf, or several on one PostgreSQL database).
struct AgainstOptions {
  std::vector<int> ports;  // the nodes; connection i goes to ports[i % size]
  // Where the setup runs (the codes minted for exchange, the exchanges that
  // start the refresh chains); 0 = ports[0]. With several nodes, codes
  // minted on one are redeemed on all of them.
  int setup_port = 0;
  std::string scenario;  // jwks, client_credentials, exchange, refresh, login
  int connections = 16;
  double seconds = 10;
  int client_threads = 2;
  long codes = 20000;  // minted for exchange
  // CPU time over the window (process_cpu.h): these atm processes, and a
  // PostgreSQL server (the postmaster and its children); none when empty/0.
  std::vector<pid_t> pids;
  pid_t postmaster = 0;
  // Shell commands run after the setup, just before the measured window,
  // and just after it (e.g. reading the database's statistics), their
  // output to stderr; none when empty, an error when they fail.
  std::string before;
  std::string after;
};
nlohmann::json RunAgainst(const AgainstOptions& options, const Identity& identity);

}  // namespace atm::bench
