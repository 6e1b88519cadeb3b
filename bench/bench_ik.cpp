// bench_ik: µs per warm-started and cold IK solve and per FK call, with IK/FK ratios from the same run.
#include <cstdio>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "model/ik.hpp"
#include "model/robot_model.hpp"
#include "load/urdf_loader.hpp"
#include "load/scene_loader.hpp"

namespace {

using namespace strokeviz::model;

const RobotModel& model() {
  static const RobotModel m = [] {
    auto r = strokeviz::load::load_urdf(STROKEVIZ_SOURCE_DIR "/assets/tatbot.urdf");
    if (!r.ok()) throw std::runtime_error(r.error().str());
    if (auto a = r->set_arms({"left/tattoo_needle", "right/tattoo_needle"}); !a.ok()) {
      throw std::runtime_error(a.error().str());
    }
    return std::move(r).value();
  }();
  return m;
}

// conf/poses/{left,right}/ready.yaml and conf/arms/default.yaml of the real tatbot.
const JointVector kReady{-0.333, 0.639, 0.667, -1.034, 0.541, 2.240, 0.04,
                         0.333,  0.639, 0.667, -1.034, -0.541, -2.240, 0.04};
const Eigen::Quaterniond kRotLeft(0.7071, 0, 0, -0.7071);
const Eigen::Vector3d kLasercross(0.25045, 0.0, 0.102);

struct Case {
  Eigen::Vector3d target;
  JointVector seed;
};

// Strokes across the 100 mm design square, 1 mm apart: each seed is the
// previous pose's solution, as in the viewer.
std::vector<Case> warm_cases() {
  const ArmIk ik(model(), 0);
  std::vector<Case> cases;
  for (int row = 0; row <= 20; ++row) {
    JointVector q = kReady;
    for (int col = 0; col <= 100; ++col) {
      const Eigen::Vector3d t = kLasercross + Eigen::Vector3d(-0.05 + 0.001 * col, -0.05 + 0.005 * row, 0.0);
      if (col > 0) cases.push_back({t, q});
      q = ik.solve(t, kRotLeft, q).q;
    }
  }
  return cases;
}

// Random points over the square and ±10 mm deep, from the ready pose.
std::vector<Case> cold_cases() {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-0.05, 0.05), d(-0.01, 0.01);
  std::vector<Case> cases;
  for (int i = 0; i < 1000; ++i) cases.push_back({kLasercross + Eigen::Vector3d(u(rng), u(rng), d(rng)), kReady});
  return cases;
}

void solve_cases(benchmark::State& state, const std::vector<Case>& cases) {
  const ArmIk ik(model(), 0);
  size_t i = 0;
  int unreached = 0;
  for (auto _ : state) {
    const Case& c = cases[i];
    IkResult r = ik.solve(c.target, kRotLeft, c.seed);
    unreached += !r.reachable;
    benchmark::DoNotOptimize(r);
    i = i + 1 == cases.size() ? 0 : i + 1;
  }
  state.counters["unreached"] = unreached;
}

void BM_IkWarm(benchmark::State& state) {
  static const std::vector<Case> cases = warm_cases();
  solve_cases(state, cases);
}
BENCHMARK(BM_IkWarm)->Unit(benchmark::kMicrosecond);

void BM_IkCold(benchmark::State& state) {
  static const std::vector<Case> cases = cold_cases();
  solve_cases(state, cases);
}
BENCHMARK(BM_IkCold)->Unit(benchmark::kMicrosecond);

void BM_Fk(benchmark::State& state) {
  std::vector<Eigen::Isometry3d> world;
  JointVector q = kReady;
  for (auto _ : state) {
    q[0] += 1e-6;
    model().forward_kinematics(q, world);
    benchmark::DoNotOptimize(world.data());
  }
}
BENCHMARK(BM_Fk)->Unit(benchmark::kMicrosecond);

// Console output plus the per-iteration times, for the summary.
class Recorder : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.run_type != Run::RT_Iteration) continue;
      us[r.benchmark_name()] = r.GetAdjustedRealTime();
      cpu_us[r.benchmark_name()] = r.GetAdjustedCPUTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> us, cpu_us;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Recorder rec;
  benchmark::RunSpecifiedBenchmarks(&rec);
  // Ratios from CPU time: on a shared machine wall time also counts waiting.
  const double fk = rec.cpu_us.count("BM_Fk") ? rec.cpu_us["BM_Fk"] : 0.0;
  std::printf("\nFK (whole model, %zu links): %.3f us CPU per call (%.3f us wall)\n", model().links().size(), fk,
              rec.us["BM_Fk"]);
  for (const char* name : {"BM_IkWarm", "BM_IkCold"}) {
    if (!rec.cpu_us.count(name) || fk <= 0.0) continue;
    std::printf("%s: %.2f us CPU per solve (%.2f us wall) = %.1f x FK\n", name, rec.cpu_us[name], rec.us[name],
                rec.cpu_us[name] / fk);
  }
  benchmark::Shutdown();
  return 0;
}
