// Recorder: formats lines on the sync worker thread into a bounded buffer; its own I/O thread writes them.
//
// The worker side (append*, session_*) formats a line into a reused scratch
// string, then takes the mutex only to copy it into the pending buffer (or to
// count it lost when the buffer is full) — the I/O thread holds the same mutex
// only to swap the pending buffer with its own, never across a write(), so
// the worker never waits for the disk. Lines carry a target: 0 for the
// per-day file (events outside any open session), else an open session
// file; session open/close travel in the same ordered stream as the lines.
// The I/O thread writes whole lines with write(2) (no user-space buffering:
// what it took is in the kernel when it loops), so a kill -9 can only lose
// what was still pending (at most flush_every of data) and, at worst, leave
// one partial last line.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <set>
#include <mutex>
#include <system_error>
#include <thread>

#include "common/rate_limited_log.hpp"
#include "session/recorder.hpp"
#include "session/format.hpp"

namespace strokeviz::session {
using namespace protocol;
namespace {

constexpr std::size_t kMaxOpenSessions = 8;
constexpr std::int64_t kUsPerDay = 86400LL * 1000000LL;

struct Seg {
  enum class Op : std::uint8_t { Data, Open, Close };
  Op op = Op::Data;
  std::uint32_t target = 0;  // 0: per-day file
  std::int64_t day = 0;      // per-day target: days since the epoch (UTC)
  TimeUs first_t = 0;        // per-day target: time of the first line (for a new file's header)
  std::size_t len = 0;       // bytes in the buffer (Open: the header line)
  std::uint32_t lines = 0;
  std::string session_id;    // Open only
};

std::int64_t day_of(TimeUs t) { return t >= 0 ? t / kUsPerDay : (t - kUsPerDay + 1) / kUsPerDay; }

std::string day_file_name(std::int64_t day) {
  char buf[32];
  format_timestamp_to(buf, day * kUsPerDay);
  return "events-" + std::string(buf, 10) + ".jsonl";
}

}  // namespace

struct Recorder::Impl {
  RecorderOptions opt;

  // ---- worker thread only ----
  struct OpenSession {
    std::string id;
    std::uint32_t target = 0;
    std::uint64_t touched = 0;
  };
  std::vector<OpenSession> open;
  std::uint32_t next_target = 1;
  std::uint64_t touch = 0;
  std::string scratch;
  protocol::Reconnected link;                 // the current connection
  std::uint64_t link_epoch = 0;               // 0: none announced yet
  std::set<std::string, std::less<>> link_written;  // files (session id; "" for the day file) that have it

  // ---- shared (mutex) ----
  std::mutex m;
  std::condition_variable cv;
  std::string buf;
  std::vector<Seg> segs;
  bool urgent = false;
  bool stop = false;
  bool wake_sent = false;

  // ---- stats ----
  std::atomic<std::uint64_t> lines{0}, bytes{0}, lost{0};
  mutable std::mutex stats_m;
  std::string last_error, current_file;

  // ---- I/O thread only ----
  struct File {
    int fd = -1;
    std::filesystem::path path;
    bool partial = false;  // a failed write may have left a partial line
  };
  std::map<std::uint32_t, File> files;  // session targets
  File day_file;
  std::int64_t day = INT64_MIN;
  std::string header_scratch;
  RateLimitedLog log{std::chrono::seconds(10)};
  std::thread io;

  // Worker side: the target of a session id (0 when not open).
  std::uint32_t target_of(std::string_view session_id) {
    if (session_id.empty()) return 0;
    for (auto& s : open)
      if (s.id == session_id) {
        s.touched = ++touch;
        return s.target;
      }
    return 0;
  }

  // Worker side: the link line of the current connection goes first into
  // every target written after it.
  void link_before(std::uint32_t target, std::string_view session_id) {
    if (link_epoch == 0) return;
    const std::string_view file = target == 0 ? std::string_view() : session_id;
    if (link_written.count(file) != 0) return;
    link_written.emplace(file);
    scratch.clear();
    format_link_line(scratch, link);
    enqueue_line(target, link.time_us);
  }

  // Worker side: queue `scratch` as one line for `target`.
  void enqueue_line(std::uint32_t target, TimeUs t) {
    const std::size_t n = scratch.size();
    std::unique_lock lk(m);
    if (buf.size() + n > opt.buffer_bytes) {
      lk.unlock();
      lost.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    buf += scratch;
    const std::int64_t d = target == 0 ? day_of(t) : 0;
    if (!segs.empty() && segs.back().op == Seg::Op::Data && segs.back().target == target &&
        segs.back().day == d) {
      segs.back().len += n;
      ++segs.back().lines;
    } else {
      Seg s;
      s.target = target;
      s.day = d;
      s.first_t = t;
      s.len = n;
      s.lines = 1;
      segs.push_back(std::move(s));
    }
    const bool wake = !wake_sent && buf.size() > opt.buffer_bytes / 4;
    if (wake) wake_sent = true;
    lk.unlock();
    lines.fetch_add(1, std::memory_order_relaxed);
    bytes.fetch_add(n, std::memory_order_relaxed);
    if (wake) cv.notify_one();
  }

  // Worker side: a control op (never refused: small and rare).
  void enqueue_op(Seg s, std::string_view data, bool now) {
    {
      std::lock_guard lk(m);
      buf += data;
      s.len = data.size();
      segs.push_back(std::move(s));
      if (now) urgent = true;
    }
    if (now) cv.notify_one();
  }

  void close_session(std::size_t k) {
    Seg s;
    s.op = Seg::Op::Close;
    s.target = open[k].target;
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(k));
    enqueue_op(std::move(s), {}, true);
  }

