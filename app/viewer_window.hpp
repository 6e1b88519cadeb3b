// The viewer's window and loop (private to app/): the class behind run_viewer().
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <GLFW/glfw3.h>

#include "app/cli.hpp"
#include "app/live_link.hpp"
#include "app/loading.hpp"
#include "app/signals.hpp"
#include "app/ui/panels.hpp"
#include "app/ui/timeline.hpp"
#include "follow/follower.hpp"
#include "follow/local_source.hpp"
#include "follow/pose_solver.hpp"
#include "follow/recording_source.hpp"
#include "follow/viewer_state.hpp"
#include "render/camera.hpp"
#include "render/gl_window.hpp"
#include "render/renderer.hpp"

namespace strokeviz::app {

// Which thread: the render thread only (it owns GL, ImGui, GLFW and the
// viewer state). Sections of its code: viewer.cpp (window, loop, input,
// frame), viewer_sources.cpp (sources, sync, sessions, exit).
class Viewer {
 public:
  using Clock = std::chrono::steady_clock;

  Viewer(const Options& o, Loaded& in, SignalWatcher& signals, Clock::time_point start);
  ~Viewer() { shutdown(); }
  int run();
  // --replay: shown first.
  void open_replay(session::Recording rec, const std::string& name);

 private:
  Expected<void> open();
  void apply_start_options();
  void home_camera();
  void wait_for_work();
  void install_input_callbacks();
  static void note_input(GLFWwindow* win) { static_cast<Viewer*>(glfwGetWindowUserPointer(win))->input_seen_ = true; }
  void handle_input();
  void handle_keys();
  void frame(bool capture);
  void build_ui();
  std::string banner_text() const;
  void draw_3d(int fb_w, int fb_h);
  void capture_png(int fb_w, int fb_h);
  void save_png(int fb_w, int fb_h);
  void note_swap();
  void show(follow::Source& s);
  void update_sync();
  void update_sessions();
  void update_choice();
  void refresh_panel_facts();
  int finish(int rc);
  void shutdown();

  const Options& opt_;
  Loaded& in_;
  SignalWatcher& signals_;
  Clock::time_point start_;
  follow::ViewerState state_;
  follow::PoseSolver solver_;
  follow::Follower follower_;
  follow::LocalSource local_;
  std::unique_ptr<follow::RecordingSource> live_;    // kept once synced (its recording), also when unticked
  std::unique_ptr<follow::RecordingSource> replay_;  // kept while another source is shown
  follow::Source* shown_ = &local_;
  LiveLink link_;
  UiState ui_;
  SourceChoice choice_;
  PanelInput panel_in_;
  render::GlWindow window_;
  render::SceneRenderer renderer_;
  render::OrbitCamera camera_;
  std::vector<Eigen::Isometry3d> link_world_;
  std::future<Expected<session::Recording>> loading_;  // a recording opened from the Sessions panel
  std::string loading_name_, replay_name_;
  TimeUs newest_event_us_ = 0;               // publish time of the newest progress drained, not yet on screen
  std::vector<long long> event_to_swap_us_;  // bounded: kMaxLatencySamples
  static constexpr std::size_t kMaxLatencySamples = 100000;
  bool local_was_playing_ = false;
  bool imgui_ready_ = false;
  bool screenshot_written_ = false;
  bool input_seen_ = true;  // user input since the last wait (ImGui then needs two frames to settle)
  int redraw_frames_ = 2;   // frames still to draw after the last event
  long long frames_ = 0, idle_waits_ = 0;
  double first_frame_ms_ = 0.0, first_frame_steady_ms_ = 0.0;
  Clock::time_point last_tick_ = Clock::now();
};


double ms_since(std::chrono::steady_clock::time_point t);

}  // namespace strokeviz::app
