// Errors as values for the data path (STYLE.md): Result<T> holds a T or an
// Error whose kind each protocol maps once to its own reply codes.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace postern {

enum class ErrorKind {
  syntax,     // the peer sent something malformed
  user,       // well-formed but refused (unknown user, duplicate, not allowed)
  temporary,  // try again later (disk full, lock timeout)
  internal,   // a bug or an impossible state on our side
};

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;
};

inline Error syntax_error(std::string m) { return {ErrorKind::syntax, std::move(m)}; }
inline Error user_error(std::string m) { return {ErrorKind::user, std::move(m)}; }
inline Error temporary_error(std::string m) { return {ErrorKind::temporary, std::move(m)}; }
inline Error internal_error(std::string m) { return {ErrorKind::internal, std::move(m)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};

// Result<void> spelled as Status: success carries nothing.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}
  Status(Ok) {}
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace postern
