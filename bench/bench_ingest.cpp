// bench_ingest: the whole sync path (socket → parse → queue → consumer) against a bare hiredis reader.
//
// One private redis-server, one process, every pair measured in the same run:
//   (a) drain rate: N tatbot-sized progress_update events are published while
//       the reader is held, then timed from release until the last one is
//       received (bare) or popped by the consumer thread (worker). Rounds
//       alternate; the median is shown. pubsub output buffers unlimited.
//   (b) a 200 000-event burst written like the robot (HSET, XADD MAXLEN ~10000,
//       PUBLISH, hiredis-pipelined) with Redis's default pubsub limit
//       (32mb 8mb 60): does the worker keep up, or is it dropped and then
//       reconnects and ends on the publisher's final state via the stream?
//   (c) latency publish → popped on a consumer thread woken through a
//       condition variable (standing in for glfwPostEmptyEvent) at 100, 1 000
//       and 10 000 events/s, against publish → received by the bare reader.
// Usage: bench_ingest [--quick]
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "protocol/codec.hpp"
#include "sync/worker.hpp"
#include "tests/support/redis_server.hpp"

namespace {

using namespace strokeviz;
using namespace strokeviz::protocol;
using namespace strokeviz::session;
using namespace strokeviz::sync;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kSession = "stroke_hog_1763758501";

std::int64_t ns_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// A tatbot-sized progress_update; `seq` travels as stroke_idx.
std::string payload(std::int64_t seq) {
  ProgressUpdate u;
  u.header.node_id = "hog";
  u.header.time_us = now_us();
  u.session_id = kSession;
  u.stroke_idx = seq;
  u.pose_idx = 25;
  u.total_strokes = 1'000'000;
  u.stroke_length = 108;
  u.description_l = "left arm stroke after inkdip in inkcap_left_large";
  u.description_r = "right arm inkdip into inkcap_right_large to fill with bright_red ink";
  return to_json(Event{u});
}

std::int64_t seq_of(std::string_view p) {
  constexpr std::string_view key = "\"stroke_idx\": ";
  const auto at = p.find(key);
  if (at == std::string_view::npos) return -1;
  std::int64_t v = -1;
  std::from_chars(p.data() + at + key.size(), p.data() + p.size(), v);
  return v;
}

redisContext* connect(int port) {
  redisContext* c = redisConnect("127.0.0.1", port);
  if (c == nullptr || c->err) {
    std::fprintf(stderr, "bench_ingest: connect: %s\n", c ? c->errstr : "alloc");
    std::exit(1);
  }
  return c;
}

void command(redisContext* c, const std::vector<std::string>& argv) {
  std::vector<const char*> p;
  std::vector<size_t> l;
  for (auto& a : argv) {
    p.push_back(a.data());
    l.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(p.size()), p.data(), l.data()));
  if (r != nullptr) freeReplyObject(r);
}

// Pipelined PUBLISH of `n` events (batches of 1000), optionally robot-style
// (HSET progress hash + XADD history before each PUBLISH).
void publish_burst(int port, std::int64_t n, bool robot_style) {
  redisContext* c = connect(port);
  const std::string hash_key = std::string("stroke:progress:") + kSession;
  const std::string stream_key = std::string("stream:stroke_history:") + kSession;
  std::int64_t pending = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::string p = payload(i);
    if (robot_style) {
      StrokeProgress sp;
      sp.time_us = now_us();
      sp.node_id = "hog";
      sp.stroke_idx = i;
      sp.pose_idx = 25;
      sp.total_strokes = 1'000'000;
      sp.stroke_length = 108;
      sp.is_executing = true;
      const std::string h = to_json(sp);
      const std::string s = std::to_string(i);
      redisAppendCommand(c, "HSET %b progress %b", hash_key.data(), hash_key.size(), h.data(), h.size());
      redisAppendCommand(c,
                         "XADD %b MAXLEN ~ 10000 * stroke_idx %b pose_idx 25 description_l l "
                         "description_r r node_id hog",
                         stream_key.data(), stream_key.size(), s.data(), s.size());
      pending += 2;
    }
    redisAppendCommand(c, "PUBLISH stroke:events:progress %b", p.data(), p.size());
    ++pending;
    if (pending >= 3000 || i + 1 == n) {
      for (; pending > 0; --pending) {
        void* r = nullptr;
        if (redisGetReply(c, &r) != REDIS_OK) {
          std::fprintf(stderr, "bench_ingest: publish: %s\n", c->errstr);
          std::exit(1);
        }
        freeReplyObject(r);
      }
    }
  }
  redisFree(c);
}

