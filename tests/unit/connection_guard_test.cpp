// ConnectionGuard (http/connection_guard.h) on a socketpair: the deadline,
// the byte budget, draining, and the per-thread installation.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "http/connection_guard.h"

using atm::ConnectionGuard;
using atm::ConnectionLimits;
using namespace std::chrono_literals;

namespace {

// A fake steady clock for the deadline tests: they move it, never sleep.
std::chrono::steady_clock::time_point g_now{};
std::chrono::steady_clock::time_point FakeNow() { return g_now; }
ConnectionLimits FakeTimeLimits(std::chrono::milliseconds deadline, size_t bytes) {
  ConnectionLimits l{deadline, bytes};
  l.now = &FakeNow;
  return l;
}

struct SocketPair {
  int server = -1, client = -1;
  SocketPair() {
    int fds[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    server = fds[0];
    client = fds[1];
  }
  ~SocketPair() {
    close(server);
    close(client);
  }
  // True when the client sees the server's end shut (end of stream).
  bool ClientSeesEnd() const {
    char c;
    return recv(client, &c, 1, MSG_DONTWAIT) == 0;
  }
};

}  // namespace

TEST_CASE("a guard is the current one on its thread only while it lives", "[guard]") {
  CHECK(ConnectionGuard::Current() == nullptr);
  {
    ConnectionGuard guard(ConnectionLimits{});
    CHECK(ConnectionGuard::Current() == &guard);
    std::thread other([] { CHECK(ConnectionGuard::Current() == nullptr); });
    other.join();
  }
  CHECK(ConnectionGuard::Current() == nullptr);
}

TEST_CASE("a read after the request deadline shuts the connection", "[guard]") {
  SocketPair s;
  ConnectionGuard guard(FakeTimeLimits(50ms, 1024));
  CHECK(guard.BeforeRead(s.server));
  g_now += 50ms;
  CHECK(guard.BeforeRead(s.server));
  CHECK_FALSE(s.ClientSeesEnd());
  g_now += 1ms;
  CHECK_FALSE(guard.BeforeRead(s.server));
  CHECK(guard.cut());
  CHECK(s.ClientSeesEnd());
}

TEST_CASE("a request over the byte budget shuts the connection", "[guard]") {
  SocketPair s;
  ConnectionGuard guard(ConnectionLimits{10s, 100});
  CHECK(guard.AfterRead(s.server, 60));
  CHECK(guard.AfterRead(s.server, 40));
  CHECK(guard.AfterRead(s.server, -1));  // a failed read costs nothing
  CHECK_FALSE(guard.AfterRead(s.server, 1));
  CHECK(s.ClientSeesEnd());
}

TEST_CASE("each answered request gets a fresh deadline and budget", "[guard]") {
  SocketPair s;
  ConnectionGuard guard(FakeTimeLimits(80ms, 100));
  for (int request = 0; request < 5; ++request) {
    g_now += 60ms;  // 300 ms in all, each request within its 80 ms
    CHECK(guard.BeforeRead(s.server));
    CHECK(guard.AfterRead(s.server, 100));
    guard.NextRequest();
  }
  CHECK_FALSE(guard.cut());
}

TEST_CASE("draining discards until the stream ends, then shuts the connection", "[guard]") {
  SocketPair s;
  ConnectionGuard guard(ConnectionLimits{10s, 100});
  guard.CloseAfterResponse();
  CHECK(guard.draining());
  CHECK(guard.KeepDraining(s.server, 50));
  CHECK_FALSE(guard.KeepDraining(s.server, 0));  // the client closed
  CHECK(guard.cut());
  CHECK(s.ClientSeesEnd());
  ConnectionGuard over_budget(ConnectionLimits{10s, 100});
  over_budget.CloseAfterResponse();
  CHECK_FALSE(over_budget.KeepDraining(s.server, 101));
}

TEST_CASE("a stopping server shuts the connections idle between requests, not the busy ones", "[guard]") {
  atm::ConnectionRegistry registry;
  SocketPair idle, busy;
  ConnectionGuard idle_guard(ConnectionLimits{}, &registry);
  CHECK(idle_guard.BeforeRead(idle.server));
  idle_guard.NextRequest();  // answered, waiting for the next request
  std::thread other([&] {
    ConnectionGuard busy_guard(ConnectionLimits{}, &registry);
    CHECK(busy_guard.BeforeRead(busy.server));  // reading a request
    registry.ShutdownIdle();
    CHECK_FALSE(busy.ClientSeesEnd());
  });
  other.join();
  CHECK(idle.ClientSeesEnd());
}
