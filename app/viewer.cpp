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
// Sections: 2. window and start-up  3. loop and input  4. frame; the class
// is in viewer_window.hpp, sources and exit in viewer_sources.cpp.
#include "app/viewer.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iostream>

#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <spdlog/spdlog.h>

#include "app/sessions.hpp"
#include "app/ui/banner.hpp"
#include "app/state_dump.hpp"
#include "app/version.hpp"
#include "app/viewer_window.hpp"

namespace strokeviz::app {

using follow::Mode;
using follow::RecordingSource;
namespace fs = std::filesystem;

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

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

// A session that does not fit the loaded scene: said over the view, with where the robot really is.
std::string Viewer::banner_text() const {
  const follow::RobotView& rv = follower_.robot();
  if (rv.mismatch.empty() && !rv.out_of_scene) return {};
  std::string t = "This session does not match the loaded scene '" + in_.scene.name + "'";
  if (!rv.mismatch.empty()) t += ": " + rv.mismatch;
  t += ".";
  if (rv.out_of_scene)
    t += " The robot reports stroke " + std::to_string(rv.reported_stroke) + " pose " +
         std::to_string(rv.reported_pose) + ", outside this scene (" + std::to_string(state_.stroke_count()) +
         " strokes x " + std::to_string(state_.stroke_length()) + " poses): the view stops at its last stroke.";
  else
    t += " The poses shown are the robot's indices in the loaded scene's strokes; no motion is interpolated.";
  return t;
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
  draw_banner(banner_text(), kPanelWidth, ds.x - kPanelWidth);
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

}  // namespace strokeviz::app
