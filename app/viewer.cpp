// The viewer: loads the scene and robot, opens the window, runs the render loop.
//
// Loop shape (Dear ImGui's example_glfw_opengl3): wait or poll for events,
// advance playback, three NewFrame calls, panels, 3D view, ImGui, swap.
// Render on demand: while paused with no input the loop blocks in
// glfwWaitEvents; while playing it sleeps until the next pose step.
#include "app/viewer.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <ctime>
#include <future>
#include <optional>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <spdlog/spdlog.h>

#include "app/demo.hpp"
#include "follow/follower.hpp"
#include "follow/replay_player.hpp"
#include "app/sessions.hpp"
#include "app/ui/timeline.hpp"
#include "app/version.hpp"
#include "app/ui/panels.hpp"
#include "follow/pose_solver.hpp"
#include "follow/reach_check.hpp"
#include "model/robot_model.hpp"
#include "model/scene.hpp"
#include "app/signals.hpp"
#include "app/state_dump.hpp"
#include "follow/viewer_state.hpp"
#include "render/camera.hpp"
#include "render/gl_window.hpp"
#include "render/renderer.hpp"
#include "session/recording.hpp"
#include "sync/redis_config.hpp"
#include "sync/worker.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"
#include "session/recorder.hpp"

namespace strokeviz::app {
using namespace follow;

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void print_scene_list(const Options& options) {
  std::cerr << "strokeviz: unknown scene '" << options.scene << "'. Available scenes:\n";
  bool any = false;
  for (const fs::path& dir : scene_search_dirs(options)) {
    for (const std::string& name : load::list_scenes(dir)) {
      std::cerr << "  " << name << "    (" << (dir / name).string() << ")\n";
      any = true;
    }
  }
  if (!any) std::cerr << "  (none found; use --scenes-dir DIR or --scene PATH)\n";
}

// Everything loaded from disk before a window opens.
struct Loaded {
  model::Scene scene;
  model::RobotModel model;
  std::string robot_note;
  sync::RedisConfig redis;
  std::optional<session::Recording> replay;  // --replay
  std::string replay_source;
};

// The state server: environment, then the command line.
Expected<sync::RedisConfig> resolve_redis(const Options& o) {
  auto cfg = sync::RedisConfig::from_env();
  if (!cfg) return cfg.error();
  if (!o.redis.empty())
    if (auto r = cfg->set_address(o.redis); !r) return Error{"--redis", 0, r.error().message};
  if (!o.redis_password.empty()) cfg->password = o.redis_password;
  if (o.redis_db) cfg->db = *o.redis_db;
  return cfg;
}

std::optional<Loaded> load_inputs(const Options& options, int& exit_code) {
  exit_code = kExitUsage;
  const auto scene_path = resolve_scene(options);
  if (!scene_path) {
    print_scene_list(options);
    return std::nullopt;
  }
  auto sc = load::load_scene(*scene_path);
  if (!sc) {
    std::cerr << "strokeviz: " << sc.error().str() << "\n";
    return std::nullopt;
  }
  for (const Error& w : sc->warnings) spdlog::warn("{}", w.str());
  const fs::path urdf = options.urdf.empty() ? sc->urdf : options.urdf;
  auto model = load::load_urdf(urdf);
  if (!model) {
    std::cerr << "strokeviz: " << model.error().str() << "\n";
    return std::nullopt;
  }
  auto redis = resolve_redis(options);
  if (!redis) {
    std::cerr << "strokeviz: " << redis.error().str() << "\n";
    return std::nullopt;
  }
  Loaded out{std::move(*sc), std::move(*model), {}, std::move(*redis)};
  if (auto arms = out.model.set_arms(out.scene.ee_links); !arms) {
    out.robot_note = "arms not posed: " + arms.error().str();
    spdlog::warn("{}", out.robot_note);
  }
  exit_code = kExitOk;
  return out;
}

class Viewer {
 public:
  Viewer(const Options& o, Loaded& in, SignalWatcher& signals, Clock::time_point start)
      : opt_(o), in_(in), signals_(signals), start_(start), state_(in.scene), solver_(in.scene, in.model),
        follower_(in.scene) {
    if (in.replay) replay_ = std::make_unique<ReplayPlayer>(std::move(*in.replay), follower_, state_);
  }
  ~Viewer() { shutdown(); }
  int run();

