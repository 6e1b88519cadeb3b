// The one timestamp codec: the robot's ISO-8601 UTC strings <-> microseconds since the epoch.
#include "common/time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

namespace strokeviz {
namespace {

constexpr std::int64_t kUsPerSec = 1'000'000;
constexpr std::int64_t kSecPerDay = 86'400;

// Howard Hinnant's days_from_civil: days since 1970-01-01 (proleptic Gregorian).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t y;
  unsigned m, d;
};

constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

constexpr bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly n digits at s[pos]; false if any is not a digit.
bool digits(std::string_view s, std::size_t pos, std::size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

Error bad_time(std::string_view text, const char* why) {
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  return Error{"", 0, std::string("not an ISO-8601 time '") + shown + "': " + why};
}

}  // namespace

Expected<TimeUs> parse_timestamp(std::string_view s) {
  unsigned year, mon, day, hh, mm, ss;
  if (!digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mon) ||
      s[7] != '-' || !digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != ' ') ||
      !digits(s, 11, 2, hh) || s[13] != ':' || !digits(s, 14, 2, mm) || s[16] != ':' ||
      !digits(s, 17, 2, ss))
    return bad_time(s, "expected YYYY-MM-DDTHH:MM:SS");
  if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon))
    return bad_time(s, "no such date");
  if (hh > 23 || mm > 59 || ss > 59) return bad_time(s, "no such time of day");
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::size_t n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && n < 6) {
      micros = micros * 10 + (s[pos] - '0');
      ++pos;
      ++n;
    }
    if (n == 0) return bad_time(s, "empty fraction");
    for (; n < 6; ++n) micros *= 10;
  }
  const std::string_view rest = s.substr(pos);
  if (!rest.empty() && rest != "Z" && rest != "+00:00")
    return bad_time(s, "unexpected text after the time (only UTC is accepted)");
  const std::int64_t secs =
      days_from_civil(year, mon, day) * kSecPerDay + hh * 3600 + mm * 60 + ss;
  return secs * kUsPerSec + micros;
}

std::string format_timestamp(TimeUs t) {
  std::int64_t secs = t / kUsPerSec;
  std::int64_t micros = t % kUsPerSec;
  if (micros < 0) {
    micros += kUsPerSec;
    --secs;
  }
  std::int64_t days = secs / kSecPerDay;
  std::int64_t sod = secs % kSecPerDay;
  if (sod < 0) {
    sod += kSecPerDay;
    --days;
  }
  const Civil c = civil_from_days(days);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d",
                        static_cast<long long>(c.y), c.m, c.d, static_cast<int>(sod / 3600),
                        static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  if (micros != 0)
    n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%06lld",
                       static_cast<long long>(micros));
  return std::string(buf, static_cast<std::size_t>(n));
}

TimeUs now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::size_t format_timestamp_to(char* buf, TimeUs t) {
  constexpr std::int64_t kUs = 1000000, kDay = 86400;
  std::int64_t secs = t / kUs, micros = t % kUs;
  if (micros < 0) {
    micros += kUs;
    --secs;
  }
  std::int64_t days = secs / kDay, sod = secs % kDay;
  if (sod < 0) {
    sod += kDay;
    --days;
  }
  // civil_from_days (H. Hinnant)
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  if (y < 0 || y > 9999) {  // rare: the general formatter
    const std::string s = format_timestamp(t);
    std::memcpy(buf, s.data(), std::min<std::size_t>(s.size(), 31));
    return std::min<std::size_t>(s.size(), 31);
  }
  auto put = [](char* p, std::int64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  put(buf, y, 4);
  buf[4] = '-';
  put(buf + 5, m, 2);
  buf[7] = '-';
  put(buf + 8, d, 2);
  buf[10] = 'T';
  put(buf + 11, sod / 3600, 2);
  buf[13] = ':';
  put(buf + 14, sod / 60 % 60, 2);
  buf[16] = ':';
  put(buf + 17, sod % 60, 2);
  if (micros == 0) return 19;
  buf[19] = '.';
  put(buf + 20, micros, 6);
  return 26;
}

}  // namespace strokeviz
