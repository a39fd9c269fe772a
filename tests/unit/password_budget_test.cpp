// The password-hashing memory budget (issue 16 item 3): the machine's memory
// limit read from /proc and the cgroup files (core/machine_memory.h), the
// rule that turns a budget into a concurrency (domain/password_budget.h),
// the config key that sets it, the weighted gate that enforces it, and
// UserService holding to it.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.h"
#include "core/clock.h"
#include "core/fifo_gate.h"
#include "core/machine_memory.h"
#include "crypto/password.h"
#include "domain/password_budget.h"
#include "domain/users.h"
#include "store/sqlite_store.h"
#include "support/wait_for.h"

namespace atm {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kGiB = uint64_t{1} << 30;

// A file system of a few small files.
TextFileReader Files(std::map<std::string, std::string> files) {
  return [files](const std::string& path) -> std::optional<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
}

const std::string kMeminfo4G = "MemTotal:        4194304 kB\nMemFree:         1000000 kB\n";

PasswordPolicy Policy(int log_n, int max_concurrent, uint64_t budget) {
  PasswordPolicy p;
  p.scrypt.log_n = log_n;
  p.max_concurrent_hashes = max_concurrent;
  p.memory_budget = budget;
  return p;
}

}  // namespace

TEST_CASE("the memory limit is MemTotal, or a lower cgroup limit of the group or a group above it",
          "[password_budget]") {
  struct Case {
    const char* name;
    std::map<std::string, std::string> files;
    uint64_t bytes;
    std::string source;
  };
  auto c = GENERATE(values<Case>({
      {"no cgroup file: MemTotal", {{"/proc/meminfo", kMeminfo4G}}, 4 * kGiB, "MemTotal in /proc/meminfo"},
      {"cgroup v2 without a limit",
       {{"/proc/meminfo", kMeminfo4G},
        {"/proc/self/cgroup", "0::/system.slice/atm.service\n"},
        {"/sys/fs/cgroup/system.slice/atm.service/memory.max", "max\n"}},
       4 * kGiB,
       "MemTotal in /proc/meminfo"},
      {"cgroup v2 limit on the group",
       {{"/proc/meminfo", kMeminfo4G},
        {"/proc/self/cgroup", "0::/system.slice/atm.service\n"},
        {"/sys/fs/cgroup/system.slice/atm.service/memory.max", "536870912\n"}},
       512 * kMiB,
       "/sys/fs/cgroup/system.slice/atm.service/memory.max"},
      {"cgroup v2 limit on a parent, lower than the group's",
       {{"/proc/meminfo", kMeminfo4G},
        {"/proc/self/cgroup", "0::/system.slice/atm.service\n"},
        {"/sys/fs/cgroup/system.slice/atm.service/memory.max", "1073741824\n"},
        {"/sys/fs/cgroup/system.slice/memory.max", "268435456\n"}},
       256 * kMiB,
       "/sys/fs/cgroup/system.slice/memory.max"},
      {"cgroup v2 in a container's namespace (path /)",
       {{"/proc/meminfo", kMeminfo4G}, {"/proc/self/cgroup", "0::/\n"}, {"/sys/fs/cgroup/memory.max", "402653184\n"}},
       384 * kMiB,
       "/sys/fs/cgroup/memory.max"},
      {"cgroup v2 limit above MemTotal",
       {{"/proc/meminfo", kMeminfo4G},
        {"/proc/self/cgroup", "0::/big\n"},
        {"/sys/fs/cgroup/big/memory.max", "17179869184\n"}},
       4 * kGiB,
       "MemTotal in /proc/meminfo"},
      {"cgroup v1 memory controller with a limit",
       {{"/proc/meminfo", kMeminfo4G},
        {"/proc/self/cgroup", "5:cpu,cpuacct:/x\n4:memory:/docker/abc\n0::/\n"},
        {"/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "536870912\n"}},
       512 * kMiB,
       "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes"},
      {"cgroup v1 without a limit (2^63 less a page)",
       {{"/proc/meminfo", kMeminfo4G},
        {"/proc/self/cgroup", "4:memory:/\n"},
        {"/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n"}},
       4 * kGiB,
       "MemTotal in /proc/meminfo"},
      {"garbage in a cgroup file is no limit",
       {{"/proc/meminfo", kMeminfo4G}, {"/proc/self/cgroup", "0::/g\n"}, {"/sys/fs/cgroup/g/memory.max", "lots\n"}},
       4 * kGiB,
       "MemTotal in /proc/meminfo"},
  }));
  INFO(c.name);
  auto limit = MachineMemoryLimit(Files(c.files));
  REQUIRE(limit);
  CHECK(limit->bytes == c.bytes);
  CHECK(limit->source == c.source);
}

TEST_CASE("without a readable MemTotal the machine's memory is unknown", "[password_budget]") {
  CHECK_FALSE(MachineMemoryLimit(Files({})));
  CHECK_FALSE(MachineMemoryLimit(Files({{"/proc/meminfo", "MemFree: 12 kB\n"}})));
}

TEST_CASE("this machine's memory limit is read", "[password_budget]") {
  auto limit = MachineMemoryLimit();
  REQUIRE(limit);
  CHECK(limit->bytes > 16 * kMiB);
}

TEST_CASE("one hash holds 128 * r * N bytes", "[password_budget]") {
  CHECK(ScryptMemoryBytes({17, 8, 1}) == 128 * kMiB);
  CHECK(ScryptMemoryBytes({15, 8, 1}) == 32 * kMiB);
  CHECK(ScryptMemoryBytes({10, 8, 1}) == 1 * kMiB);
}

TEST_CASE("concurrency is min(max_concurrent_hashes or cores, budget / one hash)", "[password_budget]") {
  struct Case {
    const char* name;
    PasswordPolicy policy;
    std::optional<MemoryLimit> machine;
    unsigned cores;
    uint64_t budget;
    int concurrent;
  };
  const MemoryLimit k512M{512 * kMiB, "MemTotal in /proc/meminfo"};
  auto c = GENERATE_COPY(values<Case>({
      {"issue's gateway: 4 cores, 512 MiB, cost 17", Policy(17, 0, 0), k512M, 4, 256 * kMiB, 2},
      {"the cores bound a large budget", Policy(17, 0, 0), MemoryLimit{64 * kGiB, "x"}, 4, 32 * kGiB, 4},
      {"max_concurrent_hashes bounds a large budget", Policy(15, 3, 1 * kGiB), std::nullopt, 8, 1 * kGiB, 3},
      {"a set budget wins over the machine's", Policy(15, 0, 64 * kMiB), MemoryLimit{64 * kGiB, "x"}, 8, 64 * kMiB, 2},
      {"exactly one hash", Policy(15, 16, 32 * kMiB), std::nullopt, 8, 32 * kMiB, 1},
      {"just under two hashes", Policy(15, 16, 64 * kMiB - 1), std::nullopt, 8, 64 * kMiB - 1, 1},
      {"unknown memory: the count alone", Policy(17, 0, 0), std::nullopt, 2, 0, 2},
      {"zero cores reported: one", Policy(10, 0, 0), std::nullopt, 0, 0, 1},
  }));
  INFO(c.name);
  auto plan = PlanHashBudget(c.policy, c.machine, c.cores, "atm.toml");
  REQUIRE(plan);
  CHECK(plan->budget == c.budget);
  CHECK(plan->concurrent == c.concurrent);
  CHECK(plan->hash_bytes == ScryptMemoryBytes(c.policy.scrypt));
  const PasswordPolicy applied = plan->Apply(c.policy);
  CHECK(applied.max_concurrent_hashes == c.concurrent);
  CHECK(applied.memory_budget == c.budget);
  CHECK(applied.scrypt.log_n == c.policy.scrypt.log_n);  // the cost is never changed
}

TEST_CASE("a budget smaller than one hash is refused, naming both keys", "[password_budget]") {
  struct Case {
    const char* name;
    PasswordPolicy policy;
    std::optional<MemoryLimit> machine;
    std::string says;
  };
  auto c = GENERATE(values<Case>({
      {"a set budget", Policy(17, 0, 100 * kMiB), std::nullopt, "passwords.memory_budget is 100 MiB, less than"},
      {"one byte short", Policy(15, 0, 32 * kMiB - 1), std::nullopt, "less than one password hash"},
      {"the default on a 200 MiB container", Policy(17, 0, 0), MemoryLimit{200 * kMiB, "/sys/fs/cgroup/memory.max"},
       "passwords.memory_budget is 100 MiB (the default, half of this machine's memory limit of 200 MiB "
       "(/sys/fs/cgroup/memory.max))"},
  }));
  INFO(c.name);
  auto plan = PlanHashBudget(c.policy, c.machine, 4, "atm.toml");
  REQUIRE_FALSE(plan);
  const std::string& d = plan.error().description;
  CHECK(plan.error().Is(ErrorCode::kInvalidConfig));
  CHECK(d.rfind("atm.toml: passwords.memory_budget", 0) == 0);
  CHECK(d.find(c.says) != std::string::npos);
  CHECK(d.find("passwords.scrypt_log_n = " + std::to_string(c.policy.scrypt.log_n)) != std::string::npos);
  CHECK(d.find('\n') == std::string::npos);
}

TEST_CASE("passwords.memory_budget takes bytes or a number with a binary unit", "[password_budget][config]") {
  auto [text, bytes] = GENERATE(table<std::string, uint64_t>({
      {"268435456", 256 * kMiB},
      {"\"256MiB\"", 256 * kMiB},
      {"\"256 MiB\"", 256 * kMiB},
      {"\"512KiB\"", 512 * 1024},
      {"\"2GiB\"", 2 * kGiB},
      {"0", 0},
  }));
  INFO(text);
  auto c = ParseConfig("[passwords]\nmemory_budget = " + text, "test.toml");
  REQUIRE(c);
  CHECK(c->passwords.memory_budget == bytes);
}

TEST_CASE("a malformed passwords.memory_budget is one line naming the key", "[password_budget][config]") {
  auto text = GENERATE(as<std::string>{}, "\"256MB\"", "\"256\"", "\"MiB\"", "\"1.5GiB\"", "-1", "true",
                       "\"9999999GiB\"", "\"256mib\"");
  INFO(text);
  auto c = ParseConfig("[passwords]\nmemory_budget = " + text, "test.toml");
  REQUIRE_FALSE(c);
  CHECK(c.error().description.rfind("test.toml: passwords.memory_budget: expected bytes", 0) == 0);
}

TEST_CASE("the default budget is 0: derived from the machine at start", "[password_budget][config]") {
  auto c = ParseConfig("", "test.toml");
  REQUIRE(c);
  CHECK(c->passwords.memory_budget == 0);
}

TEST_CASE("a weighted gate never holds more than its capacity, and admits in arrival order", "[password_budget]") {
  FifoGate gate(8, 100);
  CHECK(gate.Fits(100));
  CHECK_FALSE(gate.Fits(101));
  std::atomic<int> weight_inside{0};
  std::atomic<int> heaviest{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      const int w = t % 2 == 0 ? 60 : 30;
      for (int i = 0; i < 200; ++i) {
        FifoGate::Pass pass(gate, static_cast<uint64_t>(w));
        int now = weight_inside += w;
        int seen = heaviest.load();
        while (now > seen && !heaviest.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::yield();
        weight_inside -= w;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(heaviest.load() <= 100);
  CHECK(heaviest.load() >= 90);  // 60 + 30 fit together, and did
  CHECK(weight_inside.load() == 0);
}

TEST_CASE("a heavy waiter at the head is not overtaken by light ones", "[password_budget]") {
  FifoGate gate(8, 100);
  std::vector<int> order;
  std::mutex order_mutex;
  std::vector<std::thread> waiters;
  auto enter = [&](int weight) {
    FifoGate::Pass pass(gate, static_cast<uint64_t>(weight));
    std::lock_guard<std::mutex> lock(order_mutex);
    order.push_back(weight);
  };
  {
    FifoGate::Pass holder(gate, 50);
    waiters.emplace_back(enter, 80);  // does not fit beside the holder
    REQUIRE(testing::WaitFor([&] { return gate.waiting() == 1; }));
    waiters.emplace_back(enter, 30);  // would fit beside the holder, but came later
    REQUIRE(testing::WaitFor([&] { return gate.waiting() == 2; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(gate.waiting() == 2);
    std::lock_guard<std::mutex> lock(order_mutex);
    CHECK(order.empty());
  }
  // The holder leaves: 80 enters; 30 does not fit beside it and follows.
  for (auto& t : waiters) t.join();
  CHECK(order == std::vector<int>{80, 30});
}

TEST_CASE("users hash within the budget: with room for one hash, they run one at a time", "[password_budget][users]") {
  FakeClock clock;
  auto store = SqliteStore::Open({":memory:", false, 1000});
  REQUIRE(store);
  // log_n 12: 4 MiB a hash; a budget of 4 MiB + 1 byte holds one, and eight
  // slots would let eight through.
  PasswordPolicy policy = Policy(12, 8, 4 * kMiB + 1);
  UserService users(**store, clock, policy);
  CHECK(users.hash_slots() == 8);
  CHECK(users.hash_memory_budget() == 4 * kMiB + 1);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        if (!users.HashPassword("a-password-123")) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(users.hashes_running_max() == 1);
  CHECK(users.hashes_running() == 0);
  CHECK(users.hashes_waiting() == 0);
}

TEST_CASE("control: with room for eight hashes, the same load runs several at once", "[password_budget][users]") {
  FakeClock clock;
  auto store = SqliteStore::Open({":memory:", false, 1000});
  REQUIRE(store);
  UserService users(**store, clock, Policy(12, 8, 32 * kMiB));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        if (!users.HashPassword("a-password-123")) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(users.hashes_running_max() > 1);
}

TEST_CASE("a stored hash costlier than the whole budget never matches, and is not run", "[password_budget][users]") {
  FakeClock clock;
  auto store = SqliteStore::Open({":memory:", false, 1000});
  REQUIRE(store);
  UserService users(**store, clock, Policy(10, 2, 2 * kMiB));
  auto cheap = HashPassword("a-password-123", {10, 8, 1});
  auto dear = HashPassword("a-password-123", {12, 8, 1});  // 4 MiB
  REQUIRE(cheap);
  REQUIRE(dear);
  CHECK(users.Verify("a-password-123", *cheap));
  CHECK_FALSE(users.Verify("a-password-123", *dear));
  CHECK(users.hashes_running_max() == 1);
}

}  // namespace atm
