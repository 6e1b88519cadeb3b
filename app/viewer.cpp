// The viewer: opens the window and runs the render loop over one source.
//
// Loop shape (Dear ImGui's example_glfw_opengl3): wait or poll for events,
// update the shown source, three NewFrame calls, panels, 3D view, ImGui,
// swap. Render on demand: with nothing due the loop blocks in
// glfwWaitEvents; the sync worker wakes it with glfwPostEmptyEvent.
//
// Sources (follow/source.hpp): local playback of the plan, a live session
// (a recording that grows while synced), a replay. The loop never asks which
// one it shows; switching keeps the others (the live recording goes on
// growing in the background while a replay is shown).
//
// Sections: 1. the Viewer  2. window and start-up  3. loop and input
//           4. frame  5. sources  6. exit  7. run_viewer
#include "app/viewer.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <future>
#include <iostream>
#include <memory>
#include <optional>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <spdlog/spdlog.h>

#include "app/demo.hpp"
#include "app/live_link.hpp"
#include "app/loading.hpp"
#include "app/sessions.hpp"
#include "app/signals.hpp"
#include "app/state_dump.hpp"
#include "app/ui/panels.hpp"
#include "app/ui/timeline.hpp"
#include "app/version.hpp"
#include "follow/follower.hpp"
#include "follow/local_source.hpp"
#include "follow/pose_solver.hpp"
#include "follow/reach_check.hpp"
#include "follow/recording_source.hpp"
#include "follow/viewer_state.hpp"
#include "render/camera.hpp"
#include "render/gl_window.hpp"
#include "render/renderer.hpp"

