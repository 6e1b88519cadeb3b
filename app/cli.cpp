// The viewer's command line (CLI11): options, scene lookup, exit codes.
#include "app/cli.hpp"

#include <cstdlib>
#include <iostream>
#include <system_error>

#include <CLI/CLI.hpp>

#include "app/version.hpp"

namespace strokeviz::app {

namespace fs = std::filesystem;

namespace {

// What to show: scene, robot, start position, playback, output files.
void add_view_options(CLI::App& cli, Options& o) {
  cli.add_option("--scene", o.scene, "Scene name (folder in the scenes dir) or path to a scene folder / scene.json")
      ->capture_default_str();
  cli.add_option("--scenes-dir", o.scenes_dir, "Folder holding scene folders");
  cli.add_option("--urdf", o.urdf, "Robot URDF to load instead of the scene's (meshes relative to it)");
  cli.add_option("--screenshot", o.screenshot, "Render --frames frames, write the last one to this PNG, exit 0");
  cli.add_option("--frames", o.frames, "Frames to render before --screenshot")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cli.add_option("--dump-state", o.dump_state, "Write the viewer state as JSON to this file on exit");
  cli.add_option("--stroke", o.stroke, "Start at this stroke index");
  cli.add_option("--pose", o.pose, "Start at this pose index");
  cli.add_option("--offset-l", o.offset_l, "Left arm depth offset index");
  cli.add_option("--offset-r", o.offset_r, "Right arm depth offset index");
  auto* play = cli.add_flag("--play", [&o](std::int64_t) { o.play = true; }, "Start playing (default unless --screenshot)");
  cli.add_flag("--paused", [&o](std::int64_t) { o.play = false; }, "Start paused")->excludes(play);
  cli.add_option("--speed", o.speed, "Playback speed")->check(CLI::Range(0.1, 100.0))->capture_default_str();
  cli.add_flag("--all-offsets", o.all_offsets, "Show every depth offset of every stroke as a point cloud");
  cli.add_flag("--no-robot", o.no_robot, "Do not draw the robot");
  cli.add_flag("--sync", o.sync, "Start with \"Sync with Robot\" ticked");
}

// The robot's state server, recording and replay. Returns --list-sessions,
// whose value is optional.
CLI::Option* add_session_options(CLI::App& cli, Options& o) {
  cli.add_option("--redis", o.redis, "Robot state server HOST:PORT (default $REDIS_HOST:$REDIS_PORT, else 127.0.0.1:6379)");
  cli.add_option("--redis-password", o.redis_password, "Redis password (default $REDIS_PASSWORD); never shown or logged");
  cli.add_option("--redis-db", o.redis_db, "Redis database number")->check(CLI::Range(0, 1000000));
  cli.add_flag("--demo", o.demo,
               "Start a private redis-server on a free loopback port and the robot simulator "
               "(strokeviz-sim) against it, and follow it; both stop on exit");
  cli.add_option("--record-dir", o.record_dir,
                 "Where synced sessions are recorded (default $XDG_DATA_HOME/strokeviz/sessions)");
  cli.add_flag("--no-record", o.no_record, "Do not record synced sessions");
  cli.add_option("--live-max-items", o.live_max_items,
                 "Items of the live timeline kept in memory; past it the oldest half is dropped from memory "
                 "(never from the session file)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1000}, std::size_t{1} << 30));
  cli.add_option("--replay", o.replay, "Replay a session: a recorded FILE.jsonl or redis://HOST:PORT/<session_id>");
  cli.add_option("--replay-at", o.replay_at, "Start the replay this many seconds after its beginning");
  auto* list = cli.add_option("--list-sessions", o.list_sessions_redis,
                              "List recorded sessions (and those on redis://HOST:PORT if given), then exit")
                   ->expected(0, 1)
                   ->option_text("[redis://HOST:PORT]");
  cli.add_option("--summary", o.summary,
                 "With --replay: write a per-stroke summary (FILE.json or FILE.csv) and exit, no window");
  return list;
}

// The window, logging and the headless modes.
void add_run_options(CLI::App& cli, Options& o) {
  cli.add_option("--width", o.width, "Window width")->check(CLI::Range(320, 16384))->capture_default_str();
  cli.add_option("--height", o.height, "Window height")->check(CLI::Range(240, 16384))->capture_default_str();
  cli.add_flag("--hidden", o.hidden, "Do not show the window (tests, benchmarks)");
  cli.add_option("--quit-after", o.quit_after_s, "Exit cleanly after this many seconds")->check(CLI::NonNegativeNumber);
  cli.add_flag("--timing", o.print_timing, "Log start-up timings");
  cli.add_flag("--check-reach", o.check_reach,
               "Solve IK for every pose of every stroke at every depth offset, list what the needle "
               "cannot reach, exit 0 (all reachable) or 3 (no window needed)");
  cli.add_option("--dump-plan", o.dump_plan,
                 "Write the scene's stroke list as the robot builds it to FILE.json and exit (no window): "
                 "per step and arm the kind (draw, inkdip, rest), the robot's description, inkcap, pen and "
                 "the needle target of every pose at every depth offset (world frame, metres)")
      ->option_text("FILE.json");
  cli.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))->capture_default_str();
}

fs::path exe_dir() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p.parent_path();
}

}  // namespace

