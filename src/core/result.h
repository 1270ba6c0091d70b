#pragma once
// Result<T>: the return type of every operation that can fail for reasons outside the program
// (bad input, network errors, a directory that is down). Invariants are asserted instead.
// An Error carries one line a user can act on ("what and where"), optional detail lines, and its
// class: who is to blame, which decides the CLI's exit code (README "Exit codes"; the one mapping
// is cli/exit.h). Wrapping an error with context (`withContext`) keeps its class.

#include <cassert>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace ccsec::core {

/// Who is to blame for an error.
enum class ErrorClass : std::uint8_t {
  kInput,    // the caller's input: usage, inventory, config file, certificate content (exit 2)
  kRuntime,  // the environment: bind, socket, I/O, a database, a library, memory (exit 3)
};

struct Error {
  std::string message;                  // one line: what failed and where
  std::string detail;                   // optional further lines
  ErrorClass cls = ErrorClass::kInput;  // decides the exit code

  bool isRuntime() const { return cls == ErrorClass::kRuntime; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

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
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

/// An Error caused by the caller's input (exit code 2 in the CLI).
inline Error makeError(std::string message, std::string detail = {}) {
  return Error{std::move(message), std::move(detail), ErrorClass::kInput};
}

/// An Error caused by the environment (exit code 3 in the CLI) rather than by input (exit 2).
inline Error runtimeError(std::string message, std::string detail = {}) {
  return Error{std::move(message), std::move(detail), ErrorClass::kRuntime};
}

/// `inner` with `prefix` put before its message ("listener x: " + message); detail and class kept.
inline Error withContext(std::string prefix, const Error& inner) {
  return Error{std::move(prefix) + inner.message, inner.detail, inner.cls};
}

}  // namespace ccsec::core