namespace strokeviz::app {
namespace {

using Clock = std::chrono::steady_clock;
using follow::Mode;
using follow::RecordingSource;
namespace fs = std::filesystem;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// ============================================================================
// 1. the Viewer
// ============================================================================

class Viewer {
 public:
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
  std::unique_ptr<RecordingSource> live_;    // kept once synced (its recording), also when unticked
  std::unique_ptr<RecordingSource> replay_;  // kept while another source is shown
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

Viewer::Viewer(const Options& o, Loaded& in, SignalWatcher& signals, Clock::time_point start)
    : opt_(o),
      in_(in),
      signals_(signals),
      start_(start),
      state_(in.scene),
      solver_(in.scene, in.model),
      follower_(in.scene),
      local_(follower_, state_),
      link_(LiveLink::Options{in.redis, !o.no_record, sessions_dir(o), kVersion, [] { glfwPostEmptyEvent(); }}) {}

// ============================================================================
// 2. window and start-up
// ============================================================================

Expected<void> Viewer::open() {
  render::WindowOptions wo;
  wo.width = opt_.width;
  wo.height = opt_.height;
  wo.title = "strokeviz — " + in_.scene.name;
  wo.visible = !opt_.hidden;
  wo.vsync = opt_.screenshot.empty();
  auto w = render::GlWindow::create(wo);
  if (!w) return w.error();
  window_ = std::move(*w);
  if (opt_.print_timing) spdlog::info("window open after {:.1f} ms", ms_since(start_));
  signals_.set_wake([] { glfwPostEmptyEvent(); });
  install_input_callbacks();

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // the layout is fixed; write nothing into the cwd
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(window_.handle(), true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  imgui_ready_ = true;

  if (auto r = renderer_.init(); !r) return r.error();
  renderer_.upload_scene(in_.scene);
  renderer_.upload_robot(in_.model);
  if (opt_.print_timing) spdlog::info("ImGui ready, geometry uploaded after {:.1f} ms", ms_since(start_));
  ui_.gl_info = window_.gl_description();
  ui_.robot_note = in_.robot_note;
  spdlog::info("OpenGL: {}", ui_.gl_info);
  return {};
}

void Viewer::apply_start_options() {
  if (opt_.stroke) state_.set_stroke(*opt_.stroke);
  if (opt_.pose) state_.set_pose(*opt_.pose);
  if (opt_.offset_l) state_.set_offset(model::Arm::Left, *opt_.offset_l);
  if (opt_.offset_r) state_.set_offset(model::Arm::Right, *opt_.offset_r);
  local_.seek_pose(state_.stroke_idx(), state_.pose_idx());
  local_.set_speed(opt_.speed);
  local_.set_playing(opt_.play.value_or(opt_.screenshot.empty()));
  ui_.show_all_offsets = opt_.all_offsets;
  ui_.show_robot = !opt_.no_robot;
  ui_.sync_enabled = opt_.sync;
  ui_.sessions.refresh = true;
  if (replay_) {
    const bool play = opt_.play.value_or(opt_.screenshot.empty() || opt_.quit_after_s > 0);
    local_.set_playing(false);
    replay_->set_speed(opt_.speed);
    if (opt_.replay_at) replay_->seek_time(replay_->begin_us() + static_cast<TimeUs>(*opt_.replay_at * 1e6));
    else replay_->seek_start();
    replay_->set_playing(play);
  }
  home_camera();
}

void Viewer::home_camera() {
  // The operator's view: from behind and above the robot, looking over both
  // arms at the skin, which sits in the middle of the view.
  const Eigen::Vector3d design = in_.scene.design_pose.translation();
  const Eigen::Vector3f target(static_cast<float>(design.x() * 0.9), static_cast<float>(design.y()),
                               static_cast<float>(design.z()));
  camera_.set_home(target, 0.6f, 3.14159f + 0.3f, 0.85f);
  camera_.reset();
}

void Viewer::open_replay(session::Recording rec, const std::string& name) {
  if (shown_ == replay_.get()) shown_ = &local_;
  replay_ = std::make_unique<RecordingSource>(follower_, state_, std::move(rec),
                                              RecordingSource::Options{Mode::Replay, name, 0});
  replay_name_ = name;
  show(*replay_);
}

// ============================================================================
// 3. loop and input
// ============================================================================

int Viewer::run() {
  if (auto r = open(); !r) {
    std::cerr << "strokeviz: " << r.error().str() << "\n";
    if (!std::getenv("DISPLAY"))
      std::cerr << "strokeviz: no display: run under Xvfb (scripts/run.sh does) or set DISPLAY\n";
    return kExitFailure;
  }
  apply_start_options();
  // --screenshot alone renders --frames frames as fast as it can and exits;
  // with --quit-after (or on SIGINT/SIGTERM) the viewer runs normally and the
  // screenshot is its last frame.
  const bool want_shot = !opt_.screenshot.empty();
  const bool frame_count_mode = want_shot && opt_.quit_after_s <= 0;
  last_tick_ = Clock::now();
  while (!glfwWindowShouldClose(window_.handle()) && !signals_.requested()) {
    // --quit-after still shows at least one frame.
    if (opt_.quit_after_s > 0 && frames_ > 0 && ms_since(start_) >= opt_.quit_after_s * 1000.0) break;
    if (frame_count_mode) glfwPollEvents();
    else wait_for_work();
    const auto now = Clock::now();
    const double dt = std::chrono::duration<double>(now - last_tick_).count();
    last_tick_ = now;
    update_sync();
    update_sessions();
    update_choice();
    shown_->update(dt);
    const bool capture = frame_count_mode && frames_ + 1 >= opt_.frames;
    frame(capture);
    if (capture) return finish(screenshot_written_ ? kExitOk : kExitFailure);
  }
  if (signals_.requested()) spdlog::info("signal {} received: exiting", signals_.signal_number());
  if (want_shot) {
    update_sync();
    shown_->update(0.0);
    frame(true);
    if (!screenshot_written_) return finish(kExitFailure);
  }
  return finish(kExitOk);
}

// Blocks until there is something to draw: input, a wake-up from the sync
// worker or the signal thread, a due step of the shown source, or --quit-after.
void Viewer::wait_for_work() {
  if (redraw_frames_ > 0) {
    glfwPollEvents();
    return;
  }
  double timeout = shown_->seconds_to_next_change();
  // The "last update N s ago" and "N s behind live" texts, once a second.
  if (link_.running() || shown_->mode() == Mode::Live) timeout = std::min(timeout, 1.0);
  if (opt_.quit_after_s > 0) timeout = std::min(timeout, opt_.quit_after_s - ms_since(start_) / 1000.0);
  ++idle_waits_;
  if (std::isinf(timeout)) glfwWaitEvents();
  else if (timeout > 0) glfwWaitEventsTimeout(timeout);
  else glfwPollEvents();
  // Input needs two frames (ImGui settles hover and clicks on the second);
  // a wake-up from the sync worker or a due step needs just one, so a robot
  // event is never queued behind a redundant frame.
  redraw_frames_ = input_seen_ ? 2 : 1;
  input_seen_ = false;
}

// Installed before ImGui's, which chains to them: they only note that the
// user did something (the render loop then draws a frame more).
void Viewer::install_input_callbacks() {
  GLFWwindow* w = window_.handle();
  glfwSetWindowUserPointer(w, this);
  glfwSetCursorPosCallback(w, [](GLFWwindow* win, double, double) { note_input(win); });
  glfwSetMouseButtonCallback(w, [](GLFWwindow* win, int, int, int) { note_input(win); });
  glfwSetScrollCallback(w, [](GLFWwindow* win, double, double) { note_input(win); });
  glfwSetKeyCallback(w, [](GLFWwindow* win, int, int, int, int) { note_input(win); });
  glfwSetCharCallback(w, [](GLFWwindow* win, unsigned) { note_input(win); });
  glfwSetWindowFocusCallback(w, [](GLFWwindow* win, int) { note_input(win); });
  glfwSetCursorEnterCallback(w, [](GLFWwindow* win, int) { note_input(win); });
  glfwSetFramebufferSizeCallback(w, [](GLFWwindow* win, int, int) { note_input(win); });
  glfwSetWindowRefreshCallback(w, [](GLFWwindow* win) { note_input(win); });
}

void Viewer::handle_input() {
  ImGuiIO& io = ImGui::GetIO();
  if (!io.WantCaptureMouse) {
    const bool pan = ImGui::IsMouseDown(ImGuiMouseButton_Right) || ImGui::IsMouseDown(ImGuiMouseButton_Middle) ||
                     (ImGui::IsMouseDown(ImGuiMouseButton_Left) && io.KeyShift);
    if (pan) camera_.pan(io.MouseDelta.x, io.MouseDelta.y, io.DisplaySize.y);
    else if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) camera_.rotate(io.MouseDelta.x, io.MouseDelta.y);
    if (io.MouseWheel != 0.0f) camera_.zoom(io.MouseWheel);
  }
  if (!io.WantCaptureKeyboard) handle_keys();
}

// One set of keys for every source: they act on what is shown.
void Viewer::handle_keys() {
  follow::Source& s = *shown_;
  const auto pressed = [](ImGuiKey k, bool repeat = true) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(k), repeat); };
  if (pressed(ImGuiKey_Space, false)) s.set_playing(!s.playing());
  if (pressed(ImGuiKey_RightArrow)) s.step_event(+1);
  if (pressed(ImGuiKey_LeftArrow)) s.step_event(-1);
  if (pressed(ImGuiKey_UpArrow)) s.step_stroke(+1);
  if (pressed(ImGuiKey_DownArrow)) s.step_stroke(-1);
  if (pressed(ImGuiKey_Home, false)) s.seek_start();
  if (pressed(ImGuiKey_End, false)) s.seek_end();
  if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) ui_.reset_camera = true;
}