 private:
  Expected<bool> open();
  void apply_start_options();
  void home_camera();
  void wait_for_work();
  void handle_input();
  void frame(bool capture);
  void draw_3d(int fb_w, int fb_h);
  void update_sync(Clock::time_point now);
  void save_png(int fb_w, int fb_h);
  void update_sessions();
  std::shared_ptr<session::Recorder> open_recorder();
  void install_input_callbacks();
  static void note_input(GLFWwindow* win) { static_cast<Viewer*>(glfwGetWindowUserPointer(win))->input_seen_ = true; }
  void refresh_sync_info(Clock::time_point now);
  int finish(int rc);
  void shutdown();

  const Options& opt_;
  Loaded& in_;
  SignalWatcher& signals_;
  Clock::time_point start_;
  ViewerState state_;
  PoseSolver solver_;
  UiState ui_;
  PanelInput panel_in_;
  render::GlWindow window_;
  render::SceneRenderer renderer_;
  render::OrbitCamera camera_;
  std::vector<Eigen::Isometry3d> link_world_;
  std::unique_ptr<sync::SyncWorker> worker_;
  std::shared_ptr<session::Recorder> recorder_;
  std::unique_ptr<ReplayPlayer> replay_;
  std::future<Expected<session::Recording>> loading_;  // a recording opened from the Sessions panel
  std::string loading_name_;
  Follower follower_;
  sync::StatusSnapshot status_;
  bool was_playing_ = false;
  bool input_seen_ = true;  // user input since the last wait (ImGui then needs two frames to settle)
  TimeUs newest_event_us_ = 0;      // publish time of the newest progress event applied, not yet on screen
  std::vector<long long> event_to_swap_us_;  // bounded: kMaxLatencySamples
  static constexpr std::size_t kMaxLatencySamples = 100000;
  bool imgui_ready_ = false;
  bool screenshot_written_ = false;
  int redraw_frames_ = 2;  // frames still to draw after the last event
  long long frames_ = 0, idle_waits_ = 0;
  double first_frame_ms_ = 0.0;
  double first_frame_steady_ms_ = 0.0;
  Clock::time_point last_tick_ = Clock::now();
};

Expected<bool> Viewer::open() {
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
  return true;
}

void Viewer::apply_start_options() {
  if (opt_.stroke) state_.set_stroke(*opt_.stroke);
  if (opt_.pose) state_.set_pose(*opt_.pose);
  if (opt_.offset_l) state_.set_offset(model::Arm::Left, *opt_.offset_l);
  if (opt_.offset_r) state_.set_offset(model::Arm::Right, *opt_.offset_r);
  state_.set_speed(opt_.speed);
  state_.set_playing(opt_.play.value_or(opt_.screenshot.empty()));
  ui_.show_all_offsets = opt_.all_offsets;
  ui_.show_robot = !opt_.no_robot;
  ui_.sync_enabled = opt_.sync;
  ui_.sessions.refresh = true;
  if (replay_) {
    // The recording drives the view; local playback stays paused.
    const bool play = opt_.play.value_or(opt_.screenshot.empty() || opt_.quit_after_s > 0);
    state_.set_playing(false);
    ui_.sync_enabled = false;
    if (opt_.replay_at) replay_->seek_time(replay_->begin_us() + static_cast<TimeUs>(*opt_.replay_at * 1e6));
    else replay_->seek_index(0);
    replay_->set_speed(opt_.speed);
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
    state_.advance(dt);
    if (replay_) {
      replay_->advance(dt);
      replay_->tick();
    }
    last_tick_ = now;
    update_sync(now);
    update_sessions();
    const bool capture = frame_count_mode && frames_ + 1 >= opt_.frames;
    frame(capture);
    if (capture) return finish(screenshot_written_ ? kExitOk : kExitFailure);
  }
  if (signals_.requested()) spdlog::info("signal {} received: exiting", signals_.signal_number());
  if (want_shot) {
    update_sync(Clock::now());
    frame(true);
    if (!screenshot_written_) return finish(kExitFailure);
  }
  return finish(kExitOk);
}

// Blocks until there is something to draw: input, a wake-up from the sync
// worker or the signal thread, a due pose step, or --quit-after.
void Viewer::wait_for_work() {
  if (redraw_frames_ > 0) {
    glfwPollEvents();
    return;
  }
  double timeout = state_.seconds_to_next_step();
  if (replay_) timeout = std::min(timeout, replay_->seconds_to_next_change());
  if (worker_) {
    // Woken by the worker for events; also step the interpolated pose, and
    // refresh the "last update N s ago" text once a second.
    timeout = std::min({timeout, follower_.seconds_to_next_step(Clock::now()), 1.0});
  }
  if (opt_.quit_after_s > 0) timeout = std::min(timeout, opt_.quit_after_s - ms_since(start_) / 1000.0);
  ++idle_waits_;
  if (std::isinf(timeout)) glfwWaitEvents();
  else if (timeout > 0) glfwWaitEventsTimeout(timeout);
  else glfwPollEvents();
  // Input needs two frames (ImGui settles hover and clicks on the second);
  // a wake-up from the sync worker or a due pose step needs just one, so a
  // robot event is never queued behind a redundant frame.
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
    const bool pan = ImGui::IsMouseDown(ImGuiMouseButton_Right) ||
                     ImGui::IsMouseDown(ImGuiMouseButton_Middle) ||
                     (ImGui::IsMouseDown(ImGuiMouseButton_Left) && io.KeyShift);
    if (pan) camera_.pan(io.MouseDelta.x, io.MouseDelta.y, io.DisplaySize.y);
    else if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) camera_.rotate(io.MouseDelta.x, io.MouseDelta.y);
    if (io.MouseWheel != 0.0f) camera_.zoom(io.MouseWheel);
  }
  if (io.WantCaptureKeyboard) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) state_.set_playing(!state_.playback().playing);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow))) state_.step_pose(+1);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow))) state_.step_pose(-1);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_UpArrow))) state_.set_stroke(state_.stroke_idx() + 1);
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_DownArrow))) state_.set_stroke(state_.stroke_idx() - 1);
  if (ImGui::IsKeyPressed(GLFW_KEY_R, false) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false))
    ui_.reset_camera = true;
}

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
  if (ui_.reset_camera) { camera_.reset(); ui_.reset_camera = false; }

  const std::array<int, 2> offsets{state_.offset_idx(model::Arm::Left), state_.offset_idx(model::Arm::Right)};
  panel_in_.model = &in_.model;
  panel_in_.joints = solver_.joints(state_.stroke_idx(), state_.pose_idx(), offsets);
  ui_.sync.joints_from_robot = worker_ && follower_.robot().joints.has_value();
  if (ui_.sync.joints_from_robot) panel_in_.joints = *follower_.robot().joints;
  for (int a = 0; a < 2; ++a) {
    const auto arm = static_cast<model::Arm>(a);
    panel_in_.solutions[a] = &solver_.solve(arm, state_.stroke_idx(), state_.pose_idx(), offsets[a]);
    panel_in_.stroke_reach[a] = solver_.stroke_reach(arm, state_.stroke_idx(), offsets[a]);
  }
  const bool sync_before = ui_.sync_enabled;
  const auto revision_before = state_.revision();
  draw_side_panel(state_, ui_, panel_in_, ImGui::GetIO().DisplaySize.y);
  if (replay_) {
    const ImVec2 ds = ImGui::GetIO().DisplaySize;
    draw_timeline(*replay_, kPanelWidth, ds.x - kPanelWidth, ds.y);
  }
  // A change made in this frame (a checkbox ticked on mouse release, a
  // slider dragged) is acted on in the next one: make sure there is one.
  if (ui_.sync_enabled != sync_before || state_.revision() != revision_before || ImGui::IsAnyItemActive() ||
      ui_.reset_camera)
    redraw_frames_ = std::max(redraw_frames_, 1);
  ImGui::Render();

  draw_3d(fb_w, fb_h);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  if (capture) {
    const auto rgb = render::read_framebuffer_rgb(fb_w, fb_h);
    if (auto r = render::write_png(opt_.screenshot.string(), fb_w, fb_h, rgb); !r)
      std::cerr << "strokeviz: " << r.error().str() << "\n";
    else {
      screenshot_written_ = true;
      std::cout << "strokeviz: screenshot written to " << fs::absolute(opt_.screenshot).string() << "\n";
    }
  }
  if (ui_.save_png) save_png(fb_w, fb_h);
  glfwSwapBuffers(window_.handle());
  ++frames_;
  if (newest_event_us_ > 0) {  // this frame shows the robot's newest progress
    if (event_to_swap_us_.size() < kMaxLatencySamples) event_to_swap_us_.push_back(now_us() - newest_event_us_);
    newest_event_us_ = 0;
  }
  if (frames_ == 1) {
    first_frame_ms_ = ms_since(start_);
    first_frame_steady_ms_ =
        std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
    if (opt_.print_timing) spdlog::info("first frame swapped {:.1f} ms after process start", first_frame_ms_);
  }
  ui_.frame_ms = ms_since(t0);
}

