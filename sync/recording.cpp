// Recording: loads a session file (or a Redis history stream) into a compact, time-indexed item table.
//
// Sections: 1. storage (interned strings, compact progress)  2. building
//           3. load  4. queries  5. from_redis and listings
//
// Storage: every item has a receive time, a kind and a ref. Progress items
// (live progress_update and history entries) whose text the format can
// regenerate exactly (canonical timestamp / stream id, indices in int32) are
// 56-byte records with interned strings; everything else (session start/end,
// robot events, errors, node events, snapshots, the odd progress) is the
// parsed SyncItem in a side table. Per kind, a sorted list of item indices
// answers next/prev/state_at by binary search; runs of equal stroke answer
// next/prev stroke.
#include "sync/recording.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#include "sync/protocol.hpp"
#include "sync/recording_format.hpp"
#include "sync/redis_client.hpp"
#include "sync/worker_fast_parse.hpp"

#include <hiredis/hiredis.h>

namespace strokeviz::sync {

// ============================================================================
// 1. storage
// ============================================================================
namespace {

constexpr std::uint32_t kSide = 0x80000000u;
constexpr std::size_t kKinds = 8;
constexpr std::string_view kProgressKey = "stroke:progress:";
constexpr std::string_view kRobotKey = "robot:state:";
constexpr std::string_view kStreamKey = "stream:stroke_history:";

// Strings kept once, in stable 64 KB chunks.
class Interner {
 public:
  std::uint32_t intern(std::string_view s) {
    if (auto it = ids_.find(s); it != ids_.end()) return it->second;
    const std::string_view stored = store(s);
    const auto id = static_cast<std::uint32_t>(strs_.size());
    strs_.push_back(stored);
    ids_.emplace(stored, id);
    return id;
  }
  std::string_view get(std::uint32_t id) const { return strs_[id]; }
  std::size_t memory() const {
    return chunks_.size() * kChunk + big_ + strs_.capacity() * sizeof(std::string_view) +
           ids_.bucket_count() * sizeof(void*) + ids_.size() * (sizeof(std::string_view) + 24);
  }

