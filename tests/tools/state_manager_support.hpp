// Test helpers for the publisher and simulator integration tests: a small hiredis connection.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/events.hpp"
#include "sync/redis_config.hpp"

namespace strokeviz::test {

struct ReplyFree {
  void operator()(redisReply* r) const { if (r) freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyFree>;

inline sync::RedisConfig config_for(int port) {
  sync::RedisConfig c;
  c.host = "127.0.0.1";
  c.port = port;
  return c;
}

// Which thread: one. Commands, or SUBSCRIBE/PSUBSCRIBE/MONITOR then next().
class RedisConn {
 public:
  explicit RedisConn(int port) {
    const timeval tv{2, 0};
    ctx_.reset(redisConnectWithTimeout("127.0.0.1", port, tv));
    if (ctx_ && !ctx_->err) redisSetTimeout(ctx_.get(), timeval{0, 100'000});
  }
  bool ok() const { return ctx_ && !ctx_->err; }

  Reply cmd(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> len;
    for (const auto& a : args) {
      argv.push_back(a.data());
      len.push_back(a.size());
    }
    for (int attempt = 0; attempt < 30; ++attempt) {  // a 100 ms read timeout is not an error
      void* r = attempt == 0 ? redisCommandArgv(ctx_.get(), int(argv.size()), argv.data(), len.data())
                             : get_reply();
      if (r) return Reply(static_cast<redisReply*>(r));
      if (!timed_out()) return nullptr;
    }
    return nullptr;
  }
  std::optional<std::string> hget(const std::string& key, const std::string& field) {
    Reply r = cmd({"HGET", key, field});
    if (!r || r->type != REDIS_REPLY_STRING) return std::nullopt;
    return std::string(r->str, r->len);
  }
  // Field/value pairs of a stream entry array [id, [f, v, ...]].
  static protocol::StreamFields fields(const redisReply* entry) {
    protocol::StreamFields out;
    const redisReply* kv = entry->element[1];
    for (size_t i = 0; i + 1 < kv->elements; i += 2)
      out.emplace_back(std::string(kv->element[i]->str, kv->element[i]->len),
                       std::string(kv->element[i + 1]->str, kv->element[i + 1]->len));
    return out;
  }

  // Sends a subscribe-like command; its confirmations are skipped by next().
  bool send(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> len;
    for (const auto& a : args) {
      argv.push_back(a.data());
      len.push_back(a.size());
    }
    return redisAppendCommandArgv(ctx_.get(), int(argv.size()), argv.data(), len.data()) == REDIS_OK;
  }

  struct Message {
    std::string channel;
    std::string payload;  // for MONITOR: the whole line
    TimeUs received_us = 0;
  };
  // The next pub/sub message (or MONITOR line); nullopt after `limit`.
  std::optional<Message> next(std::chrono::milliseconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      void* raw = get_reply();
      if (!raw) {
        if (timed_out()) continue;
        return std::nullopt;
      }
      Reply r(static_cast<redisReply*>(raw));
      if (r->type == REDIS_REPLY_STATUS) {
        std::string line(r->str, r->len);
        if (line == "OK") continue;
        return Message{"", line, now_us()};
      }
      if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) continue;
      const std::string kind(r->element[0]->str, r->element[0]->len);
      if (kind == "message")
        return Message{std::string(r->element[1]->str, r->element[1]->len),
                       std::string(r->element[2]->str, r->element[2]->len), now_us()};
      if (kind == "pmessage" && r->elements == 4)
        return Message{std::string(r->element[2]->str, r->element[2]->len),
                       std::string(r->element[3]->str, r->element[3]->len), now_us()};
    }
    return std::nullopt;
  }

 private:
  void* get_reply() {
    void* r = nullptr;
    if (redisGetReply(ctx_.get(), &r) != REDIS_OK) return nullptr;
    return r;
  }
  // hiredis 0.14: a read timeout is REDIS_ERR_IO + EAGAIN; clear it to read on.
  bool timed_out() {
    if (ctx_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      ctx_->err = 0;
      ctx_->errstr[0] = '\0';
      return true;
    }
    return false;
  }

  struct Free {
    void operator()(redisContext* c) const { if (c) redisFree(c); }
  };
  std::unique_ptr<redisContext, Free> ctx_;
};

}  // namespace strokeviz::test
