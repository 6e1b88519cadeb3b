// strokeviz-sim: runs a scene like the tatbot robot, writing its Redis protocol (PROTOCOL.md).
//
// By default it writes what the real robot writes; --rich adds the demo
// extras (joints, heartbeats; see tools/simulator.hpp).
// Exit codes: 0 done (or stopped cleanly by SIGINT/SIGTERM/--quit-after, or
// failed as --fail-at-stroke asked),
// 1 Redis unreachable / refused (or the closing writes failed), 2 usage,
// unknown or broken scene.
#include <signal.h>

#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "follow/pose_solver.hpp"
#include "model/robot_model.hpp"
#include "model/scene.hpp"
#include "tools/simulator.hpp"
#include "tools/publisher.hpp"
#include "sync/redis_config.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"

namespace fs = std::filesystem;
using namespace strokeviz;

namespace {

constexpr int kExitOk = 0, kExitRedis = 1, kExitUsage = 2;

struct Options {
  std::string scene;
  std::string scenes_dir;
  std::string redis;
  std::string redis_password;
  int redis_db = 0;
  std::string node;
  std::int64_t tz_offset_s = 0;
  tools::SimOptions sim;
};

std::vector<fs::path> scene_search_dirs(const Options& o) {
  if (!o.scenes_dir.empty()) return {fs::path(o.scenes_dir)};  // the only place looked in
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("STROKEVIZ_SCENES"); env && *env) dirs.emplace_back(env);
  std::error_code ec;
  if (const fs::path exe = fs::read_symlink("/proc/self/exe", ec); !ec)
    dirs.push_back(exe.parent_path() / ".." / "share" / "strokeviz" / "scenes");
  dirs.push_back(fs::path(STROKEVIZ_SOURCE_DIR) / "scenes");
  dirs.push_back(fs::current_path() / "scenes");
  return dirs;
}

std::optional<fs::path> resolve_scene(const Options& o) {
  std::error_code ec;
  const fs::path given(o.scene);
  if (o.scene.find('/') != std::string::npos || given.extension() == ".json") {
    if (fs::exists(given, ec)) return fs::absolute(given, ec);
    return std::nullopt;
  }
  for (const fs::path& dir : scene_search_dirs(o))
    if (fs::exists(dir / o.scene / "scene.json", ec)) return fs::weakly_canonical(dir / o.scene, ec);
  return std::nullopt;
}

void print_scene_list(const Options& o) {
  std::cerr << "strokeviz-sim: unknown scene '" << o.scene << "'. Available scenes:\n";
  bool any = false;
  for (const fs::path& dir : scene_search_dirs(o))
    for (const std::string& name : load::list_scenes(dir)) {
      std::cerr << "  " << name << "    (" << (dir / name).string() << ")\n";
      any = true;
    }
  if (!any) std::cerr << "  (none found; use --scenes-dir DIR or --scene PATH)\n";
}

// REDIS_HOST / REDIS_PORT / REDIS_PASSWORD, then the command line.
Expected<sync::RedisConfig> redis_config(const Options& o) {
  auto c = sync::RedisConfig::from_env();
  if (!c) return c.error();
  if (!o.redis.empty())
    if (auto r = c->set_address(o.redis); !r) return r.error();
  if (!o.redis_password.empty()) c->password = o.redis_password;
  c->db = o.redis_db;
  return c;
}

// SIGINT/SIGTERM, blocked in every thread, taken by one watcher thread.
class SignalStop {
 public:
  SignalStop() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  void watch(tools::Simulator& simulator) {
    thread_ = std::thread([this, &simulator] {
      const timespec tick{0, 100'000'000};
      while (!done_) {
        const int sig = sigtimedwait(&set_, nullptr, &tick);
        if (sig == SIGINT || sig == SIGTERM) {
          std::cerr << "strokeviz-sim: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                    << ": ending the session\n";
          simulator.request_stop();
        }
      }
    });
  }
  // Ends the watcher (within ~100 ms); call before the simulator goes away.
  void stop() {
    done_ = true;
    if (thread_.joinable()) thread_.join();
  }
  ~SignalStop() { stop(); }

