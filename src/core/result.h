// Result<T>: a value or an Error. Anything that can fail returns one, so OAuth
// failures are visible in signatures and assertable in tests (no exceptions
// cross module boundaries).
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace atm {

// An error as a value: the RFC 6749 code (§5.2 / §4.1.2.1), a description that
// is safe to show to the client, optionally the request field at fault, and an
// HTTP status (0 = the status the code table gives, see oauth/errors.h).
struct Error {
  std::string code;
  std::string description;
  std::string field;
  int status = 0;

  Error() = default;
  Error(std::string c, std::string d, std::string f = {}, int s = 0)
      : code(std::move(c)), description(std::move(d)), field(std::move(f)), status(s) {}
  Error WithStatus(int s) const {
    Error e = *this;
    e.status = s;
    return e;
  }
};

inline Error InvalidRequest(std::string description, std::string field = {}) {
  return Error("invalid_request", std::move(description), std::move(field));
}
inline Error InvalidGrant(std::string description) {
  return Error("invalid_grant", std::move(description));
}
inline Error InvalidClient(std::string description) {
  return Error("invalid_client", std::move(description));
}
inline Error ServerError(std::string description) {
  return Error("server_error", std::move(description));
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

using Status = Result<std::monostate>;
inline Status Ok() { return std::monostate{}; }

}  // namespace atm