  // ---- I/O thread ----
  void run() {
    std::string local;
    std::vector<Seg> local_segs;
    for (;;) {
      bool done = false;
      {
        std::unique_lock lk(m);
        cv.wait_for(lk, opt.flush_every, [&] { return stop || urgent || wake_sent; });
        local.swap(buf);
        local_segs.swap(segs);
        urgent = false;
        wake_sent = false;
        done = stop;
      }
      write_out(local, local_segs);
      local.clear();
      local_segs.clear();
      if (done) break;
    }
    for (auto& [target, f] : files) close_file(f);
    files.clear();
    close_file(day_file);
  }

  void close_file(File& f) {
    if (f.fd >= 0) ::close(f.fd);
    f.fd = -1;
  }

  void error(const std::filesystem::path& path, int err, std::uint32_t lost_lines) {
    lost.fetch_add(lost_lines, std::memory_order_relaxed);
    std::string msg = path.string() + ": " + std::strerror(err);
    log.warn("recorder", "Recorder: " + msg + " (" + std::to_string(lost_lines) + " lines not written)");
    std::lock_guard lk(stats_m);
    last_error = std::move(msg);
  }

  void set_current(const std::filesystem::path& p) {
    std::lock_guard lk(stats_m);
    current_file = p.string();
  }

