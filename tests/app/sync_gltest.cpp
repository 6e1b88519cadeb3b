// "Sync with Robot" for real: the viewer under Xvfb, the simulator publishing
// to a private redis-server, and a real click on the checkbox (xdotool).
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "session/recording.hpp"
#include "tests/support/process.hpp"
#include "tests/support/redis_server.hpp"

namespace strokeviz::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kExe = STROKEVIZ_EXE;
const std::string kSim = STROKEVIZ_SIM_EXE;

class SyncGui : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strokeviz-syncgui-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ASSERT_TRUE(redis_.ok()) << redis_.error();
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  nlohmann::json read_json(const fs::path& p) {
    std::ifstream in(p);
    return nlohmann::json::parse(in, nullptr, false);
  }
  RedisServer redis_;
  fs::path dir_;
};

TEST_F(SyncGui, ClickingTheCheckboxFollowsTheSimulatedRobot) {
  const fs::path state = dir_ / "state.json";
  const fs::path shot = dir_ / "synced.png";
  RunningProcess viewer = start_process({kExe, "--scene=tatbotlogo", "--redis", redis_.address(), "--log-level=debug",
                                         "--record-dir", (dir_ / "rec").string(),
                                         "--width=1200", "--height=800", "--quit-after=9", "--dump-state",
                                         state.string(), "--screenshot", shot.string()});
  // The viewer says where the checkbox is once it has drawn it.
  const std::string log = wait_for_text(viewer.err_path, "checkbox at ", 20s);
  ASSERT_FALSE(log.empty()) << "viewer never drew the panel";
  std::smatch m;
  ASSERT_TRUE(std::regex_search(log, m, std::regex(R"(checkbox at ([0-9]+),([0-9]+))")));
  const auto click = run_process({"/usr/bin/xdotool", "search", "--sync", "--name", "^strokeviz", "mousemove",
                                  "--window", "%1", m[1].str(), m[2].str(), "click", "1"},
                                 10s);
  ASSERT_EQ(click.exit_code, 0) << click.err;
  ASSERT_FALSE(wait_for_text(viewer.err_path, "sync: following", 10s).empty()) << "the click did not tick Sync";

  // The robot runs two strokes at 20x while the viewer follows (--rich: the
  // scene's own name and no tool progress messages, so nothing is rejected).
  const auto sim = run_process({kSim, "--scene=tatbotlogo", "--redis", redis_.address(), "--speed=20",
                                "--strokes=2", "--node=simnode", "--rich"},
                               60s);
  ASSERT_EQ(sim.exit_code, 0) << sim.err;

  const auto r = finish_process(viewer, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = read_json(state);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["sync"]["enabled"], true);
  EXPECT_EQ(j["sync"]["node"], "simnode");
  EXPECT_GT(j["sync"]["received"].get<int>(), 2 * 20) << j.dump(2);
  EXPECT_EQ(j["sync"]["rejected"], 0);
  EXPECT_EQ(j["sync"]["status"], "Connected (idle)") << "the session ended\n" << r.err;
  // The view ends exactly where the robot last reported: stroke 1, pose 125.
  const std::string session = j["sync"]["session"];
  const auto hash = nlohmann::json::parse(redis_.cli({"HGET", "stroke:progress:" + session, "progress"}), nullptr, false);
  ASSERT_FALSE(hash.is_discarded()) << session;
  EXPECT_EQ(j["stroke_idx"], hash["stroke_idx"]);
  EXPECT_EQ(j["pose_idx"], hash["pose_idx"]);
  EXPECT_EQ(j["offset_idx_l"], hash["offset_idx_l"]);
  EXPECT_EQ(j["offset_idx_r"], hash["offset_idx_r"]);
  EXPECT_EQ(j["stroke_idx"], 1);
  EXPECT_EQ(j["pose_idx"], 125);
  EXPECT_EQ(j["playing"], false) << "local playback pauses while following";
  EXPECT_TRUE(fs::exists(shot)) << "the screenshot is written at --quit-after";
}

TEST_F(SyncGui, SigtermEndsTheViewerCleanlyWithItsFiles) {
  const fs::path state = dir_ / "term.json";
  const fs::path shot = dir_ / "term.png";
  RunningProcess viewer = start_process({kExe, "--scene=tatbotlogo", "--sync", "--redis", redis_.address(),
                                         "--no-record", "--log-level=debug", "--dump-state", state.string(), "--screenshot",
                                         shot.string()});
  ASSERT_FALSE(wait_for_text(viewer.err_path, "checkbox at ", 20s).empty());
  kill(viewer.pid, SIGTERM);
  const auto r = finish_process(viewer, 10s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("signal 15 received"), std::string::npos) << r.err;
  const auto j = read_json(state);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["sync"]["enabled"], true);
  EXPECT_TRUE(fs::exists(shot));
}

