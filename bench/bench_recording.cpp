// bench_recording: load / seek a 1 000 000-event session file, and what recording costs the worker.
//
// 1. Generates /tmp/strokeviz-bench-<pid>.jsonl with the recorder's own line
//    writers: tatbot-sized progress_update payloads (one session's strokes
//    0..211, 23 events per stroke, cycled: the descriptions repeat per
//    stroke like the robot's), per stroke one progress-hash and one
//    robot-state snapshot (joints), a state_update every 1 000 lines, an
//    error every 50 000, a node heartbeat every 200. Receive times 0.4-1 s apart.
// 2. Recording::load: wall time, memory_bytes(), and the process's peak RSS
//    increase (VmHWM, reset through /proc/self/clear_refs before loading).
// 3. Seek: index_at + state_at at 10 000 random times.
// 4. Recorder::append_message on this thread (its I/O thread writing to
//    /tmp meanwhile), amortised per event, against memcpy of the same bytes
//    into a vector. Goals (issue 4): load < 1 s, < 200 MB; seek < 1 ms;
//    recording < 2 us per event.
// Usage: bench_recording [--lines N]     The file is deleted at the end.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "session/recording.hpp"
#include "session/format.hpp"
#include "session/recorder.hpp"

namespace {

using namespace strokeviz;
using namespace strokeviz::protocol;
using namespace strokeviz::session;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

long status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, n, field) == 0) return std::atol(line.c_str() + n + 1);
  return -1;
}

bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

const char* kSid = "stroke_hog_1763758501";

std::string progress_payload(int stroke, int pose, TimeUs t) {
  ProgressUpdate u;
  u.header.node_id = "hog";
  u.header.time_us = t;
  u.session_id = kSid;
  u.stroke_idx = stroke;
  u.pose_idx = pose;
  u.total_strokes = 212;
  u.stroke_length = 108;
  u.description_l = stroke % 2 ? "left arm stroke " + std::to_string(stroke) + " after inkdip in inkcap_left_large"
                               : "left arm inkdip into inkcap_left_large to fill with true_blue ink";
  u.description_r = "right arm inkdip into inkcap_right_large to fill with bright_red ink (" +
                    std::to_string(stroke % 17) + ")";
  return to_json(Event(u));
}

std::string progress_hash(int stroke, int pose, TimeUs t) {
  StrokeProgress p;
  p.time_us = t;
  p.node_id = "hog";
  p.stroke_idx = stroke;
  p.pose_idx = pose;
  p.total_strokes = 212;
  p.stroke_length = 108;
  p.stroke_description_l = "left arm stroke " + std::to_string(stroke);
  p.stroke_description_r = "right arm stroke " + std::to_string(stroke);
  p.offset_idx_l = stroke % 5;
  p.offset_idx_r = (stroke + 2) % 5;
  p.is_executing = true;
  p.scene_name = "tatbotlogo";
  return to_json(p);
}

std::string robot_hash(int stroke, TimeUs t) {
  RobotState s;
  s.time_us = t;
  s.node_id = "hog";
  s.is_connected_l = s.is_connected_r = true;
  ArmJoints j{};
  for (int k = 0; k < 7; ++k) j[k] = 0.1 * k + 0.001 * stroke + 0.123456789;
  s.joints_l = j;
  s.joints_r = j;
  s.current_pose = "executing";
  return to_json(s);
}

