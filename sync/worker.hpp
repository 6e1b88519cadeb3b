// The sync worker: the one thread that talks to Redis, following the robot live.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <variant>

#include "protocol/items.hpp"
#include "common/latest_value.hpp"
#include "sync/redis_config.hpp"
#include "common/spsc_queue.hpp"
#include "sync/status.hpp"

namespace strokeviz::session {
class Recorder;
}

namespace strokeviz::sync {


// The status the UI shows, published by the worker whenever it changes
// (LatestValue: lock-free, never blocks, the newest always wins).
struct StatusSnapshot {
  SyncState state = SyncState::Disconnected;
  std::string label;       // SyncStatus::label() at publication
  std::string session_id;  // open session, if any
  std::string reason;      // last failure, if any (never contains the password)
  std::string server;      // RedisConfig::describe()
  std::chrono::steady_clock::time_point retry_at{};  // when Retrying
  std::chrono::steady_clock::time_point last_event{};  // last valid event
};

struct WorkerOptions {
  RedisConfig redis;
  std::chrono::milliseconds read_timeout{100};    // also how fast stop() is noticed
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds stale_after{5000};     // Live -> Stale without events
  std::chrono::milliseconds backoff_min{500};      // reconnect: 0.5 s doubling ...
  std::chrono::milliseconds backoff_max{10000};    // ... to 10 s, with jitter
  std::chrono::milliseconds snapshot_refresh{100}; // progress/robot hashes re-read at most this often while live
  std::chrono::milliseconds heartbeat_interval{500}; // PING on the command connection when idle this long
  std::chrono::milliseconds command_timeout{1000};   // a command's reply deadline (a frozen server: Retrying)
  std::size_t max_history_entries = 10000;           // gap fill cap per session and reconnect
  std::size_t queue_capacity = 8192;
  // When set, every message the worker receives (before parsing), every hash
  // snapshot and history entry it reads is appended to it (see recording.hpp).
  // Shared so the render thread can read recorder->stats().
  std::shared_ptr<session::Recorder> recorder;
  // Called (from the worker thread) after pushing items or changing status,
  // e.g. glfwPostEmptyEvent. Must be thread-safe and non-blocking.
  std::function<void()> wake;
};

// Which thread: construct, start, stop and consume on the render thread; the
// worker thread it owns is the only one that touches sockets. The queue and
// the status cell (plus the atomic counters) are the only bridge.
class SyncWorker {
 public:
  explicit SyncWorker(WorkerOptions options);
  ~SyncWorker();  // stop()
  SyncWorker(const SyncWorker&) = delete;
  SyncWorker& operator=(const SyncWorker&) = delete;

  void start();  // no-op when running
  // Sets the stop flag and joins; returns within ~read_timeout (also while
  // connecting or waiting to retry).
  void stop();
  bool running() const { return thread_.joinable(); }

  // Consumer side, render thread only: drain with front()/pop().
  SpscQueue<protocol::FeedItem>& queue() { return *queue_; }
  // Newest status; `changed` tells whether it changed since the last call.
  StatusSnapshot status(bool* changed = nullptr);

  // Counters (any thread).
  std::uint64_t received() const { return received_.load(std::memory_order_relaxed); }
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t reconnects() const { return reconnects_.load(std::memory_order_relaxed); }
  // publish -> receive latency of the last valid event, from its timestamp (µs).
  std::int64_t last_latency_us() const { return last_latency_us_.load(std::memory_order_relaxed); }

 private:
  void run();  // the thread function; ends in a catch-all that reports
  class Loop;  // the worker thread's state (worker_loop.hpp)
  friend class Loop;

  WorkerOptions options_;
  std::unique_ptr<SpscQueue<protocol::FeedItem>> queue_;
  LatestValue<StatusSnapshot> status_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> received_{0}, rejected_{0}, dropped_{0}, reconnects_{0};
  std::atomic<std::int64_t> last_latency_us_{0};
  std::thread thread_;
};

}  // namespace strokeviz::sync
