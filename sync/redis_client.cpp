// RedisConnection: interruptible connect, AUTH/SELECT, commands with deadlines, pub/sub reads.
#include "sync/redis_client.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace strokeviz::sync {

void RedisContextDeleter::operator()(redisContext* c) const noexcept { redisFree(c); }
void RedisReplyDeleter::operator()(redisReply* r) const noexcept { freeReplyObject(r); }

bool is_error(const redisReply* r) { return r != nullptr && r->type == REDIS_REPLY_ERROR; }

std::string_view reply_string(const redisReply* r) {
  if (r == nullptr || r->str == nullptr) return {};
  if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS && r->type != REDIS_REPLY_ERROR)
    return {};
  return {r->str, r->len};
}

std::string scrub(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (std::size_t at = text.find(secret); at != std::string::npos;
       at = text.find(secret, at + 3))
    text.replace(at, secret.size(), "***");
  return text;
}

Error classify(redisContext& c, int saved_errno) {
  Error e;
  const std::string what = c.errstr;
  switch (c.err) {
    case REDIS_ERR_IO:
      // hiredis 0.14: a read past SO_RCVTIMEO is an I/O error with EAGAIN.
      if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT ||
          what == std::strerror(EAGAIN)) {
        e.kind = ErrorKind::Timeout;
        e.message = "timed out";
        c.err = 0;
        c.errstr[0] = '\0';
        return e;
      }
      e.kind = (saved_errno == ECONNRESET || saved_errno == EPIPE) ? ErrorKind::Closed
                                                             : ErrorKind::Io;
      e.message = what.empty() ? std::strerror(saved_errno) : what;
      return e;
    case REDIS_ERR_EOF:
      e.kind = ErrorKind::Closed;
      e.message = "server closed the connection";
      return e;
    case REDIS_ERR_PROTOCOL:
      e.kind = ErrorKind::Protocol;
      e.message = "protocol error: " + what;
      return e;
    default:
      e.kind = ErrorKind::Io;
      e.message = what.empty() ? "unknown hiredis error" : what;
      return e;
  }
}

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kSlice{100};

timeval to_timeval(milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
  return out;
}

// Waits for the non-blocking connect on fd; Done, Timeout, Stopped or Io.
Expected<void> wait_connected(int fd, milliseconds limit, const std::atomic<bool>& stop) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    if (stop.load(std::memory_order_relaxed)) return redis_error(ErrorKind::Stopped, "stopped");
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    if (left <= milliseconds::zero())
      return redis_error(ErrorKind::Timeout,
                         "connect timed out after " + std::to_string(limit.count()) + " ms");
    pollfd p{fd, POLLOUT, 0};
    const int n = poll(&p, 1, static_cast<int>(std::min(left, kSlice).count()) + 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return redis_error(ErrorKind::Io, std::string("poll: ") + std::strerror(errno));
    if (n == 0) continue;
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
    if (so_error != 0) return redis_error(ErrorKind::Io, std::strerror(so_error));
    return {};
  }
}

}  // namespace