 private:
  static constexpr std::size_t kChunk = 64 * 1024;
  std::string_view store(std::string_view s) {
    if (s.size() > kChunk / 4) {
      big_strings_.emplace_back(new char[s.size() + 1]);
      std::memcpy(big_strings_.back().get(), s.data(), s.size());
      big_ += s.size();
      return {big_strings_.back().get(), s.size()};
    }
    if (chunks_.empty() || used_ + s.size() > kChunk) {
      chunks_.emplace_back(new char[kChunk]);
      used_ = 0;
    }
    char* p = chunks_.back().get() + used_;
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    return {p, s.size()};
  }
  std::vector<std::unique_ptr<char[]>> chunks_, big_strings_;
  std::size_t used_ = 0, big_ = 0;
  std::vector<std::string_view> strs_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

struct ProgRec {
  TimeUs time = 0;        // ProgressUpdate: header.time_us; history: entry time_ms
  std::int64_t seq = 0;   // history: entry seq
  std::int32_t stroke = 0, pose = 0, total = 0, length = 0;
  std::uint32_t desc_l = 0, desc_r = 0, session = 0, node = 0;
  bool history = false;
};

struct LineResult {
  bool ok = true;
  std::string reason;
};

bool fits32(std::int64_t v) { return v >= 0 && v <= INT32_MAX; }

// The progress_update fast path (worker_fast_parse.hpp) without allocating:
// accepts exactly what fast::progress_update accepts, with the same values.
struct ProgressViews {
  std::string_view session, node, timestamp, desc_l, desc_r;
  std::int64_t stroke = 0, pose = 0, total = 0, length = 0;
  TimeUs time_us = 0;
};

bool scan_progress(std::string_view payload, ProgressViews& v) {
  if (payload.size() > 64 * 1024) return false;
  enum Field { kType, kSession, kNode, kStroke, kPose, kTotal, kLength, kDescL, kDescR, kTime, kCount };
  static constexpr std::string_view kNames[kCount] = {
      "type", "session_id", "node_id", "stroke_idx", "pose_idx", "total_strokes", "stroke_length",
      "description_l", "description_r", "timestamp"};
  std::string_view str[kCount];
  std::int64_t num[kCount] = {};
  unsigned seen = 0;
  fast::detail::Scanner s(payload);
  if (!s.eat('{') || s.peek() == '}') return false;
  for (;;) {
    std::string_view key;
    if (!s.simple_string(key) || !s.eat(':')) return false;
    int f = -1;
    for (int i = 0; i < kCount; ++i)
      if (key == kNames[i]) f = i;
    if (f < 0) {
      if (!s.skip_scalar()) return false;
    } else {
      if (seen & (1u << f)) return false;
      seen |= 1u << f;
      const bool is_int = f == kStroke || f == kPose || f == kTotal || f == kLength;
      if (is_int ? !s.plain_index(num[f]) : !s.simple_string(str[f])) return false;
    }
    if (s.eat(',')) continue;
    if (s.eat('}')) break;
    return false;
  }
  if (!s.at_end() || seen != (1u << kCount) - 1 || str[kType] != "progress_update") return false;
  if (num[kStroke] >= num[kTotal] || num[kPose] >= num[kLength]) return false;
  auto t = parse_timestamp(str[kTime]);
  if (!t) return false;
  v.session = str[kSession];
  v.node = str[kNode];
  v.timestamp = str[kTime];
  v.desc_l = str[kDescL];
  v.desc_r = str[kDescR];
  v.stroke = num[kStroke];
  v.pose = num[kPose];
  v.total = num[kTotal];
  v.length = num[kLength];
  v.time_us = *t;
  return true;
}

bool canonical_timestamp(std::string_view ts, TimeUs t) {
  char buf[32];
  const std::size_t n = format_timestamp_to(buf, t);
  return ts == std::string_view(buf, n);
}

bool canonical_id(std::string_view id, std::int64_t ms, std::int64_t seq) {
  char buf[48];
  auto r = std::to_chars(buf, buf + 20, ms);
  *r.ptr++ = '-';
  r = std::to_chars(r.ptr, buf + sizeof buf, seq);
  return id == std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
}

ItemKind kind_of(const SyncItem& item) {
  struct V {
    ItemKind operator()(const SessionStart&) const { return ItemKind::SessionStart; }
    ItemKind operator()(const SessionEnd&) const { return ItemKind::SessionEnd; }
    ItemKind operator()(const ProgressUpdate&) const { return ItemKind::Progress; }
    ItemKind operator()(const RobotStateUpdate&) const { return ItemKind::RobotEvent; }
    ItemKind operator()(const ErrorEvent&) const { return ItemKind::Error; }
    ItemKind operator()(const NodeEvent&) const { return ItemKind::Node; }
  };
  if (const auto* e = std::get_if<Event>(&item)) return std::visit(V{}, *e);
  if (std::holds_alternative<HistoryEntry>(item)) return ItemKind::Progress;
  return ItemKind::Snapshot;
}

std::size_t heap_of(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

}  // namespace

// ============================================================================
// 2. building
// ============================================================================

struct Recording::Impl {
  SessionHeader header;
  std::vector<TimeUs> times;
  std::vector<ItemKind> kinds;
  std::vector<std::uint32_t> refs;
  std::vector<ProgRec> prog;
  std::vector<SyncItem> side;
  std::size_t side_heap = 0;
  std::array<std::vector<std::uint32_t>, kKinds> by_kind;
  std::vector<std::int32_t> p_stroke, p_pose;   // parallel to by_kind[Progress]
  std::vector<std::uint32_t> runs;              // positions in by_kind[Progress] where a stroke starts
  std::vector<std::uint32_t> prog_snaps, robot_snaps;
  Interner strings;

  std::vector<std::uint32_t>& list(ItemKind k) { return by_kind[static_cast<std::size_t>(k)]; }
  const std::vector<std::uint32_t>& list(ItemKind k) const { return by_kind[static_cast<std::size_t>(k)]; }

  void reserve(std::size_t n) {
    times.reserve(n);
    kinds.reserve(n);
    refs.reserve(n);
    prog.reserve(n);
    list(ItemKind::Progress).reserve(n);
    p_stroke.reserve(n);
    p_pose.reserve(n);
  }

