// The viewer's command line (CLI11): options, scene lookup, exit codes.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace strokeviz::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // runtime failure (no display, GL error, I/O)
inline constexpr int kExitUsage = 2;    // bad command line, unknown scene, broken input files
inline constexpr int kExitUnreachable = 3;  // --check-reach found poses the needle cannot reach

struct Options {
  std::string scene = "tatbotlogo";  // a name in the scenes folder, or a path
  std::filesystem::path scenes_dir;  // --scenes-dir; empty: search the default places
  std::filesystem::path urdf;        // --urdf; empty: the scene's robot
  std::filesystem::path screenshot;  // --screenshot FILE.png
  int frames = 3;                    // --frames N (with --screenshot)
  std::filesystem::path dump_state;  // --dump-state FILE.json
  std::optional<int> stroke, pose, offset_l, offset_r;
  std::optional<bool> play;          // --play / --paused; default: play unless --screenshot
  double speed = 1.0;
  bool all_offsets = false;          // start with every depth offset shown
  bool no_robot = false;             // do not draw the robot
  bool sync = false;                 // start with "Sync with Robot" ticked
  std::string redis;                 // --redis HOST:PORT (default: $REDIS_HOST/$REDIS_PORT, else 127.0.0.1:6379)
  std::string redis_password;        // --redis-password (default: $REDIS_PASSWORD)
  std::optional<int> redis_db;       // --redis-db
  bool demo = false;                 // private redis-server + simulator, sync ticked
  std::filesystem::path record_dir;  // --record-dir; empty: session::default_sessions_dir()
  bool no_record = false;            // --no-record
  std::size_t live_max_items = 2'000'000;  // --live-max-items: the live timeline's memory bound
  std::string replay;                // --replay FILE | redis://HOST:PORT/<session_id>
  std::optional<double> replay_at;   // --replay-at SECONDS from the recording's start
  bool list_sessions = false;        // --list-sessions [redis://HOST:PORT]
  std::string list_sessions_redis;
  std::filesystem::path summary;     // --summary FILE.json|.csv (with --replay; no window)
  int width = 1400, height = 900;
  bool hidden = false;               // no visible window (tests, benchmarks)
  double quit_after_s = 0.0;         // > 0: exit cleanly after that many seconds
  bool print_timing = false;         // log start-up timings
  bool check_reach = false;         // solve IK for every pose, report, exit (no window)
  std::filesystem::path dump_plan;   // --dump-plan FILE.json: write the stroke list, exit (no window)
  std::string log_level = "info";
};

// Parses argv. Returns the options, or an exit code (0 after --help/--version).
struct ParseResult {
  std::optional<Options> options;
  int exit_code = kExitOk;
};
ParseResult parse_command_line(int argc, char** argv);

// Where scene folders are looked up, in order: --scenes-dir; $STROKEVIZ_SCENES;
// <exe>/../share/strokeviz/scenes; the source tree's scenes/; ./scenes.
std::vector<std::filesystem::path> scene_search_dirs(const Options& options);

// Resolves --scene: an existing path (folder or scene.json) is used as is;
// a name is looked up in the search dirs. Empty when not found.
std::optional<std::filesystem::path> resolve_scene(const Options& options);

}  // namespace strokeviz::app