Expected<RedisConnection> RedisConnection::connect(const RedisConfig& config,
                                                   const RedisTimeouts& t,
                                                   const std::atomic<bool>& stop) {
  const std::string where = config.describe();
  auto fail = [&](ErrorKind kind, std::string msg) {
    return redis_error(kind, scrub(std::move(msg), config.password));
  };
  RedisContextPtr ctx(redisConnectNonBlock(config.host.c_str(), config.port));
  if (!ctx) return fail(ErrorKind::Io, "cannot allocate a hiredis context");
  if (ctx->err) {
    const int saved = errno;
    auto e = classify(*ctx, saved);
    return fail(e.kind == ErrorKind::Timeout ? ErrorKind::Io : e.kind,
                "connect to " + where + ": " + e.message);
  }
  if (auto w = wait_connected(ctx->fd, t.connect, stop); !w)
    return fail(w.error().kind, "connect to " + where + ": " + w.error().message);

  // From here on a blocking context with SO_RCVTIMEO/SO_SNDTIMEO = the read slice.
  const int flags = fcntl(ctx->fd, F_GETFL);
  if (flags < 0 || fcntl(ctx->fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
    return fail(ErrorKind::Io, std::string("fcntl: ") + std::strerror(errno));
  ctx->flags |= REDIS_BLOCK;
  const milliseconds slice = std::min(t.read, kSlice);
  if (redisSetTimeout(ctx.get(), to_timeval(slice)) != REDIS_OK)
    return fail(ErrorKind::Io, std::string("setting the read timeout: ") + ctx->errstr);
  redisEnableKeepAlive(ctx.get());  // best effort: also finds a dead peer on an idle LAN

  RedisTimeouts used = t;
  used.read = slice;
  RedisConnection conn(std::move(ctx), used, &stop, config.password);
  if (!config.password.empty()) {
    auto r = config.user.empty() ? conn.command({"AUTH", config.password})
                                 : conn.command({"AUTH", config.user, config.password});
    if (!r) {
      Error e = r.error();
      if (e.kind == ErrorKind::Reply)
        e.message = "AUTH refused" + (config.user.empty() ? std::string() : " for user " + config.user) +
                    ": " + e.message.substr(e.message.find(": ") + 2);
      return e;
    }
  }
  if (config.db != 0) {
    const std::string db = std::to_string(config.db);
    auto r = conn.command({"SELECT", db});
    if (!r) {
      Error e = r.error();
      if (e.kind == ErrorKind::Reply)
        e.message = "SELECT " + db + " refused: " + e.message.substr(e.message.find(": ") + 2);
      return e;
    }
  }
  return conn;
}

Error RedisConnection::error_now(int saved_errno) {
  Error e = classify(*ctx_, saved_errno);
  e.message = scrub(std::move(e.message), secret_);
  return e;
}

void RedisConnection::append(std::initializer_list<std::string_view> argv) {
  append(std::vector<std::string_view>(argv));
}

void RedisConnection::append(const std::vector<std::string_view>& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (auto a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(ctx_.get(), static_cast<int>(ptrs.size()), ptrs.data(), lens.data());
}

Expected<RedisReplyPtr> RedisConnection::reply() {
  const auto deadline = Clock::now() + timeouts_.command;
  for (;;) {
    void* raw = nullptr;
    errno = 0;
    if (redisGetReply(ctx_.get(), &raw) == REDIS_OK && raw != nullptr)
      return RedisReplyPtr(static_cast<redisReply*>(raw));
    const int saved = errno;
    if (ctx_->err == 0) return redis_error(ErrorKind::Protocol, "no reply");
    Error e = error_now(saved);
    if (e.kind != ErrorKind::Timeout) return e;
    if (stop_ != nullptr && stop_->load(std::memory_order_relaxed))
      return redis_error(ErrorKind::Stopped, "stopped");
    if (Clock::now() >= deadline)
      return redis_error(ErrorKind::Timeout,
                         "server not responding (no reply in " +
                             std::to_string(timeouts_.command.count()) + " ms)");
  }
}

Expected<RedisReplyPtr> RedisConnection::command(std::initializer_list<std::string_view> argv) {
  const std::string name = argv.size() > 0 ? upper(*argv.begin()) : std::string();
  append(argv);
  auto r = reply();
  if (!r) return r;
  if (is_error(r->get()))
    return redis_error(ErrorKind::Reply,
                       name + ": " + scrub(std::string(reply_string(r->get())), secret_));
  return r;
}

Expected<std::vector<std::string>> RedisConnection::scan(std::string_view pattern,
                                                         std::size_t max_keys) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    if (stop_ != nullptr && stop_->load(std::memory_order_relaxed))
      return redis_error(ErrorKind::Stopped, "stopped");
    auto r = command({"SCAN", cursor, "MATCH", pattern, "COUNT", "256"});
    if (!r) return r.error();
    const redisReply* rep = r->get();
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
        rep->element[1]->type != REDIS_REPLY_ARRAY)
      return redis_error(ErrorKind::Protocol, "SCAN: unexpected reply shape");
    cursor = std::string(reply_string(rep->element[0]));
    for (std::size_t i = 0; i < rep->element[1]->elements && keys.size() < max_keys; ++i)
      keys.emplace_back(reply_string(rep->element[1]->element[i]));
  } while (cursor != "0" && !cursor.empty() && keys.size() < max_keys);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());  // SCAN may repeat keys
  return keys;
}

Expected<std::optional<std::string>> RedisConnection::hget(std::string_view key,
                                                           std::string_view field) {
  auto r = command({"HGET", key, field});
  if (!r) return r.error();
  const redisReply* rep = r->get();
  if (rep->type == REDIS_REPLY_NIL) return std::optional<std::string>();
  if (rep->type != REDIS_REPLY_STRING)
    return redis_error(ErrorKind::Protocol, "HGET " + std::string(key) + ": not a string");
  return std::optional<std::string>(std::string(rep->str, rep->len));
}