  void add(TimeUs t, ItemKind k, std::uint32_t ref) {
    if (!times.empty() && t < times.back()) t = times.back();  // receive times never go back
    const auto i = static_cast<std::uint32_t>(times.size());
    times.push_back(t);
    kinds.push_back(k);
    refs.push_back(ref);
    list(k).push_back(i);
  }
  void add_progress_index(std::int64_t stroke, std::int64_t pose) {
    p_stroke.push_back(static_cast<std::int32_t>(std::clamp<std::int64_t>(stroke, -1, INT32_MAX)));
    p_pose.push_back(static_cast<std::int32_t>(std::clamp<std::int64_t>(pose, -1, INT32_MAX)));
  }

  void add_rejected(TimeUs t) { add(t, ItemKind::Rejected, 0); }

  void add_side(TimeUs t, SyncItem&& item) {
    const ItemKind k = kind_of(item);
    if (k == ItemKind::Progress) {
      if (const auto* h = std::get_if<HistoryEntry>(&item))
        add_progress_index(h->entry.stroke_idx, h->entry.pose_idx);
      else
        add_progress_index(std::get<ProgressUpdate>(std::get<Event>(item)).stroke_idx,
                           std::get<ProgressUpdate>(std::get<Event>(item)).pose_idx);
    }
    if (std::holds_alternative<ProgressSnapshot>(item)) prog_snaps.push_back(static_cast<std::uint32_t>(times.size()));
    if (std::holds_alternative<RobotStateSnapshot>(item)) robot_snaps.push_back(static_cast<std::uint32_t>(times.size()));
    side_heap += estimate_heap(item);
    side.push_back(std::move(item));
    add(t, k, kSide | static_cast<std::uint32_t>(side.size() - 1));
  }

  static std::size_t estimate_heap(const SyncItem& item) {
    std::size_t n = 0;
    if (const auto* e = std::get_if<Event>(&item)) {
      const EventHeader& h = header_of(*e);
      n += heap_of(h.channel) + heap_of(h.node_id) + heap_of(h.timestamp);
      if (const auto* x = std::get_if<ProgressUpdate>(e))
        n += heap_of(x->description_l) + heap_of(x->description_r) + heap_of(x->session_id);
      if (const auto* x = std::get_if<NodeEvent>(e)) n += heap_of(x->raw);
      if (const auto* x = std::get_if<ErrorEvent>(e)) n += heap_of(x->message) + heap_of(x->details_json);
    } else if (const auto* p = std::get_if<ProgressSnapshot>(&item)) {
      n += heap_of(p->session_id) + heap_of(p->progress.timestamp) + heap_of(p->progress.stroke_description_l) +
           heap_of(p->progress.stroke_description_r);
    } else if (const auto* r = std::get_if<RobotStateSnapshot>(&item)) {
      n += heap_of(r->state.timestamp) + heap_of(r->state.current_pose);
    } else if (const auto* h = std::get_if<HistoryEntry>(&item)) {
      n += heap_of(h->entry.description_l) + heap_of(h->entry.description_r) + heap_of(h->entry.id);
    }
    return n;
  }

  // Consecutive progress events mostly repeat their strings: compare with the last one first.
  std::array<std::uint32_t, 4> last_ids{};
  std::array<bool, 4> have_last{};
  std::uint32_t intern_cached(int slot, std::string_view v) {
    if (have_last[slot] && strings.get(last_ids[slot]) == v) return last_ids[slot];
    have_last[slot] = true;
    return last_ids[slot] = strings.intern(v);
  }

  // Compact progress_update; false when its text cannot be regenerated exactly.
  bool add_progress(TimeUs t, const ProgressViews& v) {
    if (!fits32(v.stroke) || !fits32(v.pose) || !fits32(v.total) || !fits32(v.length) ||
        !canonical_timestamp(v.timestamp, v.time_us))
      return false;
    ProgRec r;
    r.time = v.time_us;
    r.stroke = static_cast<std::int32_t>(v.stroke);
    r.pose = static_cast<std::int32_t>(v.pose);
    r.total = static_cast<std::int32_t>(v.total);
    r.length = static_cast<std::int32_t>(v.length);
    r.desc_l = intern_cached(0, v.desc_l);
    r.desc_r = intern_cached(1, v.desc_r);
    r.session = intern_cached(2, v.session);
    r.node = intern_cached(3, v.node);
    prog.push_back(r);
    add_progress_index(v.stroke, v.pose);
    add(t, ItemKind::Progress, static_cast<std::uint32_t>(prog.size() - 1));
    return true;
  }

