// The test rig targets (issue 14, item 4): atm as the server a test suite
// starts per file or per run, with the test-control API on (--testing).
//   - start to ready: spawn to the listening line, sequential starts (with
//     the seeded user's plain password, hashed at start, as the helpers write
//     it, and with its hash);
//   - control calls on one keep-alive connection: p50/p99 of each;
//   - a full reset (POST /_testing/reset) after apps, users and tokens were
//     created, and one with nothing to undo;
//   - many instances started at once: the time until the last is ready, and
//     after SIGTERM until the last has exited (exit status 0 each).
// The result is the "testing" object of a run's JSON (bench/README.md).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace atm::bench {

struct RigOptions {
  std::string atm;     // the atm binary
  std::string config;  // bench/rig.toml: one application, one user
  // The same with the user's password_hash (bench/rig-hashed.toml): its
  // starts are measured too, taking turns with config's; empty = not.
  std::string hashed_config;
  std::string work_dir;  // the servers' logs
  int starts = 50;       // sequential starts
  int calls = 2000;      // timed requests per control call
  int resets = 100;      // timed resets after changes (and as many with none)
  int parallel = 100;    // instances started at once
};

nlohmann::json RunTestingRig(const RigOptions& options);

}  // namespace atm::bench
