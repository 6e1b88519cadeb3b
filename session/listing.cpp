// What there is to replay on disk: session files in a folder, and the default folder.
#include "session/recording.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "protocol/fast_scan.hpp"
#include "session/format.hpp"
#include "session/recording_impl.hpp"

namespace strokeviz::session {
using namespace protocol;

std::vector<SessionListing> list_session_files(const std::filesystem::path& dir) {
  std::vector<SessionListing> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() != ".jsonl" || !it->is_regular_file(ec)) continue;
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) continue;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || st.st_size == 0) continue;
    // The header: the first line (bounded).
    std::string head(static_cast<std::size_t>(std::min<off_t>(st.st_size, 64 * 1024)), '\0');
    const ssize_t hn = ::pread(fd.get(), head.data(), head.size(), 0);
    if (hn <= 0) continue;
    head.resize(static_cast<std::size_t>(hn));
    const auto nl = head.find('\n');
    auto h = parse_header_line(std::string_view(head).substr(0, nl), path.string());
    if (!h) continue;
    SessionListing l;
    l.source = path.string();
    l.header = std::move(*h);
    l.end_us = l.header.start_us;
    l.items = -1;  // unknown without reading the whole file
    // The tail: the last complete lines.
    const off_t tail_at = std::max<off_t>(0, st.st_size - 64 * 1024);
    std::string tail(static_cast<std::size_t>(st.st_size - tail_at), '\0');
    const ssize_t tn = ::pread(fd.get(), tail.data(), tail.size(), tail_at);
    if (tn > 0) {
      tail.resize(static_cast<std::size_t>(tn));
      std::string_view rest(tail);
      if (tail_at > 0 || nl != std::string::npos) {  // drop a first partial line (or the header)
        const auto first = rest.find('\n');
        rest = first == std::string_view::npos ? std::string_view() : rest.substr(first + 1);
      }
      std::vector<std::string_view> lines;
      for (std::size_t at = 0; at < rest.size();) {
        const auto e = rest.find('\n', at);
        if (e == std::string_view::npos) break;  // a partial last line: ignored
        lines.push_back(rest.substr(at, e - at));
        at = e + 1;
      }
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
    out.push_back(std::move(l));
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