  void add_event(TimeUs t, Event&& ev) {
    if (auto* p = std::get_if<ProgressUpdate>(&ev); p != nullptr && p->header.channel == kChannelProgress &&
                                                     p->header.received_us == t) {
      ProgressViews v{p->session_id, p->header.node_id, p->header.timestamp, p->description_l,
                      p->description_r, p->stroke_idx, p->pose_idx, p->total_strokes, p->stroke_length,
                      p->header.time_us};
      if (add_progress(t, v)) return;
    }
    add_side(t, SyncItem(std::move(ev)));
  }

  void add_history(TimeUs t, HistoryEntry&& h) {
    const StreamEntry& e = h.entry;
    if (fits32(e.stroke_idx) && fits32(e.pose_idx) && e.seq >= 0 && canonical_id(e.id, e.time_ms, e.seq)) {
      ProgRec r;
      r.history = true;
      r.time = e.time_ms;
      r.seq = e.seq;
      r.stroke = static_cast<std::int32_t>(e.stroke_idx);
      r.pose = static_cast<std::int32_t>(e.pose_idx);
      r.desc_l = strings.intern(e.description_l);
      r.desc_r = strings.intern(e.description_r);
      r.session = strings.intern(h.session_id);
      r.node = strings.intern(e.node_id);
      prog.push_back(r);
      add_progress_index(e.stroke_idx, e.pose_idx);
      add(t, ItemKind::Progress, static_cast<std::uint32_t>(prog.size() - 1));
      return;
    }
    add_side(t, SyncItem(std::move(h)));
  }

  LineResult load_line(std::string_view line, LineView& v, bool last_unterminated);

  void finish() {
    const auto& P = list(ItemKind::Progress);
    runs.clear();
    for (std::size_t j = 0; j < P.size(); ++j)
      if (j == 0 || p_stroke[j] != p_stroke[j - 1]) runs.push_back(static_cast<std::uint32_t>(j));
    auto trim = [](auto& v) {
      if (v.capacity() > v.size() + v.size() / 8 + 64) v.shrink_to_fit();
    };
    trim(times);
    trim(kinds);
    trim(refs);
    trim(prog);
    trim(side);
    trim(p_stroke);
    trim(p_pose);
    for (auto& l : by_kind) trim(l);
  }

