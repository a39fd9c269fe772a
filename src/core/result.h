// Result<T>: a value or an Error. Anything that can fail returns one, so OAuth
// failures are visible in signatures and assertable in tests (no exceptions
// cross module boundaries).
#pragma once

#include <optional>
#include <utility>
#include <variant>

#include "core/error.h"

namespace atm {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
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

// The error of the first failed result, if any (for reading several fields
// and then answering the first mistake).
template <class... T>
std::optional<Error> FirstError(const Result<T>&... results) {
  std::optional<Error> out;
  ((out = out ? out : results.ok() ? std::nullopt : std::optional<Error>(results.error())), ...);
  return out;
}

}  // namespace atm
