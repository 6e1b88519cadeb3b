// An accept-only fast path for the hot payload (progress_update) in front of parse_event().
//
// Why: parse_event() (nlohmann SAX) costs ~2.8 µs for a 370-byte
// progress_update here, which caps the worker far below a bare hiredis reader
// (bench_ingest (a)). Nearly all live traffic is progress_update in the exact
// form Python's json.dumps writes: one flat object, ASCII strings without
// escapes, plain integers. This scanner handles only that subset and only
// ever ACCEPTS: for anything else — a nested value, an escape, a non-ASCII
// byte, a float, a duplicate or missing field, a wrong type, an index out of
// range, a bad timestamp — it returns nullopt and the caller runs
// parse_event(), which then decides (and words the rejection). So the fast
// path can only be faster, never more lenient; test_sync_worker_parts checks
// that both give the same event on the PROTOCOL.md payload and mutations.
//
// Which thread: any; pure function.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

#include "protocol/events.hpp"
#include "protocol/codec.hpp"

namespace strokeviz::protocol::fast {

namespace detail {

inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class Scanner {
 public:
  explicit Scanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}
  void ws() {
    while (p_ != end_ && is_ws(*p_)) ++p_;
  }
  bool eat(char c) {
    ws();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool at_end() {
    ws();
    return p_ == end_;
  }
  char peek() {
    ws();
    return p_ == end_ ? '\0' : *p_;
  }
  // A string of printable ASCII without escapes; false for anything else.
  bool simple_string(std::string_view& out) {
    if (!eat('"')) return false;
    const char* start = p_;
    while (p_ != end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return true;
      }
      if (c < 0x20 || c > 0x7E || c == '\\') return false;
      ++p_;
    }
    return false;
  }
  // A non-negative integer without sign, fraction, exponent or leading zero, < 10^18.
  bool plain_index(std::int64_t& out) {
    ws();
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    const auto n = p_ - start;
    if (n == 0 || n > 18 || (n > 1 && *start == '0')) return false;
    if (p_ != end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    std::from_chars(start, p_, out);
    return true;
  }
  // Skips a scalar value of an unknown field: simple string, plain number, true/false/null.
  bool skip_scalar() {
    const char c = peek();
    if (c == '"') {
      std::string_view ignored;
      return simple_string(ignored);
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      if (*p_ == '-') ++p_;
      std::int64_t ignored = 0;
      return plain_index(ignored);
    }
    for (std::string_view word : {std::string_view("true"), std::string_view("false"), std::string_view("null")}) {
      if (static_cast<std::size_t>(end_ - p_) >= word.size() && std::string_view(p_, word.size()) == word) {
        p_ += word.size();
        return true;
      }
    }
    return false;
  }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace detail

// The fields of an accepted progress_update, as views into the payload.
struct ProgressViews {
  std::string_view session, node, timestamp, desc_l, desc_r;
  std::int64_t stroke = 0, pose = 0, total = 0, length = 0;
  TimeUs time_us = 0;
};

// The one scanner: true when `payload` is a progress_update that
// parse_event() would accept with the same values (then `v` holds them,
// without allocating); false means "ask parse_event()".
inline bool scan_progress(std::string_view payload, ProgressViews& v) {
  if (payload.size() > 64 * 1024) return false;
  enum Field { kType, kSession, kNode, kStroke, kPose, kTotal, kLength, kDescL, kDescR, kTime, kCount };
  static constexpr std::string_view kNames[kCount] = {
      "type", "session_id", "node_id", "stroke_idx", "pose_idx", "total_strokes", "stroke_length",
      "description_l", "description_r", "timestamp"};
  std::string_view str[kCount];
  std::int64_t num[kCount] = {};
  unsigned seen = 0;
  detail::Scanner s(payload);
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
      if (seen & (1u << f)) return false;  // duplicate: let the full parser decide
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
  v = ProgressViews{str[kSession], str[kNode], str[kTime], str[kDescL], str[kDescR],
                    num[kStroke],  num[kPose], num[kTotal], num[kLength], *t};
  return true;
}

// A progress_update on stroke:events:progress that parse_event() would accept
// with the same result, or nullopt (then call parse_event()).
inline std::optional<ProgressUpdate> progress_update(std::string_view channel, std::string_view payload,
                                                     TimeUs received_us) {
  ProgressViews v;
  if (channel != kChannelProgress || !scan_progress(payload, v)) return std::nullopt;
  ProgressUpdate u;
  u.header.channel = std::string(channel);
  u.header.node_id = std::string(v.node);
  u.header.timestamp = std::string(v.timestamp);
  u.header.time_us = v.time_us;
  u.header.received_us = received_us;
  u.session_id = std::string(v.session);
  u.stroke_idx = v.stroke;
  u.pose_idx = v.pose;
  u.total_strokes = v.total;
  u.stroke_length = v.length;
  u.description_l = std::string(v.desc_l);
  u.description_r = std::string(v.desc_r);
  return u;
}

// The fast path, else parse_event().
inline Expected<Event> parse_event(std::string_view channel, std::string_view payload) {
  const TimeUs now = now_us();
  if (auto u = progress_update(channel, payload, now)) return Event{std::move(*u)};
  return protocol::parse_event(channel, payload, now);
}

}  // namespace strokeviz::protocol::fast