// ============================================================================
// 4. frame
// ============================================================================

void Viewer::frame(bool capture) {
  const auto t0 = Clock::now();
  if (redraw_frames_ > 0) --redraw_frames_;
  int fb_w = 0, fb_h = 0;
  glfwGetFramebufferSize(window_.handle(), &fb_w, &fb_h);
  if (fb_w <= 0 || fb_h <= 0) return;  // minimised: draw nothing

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  handle_input();
  if (ui_.reset_camera) {
    camera_.reset();
    ui_.reset_camera = false;
  }
  build_ui();
  ImGui::Render();

  draw_3d(fb_w, fb_h);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (capture) capture_png(fb_w, fb_h);
  if (ui_.save_png) save_png(fb_w, fb_h);
  glfwSwapBuffers(window_.handle());
  note_swap();
  ui_.frame_ms = ms_since(t0);
}

// The joints on screen come from one place: the robot's (robot:state) when
// the shown session carries them, live or recorded; else the scene's IK.
void Viewer::build_ui() {
  const std::array<int, 2> offsets{state_.offset_idx(model::Arm::Left), state_.offset_idx(model::Arm::Right)};
  panel_in_.model = &in_.model;
  panel_in_.joints = solver_.joints(state_.stroke_idx(), state_.pose_idx(), offsets);
  ui_.sync.joints_from_robot = follower_.robot().joints.has_value();
  if (ui_.sync.joints_from_robot) panel_in_.joints = *follower_.robot().joints;
  for (int a = 0; a < 2; ++a) {
    const auto arm = static_cast<model::Arm>(a);
    panel_in_.solutions[a] = &solver_.solve(arm, state_.stroke_idx(), state_.pose_idx(), offsets[a]);
    panel_in_.stroke_reach[a] = solver_.stroke_reach(arm, state_.stroke_idx(), offsets[a]);
  }
  refresh_panel_facts();
  const bool sync_before = ui_.sync_enabled;
  const auto revision_before = state_.revision();
  const ImVec2 ds = ImGui::GetIO().DisplaySize;
  draw_side_panel(state_, *shown_, ui_, panel_in_, ds.y);
  draw_timeline(*shown_, choice_, kPanelWidth, ds.x - kPanelWidth, ds.y);
  // A change made in this frame (a checkbox ticked on mouse release, a
  // slider dragged) is acted on in the next one: make sure there is one.
  if (ui_.sync_enabled != sync_before || state_.revision() != revision_before || ImGui::IsAnyItemActive() ||
      ui_.reset_camera || choice_.requested)
    redraw_frames_ = std::max(redraw_frames_, 1);
}

