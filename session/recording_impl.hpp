// Recording's storage, shared by its building, loading and query files (not a public header).
//
// Storage: every item has a receive time, a kind and a ref. Progress items
// (live progress_update and history entries) whose text the format can
// regenerate exactly (canonical timestamp / stream id, indices in int32) are
// 56-byte records with interned strings; everything else (session start/end,
// robot events, errors, node events, snapshots, the odd progress) is the
// parsed FeedItem in a side table. Per kind, a sorted list of item indices
// answers next/prev/state_at by binary search; runs of equal stroke answer
// next/prev stroke.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstring>
#include <memory>
#include <unordered_map>

#include "protocol/fast_scan.hpp"
#include "session/format.hpp"
#include "session/recording.hpp"

namespace strokeviz::session {
using namespace protocol;

// ============================================================================
// 1. storage
// ============================================================================
namespace detail {

constexpr std::uint32_t kSide = 0x80000000u;
constexpr std::size_t kKinds = 10;

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
  TimeUs time = 0;        // protocol::ProgressUpdate: header.time_us; history: entry time_ms
  std::int64_t seq = 0;   // history: entry seq
  std::int32_t stroke = 0, pose = 0, total = 0, length = 0;
  std::uint32_t desc_l = 0, desc_r = 0, session = 0, node = 0;
  bool history = false;
};

inline bool fits32(std::int64_t v) { return v >= 0 && v <= INT32_MAX; }

inline bool canonical_timestamp(std::string_view ts, TimeUs t) {
  char buf[32];
  const std::size_t n = format_timestamp_to(buf, t);
  return ts == std::string_view(buf, n);
}

inline bool canonical_id(std::string_view id, std::int64_t ms, std::int64_t seq) {
  char buf[48];
  auto r = std::to_chars(buf, buf + 20, ms);
  *r.ptr++ = '-';
  r = std::to_chars(r.ptr, buf + sizeof buf, seq);
  return id == std::string_view(buf, static_cast<std::size_t>(r.ptr - buf));
}

inline ItemKind kind_of(const protocol::FeedItem& item) {
  struct V {
    ItemKind operator()(const protocol::SessionStart&) const { return ItemKind::SessionStart; }
    ItemKind operator()(const protocol::SessionEnd&) const { return ItemKind::SessionEnd; }
    ItemKind operator()(const protocol::ProgressUpdate&) const { return ItemKind::Progress; }
    ItemKind operator()(const protocol::RobotStateUpdate&) const { return ItemKind::RobotEvent; }
    ItemKind operator()(const protocol::ErrorEvent&) const { return ItemKind::Error; }
    ItemKind operator()(const protocol::NodeEvent&) const { return ItemKind::Node; }
    ItemKind operator()(const protocol::ToolProgress&) const { return ItemKind::Activity; }
  };
  if (const auto* e = std::get_if<protocol::Event>(&item)) return std::visit(V{}, *e);
  if (std::holds_alternative<protocol::HistoryEntry>(item)) return ItemKind::Progress;
  if (std::holds_alternative<protocol::Reconnected>(item)) return ItemKind::Reconnected;
  return ItemKind::Snapshot;
}

inline std::size_t heap_of(const std::string& s) { return s.capacity() > 15 ? s.capacity() + 1 : 0; }

// An open file descriptor, closed on scope exit.
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

}  // namespace detail
using namespace detail;

// ============================================================================
// 2. building
// ============================================================================

