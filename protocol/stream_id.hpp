// Redis stream ids "<ms>-<seq>" of the robot's history stream: parse, order, next.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strokeviz::protocol {

struct StreamId {
  std::uint64_t ms = 0, seq = 0;
  static std::optional<StreamId> parse(std::string_view s) {
    const auto dash = s.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    StreamId id;
    const auto a = std::from_chars(s.data(), s.data() + dash, id.ms);
    const auto b = std::from_chars(s.data() + dash + 1, s.data() + s.size(), id.seq);
    if (a.ec != std::errc() || b.ec != std::errc() || a.ptr != s.data() + dash || b.ptr != s.data() + s.size())
      return std::nullopt;
    return id;
  }
  bool operator<(const StreamId& o) const { return ms < o.ms || (ms == o.ms && seq < o.seq); }
  // The smallest id after this one: an exclusive XRANGE start, also on Redis < 6.2.
  std::string next() const {
    return seq == UINT64_MAX ? std::to_string(ms + 1) + "-0" : std::to_string(ms) + "-" + std::to_string(seq + 1);
  }
};

// The smallest id after `id`; "" when `id` is not "<ms>-<seq>".
inline std::string next_stream_id(std::string_view id) {
  const auto s = StreamId::parse(id);
  return s ? s->next() : std::string();
}

}  // namespace strokeviz::protocol
