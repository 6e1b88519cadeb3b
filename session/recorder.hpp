// The recorder: appends what the sync worker receives to session files (format: session/recording.hpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "protocol/items.hpp"
#include "session/recording.hpp"

namespace strokeviz::session {

struct RecorderOptions {
  std::filesystem::path dir;        // <dir>/<session_id>.jsonl, <dir>/events-YYYY-MM-DD.jsonl
  std::string viewer_version;
  std::string server;
  std::size_t buffer_bytes = 8u << 20;  // bounded: past it, lines are counted as lost, never waited for
  std::chrono::milliseconds flush_every{1000};
};

struct RecorderStats {
  std::uint64_t lines = 0;        // appended
  std::uint64_t bytes = 0;
  std::uint64_t lost_lines = 0;   // buffer full (slow disk) or write errors
  std::string last_error;         // e.g. "…/x.jsonl: No space left on device"
  std::string current_file;
};

// Which thread: append*() on the sync worker thread only; it copies into a
// bounded buffer that its own I/O thread writes out (flush at least every
// flush_every, at session end and on close), so a slow disk never stalls
// the worker. stats() from any thread.
class Recorder {
 public:
  static Expected<std::unique_ptr<Recorder>> open(RecorderOptions options);
  ~Recorder();  // flushes and joins the I/O thread
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // A live pub/sub message, before it is parsed (so rejected payloads are
  // kept). `session_id`: the session it belongs to, empty when none is open
  // (then it goes to the per-day file).
  void append_message(TimeUs t, std::string_view channel, std::string_view payload, std::string_view session_id);
  void append_snapshot(TimeUs t, std::string_view key, std::string_view json, std::string_view session_id);
  void append_history(TimeUs t, std::string_view session_id, const protocol::StreamEntry& entry);
  // The worker (re)connected: every file written to from now on first gets
  // a link line (format_link_line) at r.time_us, so a replay of any of them
  // shows the gap before it.
  void connection_started(const protocol::Reconnected& r);
  // Session boundaries: start opens <session_id>.jsonl with its header; end flushes and closes it.
  void session_started(const SessionHeader& header);
  void session_ended(std::string_view session_id);
  RecorderStats stats() const;
  // Worker thread: whether session_started(id) opened a file that is not ended yet.
  bool session_open(std::string_view session_id) const;
  // Any thread: ask the I/O thread to write what is pending now (does not wait).
  void flush();

 private:
  Recorder() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strokeviz::session