struct Recording::Impl {
  SessionHeader header;
  std::vector<TimeUs> times;
  std::vector<ItemKind> kinds;
  std::vector<std::uint32_t> refs;
  std::vector<ProgRec> prog;
  std::vector<protocol::FeedItem> side;
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
    const auto s = static_cast<std::int32_t>(std::clamp<std::int64_t>(stroke, -1, INT32_MAX));
    if (p_stroke.empty() || p_stroke.back() != s) runs.push_back(static_cast<std::uint32_t>(p_stroke.size()));
    p_stroke.push_back(s);
    p_pose.push_back(static_cast<std::int32_t>(std::clamp<std::int64_t>(pose, -1, INT32_MAX)));
  }

  void add_rejected(TimeUs t) { add(t, ItemKind::Rejected, 0); }

  void add_side(TimeUs t, protocol::FeedItem&& item) {
    const ItemKind k = kind_of(item);
    if (k == ItemKind::Progress) {
      if (const auto* h = std::get_if<protocol::HistoryEntry>(&item))
        add_progress_index(h->entry.stroke_idx, h->entry.pose_idx);
      else
        add_progress_index(std::get<protocol::ProgressUpdate>(std::get<protocol::Event>(item)).stroke_idx,
                           std::get<protocol::ProgressUpdate>(std::get<protocol::Event>(item)).pose_idx);
    }
    if (std::holds_alternative<protocol::ProgressSnapshot>(item)) prog_snaps.push_back(static_cast<std::uint32_t>(times.size()));
    if (std::holds_alternative<protocol::RobotStateSnapshot>(item)) robot_snaps.push_back(static_cast<std::uint32_t>(times.size()));
    side_heap += estimate_heap(item);
    side.push_back(std::move(item));
    add(t, k, kSide | static_cast<std::uint32_t>(side.size() - 1));
  }

  static std::size_t estimate_heap(const protocol::FeedItem& item) {
    std::size_t n = 0;
    if (const auto* e = std::get_if<protocol::Event>(&item)) {
      const protocol::EventHeader& h = protocol::header_of(*e);
      n += heap_of(h.channel) + heap_of(h.node_id) + heap_of(h.timestamp);
      if (const auto* x = std::get_if<protocol::ProgressUpdate>(e))
        n += heap_of(x->description_l) + heap_of(x->description_r) + heap_of(x->session_id);
      if (const auto* x = std::get_if<protocol::NodeEvent>(e)) n += heap_of(x->raw);
      if (const auto* x = std::get_if<protocol::ErrorEvent>(e)) n += heap_of(x->message) + heap_of(x->details_json);
    } else if (const auto* p = std::get_if<protocol::ProgressSnapshot>(&item)) {
      n += heap_of(p->session_id) + heap_of(p->progress.timestamp) + heap_of(p->progress.stroke_description_l) +
           heap_of(p->progress.stroke_description_r);
    } else if (const auto* r = std::get_if<protocol::RobotStateSnapshot>(&item)) {
      n += heap_of(r->state.timestamp) + heap_of(r->state.current_pose);
    } else if (const auto* h = std::get_if<protocol::HistoryEntry>(&item)) {
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
  bool add_progress(TimeUs t, const fast::ProgressViews& v) {
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

  void add_event(TimeUs t, protocol::Event&& ev) {
    if (auto* p = std::get_if<protocol::ProgressUpdate>(&ev); p != nullptr && p->header.channel == protocol::kChannelProgress &&
                                                     p->header.received_us == t) {
      fast::ProgressViews v{p->session_id, p->header.node_id, p->header.timestamp, p->description_l,
                      p->description_r, p->stroke_idx, p->pose_idx, p->total_strokes, p->stroke_length,
                      p->header.time_us};
      if (add_progress(t, v)) return;
    }
    add_side(t, protocol::FeedItem(std::move(ev)));
  }

  void add_history(TimeUs t, protocol::HistoryEntry&& h) {
    const protocol::StreamEntry& e = h.entry;
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
    add_side(t, protocol::FeedItem(std::move(h)));
  }

  // Any item, stored the most compact way it allows.
  void add_item(TimeUs t, FeedItem&& item) {
    if (auto* e = std::get_if<Event>(&item)) add_event(t, std::move(*e));
    else if (auto* h = std::get_if<HistoryEntry>(&item)) add_history(t, std::move(*h));
    else add_side(t, std::move(item));
  }

  Expected<void> load_line(std::string_view line, LineView& v, bool last_unterminated);

  void finish() {
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

  protocol::FeedItem materialize(std::uint32_t i) const {
    const ProgRec& r = prog[refs[i]];
    if (r.history) {
      protocol::HistoryEntry h;
      h.session_id = std::string(strings.get(r.session));
      protocol::StreamEntry& e = h.entry;
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
    protocol::ProgressUpdate u;
    u.header.channel = std::string(protocol::kChannelProgress);
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
    return protocol::Event(std::move(u));
  }
};

}  // namespace strokeviz::session
