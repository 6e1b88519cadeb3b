// A small blocking Redis client over hiredis 0.14 for the sync worker: connect, commands, pub/sub.
//
// Shaped after redis-plus-plus: hiredis objects live in unique_ptr with
// custom deleters; one function (classify()) maps hiredis err + errno to a
// small error kind; a read timeout on a subscriber is a heartbeat, any other
// error means: drop the connection and reconnect.
//
// Every wait is cut into slices of at most the read timeout (<= 100 ms) so
// that the stop flag is seen quickly: the TCP connect is non-blocking and
// polled (a SYN to a silent host does not hold the thread for the whole
// connect timeout, and a slow LAN round trip is not cut short the way
// re-trying redisConnectWithTimeout(100 ms) would), and a command's reply is
// awaited in read-timeout reads until its own deadline. Host names are
// resolved by getaddrinfo, which is not interruptible (use an address when
// DNS may hang).
//
// hiredis 0.14 has no timeout error code: a timed-out read is REDIS_ERR_IO
// with errno EAGAIN, and the context's err must be cleared before the next
// read. The reader keeps a partly read reply across such a timeout.
//
// No message produced here contains the password: server replies never echo
// it, and every message is scrubbed of it anyway.
//
// Which thread: a RedisConnection is used by one thread at a time (the worker's).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/events.hpp"
#include "sync/redis_config.hpp"

struct redisContext;
struct redisReply;

namespace strokeviz::sync {

struct RedisContextDeleter {
  void operator()(redisContext* c) const noexcept;
};
struct RedisReplyDeleter {
  void operator()(redisReply* r) const noexcept;
};
using RedisContextPtr = std::unique_ptr<redisContext, RedisContextDeleter>;
using RedisReplyPtr = std::unique_ptr<redisReply, RedisReplyDeleter>;

enum class RedisErrorKind : std::uint8_t {
  Io,        // socket error: refused, reset, unreachable, name not resolved, ...
  Timeout,   // no reply within the deadline (a read timeout alone is a heartbeat)
  Closed,    // the server closed the connection (EOF)
  Protocol,  // the byte stream is not RESP, or a reply of an unexpected shape
  Reply,     // the server answered an error: AUTH refused, NOPERM, bad db, ...
  Stopped,   // the stop flag was set while waiting
};
std::string_view to_string(RedisErrorKind k);

struct RedisError {
  RedisErrorKind kind = RedisErrorKind::Io;
  std::string message;  // never contains the password
};

// A value or a RedisError.
template <class T>
class [[nodiscard]] RedisResult {
 public:
  RedisResult(T value) : v_(std::move(value)) {}
  RedisResult(RedisError error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  T& operator*() & { return value(); }
  const RedisError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, RedisError> v_;
};
struct Done {};  // RedisResult<Done>: success without a value

// Maps a failed hiredis call on `c` to an error kind. `saved_errno` is errno
// right after the call. Clears c->err/errstr when the kind is Timeout, so the
// context can be read again.
RedisError classify(redisContext& c, int saved_errno);

// Removes every occurrence of `secret` from `text` (replaced by "***").
std::string scrub(std::string text, std::string_view secret);

// One pub/sub push: message, pmessage, subscribe, psubscribe, pong, ...
// The views point into `reply`.
struct PubSubMessage {
  RedisReplyPtr reply;
  std::string_view kind;     // "message", "pmessage", "subscribe", ...
  std::string_view pattern;  // pmessage only
  std::string_view channel;
  std::string_view payload;  // message / pmessage
  bool is_message() const { return kind == "message" || kind == "pmessage"; }
};

// One XRANGE/XREVRANGE entry.
struct RawStreamEntry {
  std::string id;
  protocol::StreamFields fields;
};

struct RedisTimeouts {
  std::chrono::milliseconds connect{1000};
  std::chrono::milliseconds read{100};     // socket read slice: heartbeat, stop latency
  std::chrono::milliseconds command{1000}; // a command's reply deadline
};

class RedisConnection {
 public:
  using Clock = std::chrono::steady_clock;

  // TCP connect (non-blocking, polled in <= 100 ms slices checking `stop`),
  // keep-alive, read timeout, then AUTH (user + password, or password) when a
  // password is set, and SELECT when db != 0 (so a user without +select works
  // on db 0).
  static RedisResult<RedisConnection> connect(const RedisConfig& config, const RedisTimeouts& t,
                                              const std::atomic<bool>& stop);

  RedisConnection(RedisConnection&&) noexcept = default;
  RedisConnection& operator=(RedisConnection&&) noexcept = default;

  // Queues a command (pipelining); sent by the next reply wait.
  void append(std::initializer_list<std::string_view> argv);
  void append(const std::vector<std::string_view>& argv);
  // The next reply, waiting up to the command timeout in read-timeout slices.
  // A server error reply is returned as a reply (check is_error()).
  RedisResult<RedisReplyPtr> reply();
  // append + reply; an error reply becomes RedisErrorKind::Reply "<CMD>: <server message>".
  RedisResult<RedisReplyPtr> command(std::initializer_list<std::string_view> argv);

  // ---- helpers -------------------------------------------------------------
  // SCAN 0.. MATCH pattern COUNT 256, at most max_keys keys (sorted).
  RedisResult<std::vector<std::string>> scan(std::string_view pattern, std::size_t max_keys = 1000);
  // HGET key field; nullopt when the key or field does not exist.
  RedisResult<std::optional<std::string>> hget(std::string_view key, std::string_view field);
  // XRANGE key start end COUNT n (oldest first); XREVRANGE when `reverse`
  // (then start is the high end, e.g. "+", and end the low end, "-").
  RedisResult<std::vector<RawStreamEntry>> xrange(std::string_view key, std::string_view start,
                                                  std::string_view end, std::size_t count,
                                                  bool reverse = false);
  // SUBSCRIBE / PSUBSCRIBE and wait for every confirmation.
  RedisResult<Done> subscribe(const std::vector<std::string>& channels,
                              const std::vector<std::string>& patterns);
  // Subscriber: the next push, waiting at most one read timeout. Timeout is
  // a heartbeat (the context stays usable); anything else is fatal.
  RedisResult<PubSubMessage> read_message();
  // Subscriber: a push already received and buffered, without touching the
  // socket; a null reply when none is buffered.
  RedisResult<PubSubMessage> buffered_message();

  const RedisTimeouts& timeouts() const { return timeouts_; }
  redisContext* raw() { return ctx_.get(); }

 private:
  RedisConnection(RedisContextPtr ctx, RedisTimeouts t, const std::atomic<bool>* stop,
                  std::string secret)
      : ctx_(std::move(ctx)), timeouts_(t), stop_(stop), secret_(std::move(secret)) {}
  RedisError error_now(int saved_errno);
  RedisResult<PubSubMessage> to_message(redisReply* r);

  RedisContextPtr ctx_;
  RedisTimeouts timeouts_;
  const std::atomic<bool>* stop_ = nullptr;
  std::string secret_;  // the password, only to scrub messages
};

// Reply inspection (null-safe).
bool is_error(const redisReply* r);
std::string_view reply_string(const redisReply* r);  // status, error or bulk string text
// An XRANGE/XREVRANGE reply: [[id, [field, value, ...]], ...]; `key` names it in errors.
RedisResult<std::vector<RawStreamEntry>> parse_stream_reply(const redisReply* r, std::string_view key);

}  // namespace strokeviz::sync
