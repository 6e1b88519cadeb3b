// A small blocking Redis client over hiredis 0.14 for the sync worker: connect, commands, pub/sub.
//
// Shaped after redis-plus-plus: hiredis objects live in unique_ptr with
// custom deleters; one function (classify()) maps hiredis err + errno to an
// ErrorKind (common/expected.hpp), carried by the Expected<T> every call
// returns; a read timeout on a subscriber is a heartbeat, any other error
// means: drop the connection and reconnect.
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
#include <vector>

#include "common/expected.hpp"
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

// Every failure here is an Error with no file and one of the transport kinds
// (ErrorKind: Io, Timeout, Closed, Protocol, Reply, Stopped); its message
// never contains the password.
inline Error redis_error(ErrorKind kind, std::string message) {
  return Error{{}, 0, std::move(message), kind};
}

// The one mapping of a failed hiredis call on `c` (its err + errstr) to an
// ErrorKind. `saved_errno` is errno right after the call. Clears c->err/errstr
// when the kind is Timeout, so the context can be read again.
Error classify(redisContext& c, int saved_errno);

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
  static Expected<RedisConnection> connect(const RedisConfig& config, const RedisTimeouts& t,
                                           const std::atomic<bool>& stop);

  RedisConnection(RedisConnection&&) noexcept = default;
  RedisConnection& operator=(RedisConnection&&) noexcept = default;

  // Queues a command (pipelining); sent by the next reply wait.
  void append(std::initializer_list<std::string_view> argv);
  void append(const std::vector<std::string_view>& argv);
  // The next reply, waiting up to the command timeout in read-timeout slices.
  // A server error reply is returned as a reply (check is_error()).
  Expected<RedisReplyPtr> reply();
  // append + reply; an error reply becomes ErrorKind::Reply "<CMD>: <server message>".
  Expected<RedisReplyPtr> command(std::initializer_list<std::string_view> argv);

  // ---- helpers -------------------------------------------------------------
  // SCAN 0.. MATCH pattern COUNT 256, at most max_keys keys (sorted).
  Expected<std::vector<std::string>> scan(std::string_view pattern, std::size_t max_keys = 1000);
  // HGET key field; nullopt when the key or field does not exist.
  Expected<std::optional<std::string>> hget(std::string_view key, std::string_view field);
  // XRANGE key start end COUNT n (oldest first); XREVRANGE when `reverse`
  // (then start is the high end, e.g. "+", and end the low end, "-").
  Expected<std::vector<RawStreamEntry>> xrange(std::string_view key, std::string_view start,
                                               std::string_view end, std::size_t count,
                                               bool reverse = false);
  // SUBSCRIBE / PSUBSCRIBE and wait for every confirmation.
  Expected<void> subscribe(const std::vector<std::string>& channels,
                           const std::vector<std::string>& patterns);
  // Subscriber: the next push, waiting at most one read timeout. Timeout is
  // a heartbeat (the context stays usable); anything else is fatal.
  Expected<PubSubMessage> read_message();
  // Subscriber: a push already received and buffered, without touching the
  // socket; a null reply when none is buffered.
  Expected<PubSubMessage> buffered_message();

  const RedisTimeouts& timeouts() const { return timeouts_; }
  redisContext* raw() { return ctx_.get(); }

 private:
  RedisConnection(RedisContextPtr ctx, RedisTimeouts t, const std::atomic<bool>* stop,
                  std::string secret)
      : ctx_(std::move(ctx)), timeouts_(t), stop_(stop), secret_(std::move(secret)) {}
  Error error_now(int saved_errno);
  Expected<PubSubMessage> to_message(redisReply* r);

  RedisContextPtr ctx_;
  RedisTimeouts timeouts_;
  const std::atomic<bool>* stop_ = nullptr;
  std::string secret_;  // the password, only to scrub messages
};

// Reply inspection (null-safe).
bool is_error(const redisReply* r);
std::string_view reply_string(const redisReply* r);  // status, error or bulk string text
// An XRANGE/XREVRANGE reply: [[id, [field, value, ...]], ...]; `key` names it in errors.
Expected<std::vector<RawStreamEntry>> parse_stream_reply(const redisReply* r, std::string_view key);

}  // namespace strokeviz::sync
