#include "idle.h"

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include "http_client.h"

namespace atm::bench {
namespace {

using Clock = std::chrono::steady_clock;

// How long a batch may take to be answered: far more than 512 /health
// answers need, short enough that a stuck server does not stall the run.
constexpr auto kBatchTimeout = std::chrono::seconds(10);

}  // namespace

long RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<long>(limit.rlim_cur);
}

int OpenBatchSize() {
  long somaxconn = 128;  // the kernel's default before Linux 5.4
  std::ifstream("/proc/sys/net/core/somaxconn") >> somaxconn;
  return static_cast<int>(std::clamp<long>(somaxconn / 2, 16, 512));
}

IdleConnections::~IdleConnections() { CloseAll(); }

void IdleConnections::Open(int port, int count) {
  fds_.reserve(fds_.size() + static_cast<size_t>(std::max(0, count)));
  const int batch = OpenBatchSize();
  for (int done = 0; done < count; done += batch) OpenBatch(port, std::min(batch, count - done));
}

// Connects `count` sockets (each connect returns once the kernel has queued
// it for atm's accept), sends each its request, then waits for every answer,
// so that the next batch starts with atm's accept queue empty.
void IdleConnections::OpenBatch(int port, int count) {
  const std::string request = FormatRequest("GET", "/health", port);
  std::vector<pollfd> waiting;
  for (int i = 0; i < count; ++i) {
    int fd = ConnectLoopback(port);
    if (fd < 0) {
      Error(std::string("connect failed: ") + std::strerror(errno));
      continue;
    }
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      Error(std::string("send failed: ") + std::strerror(errno));
      ::close(fd);
      continue;
    }
    waiting.push_back({fd, POLLIN, 0});
  }
  std::vector<ResponseParser> parsers(waiting.size());
  const auto deadline = Clock::now() + kBatchTimeout;
  size_t left = waiting.size();
  while (left > 0) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (ms <= 0) break;
    int n = ::poll(waiting.data(), waiting.size(), static_cast<int>(ms));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (size_t i = 0; i < waiting.size(); ++i) {
      pollfd& p = waiting[i];
      if (p.fd < 0 || p.revents == 0) continue;
      char buf[4096];
      ssize_t r = ::recv(p.fd, buf, sizeof buf, MSG_DONTWAIT);
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      auto state = r > 0 ? parsers[i].Feed(buf, static_cast<size_t>(r)) : ResponseParser::State::kError;
      if (state == ResponseParser::State::kIncomplete) continue;
      const ResponseParser& answer = parsers[i];
      if (state == ResponseParser::State::kDone && answer.status() == 200 && !answer.close()) {
        fds_.push_back(p.fd);
      } else {
        Error(state != ResponseParser::State::kDone
                  ? std::string("the server closed the connection before answering (") +
                        (r == 0 ? "EOF" : std::strerror(errno)) + ")"
                  : "GET /health answered " + std::to_string(answer.status()) +
                        (answer.close() ? " with Connection: close" : "") + ": " +
                        std::string(answer.body().substr(0, 200)));
        ::close(p.fd);
      }
      p.fd = -1;  // poll skips negative descriptors
      --left;
    }
  }
  for (const pollfd& p : waiting) {
    if (p.fd < 0) continue;
    Error("no answer to GET /health within " + std::to_string(kBatchTimeout.count()) + " s");
    ::close(p.fd);
  }
}

int IdleConnections::CountClosedByPeer() const {
  std::vector<pollfd> all;
  all.reserve(fds_.size());
  for (int fd : fds_) all.push_back({fd, POLLIN | POLLRDHUP, 0});
  if (::poll(all.data(), all.size(), 0) <= 0) return 0;
  return static_cast<int>(std::count_if(all.begin(), all.end(), [](const pollfd& p) { return p.revents != 0; }));
}

void IdleConnections::CloseAll() {
  for (int fd : fds_) ::close(fd);
  fds_.clear();
}

void IdleConnections::Error(const std::string& why) {
  ++errors_;
  if (first_error_.empty()) first_error_ = why;
}

}  // namespace atm::bench
