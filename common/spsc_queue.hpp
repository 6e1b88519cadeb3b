// Bounded lock-free single-producer/single-consumer queue (the worker -> render bridge).
//
// Shaped like rigtorp/SPSCQueue: a fixed ring of capacity+1 slots, the write
// and read indices on their own cache lines, and each side caching the other
// side's index so that the common case touches no shared line. Exactly one
// thread may call try_push/try_emplace (the producer) and exactly one thread
// front/pop (the consumer); size() and empty() may be called from either and
// are only a snapshot.
//
// Why not boost::lockfree::spsc_queue: checked against Boost 1.74 (Debian 12)
// by compiling a probe: its push(T const&) copy-constructs into the ring (no
// move overload: a std::unique_ptr<int> element fails to compile at
// spsc_queue.hpp:113), pop(T&) copy-assigns out (line 396), and the run-time
// sized ring's destructor default-constructs a T to drain into (line 579: a
// type without a default constructor fails to compile). So it needs T
// default-constructible and copyable, and every event (several std::strings)
// would be copied twice. This queue moves in, lets the consumer read in place
// through front(), and needs only a move constructor. bench_sync compares
// the two on int64 in the same run.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace strokeviz {

template <class T, class Allocator = std::allocator<T>>
class SpscQueue {
  using Traits = std::allocator_traits<Allocator>;

 public:
  explicit SpscQueue(std::size_t capacity, const Allocator& alloc = Allocator())
      : capacity_(capacity), allocator_(alloc) {
    if (capacity_ < 1) throw std::invalid_argument("SpscQueue: capacity must be at least 1");
    // One slot stays empty to tell full from empty; padding on both ends keeps
    // the slots off the cache lines of neighbouring allocations.
    if (capacity_ > SIZE_MAX - 1 - 2 * kPadding) throw std::length_error("SpscQueue: capacity");
    slots_ = Traits::allocate(allocator_, capacity_ + 1 + 2 * kPadding);
  }

  ~SpscQueue() {
    while (front() != nullptr) pop();
    Traits::deallocate(allocator_, slots_, capacity_ + 1 + 2 * kPadding);
  }

  SpscQueue(const SpscQueue&) = delete;
  SpscQueue& operator=(const SpscQueue&) = delete;

  // Producer: constructs an element in place; false (nothing constructed) when full.
  template <class... Args>
    requires std::is_constructible_v<T, Args&&...>
  [[nodiscard]] bool try_emplace(Args&&... args) noexcept(
      std::is_nothrow_constructible_v<T, Args&&...>) {
    const std::size_t write = write_idx_.load(std::memory_order_relaxed);
    std::size_t next = write + 1;
    if (next == capacity_ + 1) next = 0;
    if (next == read_idx_cache_) {
      read_idx_cache_ = read_idx_.load(std::memory_order_acquire);
      if (next == read_idx_cache_) return false;
    }
    Traits::construct(allocator_, slots_ + kPadding + write, std::forward<Args>(args)...);
    write_idx_.store(next, std::memory_order_release);
    return true;
  }

  // Producer: false when full (the value is then left untouched).
  [[nodiscard]] bool try_push(T&& v) noexcept(std::is_nothrow_move_constructible_v<T>) {
    return try_emplace(std::move(v));
  }
  [[nodiscard]] bool try_push(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>)
    requires std::is_copy_constructible_v<T>
  {
    return try_emplace(v);
  }

  // Consumer: the oldest element, or null when empty.
  [[nodiscard]] T* front() noexcept {
    const std::size_t read = read_idx_.load(std::memory_order_relaxed);
    if (read == write_idx_cache_) {
      write_idx_cache_ = write_idx_.load(std::memory_order_acquire);
      if (write_idx_cache_ == read) return nullptr;
    }
    return slots_ + kPadding + read;
  }

  // Consumer: destroys the oldest element. Only after front() returned non-null.
  void pop() noexcept {
    static_assert(std::is_nothrow_destructible_v<T>, "T must have a noexcept destructor");
    const std::size_t read = read_idx_.load(std::memory_order_relaxed);
    // Keeps the cached write index at or ahead of the read index even when
    // the caller skipped front(), so the next front() never reads past it.
    if (read == write_idx_cache_) write_idx_cache_ = write_idx_.load(std::memory_order_acquire);
    assert(read != write_idx_cache_ && "pop() on an empty SpscQueue");
    Traits::destroy(allocator_, slots_ + kPadding + read);
    std::size_t next = read + 1;
    if (next == capacity_ + 1) next = 0;
    read_idx_.store(next, std::memory_order_release);
  }

  // Either side: how many elements are queued (a snapshot).
  [[nodiscard]] std::size_t size() const noexcept {
    const std::ptrdiff_t diff =
        static_cast<std::ptrdiff_t>(write_idx_.load(std::memory_order_acquire)) -
        static_cast<std::ptrdiff_t>(read_idx_.load(std::memory_order_acquire));
    return diff < 0 ? static_cast<std::size_t>(diff + static_cast<std::ptrdiff_t>(capacity_ + 1))
                    : static_cast<std::size_t>(diff);
  }
  [[nodiscard]] bool empty() const noexcept {
    return write_idx_.load(std::memory_order_acquire) == read_idx_.load(std::memory_order_acquire);
  }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  static constexpr std::size_t kCacheLine = 64;
  static constexpr std::size_t kPadding = (kCacheLine - 1) / sizeof(T) + 1;

  const std::size_t capacity_;
  Allocator allocator_;
  T* slots_ = nullptr;

  // Producer's line: its index and its cached copy of the consumer's.
  alignas(kCacheLine) std::atomic<std::size_t> write_idx_{0};
  std::size_t read_idx_cache_ = 0;
  // Consumer's line.
  alignas(kCacheLine) std::atomic<std::size_t> read_idx_{0};
  std::size_t write_idx_cache_ = 0;
  // Keep whatever follows this object off the consumer's line.
  char padding_[kCacheLine - sizeof(std::atomic<std::size_t>) - sizeof(std::size_t)];
};

}  // namespace strokeviz