 private:
  sigset_t set_{};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Parses argv into o. An exit code when the program should end now
// (after --help, or on a usage error).
std::optional<int> parse_options(int argc, char** argv, Options& o) {
  CLI::App cli{"strokeviz-sim: runs a scene like the tatbot robot, writing its Redis state protocol"};
  cli.add_option("--scene", o.scene, "Scene name (folder in the scenes dir) or path")->required();
  cli.add_option("--scenes-dir", o.scenes_dir, "Folder holding scene folders");
  cli.add_option("--speed", o.sim.speed, "Time factor: every robot duration (goal times, the 0.1 s poses, the dataset save) is divided by it")
      ->check(CLI::PositiveNumber);
  cli.add_option("--redis", o.redis, "Redis server HOST:PORT (default REDIS_HOST:REDIS_PORT or 127.0.0.1:6379)");
  cli.add_option("--redis-password", o.redis_password, "Redis password (default REDIS_PASSWORD)");
  cli.add_option("--redis-db", o.redis_db, "Redis database number")->check(CLI::NonNegativeNumber);
  cli.add_option("--node", o.node, "node_id to write as (default: this host's name)");
  cli.add_flag("--loop", o.sim.loop, "Start a new session after each one, until stopped");
  cli.add_option("--strokes", o.sim.max_strokes, "Stop each session after N strokes")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--quit-after", o.sim.quit_after_s, "End after S seconds as the operator's stop does (session_end)")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--start-delay", o.sim.start_delay_s, "Seconds between 'ready' and the first session_start")
      ->check(CLI::NonNegativeNumber);
  cli.add_flag("--rich", o.sim.rich,
               "Demo extras the robot never writes: IK joints in robot:state, a health heartbeat, "
               "the scene's name and goal-time pace, no tool progress messages");
  cli.add_option("--tz-offset", o.tz_offset_s,
                 "Seconds added to the session id's number, as the robot's naive-UTC bug does "
                 "(21600 for a robot host in UTC-6)");
  cli.add_option("--fail-at-stroke", o.sim.fail_at_stroke,
                 "Fail as stroke N begins: error on error:events:stroke_execution, then session_end")
      ->check(CLI::NonNegativeNumber);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return std::nullopt;
}

// The scene named by --scene, loaded; nullopt (reported) when unknown or broken.
std::optional<model::Scene> open_scene(const Options& o) {
  const auto scene_path = resolve_scene(o);
  if (!scene_path) {
    print_scene_list(o);
    return std::nullopt;
  }
  auto sc = load::load_scene(*scene_path);
  if (!sc) {
    std::cerr << "strokeviz-sim: " << sc.error().str() << "\n";
    return std::nullopt;
  }
  return std::move(*sc);
}

// The robot model for the joints and a solver over it; without them (the
// reason reported) the joints are written as null.
void load_robot(const model::Scene& scene, std::optional<model::RobotModel>& model,
                std::optional<follow::PoseSolver>& solver) {
  auto m = load::load_urdf(scene.urdf);
  if (!m) {
    std::cerr << "strokeviz-sim: no joints: " << m.error().str() << "\n";
    return;
  }
  model.emplace(std::move(*m));
  if (auto arms = model->set_arms(scene.ee_links); !arms)
    std::cerr << "strokeviz-sim: no joints: " << arms.error().str() << "\n";
  else
    solver.emplace(scene, *model);
}

// Connects and runs the sessions until done or stopped; the exit code.
int run(const model::Scene& scene, follow::PoseSolver* solver, const sync::RedisConfig& cfg, const Options& o,
        SignalStop& signals) {
  tools::StateManagerOptions smo;
  smo.node_id = o.node;
  smo.recreate_missing_session = true;  // survive a Redis restart without persistence
  smo.session_id_offset_s = o.tz_offset_s;
  tools::StateManager state(cfg, smo);
  if (auto c = state.connect(); !c) {
    std::cerr << "strokeviz-sim: cannot connect to Redis at " << state.address() << ": "
              << c.error().message << "\n";
    return kExitRedis;
  }

  tools::Simulator simulator(scene, solver, state, o.sim, std::cout);
  signals.watch(simulator);
  auto summary = simulator.run();
  signals.stop();
  if (!summary) {
    std::cerr << "strokeviz-sim: " << summary.error().str() << "\n";
    return kExitRedis;
  }
  std::cout << "strokeviz-sim: done: " << summary->sessions << " session(s), " << summary->strokes
            << " strokes, " << summary->updates << " progress updates, " << summary->failed_writes
            << " failed writes" << (summary->stopped ? " (stopped)" : "")
            << (summary->failed ? " (failed as asked)" : "") << std::endl;
  return summary->clean_end ? kExitOk : kExitRedis;
}

}  // namespace

int main(int argc, char** argv) {
  SignalStop signals;  // before any other thread
  Options o;
  if (const auto rc = parse_options(argc, argv, o)) return *rc;
  const auto scene = open_scene(o);
  if (!scene) return kExitUsage;
  const auto cfg = redis_config(o);
  if (!cfg) {
    std::cerr << "strokeviz-sim: " << cfg.error().str() << "\n";
    return kExitUsage;
  }
  std::optional<model::RobotModel> model;
  std::optional<follow::PoseSolver> solver;  // refers to *scene and *model
  if (o.sim.rich) load_robot(*scene, model, solver);  // the joints are --rich only
  return run(*scene, solver ? &*solver : nullptr, *cfg, o, signals);
}