// The render loop's stand-in: waits on a condition variable, drains the queue.
class Consumer {
 public:
  explicit Consumer(std::int64_t max_seq) : popped_at_(static_cast<std::size_t>(max_seq), 0) {}
  std::function<void()> wake() {
    return [this] {
      {
        std::lock_guard<std::mutex> lock(m_);
        woken_ = true;
      }
      cv_.notify_one();
    };
  }
  void run(SyncWorker& w) {
    thread_ = std::thread([this, &w] {
      for (;;) {
        {
          std::unique_lock<std::mutex> lock(m_);
          cv_.wait_for(lock, 50ms, [this] { return woken_ || done_.load(); });
          woken_ = false;
        }
        const std::int64_t now = ns_now();
        while (FeedItem* it = w.queue().front()) {
          take(*it, now);
          w.queue().pop();
        }
        if (done_.load()) return;
      }
    });
  }
  void finish() {
    done_.store(true);
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  std::atomic<std::int64_t> events{0}, history{0}, snapshots{0};
  std::atomic<std::int64_t> last_ns{0};
  std::atomic<std::int64_t> final_seq{-1};  // stroke_idx of the last progress-like item
  std::vector<std::int64_t> popped_at_;     // consumer thread only until finish()

 private:
  void take(const FeedItem& it, std::int64_t now) {
    if (const Event* e = std::get_if<Event>(&it)) {
      if (const auto* p = std::get_if<ProgressUpdate>(e)) {
        if (p->stroke_idx >= 0 && static_cast<std::size_t>(p->stroke_idx) < popped_at_.size())
          popped_at_[static_cast<std::size_t>(p->stroke_idx)] = now;
        final_seq.store(p->stroke_idx);
      }
      events.fetch_add(1);
    } else if (const auto* h = std::get_if<HistoryEntry>(&it)) {
      history.fetch_add(1);
      final_seq.store(h->entry.stroke_idx);
    } else if (const auto* s = std::get_if<ProgressSnapshot>(&it)) {
      snapshots.fetch_add(1);
      final_seq.store(s->progress.stroke_idx);
    }
    last_ns.store(now);
  }
  std::mutex m_;
  std::condition_variable cv_;
  bool woken_ = false;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

WorkerOptions options(int port) {
  WorkerOptions o;
  o.redis.host = "127.0.0.1";
  o.redis.port = port;
  return o;
}

template <class Pred>
bool wait_for(Pred p, Clock::duration limit) {
  const auto end = Clock::now() + limit;
  while (!p()) {
    if (Clock::now() >= end) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// ---- (a) drain rate ------------------------------------------------------------

double bare_drain(int port, std::int64_t n) {
  redisContext* c = connect(port);
  command(c, {"SUBSCRIBE", "stroke:events:progress"});
  publish_burst(port, n, false);  // the reader is held: everything is buffered
  const auto t0 = Clock::now();
  std::int64_t got = 0;
  while (got < n) {
    void* r = nullptr;
    if (redisGetReply(c, &r) != REDIS_OK) break;
    ++got;  // only counts
    freeReplyObject(r);
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  redisFree(c);
  return got == n ? n / s : 0;
}

double worker_drain(int port, std::int64_t n, std::uint64_t* dropped) {
  Consumer consumer(0);
  std::mutex gate_m;
  std::condition_variable gate_cv;
  bool held = false, release = false;
  auto notify = consumer.wake();
  WorkerOptions o = options(port);
  o.wake = [&] {  // holds the worker thread (not reading its socket) until released
    {
      std::unique_lock<std::mutex> lock(gate_m);
      if (held && !release) gate_cv.wait(lock, [&] { return release; });
    }
    notify();
  };
  SyncWorker w(o);
  consumer.run(w);
  w.start();
  wait_for([&] { return w.status().state == SyncState::Connected; }, 5s);
  {
    std::lock_guard<std::mutex> lock(gate_m);
    held = true;
  }
  publish_burst(port, n, false);
  const auto t0 = Clock::now();
  {
    std::lock_guard<std::mutex> lock(gate_m);
    release = true;
  }
  gate_cv.notify_all();
  const bool ok = wait_for([&] { return consumer.events.load() + static_cast<std::int64_t>(w.dropped()) >= n; }, 30s);
  const auto t1 = consumer.last_ns.load();
  *dropped = w.dropped();
  w.stop();
  consumer.finish();
  const double s = (t1 - std::chrono::duration_cast<std::chrono::nanoseconds>(t0.time_since_epoch()).count()) * 1e-9;
  return ok ? consumer.events.load() / s : 0;
}

// ---- (c) latency ----------------------------------------------------------------

struct Pct {
  double p50 = 0, p99 = 0, max = 0;
  std::size_t n = 0;
};
Pct percentiles(std::vector<std::int64_t> v) {
  Pct p;
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.n = v.size();
  p.p50 = v[v.size() / 2] / 1000.0;
  p.p99 = v[std::min(v.size() - 1, static_cast<std::size_t>(v.size() * 0.99))] / 1000.0;
  p.max = v.back() / 1000.0;
  return p;
}

// Publishes n events at `rate`/s, one PUBLISH each; records the send time per seq.
void publish_paced(int port, std::int64_t n, double rate, std::vector<std::int64_t>& sent_at) {
  redisContext* c = connect(port);
  const auto start = Clock::now();
  for (std::int64_t i = 0; i < n; ++i) {
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<std::int64_t>(i * 1e9 / rate)));
    const std::string p = payload(i);
    sent_at[static_cast<std::size_t>(i)] = ns_now();
    auto* r = static_cast<redisReply*>(redisCommand(c, "PUBLISH stroke:events:progress %b", p.data(), p.size()));
    if (r) freeReplyObject(r);
  }
  redisFree(c);
}

Pct bare_latency(int port, std::int64_t n, double rate) {
  std::vector<std::int64_t> sent(n, 0), got(n, 0);
  redisContext* c = connect(port);
  command(c, {"SUBSCRIBE", "stroke:events:progress"});
  std::thread reader([&] {
    for (std::int64_t k = 0; k < n; ++k) {
      void* r = nullptr;
      if (redisGetReply(c, &r) != REDIS_OK) return;
      const std::int64_t now = ns_now();
      auto* rep = static_cast<redisReply*>(r);
      if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 3) {
        const std::int64_t s = seq_of({rep->element[2]->str, rep->element[2]->len});
        if (s >= 0 && s < n) got[static_cast<std::size_t>(s)] = now;
      }
      freeReplyObject(r);
    }
  });
  publish_paced(port, n, rate, sent);
  reader.join();
  redisFree(c);
  std::vector<std::int64_t> d;
  for (std::int64_t i = 0; i < n; ++i)
    if (got[i] > 0) d.push_back(got[i] - sent[i]);
  return percentiles(d);
}

Pct worker_latency(int port, std::int64_t n, double rate) {
  std::vector<std::int64_t> sent(n, 0);
  Consumer consumer(n);
  WorkerOptions o = options(port);
  o.wake = consumer.wake();
  SyncWorker w(o);
  consumer.run(w);
  w.start();
  wait_for([&] { return w.status().state == SyncState::Connected; }, 5s);
  publish_paced(port, n, rate, sent);
  wait_for([&] { return consumer.events.load() >= n; }, 5s);
  w.stop();
  consumer.finish();
  std::vector<std::int64_t> d;
  for (std::int64_t i = 0; i < n; ++i)
    if (consumer.popped_at_[i] > 0) d.push_back(consumer.popped_at_[i] - sent[i]);
  return percentiles(d);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  spdlog::set_level(spdlog::level::warn);  // no 'following ...' line per round
  strokeviz::test::RedisServer redis({"--client-output-buffer-limit", "pubsub 0 0 0"});
  if (!redis.ok()) {
    std::fprintf(stderr, "bench_ingest: %s\n", redis.error().c_str());
    return 1;
  }
  const int port = redis.port();
  std::printf("bench_ingest: redis-server on %s, payload %zu bytes, %u hardware threads\n\n",
              redis.address().c_str(), payload(123456).size(), std::thread::hardware_concurrency());

  // (a)
  const std::int64_t n_a = quick ? 50'000 : 200'000;
  std::vector<double> bare, worker;
  std::uint64_t dropped_total = 0;
  for (int round = 0; round < 3; ++round) {
    bare.push_back(bare_drain(port, n_a));
    std::uint64_t dropped = 0;
    worker.push_back(worker_drain(port, n_a, &dropped));
    dropped_total += dropped;
  }
  std::sort(bare.begin(), bare.end());
  std::sort(worker.begin(), worker.end());
  std::printf("(a) drain %lld buffered events, median of 3 alternating rounds\n", static_cast<long long>(n_a));
  std::printf("    %-44s %12s\n", "path", "events/s");
  std::printf("    %-44s %12.0f\n", "bare hiredis reader (counts only)", bare[1]);
  std::printf("    %-44s %12.0f\n", "SyncWorker: socket→parse→queue→consumer pop", worker[1]);
  std::printf("    ratio worker/bare: %.2f   (goal >= 0.6)   queue drops: %llu\n\n", worker[1] / bare[1],
              static_cast<unsigned long long>(dropped_total));

  // (b) default pubsub limit, robot-style burst.
  {
    redis.cli({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 33554432 8388608 60"});
    const std::int64_t n_b = quick ? 50'000 : 200'000;
    Consumer consumer(n_b);
    WorkerOptions o = options(port);
    o.wake = consumer.wake();
    SyncWorker w(o);
    consumer.run(w);
    w.start();
    wait_for([&] { return w.status().state == SyncState::Connected; }, 5s);
    const auto t0 = Clock::now();
    publish_burst(port, n_b, true);
    const double pub_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const bool final_ok = wait_for([&] { return consumer.final_seq.load() == n_b - 1; }, 20s);
    const double end_s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::int64_t distinct = 0;
    for (auto t : consumer.popped_at_) distinct += t > 0 ? 1 : 0;
    std::printf("(b) burst of %lld robot-style updates (HSET+XADD+PUBLISH, pipelined), pubsub limit 32mb 8mb 60\n",
                static_cast<long long>(n_b));
    std::printf("    published in %.2f s (%.0f events/s)\n", pub_s, n_b / pub_s);
    std::printf("    live events popped %lld (%.1f %%), history entries %lld, progress snapshots %lld\n",
                static_cast<long long>(consumer.events.load()), 100.0 * distinct / n_b,
                static_cast<long long>(consumer.history.load()),
                static_cast<long long>(consumer.snapshots.load()));
    std::printf("    rejected %llu, queue drops %llu, reconnects %llu  -> %s\n",
                static_cast<unsigned long long>(w.rejected()), static_cast<unsigned long long>(w.dropped()),
                static_cast<unsigned long long>(w.reconnects()),
                w.reconnects() == 0 ? "kept up (never disconnected)" : "disconnected by Redis, reconnected");
    std::printf("    final state stroke_idx %lld (publisher's last %lld): %s after %.2f s\n\n",
                static_cast<long long>(consumer.final_seq.load()), static_cast<long long>(n_b - 1),
                final_ok ? "MATCH" : "MISMATCH", end_s);
    w.stop();
    consumer.finish();
    redis.cli({"CONFIG", "SET", "client-output-buffer-limit", "pubsub 0 0 0"});
  }

  // (c)
  std::printf("(c) latency publish -> received (bare) / popped on a condvar-woken consumer (worker), µs\n");
  std::printf("    %-9s %-8s %7s %9s %9s %9s\n", "rate/s", "path", "n", "p50", "p99", "max");
  for (const double rate : {100.0, 1000.0, 10000.0}) {
    const double secs = rate <= 100 ? (quick ? 1.0 : 2.0) : rate <= 1000 ? (quick ? 1.0 : 2.0) : (quick ? 0.5 : 1.0);
    const auto n = static_cast<std::int64_t>(rate * secs);
    const Pct b = bare_latency(port, n, rate);
    const Pct w = worker_latency(port, n, rate);
    std::printf("    %-9.0f %-8s %7zu %9.1f %9.1f %9.1f\n", rate, "bare", b.n, b.p50, b.p99, b.max);
    std::printf("    %-9.0f %-8s %7zu %9.1f %9.1f %9.1f   p99 ratio %.2f (goal <= 1.5)\n", rate, "worker", w.n,
                w.p50, w.p99, w.max, b.p99 > 0 ? w.p99 / b.p99 : 0.0);
  }
  return 0;
}
