// The viewer's link to the robot: the sync worker and the session recorder.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "app/ui/panels.hpp"
#include "common/spsc_queue.hpp"
#include "protocol/items.hpp"
#include "sync/redis_config.hpp"
#include "sync/worker.hpp"

namespace strokeviz::session {
class Recorder;
}

namespace strokeviz::app {

// Which thread: the render thread (start, stop, status); the worker it owns
// is the only thread that touches sockets. Its queue is drained by the live
// source (follow::RecordingSource::drain).
class LiveLink {
 public:
  struct Options {
    sync::RedisConfig redis;
    bool record = true;
    std::filesystem::path record_dir;
    std::string viewer_version;
    std::function<void()> wake;  // thread-safe, non-blocking (glfwPostEmptyEvent)
  };
  explicit LiveLink(Options options);
  ~LiveLink();
  LiveLink(const LiveLink&) = delete;
  LiveLink& operator=(const LiveLink&) = delete;

  void start();  // no-op when running
  void stop();   // joins the worker, flushes and closes the files
  bool running() const { return worker_ != nullptr; }
  SpscQueue<protocol::FeedItem>* queue() { return worker_ ? &worker_->queue() : nullptr; }
  // The State Sync section's facts: the worker's status and counters, the recorder's.
  void fill(SyncInfo& info, std::string& status_label, std::chrono::steady_clock::time_point now);

 private:
  std::shared_ptr<session::Recorder> open_recorder(std::string& note);

  Options opt_;
  std::unique_ptr<sync::SyncWorker> worker_;
  std::shared_ptr<session::Recorder> recorder_;
  std::string recorder_note_;
  sync::StatusSnapshot status_;
};

}  // namespace strokeviz::app