Expected<std::vector<RawStreamEntry>> parse_stream_reply(const redisReply* rep,
                                                         std::string_view key) {
  if (rep == nullptr || rep->type != REDIS_REPLY_ARRAY)
    return redis_error(ErrorKind::Protocol, "XRANGE " + std::string(key) + ": not an array");
  std::vector<RawStreamEntry> out;
  out.reserve(rep->elements);
  for (std::size_t i = 0; i < rep->elements; ++i) {
    const redisReply* e = rep->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
        e->element[0]->type != REDIS_REPLY_STRING)
      return redis_error(ErrorKind::Protocol, "XRANGE " + std::string(key) + ": bad entry");
    RawStreamEntry entry;
    entry.id.assign(e->element[0]->str, e->element[0]->len);
    const redisReply* f = e->element[1];
    if (f->type == REDIS_REPLY_ARRAY) {
      for (std::size_t k = 0; k + 1 < f->elements; k += 2)
        entry.fields.emplace_back(std::string(reply_string(f->element[k])),
                                  std::string(reply_string(f->element[k + 1])));
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Expected<std::vector<RawStreamEntry>> RedisConnection::xrange(std::string_view key,
                                                              std::string_view start,
                                                              std::string_view end,
                                                              std::size_t count, bool reverse) {
  const std::string n = std::to_string(count);
  auto r = command({reverse ? "XREVRANGE" : "XRANGE", key, start, end, "COUNT", n});
  if (!r) return r.error();
  return parse_stream_reply(r->get(), key);
}

Expected<void> RedisConnection::subscribe(const std::vector<std::string>& channels,
                                          const std::vector<std::string>& patterns) {
  std::vector<std::string_view> argv;
  std::size_t expected = 0;
  if (!channels.empty()) {
    argv.assign({"SUBSCRIBE"});
    argv.insert(argv.end(), channels.begin(), channels.end());
    append(argv);
    expected += channels.size();
  }
  if (!patterns.empty()) {
    argv.assign({"PSUBSCRIBE"});
    argv.insert(argv.end(), patterns.begin(), patterns.end());
    append(argv);
    expected += patterns.size();
  }
  for (std::size_t got = 0; got < expected; ++got) {
    auto r = reply();
    if (!r) return r.error();
    const redisReply* rep = r->get();
    if (is_error(rep))
      return redis_error(ErrorKind::Reply,
                         "SUBSCRIBE: " + scrub(std::string(reply_string(rep)), secret_));
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements < 3)
      return redis_error(ErrorKind::Protocol, "SUBSCRIBE: unexpected reply shape");
    const auto kind = reply_string(rep->element[0]);
    if (kind != "subscribe" && kind != "psubscribe")
      return redis_error(ErrorKind::Protocol,
                         "SUBSCRIBE: unexpected '" + std::string(kind) + "'");
  }
  return {};
}

Expected<PubSubMessage> RedisConnection::to_message(redisReply* raw) {
  PubSubMessage m;
  m.reply.reset(raw);
  const redisReply* r = m.reply.get();
  if (is_error(r))
    return redis_error(ErrorKind::Reply, scrub(std::string(reply_string(r)), secret_));
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 2)
    return redis_error(ErrorKind::Protocol, "pub/sub: unexpected reply shape");
  m.kind = reply_string(r->element[0]);
  if (m.kind == "message" && r->elements == 3) {
    m.channel = reply_string(r->element[1]);
    m.payload = reply_string(r->element[2]);
  } else if (m.kind == "pmessage" && r->elements == 4) {
    m.pattern = reply_string(r->element[1]);
    m.channel = reply_string(r->element[2]);
    m.payload = reply_string(r->element[3]);
  } else if (r->elements >= 2) {
    m.channel = reply_string(r->element[1]);
  }
  return m;
}

Expected<PubSubMessage> RedisConnection::read_message() {
  void* raw = nullptr;
  errno = 0;
  if (redisGetReply(ctx_.get(), &raw) == REDIS_OK && raw != nullptr)
    return to_message(static_cast<redisReply*>(raw));
  const int saved = errno;
  if (ctx_->err == 0) return redis_error(ErrorKind::Protocol, "no reply");
  Error e = error_now(saved);
  if (e.kind == ErrorKind::Timeout && stop_ != nullptr &&
      stop_->load(std::memory_order_relaxed))
    return redis_error(ErrorKind::Stopped, "stopped");
  return e;
}

Expected<PubSubMessage> RedisConnection::buffered_message() {
  void* raw = nullptr;
  if (redisGetReplyFromReader(ctx_.get(), &raw) != REDIS_OK) return error_now(0);
  if (raw == nullptr) return PubSubMessage{};
  return to_message(static_cast<redisReply*>(raw));
}

}  // namespace strokeviz::sync
