// RateLimitedLog: the per-key admission and the spdlog line.
#include "common/rate_limited_log.hpp"

#include <spdlog/spdlog.h>

namespace strokeviz {

std::optional<std::uint64_t> RateLimitedLog::admit(std::string_view key, Clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxKeys) {
      key = "(other)";
      it = entries_.find(key);
    }
    if (it == entries_.end()) {
      entries_.emplace(std::string(key), Entry{now, 0});
      return 0;
    }
  }
  Entry& e = it->second;
  if (now - e.last >= interval_) {
    const std::uint64_t n = e.suppressed;
    e = Entry{now, 0};
    return n;
  }
  ++e.suppressed;
  ++suppressed_total_;
  return std::nullopt;
}

bool RateLimitedLog::warn(std::string_view key, std::string_view message, Clock::time_point now) {
  const auto n = admit(key, now);
  if (!n) return false;
  if (*n > 0)
    spdlog::warn("{} ({} similar suppressed)", message, *n);
  else
    spdlog::warn("{}", message);
  return true;
}

}  // namespace strokeviz
