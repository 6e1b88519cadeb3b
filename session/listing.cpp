// What there is to replay on disk: session files in a folder, and the default folder.
#include "session/recording.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/fast_scan.hpp"
#include "session/format.hpp"
#include "session/recording_impl.hpp"

namespace strokeviz::session {
using namespace protocol;

namespace {

constexpr off_t kProbeBytes = 64 * 1024;  // read at each end of a file

// Up to `n` bytes of `fd` from offset `at`; empty on a read error.
std::string read_at(int fd, off_t at, std::size_t n) {
  std::string buf(n, '\0');
  const ssize_t got = ::pread(fd, buf.data(), buf.size(), at);
  if (got <= 0) return {};
  buf.resize(static_cast<std::size_t>(got));
  return buf;
}

// The complete lines of `text`, without a first line when `drop_first` (a
// partial line, or the header) and without a partial last line.
std::vector<std::string_view> complete_lines(std::string_view text, bool drop_first) {
  if (drop_first) {
    const auto first = text.find('\n');
    text = first == std::string_view::npos ? std::string_view() : text.substr(first + 1);
  }
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    const auto e = text.find('\n', at);
    if (e == std::string_view::npos) break;  // a partial last line: ignored
    lines.push_back(text.substr(at, e - at));
    at = e + 1;
  }
  return lines;
}

// From the file's last lines: the time of the newest valid one, and the
// highest stroke index of the progress messages and history entries among them.
void scan_tail(const std::vector<std::string_view>& lines, SessionListing& l) {
  bool end_found = false;
  LineView v;
  for (auto li = lines.rbegin(); li != lines.rend(); ++li) {
    if (li->empty() || !parse_line(*li, v)) continue;
    if (!end_found) {
      l.end_us = v.t;
      end_found = true;
    }
    fast::ProgressViews pv;
    if (v.type == LineView::Type::Message && v.name == kChannelProgress && fast::scan_progress(v.payload, pv))
      l.max_stroke = std::max<int>(l.max_stroke, static_cast<int>(pv.stroke));
    if (v.type == LineView::Type::History)
      for (const auto& [k, val] : v.fields)
        if (k == "stroke_idx") l.max_stroke = std::max(l.max_stroke, std::atoi(val.c_str()));
  }
}

// One session file, from its header line and its tail; nullopt when it is none.
std::optional<SessionListing> list_session_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || st.st_size == 0) return std::nullopt;
  // The header: the first line (bounded).
  const auto head_size = static_cast<std::size_t>(std::min<off_t>(st.st_size, kProbeBytes));
  const std::string head = read_at(fd.get(), 0, head_size);
  if (head.empty()) return std::nullopt;
  const auto nl = head.find('\n');
  auto h = parse_header_line(std::string_view(head).substr(0, nl), path.string());
  if (!h) return std::nullopt;
  SessionListing l;
  l.source = path.string();
  l.header = std::move(*h);
  // The first item received (not a connection line): the true start (correct_start).
  for (auto at = nl; at != std::string::npos && at + 1 < head.size();) {
    const auto next = head.find('\n', at + 1);
    if (next == std::string::npos) break;
    LineView line;
    if (parse_line(std::string_view(head).substr(at + 1, next - at - 1), line) &&
        line.type != LineView::Type::Link) {
      correct_start(l.header, line.t);
      break;
    }
    at = next;
  }
  l.end_us = l.header.start_us;
  l.items = -1;  // unknown without reading the whole file
  // The tail: the last complete lines.
  const off_t tail_at = std::max<off_t>(0, st.st_size - kProbeBytes);
  const std::string tail = read_at(fd.get(), tail_at, static_cast<std::size_t>(st.st_size - tail_at));
  if (!tail.empty()) scan_tail(complete_lines(tail, tail_at > 0 || nl != std::string::npos), l);
  return l;
}

}  // namespace

std::vector<SessionListing> list_session_files(const std::filesystem::path& dir) {
  std::vector<SessionListing> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".jsonl" || !it->is_regular_file(ec)) continue;
    if (auto l = list_session_file(it->path())) out.push_back(std::move(*l));
  }
  std::sort(out.begin(), out.end(), [](const SessionListing& a, const SessionListing& b) {
    return a.header.start_us > b.header.start_us;  // newest first
  });
  return out;
}

std::filesystem::path default_sessions_dir() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x != nullptr && x[0] == '/')
    return std::filesystem::path(x) / "strokeviz" / "sessions";
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] != '\0')
    return std::filesystem::path(home) / ".local" / "share" / "strokeviz" / "sessions";
  return std::filesystem::path("strokeviz-sessions");
}

}  // namespace strokeviz::session