ParseResult parse_command_line(int argc, char** argv) {
  Options o;
  CLI::App cli{"strokeviz — viewer for the tatbot tattoo robot: a scene's strokes on the skin "
               "and both arms posing along them.",
               "strokeviz"};
  cli.set_version_flag("--version", std::string("strokeviz ") + kVersion);
  add_view_options(cli, o);
  const CLI::Option* list = add_session_options(cli, o);
  add_run_options(cli, o);
  cli.footer(
      "Exit codes: 0 ok, 1 runtime failure (e.g. no display), 2 bad command line, unknown scene "
      "or broken scene/G-code/URDF (reported as file:line: what), 3 --check-reach found unreachable poses.\n"
      "Keys: Space play/pause, Left/Right pose, Up/Down stroke, R or Home reset camera. "
      "Mouse: drag rotate, right- or shift-drag pan, wheel zoom.");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = cli.exit(e);
    return {std::nullopt, rc == 0 ? kExitOk : kExitUsage};
  }
  o.list_sessions = list->count() > 0;
  if (!o.summary.empty() && o.replay.empty()) {
    std::cerr << "strokeviz: --summary needs --replay FILE or --replay redis://HOST:PORT/<session_id>\n";
    return {std::nullopt, kExitUsage};
  }
  return {o, kExitOk};
}

std::vector<fs::path> scene_search_dirs(const Options& options) {
  std::vector<fs::path> dirs;
  if (!options.scenes_dir.empty()) {
    dirs.push_back(options.scenes_dir);
    return dirs;  // an explicit folder is the only place looked in
  }
  if (const char* env = std::getenv("STROKEVIZ_SCENES"); env && *env) dirs.emplace_back(env);
  if (const fs::path e = exe_dir(); !e.empty()) dirs.push_back(e / ".." / "share" / "strokeviz" / "scenes");
  dirs.push_back(fs::path(STROKEVIZ_SOURCE_DIR) / "scenes");
  dirs.push_back(fs::current_path() / "scenes");
  return dirs;
}

std::optional<fs::path> resolve_scene(const Options& options) {
  std::error_code ec;
  const fs::path given(options.scene);
  // A value with a slash or a .json ending is a path; anything else a name.
  if (options.scene.find('/') != std::string::npos || given.extension() == ".json") {
    if (fs::exists(given, ec)) return fs::absolute(given, ec);
    return std::nullopt;
  }
  for (const fs::path& dir : scene_search_dirs(options)) {
    const fs::path candidate = dir / options.scene;
    if (fs::exists(candidate / "scene.json", ec)) return fs::weakly_canonical(candidate, ec);
  }
  return std::nullopt;
}

}  // namespace strokeviz::app
