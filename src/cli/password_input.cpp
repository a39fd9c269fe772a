#include "cli/password_input.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace atm {
namespace {

// Turns terminal echo off for its lifetime.
class NoEcho {
 public:
  NoEcho() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~NoEcho() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

bool ReadLine(std::string* out) {
  out->clear();
  if (!std::getline(std::cin, *out) && out->empty()) return false;
  if (!out->empty() && out->back() == '\r') out->pop_back();
  return true;
}

Result<std::string> Prompt(const std::string& prompt) {
  std::fprintf(stderr, "%s", prompt.c_str());
  std::fflush(stderr);
  std::string line;
  bool ok;
  {
    NoEcho quiet;
    ok = ReadLine(&line);
  }
  std::fprintf(stderr, "\n");
  if (!ok) return InvalidRequest("no password entered", "password");
  return line;
}

}  // namespace

Result<std::string> ReadPassword(const std::string& prompt, bool confirm) {
  std::string password;
  if (isatty(STDIN_FILENO)) {
    auto first = Prompt(prompt + ": ");
    if (!first) return first;
    if (confirm) {
      auto second = Prompt("Confirm " + prompt + ": ");
      if (!second) return second;
      if (*second != *first) return InvalidRequest("the passwords do not match", "password");
    }
    password = std::move(*first);
  } else if (!ReadLine(&password)) {
    return InvalidRequest("no password on stdin (pipe it in, e.g. printf '%s\\n' \"$PASSWORD\" | atm ...)", "password");
  }
  if (password.empty()) return InvalidRequest("the password is empty", "password");
  return password;
}

}  // namespace atm
