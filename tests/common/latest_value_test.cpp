// LatestValue: newest-wins hand-off, no torn values, across two threads.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "common/latest_value.hpp"

namespace strokeviz {
namespace {

TEST(LatestValue, ReadsNothingUntilPublishedThenTheNewest) {
  LatestValue<int> v(7);
  int out = -1;
  EXPECT_FALSE(v.read(out));
  EXPECT_EQ(out, -1);
  EXPECT_EQ(v.current(), 7);
  v.publish(1);
  v.publish(2);
  v.publish(3);
  ASSERT_TRUE(v.read(out));
  EXPECT_EQ(out, 3) << "values published between reads are skipped: newest wins";
  EXPECT_FALSE(v.read(out));
  EXPECT_EQ(v.current(), 3);
  v.publish(4);
  EXPECT_TRUE(v.refresh());
  EXPECT_EQ(v.current(), 4);
}

// A value whose parts must stay consistent: a string and its own checksum.
struct Stamped {
  std::uint64_t n = 0;
  std::string text;  // "value <n>" padded, so a torn read shows
};

TEST(LatestValue, TwoThreadsSeeIncreasingWholeValuesAndTheLastOne) {
  constexpr std::uint64_t kCount = 200000;
  LatestValue<Stamped> cell;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (std::uint64_t i = 1; i <= kCount; ++i)
      cell.publish(Stamped{i, "value " + std::to_string(i) + std::string(i % 64, 'x')});
    done.store(true, std::memory_order_release);
  });
  std::uint64_t last = 0, reads = 0, bad = 0;
  Stamped out;
  for (;;) {
    const bool finished = done.load(std::memory_order_acquire);
    if (cell.read(out)) {
      ++reads;
      if (out.n <= last) ++bad;  // never older than what was already seen
      if (out.text != "value " + std::to_string(out.n) + std::string(out.n % 64, 'x')) ++bad;
      last = out.n;
    } else if (finished) {
      break;  // nothing new after the writer finished: `last` is the final value
    }
  }
  writer.join();
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(last, kCount) << "the newest value always arrives";
  EXPECT_GT(reads, 0u);
}

}  // namespace
}  // namespace strokeviz
