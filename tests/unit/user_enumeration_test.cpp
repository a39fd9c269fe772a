// No user enumeration (RFC 6749 §10.10; OWASP ASVS 2.2.x): an unknown email
// and a wrong password get the same answer after the same work.
#include <algorithm>
#include <chrono>
#include <vector>

#include <catch2/catch.hpp>

#include "support/security_fixture.h"

using atm::testing::NewPkce;
using atm::testing::SecurityFixture;

TEST_CASE("an unknown email and a wrong password get the same status and body", "[enumeration]") {
  SecurityFixture f;
  auto app = f.AddApp();
  auto user = f.AddUser(app, "known@example.com");
  atm::testing::TestUser wrong_password = user;
  wrong_password.password = "not-the-password";
  atm::testing::TestUser unknown{"", "unknown@example.com", user.password};
  atm::HttpResponse a = f.Login(app, wrong_password, NewPkce(), "198.51.100.1");
  atm::HttpResponse b = f.Login(app, unknown, NewPkce(), "198.51.100.2");
  CHECK(a.status == 401);
  CHECK(a.status == b.status);
  CHECK(a.body == b.body);
  CHECK(a.headers == b.headers);
}

TEST_CASE("an unknown email costs the same scrypt work as a wrong password", "[enumeration][timing]") {
  // Medians of interleaved runs at a cost where one scrypt run (~10 ms at
  // N=2^12) dwarfs everything else; the bound (a factor 3) is generous so
  // load on the machine cannot make it flaky, yet skipping the dummy hash for
  // unknown emails (a 500x difference) fails it.
  SecurityFixture f(atm::ThrottlePolicy{}, /*scrypt_log_n=*/12);
  auto app = f.AddApp();
  auto user = f.AddUser(app, "known@example.com");
  (void)f.users->Authenticate(app.client_id, "warm-up@example.com", "x");  // builds the dummy hash once

  using Clock = std::chrono::steady_clock;
  auto time_one = [&](const std::string& email, const std::string& password) {
    auto start = Clock::now();
    auto r = f.users->Authenticate(app.client_id, email, password);
    auto elapsed = std::chrono::duration<double, std::micro>(Clock::now() - start).count();
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.error().status() == 401);
    return elapsed;
  };
  std::vector<double> unknown, wrong;
  for (int i = 0; i < 15; ++i) {
    unknown.push_back(time_one("nobody" + std::to_string(i) + "@example.com", "whatever-password"));
    wrong.push_back(time_one(user.email, "wrong-password-" + std::to_string(i)));
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
  };
  double m_unknown = median(unknown);
  double m_wrong = median(wrong);
  INFO("median unknown email " << m_unknown << " us, wrong password " << m_wrong << " us");
  CHECK(m_unknown > m_wrong / 3);
  CHECK(m_unknown < m_wrong * 3);
}
