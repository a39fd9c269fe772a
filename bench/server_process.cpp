#include "server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "process_cpu.h"

extern char** environ;

namespace atm::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for the child with a deadline; true when it exited (status filled).
bool WaitFor(pid_t pid, Clock::time_point deadline, int* status) {
  for (;;) {
    pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || r < 0) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
}

ServerProcess::ServerProcess(ServerProcess&& other) noexcept
    : pid_(other.pid_), port_(other.port_), spawned_at_(other.spawned_at_), listening_at_(other.listening_at_) {
  other.pid_ = -1;
}

std::optional<Spawned> SpawnAtm(const SpawnOptions& o, std::string* error) {
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    *error = "pipe failed";
    return std::nullopt;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, o.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  std::vector<std::string> args = {o.binary, "serve", "--config", o.config, "--db", o.db, "--port", "0"};
  args.insert(args.end(), o.extra_args.begin(), o.extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Spawned s;
  s.at = Clock::now();
  int rc = ::posix_spawn(&s.pid, o.binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    *error = "cannot run " + o.binary;
    return std::nullopt;
  }
  s.stdout_fd = out[0];
  return s;
}

int ListeningPort(const std::string& line) {
  size_t colon = line.rfind(':');
  if (line.rfind("atm listening on ", 0) != 0 || colon == std::string::npos) return 0;
  return std::atoi(line.c_str() + colon + 1);
}

std::optional<ServerProcess> ServerProcess::Start(const SpawnOptions& o, std::string* error) {
  auto spawned = SpawnAtm(o, error);
  if (!spawned) return std::nullopt;
  ServerProcess p;
  p.pid_ = spawned->pid;
  p.spawned_at_ = spawned->at;
  const int fd = spawned->stdout_fd;
  // The listening line: "atm listening on http://127.0.0.1:PORT".
  std::string line;
  const auto deadline = p.spawned_at_ + o.ready_timeout;
  char c;
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd pfd{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&pfd, 1, static_cast<int>(left)) <= 0) break;
    if (::read(fd, &c, 1) != 1) break;
    line += c;
  }
  p.listening_at_ = Clock::now();
  ::close(fd);  // atm writes nothing else to stdout
  p.port_ = ListeningPort(line);
  if (p.port_ == 0) {
    *error = "atm did not print its listening line (see " + o.log_file + "): \"" + line + "\"";
    return std::nullopt;  // the destructor stops the child
  }
  return p;
}

long ServerProcess::StatusKb(const std::string& field) const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

double ServerProcess::CpuSeconds() const { return ProcessCpuSeconds(pid_); }

bool ServerProcess::ResetPeak() const {
  std::ofstream out("/proc/" + std::to_string(pid_) + "/clear_refs");
  out << "5";
  return static_cast<bool>(out.flush());
}

int ServerProcess::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  int status = 0;
  ::kill(pid_, SIGTERM);
  if (!WaitFor(pid_, Clock::now() + grace, &status)) {
    ::kill(pid_, SIGKILL);
    WaitFor(pid_, Clock::now() + std::chrono::seconds(5), &status);
    status = -1;
  }
  pid_ = -1;
  return status == -1 ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

}  // namespace atm::bench
