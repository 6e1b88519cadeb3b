// SpscQueue: two threads, object lifetimes, capacity 1, move-only elements.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "protocol/events.hpp"
#include "common/spsc_queue.hpp"

namespace strokeviz {
using namespace protocol;
namespace {

// Counts every construction and destruction; a moved-from object still counts.
struct Tracked {
  static inline std::atomic<std::int64_t> alive{0};
  static inline std::atomic<std::int64_t> constructed{0};

  explicit Tracked(std::uint64_t v) : value(v) { born(); }
  Tracked(const Tracked& o) : value(o.value) { born(); }
  Tracked(Tracked&& o) noexcept : value(o.value) { born(); }
  Tracked& operator=(const Tracked&) = default;
  Tracked& operator=(Tracked&&) = default;
  ~Tracked() {
    EXPECT_EQ(canary, kCanary) << "destroyed twice or never constructed";
    canary = 0;
    alive.fetch_sub(1, std::memory_order_relaxed);
  }
  static void born() {
    alive.fetch_add(1, std::memory_order_relaxed);
    constructed.fetch_add(1, std::memory_order_relaxed);
  }

  static constexpr std::uint64_t kCanary = 0x5eed5eed5eed5eedull;
  std::uint64_t value;
  std::uint64_t canary = kCanary;
};

TEST(SyncSpscQueue, TwoThreadsSumAKnownSeriesAndBalanceLifetimes) {
  constexpr std::uint64_t kN = 1'000'000;
  Tracked::alive = 0;
  Tracked::constructed = 0;
  {
    SpscQueue<Tracked> q(1000);
    std::thread producer([&] {
      for (std::uint64_t i = 0; i < kN; ++i)
        while (!q.try_emplace(i)) std::this_thread::yield();
    });
    std::uint64_t sum = 0, expected_next = 0;
    for (std::uint64_t got = 0; got < kN;) {
      Tracked* t = q.front();
      if (t == nullptr) {
        std::this_thread::yield();
        continue;
      }
      ASSERT_EQ(t->value, expected_next) << "out of order";  // FIFO
      ++expected_next;
      sum += t->value;
      q.pop();
      ++got;
    }
    producer.join();
    EXPECT_EQ(sum, kN * (kN - 1) / 2);
    EXPECT_EQ(q.front(), nullptr);
    EXPECT_EQ(q.size(), 0u);
  }
  EXPECT_EQ(Tracked::constructed.load(), static_cast<std::int64_t>(kN));  // emplaced in place
  EXPECT_EQ(Tracked::alive.load(), 0);
}

TEST(SyncSpscQueue, DestroysElementsLeftInTheQueue) {
  Tracked::alive = 0;
  {
    SpscQueue<Tracked> q(8);
    for (std::uint64_t i = 0; i < 5; ++i) EXPECT_TRUE(q.try_push(Tracked(i)));
    ASSERT_NE(q.front(), nullptr);
    q.pop();
    EXPECT_EQ(q.size(), 4u);
    EXPECT_EQ(Tracked::alive.load(), 4);
  }
  EXPECT_EQ(Tracked::alive.load(), 0);
  {  // wrapped around the ring end when destroyed
    SpscQueue<Tracked> q(3);
    for (std::uint64_t i = 0; i < 10; ++i) {
      ASSERT_TRUE(q.try_emplace(i));
      if (i < 7) {  // the last three stay, at ring slots 3, 0, 1: wrapped
        ASSERT_NE(q.front(), nullptr);
        q.pop();
      }
    }
    EXPECT_EQ(q.size(), 3u);
    EXPECT_FALSE(q.try_emplace(std::uint64_t{99}));
  }
  EXPECT_EQ(Tracked::alive.load(), 0);
}

// Contract breach made harmless: pop() without a preceding front() still
// keeps front() from reading past the last element.
TEST(SyncSpscQueue, PopWithoutFrontKeepsFrontInBounds) {
  SpscQueue<int> q(8);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(q.try_push(int{i}));
  q.pop();
  int n = 0;
  while (q.front() != nullptr) {
    q.pop();
    ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST(SyncSpscQueue, CapacityOne) {
  SpscQueue<int> q(1);
  EXPECT_EQ(q.capacity(), 1u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.front(), nullptr);
  EXPECT_TRUE(q.try_push(7));
  EXPECT_FALSE(q.try_push(8));  // full
  EXPECT_EQ(q.size(), 1u);
  ASSERT_NE(q.front(), nullptr);
  EXPECT_EQ(*q.front(), 7);
  q.pop();
  EXPECT_EQ(q.front(), nullptr);
  EXPECT_TRUE(q.try_push(9));
  EXPECT_EQ(*q.front(), 9);
  q.pop();
  EXPECT_THROW(SpscQueue<int>(0), std::invalid_argument);
}

TEST(SyncSpscQueue, CapacityOneAcrossThreads) {
  constexpr int kN = 100'000;
  SpscQueue<int> q(1);
  std::thread producer([&] {
    for (int i = 1; i <= kN; ++i)
      while (!q.try_push(int{i})) std::this_thread::yield();
  });
  long long sum = 0;
  for (int got = 0; got < kN;) {
    if (int* v = q.front()) {
      sum += *v;
      q.pop();
      ++got;
    } else {
      std::this_thread::yield();
    }
  }
  producer.join();
  EXPECT_EQ(sum, static_cast<long long>(kN) * (kN + 1) / 2);
}

TEST(SyncSpscQueue, MoveOnlyElements) {
  SpscQueue<std::unique_ptr<std::string>> q(2);
  auto a = std::make_unique<std::string>("a");
  EXPECT_TRUE(q.try_push(std::move(a)));
  EXPECT_EQ(a, nullptr);  // moved from on success
  EXPECT_TRUE(q.try_emplace(std::make_unique<std::string>("b")));
  auto c = std::make_unique<std::string>("c");
  EXPECT_FALSE(q.try_push(std::move(c)));
  ASSERT_NE(c, nullptr);  // left untouched when full
  EXPECT_EQ(**q.front(), "a");
  std::unique_ptr<std::string> taken = std::move(*q.front());
  q.pop();
  EXPECT_EQ(*taken, "a");
  EXPECT_EQ(**q.front(), "b");
  static_assert(!std::is_copy_constructible_v<SpscQueue<int>>);
  static_assert(!std::is_copy_assignable_v<SpscQueue<int>>);
}

TEST(SyncSpscQueue, CarriesEventsByValue) {
  SpscQueue<Event> q(4);
  ProgressUpdate p;
  p.description_l = std::string(1000, 'l');
  p.pose_idx = 25;
  EXPECT_TRUE(q.try_push(Event{std::move(p)}));
  std::thread consumer([&] {
    Event* e = nullptr;
    while ((e = q.front()) == nullptr) std::this_thread::yield();
    EXPECT_EQ(std::get<ProgressUpdate>(*e).pose_idx, 25);
    EXPECT_EQ(std::get<ProgressUpdate>(*e).description_l.size(), 1000u);
    q.pop();
  });
  consumer.join();
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace strokeviz