  SyncItem materialize(std::uint32_t i) const {
    const ProgRec& r = prog[refs[i]];
    if (r.history) {
      HistoryEntry h;
      h.session_id = std::string(strings.get(r.session));
      StreamEntry& e = h.entry;
      e.id = std::to_string(r.time) + "-" + std::to_string(r.seq);
      e.time_ms = r.time;
      e.seq = r.seq;
      e.stroke_idx = r.stroke;
      e.pose_idx = r.pose;
      e.description_l = std::string(strings.get(r.desc_l));
      e.description_r = std::string(strings.get(r.desc_r));
      e.node_id = std::string(strings.get(r.node));
      return h;
    }
    ProgressUpdate u;
    u.header.channel = std::string(kChannelProgress);
    u.header.node_id = std::string(strings.get(r.node));
    char buf[32];
    u.header.timestamp.assign(buf, format_timestamp_to(buf, r.time));
    u.header.time_us = r.time;
    u.header.received_us = times[i];
    u.session_id = std::string(strings.get(r.session));
    u.stroke_idx = r.stroke;
    u.pose_idx = r.pose;
    u.total_strokes = r.total;
    u.stroke_length = r.length;
    u.description_l = std::string(strings.get(r.desc_l));
    u.description_r = std::string(strings.get(r.desc_r));
    return Event(std::move(u));
  }
};

// ============================================================================
// 3. load
// ============================================================================


// One data line into `impl`. `last_unterminated`: the file's last line had no '\n'
// (a partial write): only a complete, valid item is kept from it.
LineResult Recording::Impl::load_line(std::string_view line, LineView& v, bool last_unterminated) {
  Impl& impl = *this;
  if (line.empty()) return {false, "empty line"};
  auto r = parse_line(line, v);
  if (!r) return {false, r.error().message};
  const TimeUs t = v.t;
  switch (v.type) {
    case LineView::Type::Message: {
      if (v.form == PayloadForm::Bad) {
        if (last_unterminated) return {false, "truncated last line"};
        impl.add_rejected(t);
        return {};
      }
      if (v.name == kChannelProgress) {
        ProgressViews pv;
        if (scan_progress(v.payload, pv) && impl.add_progress(t, pv)) return {};
        if (auto u = fast::progress_update(v.name, v.payload, t)) {
          impl.add_event(t, Event(std::move(*u)));
          return {};
        }
      }
      auto ev = parse_event(v.name, v.payload, t);
      if (ev) {
        impl.add_event(t, std::move(*ev));
        return {};
      }
      if (last_unterminated) return {false, "truncated last line"};
      if (v.form == PayloadForm::Raw && classify_payload(v.payload) != PayloadForm::Raw)
        return {false, "corrupt line (the payload is not valid JSON)"};
      impl.add_rejected(t);
      return {};
    }
    case LineView::Type::Snapshot: {
      if (v.form == PayloadForm::Bad) return {false, "snapshot payload is not a JSON object"};
      if (v.name.substr(0, kProgressKey.size()) == kProgressKey) {
        auto p = parse_progress(v.payload, v.name);
        if (!p) return {false, p.error().str()};
        impl.add_side(t, ProgressSnapshot{std::string(v.name.substr(kProgressKey.size())), std::move(*p)});
        return {};
      }
      if (v.name.substr(0, kRobotKey.size()) == kRobotKey) {
        auto s = parse_robot_state(v.payload, v.name);
        if (!s) return {false, s.error().str()};
        impl.add_side(t, RobotStateSnapshot{std::move(*s)});
        return {};
      }
      return {false, "unknown snapshot key '" + std::string(v.name.substr(0, 100)) + "'"};
    }
    case LineView::Type::History: {
      if (v.name.substr(0, kStreamKey.size()) != kStreamKey)
        return {false, "unknown history key '" + std::string(v.name.substr(0, 100)) + "'"};
      auto e = parse_stream_entry(v.id, v.fields, v.name);
      if (!e) return {false, e.error().str()};
      impl.add_history(t, HistoryEntry{std::string(v.name.substr(kStreamKey.size())), std::move(*e)});
      return {};
    }
  }
  return {false, "unknown line"};
}

namespace {


class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Expected<Recording> Recording::load(const std::filesystem::path& file, LoadReport* report) {
  const std::string name = file.string();
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Error{name, 0, std::string("cannot open: ") + std::strerror(errno)};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error{name, 0, std::string("cannot stat: ") + std::strerror(errno)};
  if (S_ISDIR(st.st_mode)) return Error{name, 0, "is a folder, not a session file"};
  if (st.st_size == 0) return Error{name, 0, "empty file (not a session file)"};
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

  Recording rec;
  Impl& impl = *rec.impl_;
  impl.reserve(static_cast<std::size_t>(st.st_size) / 400 + 16);
  LoadReport rep;
  LineView v;

