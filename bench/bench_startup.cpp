// Start-up figure: process start to first swapped frame of `strokeviz
// --scene=tatbotlogo`, against a bare GLFW+glad window measured in the same
// run. Run under a display (scripts/with_xvfb.sh build/bench/bench_startup).
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/process.hpp"

namespace {
using namespace std::chrono_literals;
using strokeviz::test::run_process;
namespace fs = std::filesystem;

struct Stats { double median, p90, min; };
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 9 / 10)], v.front()};
}

double steady_now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Spawn to first swapped frame of one viewer run, in ms (steady_clock is
// system-wide on Linux, so the child's --dump-state time compares), or -1.
// This includes exec and dynamic loading, which main()-relative times miss.
double viewer_once(const std::vector<std::string>& extra) {
  const fs::path state = fs::temp_directory_path() / "strokeviz-bench-startup.json";
  std::vector<std::string> args{STROKEVIZ_EXE, "--scene=tatbotlogo", "--paused", "--quit-after=0.001",
                                "--dump-state", state.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const double t0 = steady_now_ms();
  const auto r = run_process(args, 60s);
  if (r.exit_code != 0) { std::fprintf(stderr, "viewer failed: %s\n", r.err.c_str()); return -1; }
  std::ifstream in(state);
  return nlohmann::json::parse(in).value("first_frame_steady_ms", t0 - 1.0) - t0;
}

double bare_once() {
  const double t0 = steady_now_ms();
  const auto r = run_process({BARE_EXE}, 60s);
  double ms = -1, steady = -1;
  if (r.exit_code != 0 || std::sscanf(r.out.c_str(), "first_frame_ms %lf first_frame_steady_ms %lf", &ms, &steady) != 2)
    return -1;
  return steady - t0;
}

void report(const char* name, const std::vector<double>& v, double base) {
  const Stats s = stats(v);
  std::printf("%-34s median %7.1f ms  p90 %7.1f ms  min %7.1f ms  (%.2fx bare)\n", name, s.median, s.p90, s.min,
              s.median / base);
}
}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(3, std::atoi(argv[1])) : 10;
  std::vector<double> bare, viewer, real;
  for (int i = 0; i < runs; ++i) {  // interleaved so machine noise hits all alike
    bare.push_back(bare_once());
    viewer.push_back(viewer_once({}));
    real.push_back(viewer_once({"--urdf", std::string(STROKEVIZ_SHARED_DIR) + "/tatbot/urdf/tatbot.urdf"}));
  }
  auto bad = [](const std::vector<double>& v) { return std::any_of(v.begin(), v.end(), [](double x) { return x < 0; }); };
  if (bad(viewer) || bad(real) || bad(bare)) return 1;
  const double base = stats(bare).median;
  std::printf("spawn -> first swapped frame (exec and dynamic loading included), %d runs each (goal: viewer < 300 ms)\n", runs);
  report("bare GLFW+glad window", bare, base);
  report("strokeviz tatbotlogo (own URDF)", viewer, base);
  report("strokeviz tatbotlogo (real URDF)", real, base);
  return 0;
}