// Writes the session file; returns the number of data lines.
std::size_t generate(const std::string& path, std::size_t lines) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::string buf;
  SessionHeader h;
  h.session_id = kSid;
  h.scene = "tatbotlogo";
  h.node = "hog";
  h.start_us = 1763758501000000;
  h.start_time = format_timestamp(h.start_us);
  h.viewer_version = "bench";
  h.server = "127.0.0.1:6379 db 0";
  format_header_line(buf, h);
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> gap(400000, 1000000);
  TimeUs t = h.start_us;
  std::size_t n = 0, event = 0;
  auto flush = [&] {
    if (buf.size() > (4u << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
  };
  while (n < lines) {
    const int stroke = static_cast<int>((event / 23) % 212);
    const int k = static_cast<int>(event % 23);
    const int pose = k == 0 ? 0 : std::min(107, (k - 1) * 5 + 5);
    t += gap(rng);
    format_message_line(buf, t, kChannelProgress, progress_payload(stroke, pose, t - 1500));
    ++n;
    ++event;
    if (k == 0 && n + 2 <= lines) {
      format_snapshot_line(buf, t + 20000, std::string("stroke:progress:") + kSid, progress_hash(stroke, pose, t));
      format_snapshot_line(buf, t + 20000, "robot:state:hog", robot_hash(stroke, t));
      n += 2;
    }
    if (event % 1000 == 0 && n < lines) {
      format_message_line(buf, t + 1, kChannelRobot,
                          "{\"type\": \"state_update\", \"node_id\": \"hog\", \"timestamp\": \"" + format_timestamp(t) +
                              "\", \"is_connected_l\": true, \"is_connected_r\": true, \"current_pose\": \"executing\"}");
      ++n;
    }
    if (event % 200 == 0 && n < lines) {
      format_message_line(buf, t + 2, "node:events:hog",
                          "{\"type\": \"heartbeat\", \"node_id\": \"hog\", \"timestamp\": \"" + format_timestamp(t) + "\"}");
      ++n;
    }
    if (event % 50000 == 0 && n < lines) {
      format_message_line(buf, t + 3, "error:events:stroke_execution",
                          "{\"type\": \"error\", \"category\": \"stroke_execution\", \"message\": \"arm l timeout\", "
                          "\"details\": {\"scene\": \"tatbotlogo\"}, \"node_id\": \"hog\", \"timestamp\": \"" +
                              format_timestamp(t) + "\"}");
      ++n;
    }
    flush();
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  std::fclose(f);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t lines = 1000000;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--lines") == 0) lines = std::strtoull(argv[i + 1], nullptr, 10);
  const std::string path = "/tmp/strokeviz-bench-" + std::to_string(::getpid()) + ".jsonl";

  auto t0 = Clock::now();
  const std::size_t written = generate(path, lines);
  if (written == 0) {
    std::fprintf(stderr, "bench_recording: cannot write %s\n", path.c_str());
    return 1;
  }
  std::ifstream sz(path, std::ios::ate | std::ios::binary);
  const double mb = static_cast<double>(sz.tellg()) / 1e6;
  std::printf("generated %zu lines, %.0f MB in %.2f s: %s\n", written, mb, seconds_since(t0), path.c_str());

  // ---- load ----
  const bool reset = reset_peak_rss();
  const long rss0 = status_kb(reset ? "VmRSS:" : "VmHWM:");
  t0 = Clock::now();
  LoadReport rep;
  auto rec = Recording::load(path, &rep);
  const double load_s = seconds_since(t0);
  const long hwm1 = status_kb("VmHWM:");
  if (!rec) {
    std::fprintf(stderr, "bench_recording: %s\n", rec.error().str().c_str());
    std::remove(path.c_str());
    return 1;
  }
  std::size_t kinds[8] = {};
  for (std::size_t i = 0; i < rec->size(); ++i) ++kinds[static_cast<int>(rec->kind(i))];

  // ---- seek ----
  std::mt19937_64 rng(2);
  std::uniform_int_distribution<TimeUs> when(rec->time(0), rec->time(rec->size() - 1));
  std::vector<TimeUs> times(10000);
  for (auto& t : times) t = when(rng);
  std::size_t sink = 0;
  double worst_us = 0;
  t0 = Clock::now();
  for (const TimeUs t : times) {
    const auto a = Clock::now();
    const std::size_t i = rec->index_at(t);
    sink += rec->state_at(i).size();
    worst_us = std::max(worst_us, std::chrono::duration<double, std::micro>(Clock::now() - a).count());
  }
  const double seek_us = seconds_since(t0) * 1e6 / static_cast<double>(times.size());

  // ---- recording cost ----
  std::vector<std::string> payloads;
  for (int i = 0; i < 1000; ++i) payloads.push_back(progress_payload(i % 212, (i % 22) * 5, 1763758501000000 + i));
  constexpr int kEvents = 300000;
  const std::string rec_dir = "/tmp/strokeviz-bench-rec-" + std::to_string(::getpid());
  RecorderOptions o;
  o.dir = rec_dir;
  o.buffer_bytes = 256u << 20;  // nothing lost: this measures the worker's cost, not the disk
  auto recorder = Recorder::open(o);
  if (!recorder) {
    std::fprintf(stderr, "bench_recording: %s\n", recorder.error().str().c_str());
    std::remove(path.c_str());
    return 1;
  }
  SessionHeader h;
  h.session_id = kSid;
  (*recorder)->session_started(h);
  // Baseline: the same bytes copied into a vector (what any record-before-parse must at least do).
  std::vector<char> copy;
  copy.reserve(64u << 20);
  t0 = Clock::now();
  for (int i = 0; i < kEvents; ++i) {
    const std::string& p = payloads[static_cast<std::size_t>(i) % payloads.size()];
    if (copy.size() + p.size() + 32 > copy.capacity()) copy.clear();
    copy.insert(copy.end(), kChannelProgress.begin(), kChannelProgress.end());
    copy.insert(copy.end(), p.begin(), p.end());
  }
  const double memcpy_us = seconds_since(t0) * 1e6 / kEvents;
  sink += copy.size();
  t0 = Clock::now();
  for (int i = 0; i < kEvents; ++i)
    (*recorder)->append_message(1763758501000000 + i, kChannelProgress, payloads[static_cast<std::size_t>(i) % payloads.size()], kSid);
  const double append_us = seconds_since(t0) * 1e6 / kEvents;
  const auto st = (*recorder)->stats();
  t0 = Clock::now();
  recorder->reset();
  const double drain_s = seconds_since(t0);
  std::error_code ec;
  std::filesystem::remove_all(rec_dir, ec);
  std::remove(path.c_str());

  std::printf("\n%-44s %14s %12s\n", "measure", "value", "goal");
  std::printf("%-44s %14zu %12s\n", "lines loaded (items)", rec->size(), "");
  std::printf("%-44s %14llu %12s\n", "  skipped lines", static_cast<unsigned long long>(rep.skipped), "0");
  std::printf("%-44s %8zu/%zu/%zu %12s\n", "  progress / snapshot / other items", kinds[0], kinds[6],
              rec->size() - kinds[0] - kinds[6], "");
  std::printf("%-44s %12.3f s %12s\n", "load time", load_s, "< 1 s");
  std::printf("%-44s %11.1f MB %12s\n", "  file read rate", mb / load_s, "");
  std::printf("%-44s %11.1f MB %12s\n", "Recording::memory_bytes()", rec->memory_bytes() / 1e6, "< 200 MB");
  std::printf("%-44s %11.1f MB %12s\n", reset ? "peak RSS increase while loading (VmHWM)" : "VmHWM increase", (hwm1 - rss0) / 1e3,
              "< 200 MB");
  std::printf("%-44s %11.2f us %12s\n", "seek: index_at + state_at, mean of 10 000", seek_us, "< 1000 us");
  std::printf("%-44s %11.2f us %12s\n", "seek: worst", worst_us, "");
  std::printf("%-44s %11.3f us %12s\n", "baseline: memcpy of channel+payload", memcpy_us, "");
  std::printf("%-44s %11.3f us %12s\n", "Recorder::append_message, amortised", append_us, "< 2 us");
  std::printf("%-44s %14.1f %12s\n", "  ratio to the memcpy baseline", append_us / memcpy_us, "");
  std::printf("%-44s %14llu %12s\n", "  lines lost", static_cast<unsigned long long>(st.lost_lines), "0");
  std::printf("%-44s %12.3f s %12s\n", "  recorder close (I/O thread drains)", drain_s, "");
  std::printf("(payload %zu bytes; checksum %zu)\n", payloads[0].size(), sink % 7);
  return 0;
}
