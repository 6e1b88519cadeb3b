// Recording::load: a session file, read in chunks, into the compact item table.
#include "session/recording.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "protocol/codec.hpp"
#include "session/recording_impl.hpp"

namespace strokeviz::session {
using namespace protocol;

// ============================================================================
// 3. load
// ============================================================================

namespace {

// A snapshot line: the hash's item (progress or robot state).
Expected<FeedItem> snapshot_item(const LineView& v) {
  if (v.form == PayloadForm::Bad) return Error{"", 0, "snapshot payload is not a JSON object"};
  if (v.name.substr(0, kProgressKeyPrefix.size()) == kProgressKeyPrefix) {
    auto p = parse_progress(v.payload, v.name);
    if (!p) return Error{"", 0, p.error().str()};
    return FeedItem(ProgressSnapshot{std::string(v.name.substr(kProgressKeyPrefix.size())), std::move(*p)});
  }
  if (v.name.substr(0, kRobotStateKeyPrefix.size()) == kRobotStateKeyPrefix) {
    auto s = parse_robot_state(v.payload, v.name);
    if (!s) return Error{"", 0, s.error().str()};
    return FeedItem(RobotStateSnapshot{std::move(*s)});
  }
  return Error{"", 0, "unknown snapshot key '" + std::string(v.name.substr(0, 100)) + "'"};
}

// A link line: a connection started at its time.
Expected<FeedItem> link_item(const LineView& v) {
  if (v.name != "connected") return Error{"", 0, "unknown link line '" + std::string(v.name.substr(0, 100)) + "'"};
  return FeedItem(Reconnected{v.t, static_cast<std::uint64_t>(std::max<std::int64_t>(0, v.count)),
                              std::string(v.payload)});
}

// A history line: the stream entry and its session.
Expected<HistoryEntry> history_item(const LineView& v) {
  if (v.name.substr(0, kHistoryKeyPrefix.size()) != kHistoryKeyPrefix)
    return Error{"", 0, "unknown history key '" + std::string(v.name.substr(0, 100)) + "'"};
  auto e = parse_stream_entry(v.id, v.fields, v.name);
  if (!e) return Error{"", 0, e.error().str()};
  return HistoryEntry{std::string(v.name.substr(kHistoryKeyPrefix.size())), std::move(*e)};
}

// The size of an open session file; an error for a folder or an empty file.
Expected<std::size_t> session_file_size(int fd, const std::string& name) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Error{name, 0, std::string("cannot stat: ") + std::strerror(errno)};
  if (S_ISDIR(st.st_mode)) return Error{name, 0, "is a folder, not a session file"};
  if (st.st_size == 0) return Error{name, 0, "empty file (not a session file)"};
  return static_cast<std::size_t>(st.st_size);
}

// Reads `fd` in chunks (bounded memory whatever the file size; a line longer
// than the buffer grows it) and calls on_line(line, lineno, unterminated) for
// each line, lineno counting from 1; only the file's last line can be
// unterminated (no '\n'). Stops at the first error on_line returns, or a read error.
template <class OnLine>
std::optional<Error> for_each_line(int fd, const std::string& name, OnLine on_line) {
  std::string buf(8u << 20, '\0');
  std::size_t have = 0;
  std::uint64_t lineno = 0;
  for (bool eof = false; !eof;) {
    if (have == buf.size()) buf.resize(buf.size() * 2);
    const ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{name, static_cast<int>(lineno + 1), std::string("read error: ") + std::strerror(errno)};
    }
    if (n == 0) eof = true;
    have += static_cast<std::size_t>(n);
    std::size_t start = 0;
    for (;;) {
      const void* nl = std::memchr(buf.data() + start, '\n', have - start);
      if (nl == nullptr) break;
      const auto end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf.data());
      if (auto e = on_line(std::string_view(buf.data() + start, end - start), ++lineno, false)) return e;
      start = end + 1;
    }
    if (eof && start < have) {
      if (auto e = on_line(std::string_view(buf.data() + start, have - start), ++lineno, true)) return e;
      start = have;
    }
    std::memmove(buf.data(), buf.data() + start, have - start);
    have -= start;
  }
  return std::nullopt;
}

