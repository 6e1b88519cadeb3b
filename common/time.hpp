// Time on the wire and on disk: microseconds since the Unix epoch (UTC), and
// the one codec for the robot's ISO-8601 timestamps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace strokeviz {

// Microseconds since the Unix epoch, UTC.
using TimeUs = std::int64_t;

// Parses the robot's ISO-8601 UTC form, `YYYY-MM-DDTHH:MM:SS` with an optional
// `.f` to `.ffffff` fraction (Python omits it when the microseconds are 0) and
// an optional `Z` / `+00:00` suffix. Error message says why.
Expected<TimeUs> parse_timestamp(std::string_view text);
// Writes `YYYY-MM-DDTHH:MM:SS.ffffff`, without the fraction when it is 0,
// exactly like Python's datetime.isoformat().
std::string format_timestamp(TimeUs t);
// The same into buf (>= 32 bytes), without allocating; returns the length.
std::size_t format_timestamp_to(char* buf, TimeUs t);
// The current system time (UTC) in microseconds.
TimeUs now_us();

}  // namespace strokeviz