  // Opens (creating) `f.path` for appending; writes `header` when the file is new,
  // or a '\n' when an existing file ends in a partial line. False on error.
  bool open_file(File& f, std::string_view header) {
    f.fd = ::open(f.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (f.fd < 0) return false;
    set_current(f.path);
    struct stat st {};
    if (::fstat(f.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      char last = '\n';
      const int rfd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (rfd >= 0) {
        if (::pread(rfd, &last, 1, st.st_size - 1) != 1) last = '\n';
        ::close(rfd);
      }
      f.partial = last != '\n';
      return true;
    }
    return write_all(f, header);
  }

  bool write_all(File& f, std::string_view data) {
    if (f.partial) {
      if (::write(f.fd, "\n", 1) != 1) return false;
      f.partial = false;
    }
    std::size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::write(f.fd, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        f.partial = done > 0;
        return false;
      }
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  void write_out(const std::string& data, const std::vector<Seg>& list) {
    std::size_t at = 0;
    for (const Seg& s : list) {
      const std::string_view bytes_of(data.data() + at, s.len);
      at += s.len;
      switch (s.op) {
        case Seg::Op::Open: {
          File& f = files[s.target];
          close_file(f);
          f.path = opt.dir / (s.session_id + ".jsonl");
          f.partial = false;
          if (!open_file(f, bytes_of)) {
            error(f.path, errno, 0);
            close_file(f);
          }
          break;
        }
        case Seg::Op::Close: {
          auto it = files.find(s.target);
          if (it != files.end()) {
            close_file(it->second);
            files.erase(it);
          }
          break;
        }
        case Seg::Op::Data: write_data(s, bytes_of); break;
      }
    }
  }

  void write_data(const Seg& s, std::string_view data) {
    File* f = nullptr;
    if (s.target == 0) {
      if (day_file.fd < 0 || s.day != day) {
        close_file(day_file);
        day = s.day;
        day_file.path = opt.dir / day_file_name(s.day);
        day_file.partial = false;
        SessionHeader h;
        h.start_time = format_timestamp(s.first_t);
        h.start_us = s.first_t;
        h.viewer_version = opt.viewer_version;
        h.server = opt.server;
        header_scratch.clear();
        format_header_line(header_scratch, h);
        if (!open_file(day_file, header_scratch)) {
          error(day_file.path, errno, s.lines);
          close_file(day_file);
          return;
        }
      }
      f = &day_file;
    } else {
      auto it = files.find(s.target);
      if (it == files.end()) return;  // cannot happen: Open precedes its lines
      f = &it->second;
      if (f->fd < 0) {  // the open failed: try again (the user may have fixed it)
        f->fd = ::open(f->path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (f->fd < 0) {
          error(f->path, errno, s.lines);
          return;
        }
      }
    }
    if (!write_all(*f, data)) error(f->path, errno, s.lines);
  }
};

Expected<std::unique_ptr<Recorder>> Recorder::open(RecorderOptions options) {
  const std::string dir = options.dir.string();
  if (options.dir.empty()) return Error{"", 0, "Recorder: no sessions folder given"};
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Error{dir, 0, "cannot create the sessions folder: " + ec.message()};
  if (!std::filesystem::is_directory(options.dir, ec)) return Error{dir, 0, "not a folder"};
  if (::access(options.dir.c_str(), W_OK) != 0)
    return Error{dir, 0, std::string("cannot write there: ") + std::strerror(errno)};
  if (options.flush_every <= std::chrono::milliseconds(0)) options.flush_every = std::chrono::milliseconds(1);
  std::unique_ptr<Recorder> r(new Recorder());
  r->impl_ = std::make_unique<Impl>();
  r->impl_->opt = std::move(options);
  r->impl_->scratch.reserve(1024);
  Impl* impl = r->impl_.get();
  r->impl_->io = std::thread([impl] {
    try {
      impl->run();
    } catch (const std::exception& e) {
      spdlog::error("Recorder: I/O thread: {}", e.what());
    } catch (...) {
      spdlog::error("Recorder: I/O thread: unknown exception");
    }
  });
  return r;
}

Recorder::~Recorder() {
  if (!impl_) return;
  {
    std::lock_guard lk(impl_->m);
    impl_->stop = true;
  }
  impl_->cv.notify_one();
  if (impl_->io.joinable()) impl_->io.join();
}

void Recorder::append_message(TimeUs t, std::string_view channel, std::string_view payload,
                              std::string_view session_id) {
  try {
    const std::uint32_t target = impl_->target_of(session_id);
    impl_->link_before(target, session_id);
    impl_->scratch.clear();
    format_message_line(impl_->scratch, t, channel, payload);
    impl_->enqueue_line(target, t);
  } catch (...) {  // allocation failure: counted, never thrown at the worker
    impl_->lost.fetch_add(1, std::memory_order_relaxed);
  }
}

void Recorder::append_snapshot(TimeUs t, std::string_view key, std::string_view json,
                               std::string_view session_id) {
  try {
    const std::uint32_t target = impl_->target_of(session_id);
    impl_->link_before(target, session_id);
    impl_->scratch.clear();
    format_snapshot_line(impl_->scratch, t, key, json);
    impl_->enqueue_line(target, t);
  } catch (...) {
    impl_->lost.fetch_add(1, std::memory_order_relaxed);
  }
}

void Recorder::append_history(TimeUs t, std::string_view session_id, const StreamEntry& entry) {
  try {
    const std::uint32_t target = impl_->target_of(session_id);
    impl_->link_before(target, session_id);
    impl_->scratch.clear();
    format_history_line(impl_->scratch, t, session_id, entry);
    impl_->enqueue_line(target, t);
  } catch (...) {
    impl_->lost.fetch_add(1, std::memory_order_relaxed);
  }
}

void Recorder::connection_started(const protocol::Reconnected& r) {
  impl_->link = r;
  ++impl_->link_epoch;
  impl_->link_written.clear();
}

void Recorder::session_started(const SessionHeader& header) {
  if (header.session_id.empty() || impl_->target_of(header.session_id) != 0) return;
  // A session id becomes a file name: refuse path separators and dot names.
  if (header.session_id.find('/') != std::string::npos || header.session_id == "." ||
      header.session_id == ".." || header.session_id.find('\0') != std::string::npos)
    return;
  try {
    if (impl_->open.size() >= kMaxOpenSessions) {
      const auto oldest = std::min_element(impl_->open.begin(), impl_->open.end(),
                                           [](auto& a, auto& b) { return a.touched < b.touched; });
      impl_->close_session(static_cast<std::size_t>(oldest - impl_->open.begin()));
    }
    SessionHeader h = header;
    if (h.viewer_version.empty()) h.viewer_version = impl_->opt.viewer_version;
    if (h.server.empty()) h.server = impl_->opt.server;
    if (h.start_time.empty() && h.start_us != 0) h.start_time = format_timestamp(h.start_us);
    std::string line;
    format_header_line(line, h);
    Seg s;
    s.op = Seg::Op::Open;
    s.target = impl_->next_target++;
    s.session_id = h.session_id;
    impl_->open.push_back({h.session_id, s.target, ++impl_->touch});
    impl_->enqueue_op(std::move(s), line, false);
  } catch (...) {
    impl_->lost.fetch_add(1, std::memory_order_relaxed);
  }
}

void Recorder::session_ended(std::string_view session_id) {
  for (std::size_t k = 0; k < impl_->open.size(); ++k)
    if (impl_->open[k].id == session_id) {
      try {
        impl_->close_session(k);
      } catch (...) {
      }
      return;
    }
}

bool Recorder::session_open(std::string_view session_id) const {
  for (const auto& s : impl_->open)
    if (s.id == session_id) return true;
  return false;
}

void Recorder::flush() {
  {
    std::lock_guard lk(impl_->m);
    impl_->urgent = true;
  }
  impl_->cv.notify_one();
}

RecorderStats Recorder::stats() const {
  RecorderStats s;
  s.lines = impl_->lines.load(std::memory_order_relaxed);
  s.bytes = impl_->bytes.load(std::memory_order_relaxed);
  s.lost_lines = impl_->lost.load(std::memory_order_relaxed);
  std::lock_guard lk(impl_->stats_m);
  s.last_error = impl_->last_error;
  s.current_file = impl_->current_file;
  return s;
}

}  // namespace strokeviz::session
