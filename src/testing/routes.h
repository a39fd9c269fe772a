// The test-control API (README "Testing against atm"), registered only when
// testing is on (config [testing] enabled, or --testing); otherwise its paths
// answer 404 like any unknown path. Under /_testing:
//   GET    /_testing                   what is on, the clock
//   POST   /_testing/tokens            mint tokens (testing/mint.h)
//   PUT    /_testing/applications/ID   create or update an application
//   PUT    /_testing/users/ID          create or update a user
//   POST   /_testing/reset             back to the config's seed
//   GET|POST|DELETE /_testing/clock    read, move ({"advance": s} or {"set": t}), reset the clock
//   GET|POST|DELETE /_testing/failures read, queue, clear failures (testing/failures.h)
//   GET|DELETE      /_testing/records  read, clear the record (testing/recorder.h)
// Its middleware answers queued failures, keeps the record, and logs every
// control request.
#pragma once

#include "http/router.h"
#include "testing/deps.h"
#include "testing/failures.h"
#include "testing/mint.h"
#include "testing/recorder.h"

namespace atm {

class TestingApi {
 public:
  explicit TestingApi(TestingDeps deps) : deps_(std::move(deps)), minter_(deps_) {}
  TestingApi(const TestingApi&) = delete;
  TestingApi& operator=(const TestingApi&) = delete;

  void Register(Router& router);
  // Applies the config's login shortcuts and remembers the state a reset
  // returns to: call after seeding.
  Status Start();

 private:
  HttpResponse Control(const HttpRequest& request);
  HttpResponse Around(const HttpRequest& request, const Handler& next);
  HttpResponse Clock(const HttpRequest& request);
  HttpResponse Failures(const HttpRequest& request);
  HttpResponse Records(const HttpRequest& request);
  nlohmann::json ClockView() const;

  TestingDeps deps_;
  TokenMinter minter_;
  FailureQueue failures_;
  Recorder recorder_;
};

}  // namespace atm