TEST_F(SyncGui, KillNineWhileRecordingLeavesAValidFile) {
  const fs::path rec_dir = dir_ / "sessions";
  RunningProcess viewer = start_process({kExe, "--scene=tatbotlogo", "--sync", "--redis", redis_.address(),
                                         "--record-dir", rec_dir.string(), "--log-level=debug"});
  ASSERT_FALSE(wait_for_text(viewer.err_path, "SyncWorker: following", 20s).empty());
  RunningProcess sim = start_process({kSim, "--scene=tatbotlogo", "--redis", redis_.address(), "--speed=20",
                                      "--strokes=3", "--node=killnode"});
  // Wait until the session file holds stroke 1's reports, then kill -9 mid-session.
  const std::string out = wait_for_text(sim.out_path, "session_start ", 20s);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(session_start (stroke_killnode_[0-9]+))"))) << out;
  const fs::path file = rec_dir / (m[1].str() + ".jsonl");
  ASSERT_FALSE(wait_for_text(file.string(), "\"stroke_idx\": 1", 30s).empty()) << file;
  kill(viewer.pid, SIGKILL);
  const auto r = finish_process(viewer, 10s);
  EXPECT_EQ(r.signal, SIGKILL);
  finish_process(sim, 60s);

  session::LoadReport report;
  auto rec = session::Recording::load(file, &report);
  ASSERT_TRUE(rec) << rec.error().str();
  EXPECT_LE(report.skipped, 1u) << "at most the last partial line: " << report.first_bad_reason;
  if (report.skipped == 1) {
    EXPECT_EQ(report.first_bad_line, report.lines);
  }
  EXPECT_GT(rec->size(), 27u);
  EXPECT_EQ(rec->header().session_id, m[1].str());
}


// Recording gaps: sync unticked for a few seconds mid-session. The session
// file says where the viewer was not listening, and its replay shows the gap
// on the timeline, in --dump-state and in --summary.
TEST_F(SyncGui, UntickingSyncMidSessionLeavesAGapTheReplayShows) {
  const fs::path rec_dir = dir_ / "gap";
  RunningProcess viewer = start_process({kExe, "--scene=tatbotlogo", "--redis", redis_.address(), "--log-level=debug",
                                         "--record-dir", rec_dir.string(), "--width=1200", "--height=800",
                                         "--quit-after=40"});
  ASSERT_FALSE(wait_for_text(viewer.err_path, "checkbox at ", 20s).empty()) << "viewer never drew the panel";
  // Clicks the checkbox where the viewer last said it is.
  auto click = [&] {
    const std::string log = slurp(viewer.err_path);
    const std::regex at(R"(checkbox at ([0-9]+),([0-9]+))");
    std::string x, y;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), at);
         it != std::sregex_iterator(); ++it) {
      x = (*it)[1].str();
      y = (*it)[2].str();
    }
    const auto c = run_process({"/usr/bin/xdotool", "search", "--sync", "--name", "^strokeviz", "mousemove", "--window",
                                "%1", x, y, "click", "1"},
                               10s);
    ASSERT_EQ(c.exit_code, 0) << c.err;
  };
  // Bounded: until the log says `needle` `times` times, or 10 s.
  auto wait_log = [&](const std::string& needle, int times) {
    const auto end = std::chrono::steady_clock::now() + 10s;
    for (;;) {
      const std::string log = slurp(viewer.err_path);
      int n = 0;
      for (auto p = log.find(needle); p != std::string::npos; p = log.find(needle, p + 1)) ++n;
      if (n >= times) return true;
      if (std::chrono::steady_clock::now() >= end) return false;
      std::this_thread::sleep_for(20ms);
    }
  };
  std::smatch m;
  click();
  ASSERT_TRUE(wait_log("sync: following", 1));
  RunningProcess sim = start_process({kSim, "--scene=tatbotlogo", "--redis", redis_.address(), "--speed=4",
                                      "--strokes=3", "--node=gapnode"});
  const std::string out = wait_for_text(sim.out_path, "session_start ", 20s);
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(session_start (stroke_gapnode_[0-9]+))"))) << out;
  const fs::path file = rec_dir / (m[1].str() + ".jsonl");
  ASSERT_FALSE(wait_for_text(file.string(), "\"pose_idx\": 10", 30s).empty()) << file;
  click();  // untick
  ASSERT_TRUE(wait_log("sync: stopped", 1));
  std::this_thread::sleep_for(3s);  // the gap itself: sync stays off this long
  click();  // tick again
  ASSERT_TRUE(wait_log("sync: following", 2)) << slurp(viewer.err_path);
  const auto sim_done = finish_process(sim, 90s);
  ASSERT_EQ(sim_done.exit_code, 0) << sim_done.err;
  kill(viewer.pid, SIGTERM);
  ASSERT_EQ(finish_process(viewer, 20s).exit_code, 0);

  const fs::path summary = dir_ / "gap-summary.json", state = dir_ / "gap-state.json", shot = dir_ / "gap.png";
  const auto s = run_process({kExe, "--replay", file.string(), "--summary", summary.string()}, 30s);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto js = read_json(summary);
  ASSERT_EQ(js["recording_gaps"].size(), 1u) << js.dump(2);
  EXPECT_GE(js["recording_gaps"][0]["duration_s"].get<double>(), 2.5);
  const auto v = run_process({kExe, "--replay", file.string(), "--frames=3", "--screenshot", shot.string(),
                              "--dump-state", state.string(), "--width=1200", "--height=800"},
                             60s);
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const auto jv = read_json(state);
  EXPECT_EQ(jv["mode"], "replay");
  EXPECT_EQ(jv["timeline"]["gaps"], 1) << jv.dump(2);
  EXPECT_GE(jv["timeline"]["gap_seconds"].get<double>(), 2.5);
}

}  // namespace
}  // namespace strokeviz::test