void Viewer::draw_3d(int fb_w, int fb_h) {
  const float scale = fb_w / std::max(1.0f, ImGui::GetIO().DisplaySize.x);
  const int panel_px = std::min(fb_w - 1, static_cast<int>(kPanelWidth * scale));
  // The timeline takes a strip along the bottom (GL's y is up).
  const int bar_px = std::min(fb_h - 1, static_cast<int>(kTimelineHeight * scale));
  render::FrameInput f;
  f.fb_width = fb_w;
  f.fb_height = fb_h;
  f.viewport = {panel_px, bar_px, fb_w - panel_px, fb_h - bar_px};
  f.view = camera_.view();
  f.proj = camera_.projection(static_cast<float>(fb_w - panel_px) / static_cast<float>(fb_h - bar_px));
  f.stroke_idx = state_.stroke_idx();
  f.pose_idx = state_.pose_idx();
  f.offset_idx = {state_.offset_idx(model::Arm::Left), state_.offset_idx(model::Arm::Right)};
  f.show_lines = ui_.show_lines;
  f.show_active_points = ui_.show_active_points;
  f.show_all_offsets = ui_.show_all_offsets;
  f.show_robot = ui_.show_robot;
  f.show_grid = ui_.show_grid;
  f.show_skin = ui_.show_skin;
  f.show_inkcaps = ui_.show_inkcaps;
  if (ui_.show_robot) {
    in_.model.forward_kinematics(panel_in_.joints, link_world_);
    f.link_world = &link_world_;
  }
  renderer_.draw(f);
}

void Viewer::capture_png(int fb_w, int fb_h) {
  const auto rgb = render::read_framebuffer_rgb(fb_w, fb_h);
  if (auto r = render::write_png(opt_.screenshot.string(), fb_w, fb_h, rgb); !r) {
    std::cerr << "strokeviz: " << r.error().str() << "\n";
    return;
  }
  screenshot_written_ = true;
  std::cout << "strokeviz: screenshot written to " << fs::absolute(opt_.screenshot).string() << "\n";
}

