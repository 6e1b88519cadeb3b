// On-screen latency: a progress_update published to Redis -> the first
// swapped frame of the viewer that shows it, with the viewer idle-waiting for
// events (render on demand). The viewer measures it per frame (event
// timestamp -> after glfwSwapBuffers, same machine clock) and reports it in
// --dump-state. Run under a display: scripts/with_xvfb.sh build/bench/bench_onscreen
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/publisher.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"

namespace {
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using strokeviz::test::finish_process;
using strokeviz::test::RedisServer;
using strokeviz::test::start_process;
using strokeviz::test::wait_for_text;

// One viewer run: `rate` progress events per second for `seconds`.
bool run(RedisServer& redis, int rate, double seconds) {
  const fs::path state = fs::temp_directory_path() / "strokeviz-bench-onscreen.json";
  const double quit_after = seconds + 3.0;
  auto viewer = start_process({STROKEVIZ_EXE, "--scene=tatbotlogo", "--sync", "--no-record", "--redis", redis.address(),
                               "--quit-after=" + std::to_string(quit_after), "--dump-state", state.string()});
  if (wait_for_text(viewer.err_path, "SyncWorker: following", 20s).empty()) {
    std::fprintf(stderr, "viewer did not connect\n");
    return false;
  }
  strokeviz::sync::RedisConfig cfg;
  (void)cfg.set_address(redis.address());
  strokeviz::tools::StateManager pub(cfg, {.node_id = "bench"});
  if (!pub.start_stroke_session(19, 128, "tatbotlogo")) return false;
  const int n = static_cast<int>(rate * seconds);
  const auto period = std::chrono::nanoseconds(1'000'000'000LL / rate);
  auto next = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    next += period;
    std::this_thread::sleep_until(next);  // the robot's pace
    const int stroke = (i / 26) % 19, pose = (i % 26) * 5 % 128;
    if (!pub.update_stroke_progress(stroke, pose, "left", "right", 15, 15)) return false;
  }
  (void)pub.end_stroke_session();
  const auto r = finish_process(viewer, 60s);
  if (r.exit_code != 0) {
    std::fprintf(stderr, "viewer failed: %s\n", r.err.c_str());
    return false;
  }
  std::ifstream in(state);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("event_to_swap_us")) return false;
  const auto& l = j["event_to_swap_us"];
  std::printf("%6d events/s  %6d published  %6lld frames  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (goal p99 < 20 ms)\n",
              rate, n, j["frames_rendered"].get<long long>(), l["p50"].get<double>() / 1000.0,
              l["p99"].get<double>() / 1000.0, l["max"].get<double>() / 1000.0);
  return true;
}
}  // namespace

int main() {
  RedisServer redis;
  if (!redis.ok()) {
    std::fprintf(stderr, "%s\n", redis.error().c_str());
    return 1;
  }
  std::printf("publish -> first swapped frame showing it, viewer waiting for events (Mesa llvmpipe)\n");
  bool ok = true;
  for (int rate : {2, 10, 100}) ok = run(redis, rate, rate == 2 ? 10.0 : 5.0) && ok;
  return ok ? 0 : 1;
}
