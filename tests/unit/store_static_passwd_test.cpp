// The static executable's getpwuid_r (store/static_passwd.h): /etc/passwd only.
#include <catch2/catch.hpp>
#include <cerrno>
#include <string>

#include "store/static_passwd.h"

TEST_CASE("the static getpwuid_r finds uid 0 in /etc/passwd", "[static_passwd]") {
  passwd pwd{};
  passwd* result = nullptr;
  char buf[4096];
  REQUIRE(__wrap_getpwuid_r(0, &pwd, buf, sizeof buf, &result) == 0);
  REQUIRE(result == &pwd);
  CHECK(std::string(pwd.pw_name) == "root");
  CHECK(pwd.pw_uid == 0);
}

TEST_CASE("the static getpwuid_r reports a uid absent from /etc/passwd as not found, not an error", "[static_passwd]") {
  passwd pwd{};
  passwd* result = &pwd;
  char buf[4096];
  CHECK(__wrap_getpwuid_r(static_cast<uid_t>(-2), &pwd, buf, sizeof buf, &result) == 0);
  CHECK(result == nullptr);
}

TEST_CASE("the static getpwuid_r answers ERANGE when the buffer is too small", "[static_passwd]") {
  passwd pwd{};
  passwd* result = &pwd;
  char buf[4];
  CHECK(__wrap_getpwuid_r(0, &pwd, buf, sizeof buf, &result) == ERANGE);
  CHECK(result == nullptr);
}
