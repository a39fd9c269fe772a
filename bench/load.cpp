#include "load.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcntl.h>
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>

#include "http_client.h"

namespace atm::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Connection {
  int index = 0;
  int fd = -1;
  std::string out;
  size_t sent = 0;
  ResponseParser parser;
  Clock::time_point started;
  bool busy = false;  // a request is in flight
  bool done = false;  // the workload has nothing more for it
};

struct ThreadResult {
  int64_t ok = 0;
  int64_t errors = 0;
  std::vector<uint32_t> latency_us;
  std::string first_error;
  int64_t late = 0;
  Clock::time_point last_answer{};
  bool ran_dry = false;  // stopped before the deadline: nothing left to send
};

class Worker {
 public:
  Worker(const LoadOptions& o, Workload& w, ThreadResult& r) : options_(o), workload_(w), result_(r) {}
  ~Worker() {
    for (auto& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    if (epoll_ >= 0) ::close(epoll_);
  }

  bool Connect(const std::vector<int>& indices) {
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    conns_.resize(indices.size());
    for (size_t i = 0; i < indices.size(); ++i) {
      conns_[i].index = indices[i];
      if (!Open(conns_[i], i)) return false;
    }
    return epoll_ >= 0;
  }

  void Run(Clock::time_point deadline) {
    deadline_ = deadline;
    for (auto& c : conns_) Start(c);
    epoll_event events[64];
    while (Clock::now() < deadline_ && Active() > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
      int n = ::epoll_wait(epoll_, events, 64, static_cast<int>(std::clamp<int64_t>(left, 1, 100)));
      if (n < 0 && errno != EINTR) break;
      for (int i = 0; i < n; ++i) {
        Connection& c = conns_[events[i].data.u64];
        if (events[i].events & EPOLLOUT) Send(c);
        if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) Receive(c);
      }
    }
    result_.ran_dry = Active() == 0 && Clock::now() < deadline_;
    result_.late += Active();
  }

 private:
  bool Open(Connection& c, size_t slot) {
    c.fd = ConnectLoopback(options_.ports[static_cast<size_t>(c.index) % options_.ports.size()]);
    if (c.fd < 0) return false;
    ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = slot;
    return ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev) == 0;
  }

  bool Reopen(Connection& c) {
    size_t slot = static_cast<size_t>(&c - conns_.data());
    ::close(c.fd);
    c.parser = ResponseParser();
    c.busy = false;
    return Open(c, slot);
  }

  int Active() const {
    int n = 0;
    for (const auto& c : conns_) n += c.busy ? 1 : 0;
    return n;
  }

  void Start(Connection& c) {
    if (c.done || Clock::now() >= deadline_) return;
    c.out.clear();
    if (!workload_.Next(c.index, c.out)) {
      c.done = true;
      return;
    }
    c.sent = 0;
    c.busy = true;
    c.started = Clock::now();
    Send(c);
  }

  void Send(Connection& c) {
    while (c.sent < c.out.size()) {
      ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        Watch(c, EPOLLIN | EPOLLOUT);
        return;
      }
      if (n <= 0) {
        Fail(c, "send failed");
        return;
      }
      c.sent += static_cast<size_t>(n);
    }
    Watch(c, EPOLLIN);
  }

  void Watch(Connection& c, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = static_cast<uint64_t>(&c - conns_.data());
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
  }

  void Receive(Connection& c) {
    char buf[16384];
    for (;;) {
      ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        Fail(c, c.busy ? std::string("the server closed the connection mid-request (") +
                             (n == 0 ? "EOF" : std::strerror(errno)) + ", " + std::to_string(c.parser.buffered()) +
                             " bytes of the answer read)"
                       : "");
        return;
      }
      auto state = c.parser.Feed(buf, static_cast<size_t>(n));
      if (state == ResponseParser::State::kError) {
        Fail(c, "malformed response");
        return;
      }
      if (state == ResponseParser::State::kDone && c.busy) {
        Complete(c);
        return;
      }
    }
  }

  void Complete(Connection& c) {
    auto now = Clock::now();
    c.busy = false;
    if (now <= deadline_) {
      bool good = workload_.Check(c.index, c.parser.status(), c.parser.body());
      if (good) {
        ++result_.ok;
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(now - c.started).count();
        result_.latency_us.push_back(static_cast<uint32_t>(us));
        result_.last_answer = now;
      } else {
        ++result_.errors;
        if (result_.first_error.empty()) {
          result_.first_error = std::to_string(c.parser.status()) + " " + std::string(c.parser.body().substr(0, 300));
        }
      }
    } else {
      ++result_.late;
    }
    bool close = c.parser.close();
    c.parser.Next();
    if (close && !Reopen(c)) {
      c.done = true;
      return;
    }
    Start(c);
  }

  void Fail(Connection& c, const std::string& why) {
    if (!why.empty()) {
      ++result_.errors;
      if (result_.first_error.empty()) result_.first_error = why;
    }
    if (!Reopen(c)) {
      c.done = true;
      return;
    }
    Start(c);
  }

  const LoadOptions& options_;
  Workload& workload_;
  ThreadResult& result_;
  int epoll_ = -1;
  std::vector<Connection> conns_;
  Clock::time_point deadline_;
};

}  // namespace

double LoadResult::PercentileMs(double q) const {
  if (latency_us.empty()) return 0;
  size_t i = static_cast<size_t>(q * static_cast<double>(latency_us.size() - 1) + 0.5);
  return latency_us[std::min(i, latency_us.size() - 1)] / 1000.0;
}

LoadResult RunLoad(const LoadOptions& options, Workload& workload) {
  const int threads = std::max(1, std::min(options.threads, options.connections));
  std::vector<ThreadResult> results(static_cast<size_t>(threads));
  std::atomic<bool> connect_failed{false};
  Clock::time_point start, deadline;
  // Everyone connects first; the clock starts when all connections are open.
  std::barrier sync(threads, [&]() noexcept {
    start = Clock::now();
    deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  });
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::vector<int> mine;
      for (int c = t; c < options.connections; c += threads) mine.push_back(c);
      Worker worker(options, workload, results[static_cast<size_t>(t)]);
      if (!worker.Connect(mine)) connect_failed = true;
      sync.arrive_and_wait();
      if (connect_failed) return;
      worker.Run(deadline);
    });
  }
  for (auto& t : pool) t.join();
  LoadResult out;
  if (connect_failed) {
    out.first_error = "cannot connect to";
    for (size_t i = 0; i < options.ports.size(); ++i) {
      out.first_error += (i == 0 ? " 127.0.0.1:" : " or 127.0.0.1:") + std::to_string(options.ports[i]);
    }
    out.errors = 1;
    return out;
  }
  Clock::time_point last = start;
  bool ran_dry = true;
  for (auto& r : results) {
    ran_dry = ran_dry && r.ran_dry;
    out.ok += r.ok;
    out.errors += r.errors;
    out.late += r.late;
    if (out.first_error.empty()) out.first_error = r.first_error;
    out.latency_us.insert(out.latency_us.end(), r.latency_us.begin(), r.latency_us.end());
    last = std::max(last, r.last_answer);
  }
  // The window is the fixed duration, or up to the last answer when every
  // connection ran out of work early.
  out.seconds = std::chrono::duration<double>((ran_dry && out.ok > 0 ? last : deadline) - start).count();
  std::sort(out.latency_us.begin(), out.latency_us.end());
  return out;
}

}  // namespace atm::bench
