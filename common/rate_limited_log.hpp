// At most one log line per key per interval, with a count of what was suppressed.
//
// Used by the sync worker thread for bad input, so that a flood of broken
// payloads costs one line a second per channel/reason, not one per message.
// Not thread-safe: one instance per thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace strokeviz {

class RateLimitedLog {
 public:
  using Clock = std::chrono::steady_clock;
  // Keys beyond this many share one bucket (channel names come from the wire).
  static constexpr std::size_t kMaxKeys = 256;

  explicit RateLimitedLog(Clock::duration interval = std::chrono::seconds(1))
      : interval_(interval) {}

  // Whether a line for `key` may be written now. When it may, returns how many
  // calls for the key were suppressed since its last line (0 the first time);
  // otherwise nullopt, and the call is counted as suppressed.
  std::optional<std::uint64_t> admit(std::string_view key, Clock::time_point now);

  // admit() and, when admitted, spdlog::warn("<message>" + " (N similar
  // suppressed)" when N > 0). Returns whether a line was written.
  bool warn(std::string_view key, std::string_view message, Clock::time_point now = Clock::now());

  // Total calls suppressed so far, over all keys.
  std::uint64_t suppressed_total() const { return suppressed_total_; }

 private:
  struct Entry {
    Clock::time_point last{};
    std::uint64_t suppressed = 0;
  };
  Clock::duration interval_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::uint64_t suppressed_total_ = 0;
};

}  // namespace strokeviz