  // Chunked read: bounded memory whatever the file size; a line longer than
  // the buffer grows it.
  std::string buf(8u << 20, '\0');
  std::size_t have = 0;
  bool eof = false, header_done = false;
  std::uint64_t lineno = 0;
  auto bad = [&](std::uint64_t n, std::string reason) {
    ++rep.skipped;
    if (rep.first_bad_line == 0) {
      rep.first_bad_line = n;
      rep.first_bad_reason = std::move(reason);
    }
  };
  auto handle = [&](std::string_view line, bool unterminated) -> std::optional<Error> {
    ++lineno;
    ++rep.lines;
    if (!header_done) {
      auto h = parse_header_line(line, name);
      if (!h) return h.error();
      impl.header = std::move(*h);
      header_done = true;
      return std::nullopt;
    }
    LineResult r = impl.load_line(line, v, unterminated);
    if (!r.ok) bad(lineno, unterminated && r.reason.rfind("truncated", 0) != 0 ? "truncated last line: " + r.reason
                                                                                : std::move(r.reason));
    return std::nullopt;
  };
  while (!eof) {
    if (have == buf.size()) buf.resize(buf.size() * 2);
    const ssize_t n = ::read(fd.get(), buf.data() + have, buf.size() - have);
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
      if (auto e = handle(std::string_view(buf.data() + start, end - start), false)) return *e;
      start = end + 1;
    }
    if (eof && start < have) {
      if (auto e = handle(std::string_view(buf.data() + start, have - start), true)) return *e;
      start = have;
    }
    std::memmove(buf.data(), buf.data() + start, have - start);
    have -= start;
  }
  if (!header_done) return Error{name, 0, "empty file (not a session file)"};
  impl.finish();
  rep.items = impl.times.size();
  if (report != nullptr) *report = std::move(rep);
  return rec;
}

// ============================================================================
// 4. queries
// ============================================================================

Recording::Recording() : impl_(std::make_unique<Impl>()) {}
Recording::~Recording() = default;
Recording::Recording(Recording&&) noexcept = default;
Recording& Recording::operator=(Recording&&) noexcept = default;

const SessionHeader& Recording::header() const { return impl_->header; }
std::size_t Recording::size() const { return impl_->times.size(); }
TimeUs Recording::time(std::size_t i) const { return impl_->times[i]; }
ItemKind Recording::kind(std::size_t i) const { return impl_->kinds[i]; }

std::optional<SyncItem> Recording::item(std::size_t i) const {
  if (i >= size()) return std::nullopt;
  const ItemKind k = impl_->kinds[i];
  if (k == ItemKind::Rejected) return std::nullopt;
  const std::uint32_t ref = impl_->refs[i];
  if (ref & kSide) return impl_->side[ref & ~kSide];
  return impl_->materialize(static_cast<std::uint32_t>(i));
}

namespace {
// Position in `l` of the last index <= i, or -1.
std::ptrdiff_t last_at_or_before(const std::vector<std::uint32_t>& l, std::size_t i) {
  const auto it = std::upper_bound(l.begin(), l.end(), i, [](std::size_t a, std::uint32_t b) { return a < b; });
  return (it - l.begin()) - 1;
}
}  // namespace

int Recording::stroke_at(std::size_t i) const {
  const auto p = last_at_or_before(impl_->list(ItemKind::Progress), i);
  return p < 0 ? -1 : impl_->p_stroke[static_cast<std::size_t>(p)];
}

int Recording::pose_at(std::size_t i) const {
  const auto p = last_at_or_before(impl_->list(ItemKind::Progress), i);
  return p < 0 ? -1 : impl_->p_pose[static_cast<std::size_t>(p)];
}

std::size_t Recording::index_at(TimeUs t) const {
  const auto& T = impl_->times;
  const auto it = std::upper_bound(T.begin(), T.end(), t);
  return it == T.begin() ? 0 : static_cast<std::size_t>(it - T.begin()) - 1;
}

std::vector<SyncItem> Recording::state_at(std::size_t i) const {
  std::vector<SyncItem> out;
  if (size() == 0) return out;
  i = std::min(i, size() - 1);
  std::vector<std::uint32_t> picks;
  auto latest = [&](const std::vector<std::uint32_t>& l) -> std::ptrdiff_t {
    const auto p = last_at_or_before(l, i);
    return p < 0 ? -1 : static_cast<std::ptrdiff_t>(l[static_cast<std::size_t>(p)]);
  };
  const auto start = latest(impl_->list(ItemKind::SessionStart));
  const auto end = latest(impl_->list(ItemKind::SessionEnd));
  if (start >= 0) picks.push_back(static_cast<std::uint32_t>(start));
  if (end > start) picks.push_back(static_cast<std::uint32_t>(end));
  for (const auto* l : {&impl_->prog_snaps, &impl_->robot_snaps, &impl_->list(ItemKind::RobotEvent),
                        &impl_->list(ItemKind::Progress)})
    if (const auto k = latest(*l); k >= 0) picks.push_back(static_cast<std::uint32_t>(k));
  std::sort(picks.begin(), picks.end());
  picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
  for (const auto k : picks)
    if (auto it = item(k)) out.push_back(std::move(*it));
  return out;
}

std::size_t Recording::next_stroke(std::size_t i) const {
  const auto& P = impl_->list(ItemKind::Progress);
  if (P.empty()) return npos;
  const auto p = last_at_or_before(P, i);
  if (p < 0) return P.front();
  const auto& R = impl_->runs;
  const auto r = std::upper_bound(R.begin(), R.end(), static_cast<std::uint32_t>(p));
  return r == R.end() ? npos : P[*r];
}

std::size_t Recording::prev_stroke(std::size_t i) const {
  const auto& P = impl_->list(ItemKind::Progress);
  const auto p = last_at_or_before(P, i);
  if (p < 0) return npos;
  const auto& R = impl_->runs;
  const auto r = std::upper_bound(R.begin(), R.end(), static_cast<std::uint32_t>(p)) - R.begin() - 1;  // run of p
  return r <= 0 ? npos : P[R[static_cast<std::size_t>(r - 1)]];
}

std::size_t Recording::next_of(std::size_t i, ItemKind k) const {
  const auto& l = impl_->list(k);
  const auto it = std::upper_bound(l.begin(), l.end(), i, [](std::size_t a, std::uint32_t b) { return a < b; });
  return it == l.end() ? npos : *it;
}

std::size_t Recording::prev_of(std::size_t i, ItemKind k) const {
  const auto& l = impl_->list(k);
  const auto it = std::lower_bound(l.begin(), l.end(), i, [](std::uint32_t a, std::size_t b) { return a < b; });
  return it == l.begin() ? npos : *(it - 1);
}

std::size_t Recording::memory_bytes() const {
  const Impl& m = *impl_;
  std::size_t n = sizeof(Impl);
  n += m.times.capacity() * sizeof(TimeUs) + m.kinds.capacity() + m.refs.capacity() * 4 +
       m.prog.capacity() * sizeof(ProgRec) + m.side.capacity() * sizeof(SyncItem) + m.side_heap +
       (m.p_stroke.capacity() + m.p_pose.capacity()) * 4 + m.runs.capacity() * 4 +
       (m.prog_snaps.capacity() + m.robot_snaps.capacity()) * 4 + m.strings.memory();
  for (const auto& l : m.by_kind) n += l.capacity() * 4;
  return n;
}

// ============================================================================
// 5. from_redis and listings
// ============================================================================
namespace {

// The start of a session from its id `stroke_<node>_<unix seconds>`; 0 if not of that form.
TimeUs start_from_id(std::string_view id) {
  const auto us = id.rfind('_');
  if (us == std::string_view::npos) return 0;
  std::int64_t secs = 0;
  const auto r = std::from_chars(id.data() + us + 1, id.data() + id.size(), secs);
  if (r.ec != std::errc() || r.ptr != id.data() + id.size() || secs <= 0) return 0;
  return secs * 1000000;
}

RedisResult<RedisConnection> connect_for_listing(const RedisConfig& redis) {
  static const std::atomic<bool> never{false};
  return RedisConnection::connect(redis, RedisTimeouts{std::chrono::milliseconds(2000),
                                                       std::chrono::milliseconds(100),
                                                       std::chrono::milliseconds(5000)},
                                  never);
}

// The smallest stream id after `id` ("" when `id` is not "<ms>-<seq>").
std::string next_id(std::string_view id) {
  const auto dash = id.find('-');
  std::uint64_t ms = 0, seq = 0;
  if (dash == std::string_view::npos ||
      std::from_chars(id.data(), id.data() + dash, ms).ec != std::errc() ||
      std::from_chars(id.data() + dash + 1, id.data() + id.size(), seq).ec != std::errc())
    return {};
  return seq == UINT64_MAX ? std::to_string(ms + 1) + "-0" : std::to_string(ms) + "-" + std::to_string(seq + 1);
}

std::string redis_source(const RedisConfig& redis, const std::string& id) {
  return "redis://" + redis.host + ":" + std::to_string(redis.port) + "/" + id;
}

}  // namespace

Expected<Recording> Recording::from_redis(const RedisConfig& redis, const std::string& session_id) {
  const std::string where = redis_source(redis, session_id);
  auto conn = connect_for_listing(redis);
  if (!conn) return Error{where, 0, conn.error().message};
  const std::string pkey = std::string(kProgressKey) + session_id;
  const std::string skey = std::string(kStreamKey) + session_id;
  auto raw = conn->hget(pkey, "progress");
  if (!raw) return Error{where, 0, raw.error().message};
  std::optional<StrokeProgress> progress;
  if (*raw) {
    auto p = parse_progress(**raw, pkey);
    if (!p) return Error{where, 0, p.error().str()};
    progress = std::move(*p);
  }
  std::vector<RawStreamEntry> entries;
  std::string from = "-";
  for (;;) {
    auto page = conn->xrange(skey, from, "+", 1000);
    if (!page) return Error{where, 0, page.error().message};
    const std::size_t n = page->size();
    for (auto& e : *page) entries.push_back(std::move(e));
    if (n < 1000) break;
    from = next_id(entries.back().id);  // exclusive start, also on Redis < 6.2
    if (from.empty()) break;
  }
  if (!progress && entries.empty()) return Error{where, 0, "no such session (no progress hash, no history stream)"};

  Recording rec;
  Impl& impl = *rec.impl_;
  SessionHeader& h = impl.header;
  h.session_id = session_id;
  h.server = redis.describe();
  if (progress) {
    h.scene = progress->scene_name.value_or("");
    h.node = progress->node_id;
  }
  h.start_us = start_from_id(session_id);
  impl.reserve(entries.size() + 1);
  std::vector<HistoryEntry> parsed;
  for (const auto& e : entries) {
    auto s = parse_stream_entry(e.id, e.fields, skey);
    if (s) parsed.push_back(HistoryEntry{session_id, std::move(*s)});
  }
  if (h.start_us == 0 && !parsed.empty()) h.start_us = parsed.front().entry.time_ms * 1000;
  if (h.start_us != 0) h.start_time = format_timestamp(h.start_us);
  if (h.node.empty() && !parsed.empty()) h.node = parsed.front().entry.node_id;
  // As the live worker pushes them after a reconnect: the snapshot, then the history.
  if (progress) {
    const TimeUs t = parsed.empty() ? progress->time_us : parsed.front().entry.time_ms * 1000;
    impl.add_side(t, ProgressSnapshot{session_id, std::move(*progress)});
  }
  for (auto& e : parsed) {
    const TimeUs t = e.entry.time_ms * 1000;
    impl.add_history(t, std::move(e));
  }
  impl.finish();
  return rec;
}

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
        ProgressViews pv;
        if (v.type == LineView::Type::Message && v.name == kChannelProgress && scan_progress(v.payload, pv))
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

Expected<std::vector<SessionListing>> list_redis_sessions(const RedisConfig& redis) {
  const std::string where = "redis://" + redis.host + ":" + std::to_string(redis.port);
  auto conn = connect_for_listing(redis);
  if (!conn) return Error{where, 0, conn.error().message};
  auto keys = conn->scan(std::string(kProgressKey) + "*", 10000);
  if (!keys) return Error{where, 0, keys.error().message};
  std::vector<SessionListing> out;
  for (const auto& key : *keys) {
    const std::string id = key.substr(kProgressKey.size());
    auto raw = conn->hget(key, "progress");
    if (!raw) return Error{where, 0, raw.error().message};
    if (!*raw) continue;
    auto p = parse_progress(**raw, key);
    if (!p) continue;
    SessionListing l;
    l.source = redis_source(redis, id);
    l.header.session_id = id;
    l.header.scene = p->scene_name.value_or("");
    l.header.node = p->node_id;
    l.header.server = redis.describe();
    l.header.start_us = start_from_id(id);
    l.max_stroke = static_cast<int>(p->stroke_idx);
    l.end_us = p->time_us;
    const std::string skey = std::string(kStreamKey) + id;
    auto len = conn->command({"XLEN", skey});
    if (!len) return Error{where, 0, len.error().message};
    l.items = static_cast<std::int64_t>(len->get() != nullptr ? (*len)->integer : 0);
    auto last = conn->xrange(skey, "+", "-", 1, /*reverse=*/true);
    if (last && !last->empty()) {
      auto e = parse_stream_entry(last->front().id, last->front().fields, skey);
      if (e) l.end_us = std::max<TimeUs>(l.end_us, e->time_ms * 1000);
    }
    if (l.header.start_us == 0) {
      auto first = conn->xrange(skey, "-", "+", 1);
      if (first && !first->empty())
        if (auto e = parse_stream_entry(first->front().id, first->front().fields, skey))
          l.header.start_us = e->time_ms * 1000;
    }
    if (l.header.start_us != 0) l.header.start_time = format_timestamp(l.header.start_us);
    out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(), [](const SessionListing& a, const SessionListing& b) {
    return a.header.start_us > b.header.start_us;
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

}  // namespace strokeviz::sync