// "Save PNG": this frame, before the swap, into the current folder.
void Viewer::save_png(int fb_w, int fb_h) {
  ui_.save_png = false;
  char name[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(name, sizeof name, "strokeviz-%Y%m%d-%H%M%S.png", std::localtime(&now));
  const fs::path path = fs::absolute(name);
  if (auto r = render::write_png(path.string(), fb_w, fb_h, render::read_framebuffer_rgb(fb_w, fb_h)); !r)
    ui_.saved_png = "not saved: " + r.error().str();
  else
    ui_.saved_png = "saved " + path.string();
}

void Viewer::note_swap() {
  ++frames_;
  if (newest_event_us_ > 0) {  // this frame shows the robot's newest progress
    if (event_to_swap_us_.size() < kMaxLatencySamples) event_to_swap_us_.push_back(now_us() - newest_event_us_);
    newest_event_us_ = 0;
  }
  if (frames_ == 1) {
    first_frame_ms_ = ms_since(start_);
    first_frame_steady_ms_ = std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
    if (opt_.print_timing) spdlog::info("first frame swapped {:.1f} ms after process start", first_frame_ms_);
  }
}

// ============================================================================
// 5. sources
// ============================================================================

void Viewer::show(follow::Source& s) {
  if (shown_ == &s) return;
  if (live_ && shown_ == live_.get()) live_->deactivate();
  if (replay_ && shown_ == replay_.get()) replay_->deactivate();
  // Local playback pauses while another source drives the view, and plays
  // on when it is shown again.
  if (shown_ == &local_) {
    local_was_playing_ = local_.playing();
    local_.set_playing(false);
  } else if (&s == &local_) {
    local_.set_playing(local_was_playing_);
  }
  shown_ = &s;
  s.activate();
  redraw_frames_ = std::max(redraw_frames_, 1);
}

// Starts or stops the link as the checkbox says and moves what it received
// into the live recording (also while another source is shown).
void Viewer::update_sync() {
  if (ui_.sync_enabled && !link_.running()) {
    if (!live_) {
      session::SessionHeader h;
      h.server = in_.redis.describe();
      live_ = std::make_unique<RecordingSource>(follower_, state_, session::Recording(std::move(h)),
                                                RecordingSource::Options{Mode::Live, in_.redis.describe()});
    }
    link_.start();
    show(*live_);
  } else if (!ui_.sync_enabled && link_.running()) {
    link_.stop();
    if (shown_ == live_.get()) show(local_);  // the live recording stays one click away
  }
  if (!live_ || !link_.running()) return;
  live_->drain(*link_.queue());
  if (const TimeUs t = live_->take_newest_published(); t > 0 && shown_ == live_.get() && live_->following_live())
    newest_event_us_ = std::max(newest_event_us_, t);
}

// The Sessions panel: re-list the folder, and open a recording on a loader
// thread (a big file takes a second; the view keeps drawing meanwhile).
void Viewer::update_sessions() {
  SessionsUi& s = ui_.sessions;
  if (s.refresh) {
    s.refresh = false;
    s.dir = sessions_dir(opt_).string();
    s.listings = session::list_session_files(s.dir);
  }
  if (s.open >= 0 && s.open < static_cast<int>(s.listings.size()) && !loading_.valid()) {
    loading_name_ = s.listings[static_cast<std::size_t>(s.open)].source;
    s.status = "loading " + loading_name_ + " …";
    loading_ = std::async(std::launch::async, [path = loading_name_] {
      auto r = session::Recording::load(path);
      glfwPostEmptyEvent();  // wake the render loop to pick it up
      return r;
    });
  }
  s.open = -1;
  if (!loading_.valid() || loading_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
  auto rec = loading_.get();
  if (!rec) {
    s.status = rec.error().str();
    return;
  }
  open_replay(std::move(*rec), loading_name_);  // live, if on, keeps recording behind it
  s.status = "replaying " + loading_name_;
}

// The source buttons on the timeline.
void Viewer::update_choice() {
  choice_.has_live = live_ != nullptr;
  choice_.live_running = link_.running();
  choice_.has_replay = replay_ != nullptr;
  choice_.replay_name = replay_name_;
  if (!choice_.requested) return;
  const Mode m = *choice_.requested;
  choice_.requested.reset();
  if (m == Mode::Local) show(local_);
  if (m == Mode::Live && live_) show(*live_);
  if (m == Mode::Replay && replay_) show(*replay_);
}

void Viewer::refresh_panel_facts() {
  SyncInfo& si = ui_.sync;
  const follow::RobotView& rv = follower_.robot();
  link_.fill(si, ui_.sync_status, Clock::now());
  if (si.server.empty()) si.server = in_.redis.describe();
  si.session = rv.session_id;
  si.node = rv.node_id;
  si.robot_pose = rv.current_pose;
  si.connected_l = rv.connected_l;
  si.connected_r = rv.connected_r;
  si.applied = rv.applied;
  si.out_of_range = rv.out_of_range;
  si.mismatch = rv.mismatch;
  si.errors = &rv.errors;
  choice_.note.clear();
  if (live_ && shown_ != live_.get())
    choice_.note = "live recording kept (" + std::to_string(live_->recording()->size()) + " items)";
  if (shown_ == live_.get() && live_->dropped_from_memory() > 0)
    choice_.note = std::to_string(live_->dropped_from_memory()) + " oldest items dropped from memory (kept on disk)";
}

// ============================================================================
// 6. exit
// ============================================================================

int Viewer::finish(int rc) {
  if (opt_.dump_state.empty()) return rc;
  refresh_panel_facts();
  DumpExtras extras{in_.model.path().string(), frames_, idle_waits_, first_frame_ms_, first_frame_steady_ms_,
                    &event_to_swap_us_, {}};
  for (int a = 0; a < 2 && in_.model.has_arms(); ++a) {
    const int link = in_.model.ee_link(a);
    if (link >= 0 && static_cast<std::size_t>(link) < link_world_.size())
      extras.needles_drawn[a] = link_world_[static_cast<std::size_t>(link)].translation();
  }
  if (auto w = write_state(opt_.dump_state, state_to_json(state_, *shown_, ui_, panel_in_, extras)); !w) {
    std::cerr << "strokeviz: " << w.error().str() << "\n";
    return rc == kExitOk ? kExitFailure : rc;
  }
  return rc;
}

void Viewer::shutdown() {
  link_.stop();  // the worker is joined before anything it could wake goes away
  if (imgui_ready_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    imgui_ready_ = false;
  }
}

int run_reach_check(Loaded& in) {
  if (!in.model.has_arms()) {
    std::cerr << "strokeviz: --check-reach: " << in.robot_note << "\n";
    return kExitUsage;
  }
  follow::PoseSolver solver(in.scene, in.model);
  const follow::ReachReport report = follow::check_reach(solver, in.scene, &std::cerr);
  follow::print_reach_report(report, in.scene, std::cout);
  return report.unreachable == 0 ? kExitOk : kExitUnreachable;
}

// --demo: a private redis-server and the simulator; the viewer follows them.
Expected<DemoServices> start_demo(Loaded& loaded, Options& effective) {
  auto d = DemoServices::start(loaded.scene.dir, effective.speed);
  if (!d) return d.error();
  loaded.redis = sync::RedisConfig{};
  (void)loaded.redis.set_address(d->address());
  effective.sync = true;
  return d;
}

}  // namespace

// ============================================================================
// 7. run_viewer
// ============================================================================

int run_viewer(const Options& options, Clock::time_point process_start) {
  SignalWatcher signals;
  if (options.list_sessions) return run_list_sessions(options);
  if (!options.summary.empty()) return run_summary(options);
  auto loaded = load_inputs(options);
  if (!loaded) {
    std::cerr << "strokeviz: " << loaded.error().str() << "\n";
    return kExitUsage;
  }
  if (options.print_timing) spdlog::info("scene and robot loaded after {:.1f} ms", ms_since(process_start));
  if (options.check_reach) return run_reach_check(*loaded);
  std::optional<OpenedReplay> replay;
  if (!options.replay.empty()) {
    replay = open_replay(options.replay);
    if (!replay) return kExitUsage;
    spdlog::info("replaying {} ({} items)", replay->source.describe(), replay->recording.size());
  }
  Options effective = options;
  std::optional<DemoServices> demo;
  if (options.demo) {
    auto d = start_demo(*loaded, effective);
    if (!d) {
      std::cerr << "strokeviz: " << d.error().str() << "\n";
      return kExitFailure;
    }
    demo.emplace(std::move(*d));
  }
  int rc = kExitOk;
  {
    Viewer viewer(effective, *loaded, signals, process_start);
    if (replay) viewer.open_replay(std::move(replay->recording), replay->source.describe());
    rc = viewer.run();
  }  // the viewer (its worker, its GL objects) goes before the demo services and GLFW
  render::terminate_glfw();
  return rc;
}

}  // namespace strokeviz::app