void Viewer::draw_3d(int fb_w, int fb_h) {
  const float scale = fb_w / std::max(1.0f, ImGui::GetIO().DisplaySize.x);
  const int panel_px = std::min(fb_w - 1, static_cast<int>(kPanelWidth * scale));
  // The replay timeline takes a strip along the bottom (GL's y is up).
  const int bar_px = replay_ ? std::min(fb_h - 1, static_cast<int>(kTimelineHeight * scale)) : 0;
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

// Starts or stops the worker as the checkbox says, applies what it sent,
// and moves the interpolated pose on. The only place sync meets the view.
void Viewer::update_sync(Clock::time_point now) {
  if (ui_.sync_enabled && replay_) {  // going live ends the replay
    replay_.reset();
    follower_.reset();
  }
  if (ui_.sync_enabled && !worker_) {
    sync::WorkerOptions wo;
    wo.redis = in_.redis;
    wo.recorder = open_recorder();
    wo.wake = [] { glfwPostEmptyEvent(); };
    worker_ = std::make_unique<sync::SyncWorker>(std::move(wo));
    worker_->start();
    was_playing_ = state_.playback().playing;
    state_.set_playing(false);  // the robot drives the view now
    spdlog::info("sync: following {}", in_.redis.describe());
  } else if (!ui_.sync_enabled && worker_) {
    worker_->stop();
    worker_.reset();
    recorder_.reset();  // flushes and closes the files
    follower_.reset();
    status_ = sync::StatusSnapshot{};
    ui_.sync_status = "Disconnected";
    state_.set_playing(was_playing_);
    spdlog::info("sync: stopped");
  }
  if (replay_) refresh_sync_info(now);
  if (!worker_) return;
  // Drain what arrived; bounded by the queue's capacity per frame.
  auto& q = worker_->queue();
  for (std::size_t n = q.capacity(); n > 0; --n) {
    protocol::FeedItem* item = q.front();
    if (!item) break;
    if (const auto* ev = std::get_if<protocol::Event>(item))
      if (const auto* p = std::get_if<protocol::ProgressUpdate>(ev)) newest_event_us_ = std::max(newest_event_us_, p->header.time_us);
    follower_.apply(*item, state_, now);
    q.pop();
  }
  follower_.tick(state_, now);
  status_ = worker_->status();
  ui_.sync_status = status_.label.empty() ? "Connecting" : status_.label;
  refresh_sync_info(now);
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
  ui_.sync_enabled = false;  // a replay takes the view over from live sync
  if (worker_) update_sync(Clock::now());
  follower_.reset();
  replay_ = std::make_unique<ReplayPlayer>(std::move(*rec), follower_, state_);
  replay_->seek_index(0);
  state_.set_playing(false);
  in_.replay_source = loading_name_;
  s.status = "replaying " + loading_name_;
}

// Synced sessions are recorded unless --no-record; a recorder that cannot
// open says why in the panel and sync goes on without it.
std::shared_ptr<session::Recorder> Viewer::open_recorder() {
  recorder_.reset();
  ui_.sync.recording.clear();
  if (opt_.no_record) return nullptr;
  session::RecorderOptions ro;
  ro.dir = sessions_dir(opt_);
  ro.viewer_version = kVersion;
  ro.server = in_.redis.describe();
  auto r = session::Recorder::open(ro);
  if (!r) {
    ui_.sync.recording = "not recording: " + r.error().str();
    spdlog::warn("{}", ui_.sync.recording);
    return nullptr;
  }
  recorder_ = std::shared_ptr<session::Recorder>(std::move(*r));
  spdlog::info("recording synced sessions in {}", ro.dir.string());
  return recorder_;
}

void Viewer::refresh_sync_info(Clock::time_point now) {
  SyncInfo& si = ui_.sync;
  const RobotView& rv = follower_.robot();
  si.server = status_.server.empty() ? in_.redis.describe() : status_.server;
  si.session = rv.session_id;
  si.node = rv.node_id;
  si.robot_pose = rv.current_pose;
  si.connected_l = rv.connected_l;
  si.connected_r = rv.connected_r;
  if (worker_) {
    si.received = worker_->received();
    si.rejected = worker_->rejected();
    si.dropped = worker_->dropped();
    si.reconnects = worker_->reconnects();
    si.latency_ms = static_cast<double>(worker_->last_latency_us()) / 1000.0;
  }
  si.applied = rv.applied;
  si.out_of_range = rv.out_of_range;
  si.last_event_age_s = status_.last_event == Clock::time_point{}
                            ? -1.0
                            : std::chrono::duration<double>(now - status_.last_event).count();
  si.mismatch = rv.mismatch;
  si.errors = &rv.errors;
  if (replay_) si.recording = "replaying " + in_.replay_source;
  if (recorder_) {
    const session::RecorderStats rs = recorder_->stats();
    si.recording = rs.current_file.empty() ? "recording: waiting for a session" : "recording " + rs.current_file;
    si.recording_lost = rs.lost_lines;
    if (!rs.last_error.empty()) si.recording += " (" + rs.last_error + ")";
  }
}

int Viewer::finish(int rc) {
  if (!opt_.dump_state.empty()) {
    DumpExtras extras{in_.model.path().string(), frames_, idle_waits_, first_frame_ms_, first_frame_steady_ms_,
                      &event_to_swap_us_};
    if (auto w = write_state(opt_.dump_state, state_to_json(state_, ui_, panel_in_, extras)); !w) {
      std::cerr << "strokeviz: " << w.error().str() << "\n";
      return rc == kExitOk ? kExitFailure : rc;
    }
  }
  return rc;
}

void Viewer::shutdown() {
  if (worker_) {
    worker_->stop();  // joined before anything it could wake goes away
    worker_.reset();
  }
  recorder_.reset();
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
  PoseSolver solver(in.scene, in.model);
  const ReachReport report = check_reach(solver, in.scene, &std::cerr);
  print_reach_report(report, in.scene, std::cout);
  return report.unreachable == 0 ? kExitOk : kExitUnreachable;
}

}  // namespace

