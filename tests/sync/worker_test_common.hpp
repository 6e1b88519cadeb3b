// Shared helpers of the SyncWorker integration tests: options, a consumer harness, a robot-like writer.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "protocol/codec.hpp"
#include "sync/redis_client.hpp"
#include "sync/worker.hpp"
#include "tests/support/redis_server.hpp"

namespace strokeviz::sync::test {
using namespace protocol;
using namespace session;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using strokeviz::test::RedisServer;

inline RedisConfig config_for(int port) {
  RedisConfig c;
  c.host = "127.0.0.1";
  c.port = port;
  return c;
}

// Options for tests: the production timeouts, a faster backoff, a wake counter.
inline WorkerOptions test_options(int port, std::shared_ptr<std::atomic<int>> wakes = nullptr) {
  WorkerOptions o;
  o.redis = config_for(port);
  o.backoff_min = 200ms;
  o.backoff_max = 1000ms;
  if (wakes) o.wake = [wakes] { wakes->fetch_add(1, std::memory_order_relaxed); };
  return o;
}

// The consumer side, on the test thread: drains the queue and keeps every
// distinct status seen. All waits are bounded polls of the queue/status.
class Harness {
 public:
  explicit Harness(WorkerOptions o) : worker(std::move(o)) {}
  ~Harness() { worker.stop(); }

  SyncWorker worker;
  std::vector<FeedItem> items;
  std::vector<StatusSnapshot> statuses;

  void poll() {
    while (FeedItem* it = worker.queue().front()) {
      items.push_back(std::move(*it));
      worker.queue().pop();
    }
    bool changed = false;
    StatusSnapshot s = worker.status(&changed);
    if (changed) statuses.push_back(std::move(s));
  }

  template <class Pred>
  bool wait(Pred pred, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
      poll();
      if (pred()) return true;
      if (Clock::now() >= deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
  }

  const StatusSnapshot& last_status() {
    static const StatusSnapshot kNone;
    return statuses.empty() ? kNone : statuses.back();
  }
  bool wait_state(SyncState s, std::chrono::milliseconds limit) {
    return wait([&] { return last_status().state == s; }, limit);
  }
  bool saw_state(SyncState s) const {
    for (const auto& st : statuses)
      if (st.state == s) return true;
    return false;
  }
  // Connected (idle) or Live: subscribed and the snapshot taken.
  bool wait_up(std::chrono::milliseconds limit) {
    return wait([&] {
      const auto st = last_status().state;
      return st == SyncState::Connected || st == SyncState::Live || st == SyncState::Stale;
    }, limit);
  }

  template <class T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& it : items)
      if (const T* v = std::get_if<T>(&it)) out.push_back(*v);
    return out;
  }
  template <class E>
  std::vector<E> events() const {
    std::vector<E> out;
    for (const auto& it : items)
      if (const Event* e = std::get_if<Event>(&it))
        if (const E* v = std::get_if<E>(e)) out.push_back(*v);
    return out;
  }
  std::size_t event_count() const {
    std::size_t n = 0;
    for (const auto& it : items) n += std::holds_alternative<Event>(it) ? 1 : 0;
    return n;
  }
  std::string labels() const {
    std::string s;
    for (const auto& st : statuses) s += "[" + st.label + "] ";
    return s;
  }
};

// A test-side client that writes like the robot (and publishes payloads too
// big for a redis-cli argument).
class Writer {
 public:
  explicit Writer(int port, RedisConfig cfg = {}) {
    if (cfg.port == 6379 && cfg.host == "127.0.0.1") cfg = config_for(port);
    auto c = RedisConnection::connect(cfg, RedisTimeouts{1000ms, 100ms, 5000ms}, never_);
    if (c) conn_ = std::make_unique<RedisConnection>(std::move(*c));
    else error_ = c.error().message;
  }
  bool ok() const { return conn_ != nullptr; }
  const std::string& error() const { return error_; }

  bool publish(std::string_view channel, std::string_view payload) {
    return conn_ && conn_->command({"PUBLISH", channel, payload}).ok();
  }
  // PROTOCOL.md's order: HSET progress hash, XADD history, PUBLISH event. Returns the stream id.
  std::string progress(const std::string& session, std::int64_t stroke, std::int64_t pose,
                       std::int64_t offset_l = 0) {
    if (!conn_) return {};
    const TimeUs now = now_us();
    StrokeProgress p;
    p.time_us = now;
    p.node_id = "hog";
    p.stroke_idx = stroke;
    p.pose_idx = pose;
    p.total_strokes = 212;
    p.stroke_length = 108;
    p.stroke_description_l = "left " + std::to_string(stroke);
    p.stroke_description_r = "right " + std::to_string(stroke);
    p.offset_idx_l = offset_l;
    p.is_executing = true;
    p.scene_name = "tatbotlogo";
    ProgressUpdate u;
    u.header.node_id = "hog";
    u.header.time_us = now;
    u.session_id = session;
    u.stroke_idx = stroke;
    u.pose_idx = pose;
    u.total_strokes = 212;
    u.stroke_length = 108;
    u.description_l = p.stroke_description_l;
    u.description_r = p.stroke_description_r;
    const std::string hash = to_json(p);
    if (!conn_->command({"HSET", "stroke:progress:" + session, "progress", hash})) return {};
    std::vector<std::string> argv{"XADD", "stream:stroke_history:" + session, "MAXLEN", "~", "10000", "*"};
    for (auto& [k, v] : to_stream_fields(u)) {
      argv.push_back(k);
      argv.push_back(v);
    }
    std::vector<std::string_view> views(argv.begin(), argv.end());
    conn_->append(views);
    auto id = conn_->reply();
    if (!id) return {};
    std::string stream_id(reply_string(id->get()));
    if (!publish(kChannelProgress, to_json(Event{u}))) return {};
    return stream_id;
  }
  RedisConnection* conn() { return conn_.get(); }

 private:
  std::atomic<bool> never_{false};
  std::unique_ptr<RedisConnection> conn_;
  std::string error_;
};

// How long stop() takes, in milliseconds (printed with `what`).
inline long long stop_ms(SyncWorker& w, const char* what = "") {
  const auto t0 = Clock::now();
  w.stop();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
  std::printf("stop() took %lld ms (%s)\n", static_cast<long long>(ms), what);
  return ms;
}

}  // namespace strokeviz::sync::test
