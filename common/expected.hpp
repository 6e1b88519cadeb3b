// Expected<T>: a value or an Error with a message naming file, line and reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace strokeviz {

// What kind of failure, for a caller that reacts to it (the sync worker
// treats a read Timeout as a heartbeat and stops on Stopped). Most errors are
// Other; the rest name transport failures (sync/redis_client.hpp's classify()).
enum class ErrorKind : std::uint8_t {
  Other,     // not classified: a bad file, field or value
  Io,        // socket error: refused, reset, unreachable, name not resolved, ...
  Timeout,   // no reply within the deadline (a read timeout alone is a heartbeat)
  Closed,    // the peer closed the connection (EOF)
  Protocol,  // the byte stream is not RESP, or a reply of an unexpected shape
  Reply,     // the server answered an error: AUTH refused, NOPERM, bad db, ...
  Stopped,   // the stop flag was set while waiting
};

inline std::string_view to_string(ErrorKind k) {
  switch (k) {
    case ErrorKind::Other: return "other";
    case ErrorKind::Io: return "io";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::Closed: return "closed";
    case ErrorKind::Protocol: return "protocol";
    case ErrorKind::Reply: return "reply";
    case ErrorKind::Stopped: return "stopped";
  }
  return "?";
}

// What went wrong and where. str() gives the `file:line: what` form the
// command line prints; line 0 means the whole file. `kind` comes last so that
// Error{file, line, message} keeps meaning an unclassified error.
struct Error {
  std::string file;
  int line = 0;
  std::string message;
  ErrorKind kind = ErrorKind::Other;

  std::string str() const {
    if (file.empty()) return message;
    if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
    return file + ": " + message;
  }
};

// A minimal std::expected stand-in (C++20 has none): holds T or Error.
// Expected<void> is "ok or an Error": `return {};` is success.
template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : e_(std::move(error)) {}

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *e_; }

 private:
  std::optional<Error> e_;
};

}  // namespace strokeviz