int run_viewer(const Options& options, Clock::time_point process_start) {
  SignalWatcher signals;
  if (options.list_sessions) return run_list_sessions(options);
  if (!options.summary.empty()) return run_summary(options);
  int rc = kExitOk;
  auto loaded = load_inputs(options, rc);
  if (!loaded) return rc;
  if (options.print_timing) spdlog::info("scene and robot loaded after {:.1f} ms", ms_since(process_start));
  if (options.check_reach) return run_reach_check(*loaded);
  if (!options.replay.empty()) {
    auto opened = open_replay(options.replay);
    if (!opened) return kExitUsage;
    spdlog::info("replaying {} ({} items)", opened->source.describe(), opened->recording.size());
    loaded->replay_source = opened->source.describe();
    loaded->replay.emplace(std::move(opened->recording));
  }
  Options effective = options;
  std::optional<DemoServices> demo;
  if (options.demo) {
    auto d = DemoServices::start(loaded->scene.dir, options.speed);
    if (!d) {
      std::cerr << "strokeviz: " << d.error().str() << "\n";
      return kExitFailure;
    }
    demo.emplace(std::move(*d));
    loaded->redis = sync::RedisConfig{};
    (void)loaded->redis.set_address(demo->address());
    effective.sync = true;
  }
  Viewer viewer(effective, *loaded, signals, process_start);
  return viewer.run();  // the viewer (and its worker) stops before the demo services
}

}  // namespace strokeviz::app
