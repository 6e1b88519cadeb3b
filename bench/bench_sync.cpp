// bench_sync: event parsing (SAX vs nlohmann DOM) and queue throughput (ours vs Boost).
//
// Each pair runs in the same process, and the ratios are printed at the end.
#include <benchmark/benchmark.h>

#include <boost/lockfree/spsc_queue.hpp>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "protocol/codec.hpp"
#include "common/spsc_queue.hpp"

namespace {

using namespace strokeviz;
using namespace strokeviz::protocol;

// PROTOCOL.md's progress_update, on one line as the robot sends it.
const std::string kPayload =
    R"({"type": "progress_update", "session_id": "stroke_hog_1763758501", "node_id": "hog", )"
    R"("stroke_idx": 5, "pose_idx": 25, "total_strokes": 212, "stroke_length": 108, )"
    R"("description_l": "left arm stroke after inkdip in inkcap_left_large", )"
    R"("description_r": "right arm inkdip into inkcap_right_large to fill with bright_red ink", )"
    R"("timestamp": "2026-11-21T20:57:44.861002"})";

void BM_ParseEventSax(benchmark::State& state) {
  for (auto _ : state) {
    auto e = parse_event(kChannelProgress, kPayload, 0);
    if (!e.ok()) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(e);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPayload.size()));
}
BENCHMARK(BM_ParseEventSax);

// The DOM parse alone: the floor of any DOM-based parser.
void BM_ParseDom(benchmark::State& state) {
  for (auto _ : state) {
    auto j = nlohmann::json::parse(kPayload);
    benchmark::DoNotOptimize(j);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kPayload.size()));
}
BENCHMARK(BM_ParseDom);

// DOM parse plus the same field extraction and checks parse_event does.
void BM_ParseDomAndExtract(benchmark::State& state) {
  for (auto _ : state) {
    auto j = nlohmann::json::parse(kPayload, nullptr, false);
    ProgressUpdate p;
    if (!j.is_object() || j.value("type", "") != "progress_update") state.SkipWithError("bad");
    p.header.node_id = j.at("node_id").get<std::string>();
    p.header.timestamp = j.at("timestamp").get<std::string>();
    p.header.time_us = *parse_timestamp(p.header.timestamp);
    p.session_id = j.at("session_id").get<std::string>();
    p.stroke_idx = j.at("stroke_idx").get<std::int64_t>();
    p.pose_idx = j.at("pose_idx").get<std::int64_t>();
    p.total_strokes = j.at("total_strokes").get<std::int64_t>();
    p.stroke_length = j.at("stroke_length").get<std::int64_t>();
    p.description_l = j.at("description_l").get<std::string>();
    p.description_r = j.at("description_r").get<std::string>();
    if (p.stroke_idx >= p.total_strokes || p.pose_idx >= p.stroke_length) state.SkipWithError("range");
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_ParseDomAndExtract);

constexpr std::size_t kCapacity = 4096;
constexpr std::int64_t kItems = 1 << 20;

// kItems int64 pushed by a second thread and popped here, per iteration. Both
// sides yield when full/empty (as the real worker would not spin), which also
// keeps the figures meaningful when the two threads share a busy machine.
void BM_SpscOurs(benchmark::State& state) {
  SpscQueue<std::int64_t> q(kCapacity);
  for (auto _ : state) {
    std::thread producer([&q] {
      for (std::int64_t i = 0; i < kItems; ++i)
        while (!q.try_push(std::int64_t{i})) std::this_thread::yield();
    });
    std::int64_t sum = 0;
    for (std::int64_t n = 0; n < kItems;) {
      if (std::int64_t* v = q.front()) {
        sum += *v;
        q.pop();
        ++n;
      } else {
        std::this_thread::yield();
      }
    }
    producer.join();
    if (sum != kItems * (kItems - 1) / 2) state.SkipWithError("wrong sum");
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_SpscOurs)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_SpscBoost(benchmark::State& state) {
  boost::lockfree::spsc_queue<std::int64_t> q(kCapacity);
  for (auto _ : state) {
    std::thread producer([&q] {
      for (std::int64_t i = 0; i < kItems; ++i)
        while (!q.push(i)) std::this_thread::yield();
    });
    std::int64_t sum = 0;
    for (std::int64_t n = 0; n < kItems;) {
      std::int64_t v;
      if (q.pop(v)) {
        sum += v;
        ++n;
      } else {
        std::this_thread::yield();
      }
    }
    producer.join();
    if (sum != kItems * (kItems - 1) / 2) state.SkipWithError("wrong sum");
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_SpscBoost)->UseRealTime()->Unit(benchmark::kMillisecond);

// Console output plus the real time per iteration of each benchmark (the
// median when repetitions are asked for) for the ratios at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const std::string& name = r.run_name.function_name;
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (median || (r.run_type == Run::RT_Iteration && !has_median_.count(name))) {
        ns_[name] = r.real_accumulated_time / static_cast<double>(r.iterations) * 1e9;
        cpu_ns_[name] = r.cpu_accumulated_time / static_cast<double>(r.iterations) * 1e9;
      }
      if (median) has_median_[name] = true;
    }
  }
  // Real time per iteration in ns (0 when it did not run).
  double ns(const std::string& name) const { return get(ns_, name); }
  // CPU time of the benchmark thread per iteration in ns.
  double cpu_ns(const std::string& name) const { return get(cpu_ns_, name); }

 private:
  static double get(const std::map<std::string, double>& m, const std::string& name) {
    auto it = m.find(name);
    return it == m.end() ? 0 : it->second;
  }
  std::map<std::string, double> ns_, cpu_ns_;
  std::map<std::string, bool> has_median_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  // Parsing is single-threaded: CPU time is shown beside real time because a
  // busy machine preempts the benchmark thread. The queue needs both threads
  // running, so only real time means anything there.
  const char* parse[] = {"BM_ParseEventSax", "BM_ParseDom", "BM_ParseDomAndExtract"};
  const double sax = reporter.ns(parse[0]), sax_cpu = reporter.cpu_ns(parse[0]);
  const double ours = reporter.ns("BM_SpscOurs"), boost_q = reporter.ns("BM_SpscBoost");
  std::printf("\n--- bench_sync summary (payload %zu bytes; queue capacity %zu, %lld items/iteration)\n",
              kPayload.size(), kCapacity, static_cast<long long>(kItems));
  for (const char* name : parse) {
    const double real = reporter.ns(name), cpu = reporter.cpu_ns(name);
    if (real > 0 && sax > 0)
      std::printf("%-22s real %6.0f ns (%.2fx SAX)   cpu %6.0f ns (%.2fx SAX)\n", name, real,
                  real / sax, cpu, cpu / sax_cpu);
  }
  if (ours > 0 && boost_q > 0)
    std::printf("SPSC push/pop pairs across 2 threads (real time): ours %.1f M/s, boost %.1f M/s, "
                "ours/boost throughput %.2f\n",
                kItems / ours * 1e3, kItems / boost_q * 1e3, boost_q / ours);
  return 0;
}