// Counts a skipped line; the first one is reported with its reason.
void note_bad(LoadReport& rep, std::uint64_t lineno, std::string reason) {
  ++rep.skipped;
  if (rep.first_bad_line == 0) {
    rep.first_bad_line = lineno;
    rep.first_bad_reason = std::move(reason);
  }
}

}  // namespace

// One data line into this store. `last_unterminated`: the file's last line had no '\n'
// (a partial write): only a complete, valid item is kept from it.
Expected<void> Recording::Impl::load_line(std::string_view line, LineView& v, bool last_unterminated) {
  if (line.empty()) return Error{"", 0, "empty line"};
  auto r = parse_line(line, v);
  if (!r) return Error{"", 0, r.error().message};
  const TimeUs t = v.t;
  switch (v.type) {
    case LineView::Type::Message: {
      if (v.form == PayloadForm::Bad) {
        if (last_unterminated) return Error{"", 0, "truncated last line"};
        add_rejected(t);
        return {};
      }
      if (v.name == kChannelProgress) {
        fast::ProgressViews pv;
        if (fast::scan_progress(v.payload, pv) && add_progress(t, pv)) return {};
        if (auto u = fast::progress_update(v.name, v.payload, t)) {
          add_event(t, Event(std::move(*u)));
          return {};
        }
      }
      auto ev = parse_event(v.name, v.payload, t);
      if (ev) {
        add_event(t, std::move(*ev));
        return {};
      }
      if (last_unterminated) return Error{"", 0, "truncated last line"};
      if (v.form == PayloadForm::Raw && classify_payload(v.payload) != PayloadForm::Raw)
        return Error{"", 0, "corrupt line (the payload is not valid JSON)"};
      add_rejected(t);
      return {};
    }
    case LineView::Type::Snapshot: {
      auto item = snapshot_item(v);
      if (!item) return item.error();
      add_side(t, std::move(*item));
      return {};
    }
    case LineView::Type::Link: {
      auto item = link_item(v);
      if (!item) return item.error();
      add_side(t, std::move(*item));
      return {};
    }
    case LineView::Type::History: {
      auto h = history_item(v);
      if (!h) return h.error();
      add_history(t, std::move(*h));
      return {};
    }
  }
  return Error{"", 0, "unknown line"};
}

Expected<Recording> Recording::load(const std::filesystem::path& file, LoadReport* report) {
  const std::string name = file.string();
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Error{name, 0, std::string("cannot open: ") + std::strerror(errno)};
  const auto size = session_file_size(fd.get(), name);
  if (!size) return size.error();
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

  Recording rec;
  Impl& impl = *rec.impl_;
  impl.reserve(*size / 400 + 16);
  LoadReport rep;
  LineView v;
  bool header_done = false;
  auto handle = [&](std::string_view line, std::uint64_t lineno, bool unterminated) -> std::optional<Error> {
    ++rep.lines;
    if (!header_done) {
      auto h = parse_header_line(line, name);
      if (!h) return h.error();
      impl.header = std::move(*h);
      header_done = true;
      return std::nullopt;
    }
    if (auto r = impl.load_line(line, v, unterminated); !r) {
      const std::string& reason = r.error().message;
      note_bad(rep, lineno,
               unterminated && reason.rfind("truncated", 0) != 0 ? "truncated last line: " + reason : reason);
    }
    return std::nullopt;
  };
  if (auto e = for_each_line(fd.get(), name, handle)) return *e;
  if (!header_done) return Error{name, 0, "empty file (not a session file)"};
  impl.finish();
  for (std::size_t i = 0; i < impl.times.size(); ++i)  // the first item received, not a connection line
    if (impl.kinds[i] != ItemKind::Reconnected) {
      correct_start(impl.header, impl.times[i]);
      break;
    }
  rep.items = impl.times.size();
  if (report != nullptr) *report = std::move(rep);
  return rec;
}

}  // namespace strokeviz::session
