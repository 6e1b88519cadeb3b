// The viewer's sources (plan, live, replay), the link to the robot, the Sessions
// panel, and the way out (--dump-state, shutdown, run_viewer).
//
// Sections: 5. sources  6. exit  7. run_viewer
#include "app/viewer.hpp"

#include <cstdio>
#include <optional>

#include "app/demo.hpp"
#include "app/plan_dump.hpp"
#include "follow/reach_check.hpp"
#include <algorithm>
#include <iostream>

#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <spdlog/spdlog.h>

#include "app/sessions.hpp"
#include "app/state_dump.hpp"
#include "app/version.hpp"
#include "app/viewer_window.hpp"

namespace strokeviz::app {

using follow::Mode;
using follow::RecordingSource;
namespace fs = std::filesystem;

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
                                                RecordingSource::Options{Mode::Live, in_.redis.describe(), opt_.live_max_items});
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
  si.activity.clear();
  if (!rv.activity.message.empty()) {
    char pct[32];
    std::snprintf(pct, sizeof pct, " (%.0f %%)", rv.activity.progress * 100.0);
    si.activity = rv.activity.node + ": " + rv.activity.message.substr(0, 300) + pct;
  }
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

namespace {

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

// --dump-plan: the stroke list to a file, no window.
int run_plan_dump(const fs::path& path, const model::Scene& scene) {
  if (auto w = write_plan(path, scene); !w) {
    std::cerr << "strokeviz: --dump-plan: " << w.error().str() << "\n";
    return kExitFailure;
  }
  return kExitOk;
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

int run_viewer(const Options& options, std::chrono::steady_clock::time_point process_start) {
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
  if (!options.dump_plan.empty()) return run_plan_dump(options.dump_plan, loaded->scene);
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
