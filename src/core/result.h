#pragma once
// Result<T>: the return type of every operation that can fail for reasons outside the program
// (bad input, network errors, a directory that is down). Invariants are asserted instead.
// An Error carries one line a user can act on ("what and where") and optional detail lines.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ccsec::core {

struct Error {
  std::string message;  // one line: what failed and where
  std::string detail;   // optional further lines
  bool runtime = false; // true: the environment failed (I/O, a library), not the caller's input
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}    // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

inline Error makeError(std::string message, std::string detail = {}) {
  return Error{std::move(message), std::move(detail)};
}

/// An Error caused by the environment (exit code 3 in the CLI) rather than by input (exit 2).
inline Error runtimeError(std::string message, std::string detail = {}) {
  return Error{std::move(message), std::move(detail), true};
}

}  // namespace ccsec::core
