// The viewer's link to the robot: the sync worker and the session recorder.
#include "app/live_link.hpp"

#include <spdlog/spdlog.h>

#include "session/recorder.hpp"

namespace strokeviz::app {

LiveLink::LiveLink(Options options) : opt_(std::move(options)) {}

LiveLink::~LiveLink() { stop(); }

// Synced sessions are recorded unless --no-record; a recorder that cannot
// open says why in the panel and sync goes on without it.
std::shared_ptr<session::Recorder> LiveLink::open_recorder(std::string& note) {
  note.clear();
  if (!opt_.record) return nullptr;
  session::RecorderOptions ro;
  ro.dir = opt_.record_dir;
  ro.viewer_version = opt_.viewer_version;
  ro.server = opt_.redis.describe();
  auto r = session::Recorder::open(ro);
  if (!r) {
    note = "not recording: " + r.error().str();
    spdlog::warn("{}", note);
    return nullptr;
  }
  spdlog::info("recording synced sessions in {}", ro.dir.string());
  return std::shared_ptr<session::Recorder>(std::move(*r));
}

void LiveLink::start() {
  if (worker_) return;
  recorder_ = open_recorder(recorder_note_);
  sync::WorkerOptions wo;
  wo.redis = opt_.redis;
  wo.recorder = recorder_;
  wo.wake = opt_.wake;
  worker_ = std::make_unique<sync::SyncWorker>(std::move(wo));
  worker_->start();
  spdlog::info("sync: following {}", opt_.redis.describe());
}

void LiveLink::stop() {
  if (!worker_) return;
  worker_->stop();  // joined before anything it could wake goes away
  worker_.reset();
  recorder_.reset();  // flushes and closes the files
  status_ = sync::StatusSnapshot{};
  spdlog::info("sync: stopped");
}

void LiveLink::fill(SyncInfo& si, std::string& label, std::chrono::steady_clock::time_point now) {
  if (!worker_) {
    label = "Disconnected";
    return;
  }
  status_ = worker_->status();
  label = status_.label.empty() ? "Connecting" : status_.label;
  si.server = status_.server.empty() ? opt_.redis.describe() : status_.server;
  si.received = worker_->received();
  si.rejected = worker_->rejected();
  si.dropped = worker_->dropped();
  si.reconnects = worker_->reconnects();
  si.latency_ms = static_cast<double>(worker_->last_latency_us()) / 1000.0;
  si.last_event_age_s = status_.last_event == std::chrono::steady_clock::time_point{}
                            ? -1.0
                            : std::chrono::duration<double>(now - status_.last_event).count();
  si.recording = recorder_note_;
  if (recorder_) {
    const session::RecorderStats rs = recorder_->stats();
    si.recording = rs.current_file.empty() ? "recording: waiting for a session" : "recording " + rs.current_file;
    si.recording_lost = rs.lost_lines;
    if (!rs.last_error.empty()) si.recording += " (" + rs.last_error + ")";
  }
}

}  // namespace strokeviz::app
