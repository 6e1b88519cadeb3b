// LatestValue<T>: a lock-free "newest value" cell for one writer and one reader (triple buffer).
//
// Why it exists: the sync worker publishes a StatusSnapshot (state, label,
// session id, reason — strings, so it cannot be a std::atomic) to the render
// thread. It cannot travel in the SPSC queue either: the queue may be full
// (the render thread is busy or minimised), and a status must never be lost
// or wait behind thousands of events — only the newest one matters. A mutex
// would let a slow reader stall the worker. So: three slots; the writer owns
// one, the reader owns one, and the third ("middle") is exchanged through one
// atomic byte holding its index plus a "new" bit. publish() never blocks and
// never fails; read() gets the newest published value or reports that nothing
// new came. Values published between two reads are skipped (newest wins).
//
// Which thread: exactly one thread calls publish() (the writer) and exactly
// one calls read()/current() (the reader). The writer may change between
// threads only with a happens-before edge (e.g. before std::thread starts,
// after join()).
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace strokeviz {

template <class T>
class LatestValue {
 public:
  LatestValue() = default;
  explicit LatestValue(const T& initial) : slots_{initial, initial, initial} {}
  LatestValue(const LatestValue&) = delete;
  LatestValue& operator=(const LatestValue&) = delete;

  // Writer: makes `v` the newest value. Never blocks.
  void publish(T v) {
    slots_[write_] = std::move(v);
    // Hand the filled slot over as the middle one, take the old middle to
    // write into next time. acq_rel: release our writes to the slot, acquire
    // the reader's last use of the slot we take back.
    const std::uint8_t old = middle_.exchange(static_cast<std::uint8_t>(write_ | kNew),
                                              std::memory_order_acq_rel);
    write_ = old & kIndexMask;
  }

  // Reader: if a value was published since the last read, copies the newest
  // into `out` and returns true; otherwise leaves `out` alone and returns false.
  bool read(T& out) {
    if (!refresh()) return false;
    out = slots_[read_];
    return true;
  }

  // Reader: takes the newest value, if any, into the reader's slot; returns
  // whether it was new. current() then refers to it.
  bool refresh() {
    if ((middle_.load(std::memory_order_relaxed) & kNew) == 0) return false;
    const std::uint8_t old = middle_.exchange(read_, std::memory_order_acq_rel);
    read_ = old & kIndexMask;
    return true;
  }
  // Reader: the value taken by the last refresh()/read() (T{} or `initial` before any).
  const T& current() const { return slots_[read_]; }

 private:
  static constexpr std::uint8_t kIndexMask = 0x3;
  static constexpr std::uint8_t kNew = 0x4;

  T slots_[3]{};
  std::uint8_t write_ = 0;                 // writer's slot
  alignas(64) std::atomic<std::uint8_t> middle_{1};  // the exchanged slot | kNew
  alignas(64) std::uint8_t read_ = 2;      // reader's slot
};

}  // namespace strokeviz
