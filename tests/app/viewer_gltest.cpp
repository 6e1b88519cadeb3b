// The real viewer under Xvfb: screenshots checked by pixel colour, and
// --dump-state checked against the scene and the IK the viewer must have run.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <stb/stb_image.h>

#include "app/ui/panels.hpp"
#include "app/ui/timeline.hpp"
#include "follow/pose_solver.hpp"
#include "model/robot_model.hpp"
#include "model/scene.hpp"
#include "session/recording.hpp"
#include "tests/support/process.hpp"
#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"

namespace strokeviz::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
const std::string kExe = STROKEVIZ_EXE;
const std::string kSrc = STROKEVIZ_SOURCE_DIR;
const std::string kShared = STROKEVIZ_SHARED_DIR;

struct Image {
  int w = 0, h = 0;
  std::vector<unsigned char> rgb;
};

Image load_png(const fs::path& p) {
  Image img;
  int n = 0;
  unsigned char* data = stbi_load(p.c_str(), &img.w, &img.h, &n, 3);
  if (!data) return img;
  img.rgb.assign(data, data + static_cast<std::size_t>(img.w) * img.h * 3);
  stbi_image_free(data);
  return img;
}

// Counts pixels of the 3D view (right of the side panel) that pass `pred`.
template <class Pred>
long count_view_pixels(const Image& img, Pred pred) {
  long n = 0;
  const int x0 = static_cast<int>(app::kPanelWidth) + 4;
  for (int y = 0; y < img.h; ++y)
    for (int x = x0; x < img.w; ++x) {
      const unsigned char* p = &img.rgb[(static_cast<std::size_t>(y) * img.w + x) * 3];
      n += pred(p[0], p[1], p[2]) ? 1 : 0;
    }
  return n;
}

bool near(int v, int target, int tol) { return std::abs(v - target) <= tol; }
bool is_true_blue(int r, int g, int b) { return r < 60 && near(g, 128, 45) && b > 200; }
bool is_bright_red(int r, int g, int b) { return r > 200 && g < 50 && b < 50; }
bool is_greyish(int r, int g, int b) {
  const int mx = std::max({r, g, b}), mn = std::min({r, g, b});
  return mx - mn < 28 && mx > 80 && mx < 240;
}

class ViewerGui : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("strokeviz-gui-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  // Runs the viewer to a screenshot; returns the image (empty on failure).
  Image shoot(const std::string& name, std::vector<std::string> extra) {
    const fs::path png = dir_ / (name + ".png");
    std::vector<std::string> args{kExe, "--scene=tatbotlogo", "--stroke=3", "--pose=60", "--width=1200",
                                  "--height=800", "--screenshot", png.string(), "--frames=3",
                                  "--dump-state", (dir_ / (name + ".json")).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = run_process(args, 120s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("screenshot written to"), std::string::npos) << r.out;
    return load_png(png);
  }
  nlohmann::json state(const std::string& name) {
    std::ifstream in(dir_ / (name + ".json"));
    return nlohmann::json::parse(in, nullptr, false);
  }
  fs::path dir_;
};

TEST_F(ViewerGui, ScreenshotShowsBothPenColours) {
  const Image img = shoot("colours", {});
  ASSERT_EQ(img.w, 1200);
  ASSERT_EQ(img.h, 800);
  const long blue = count_view_pixels(img, is_true_blue);
  const long red = count_view_pixels(img, is_bright_red);
  EXPECT_GT(blue, 300) << "true_blue strokes of the left pen";
  EXPECT_GT(red, 300) << "bright_red strokes of the right pen";
}

TEST_F(ViewerGui, ScreenshotShowsTheArms) {
  const Image with = shoot("with_robot", {});
  const Image without = shoot("without_robot", {"--no-robot"});
  const long g_with = count_view_pixels(with, is_greyish);
  const long g_without = count_view_pixels(without, is_greyish);
  EXPECT_GT(g_with - g_without, 5000) << "with robot " << g_with << ", without " << g_without;
}

TEST_F(ViewerGui, LoadsAndDrawsTheRealTatbotUrdfWithMeshes) {
  const std::string urdf = kShared + "/tatbot/urdf/tatbot.urdf";
  ASSERT_TRUE(fs::exists(urdf)) << urdf;
  const Image with = shoot("real_robot", {"--urdf", urdf});
  const Image without = shoot("real_without", {"--urdf", urdf, "--no-robot"});
  EXPECT_GT(count_view_pixels(with, is_greyish) - count_view_pixels(without, is_greyish), 5000);
  EXPECT_EQ(state("real_robot").value("urdf", ""), fs::path(urdf).string());
}

TEST_F(ViewerGui, DumpStateMatchesTheSceneAndTheIk) {
  shoot("state", {"--offset-l=0", "--offset-r=31"});
  const auto j = state("state");
  ASSERT_FALSE(j.is_discarded());
  auto sc = load::load_scene(kSrc + "/scenes/tatbotlogo");
  ASSERT_TRUE(sc) << sc.error().str();
  EXPECT_EQ(j["scene"], sc->name);
  EXPECT_EQ(j["stroke_count"], static_cast<int>(sc->strokes.size()));
  EXPECT_EQ(j["stroke_length"], sc->stroke_length);
  EXPECT_EQ(j["offset_num"], sc->offset_num);
  EXPECT_EQ(j["stroke_idx"], 3);
  EXPECT_EQ(j["pose_idx"], 60);
  EXPECT_EQ(j["offset_idx_l"], 0);
  EXPECT_EQ(j["offset_idx_r"], 31);
  EXPECT_EQ(j["description_l"], sc->strokes[3].arm[0].description);
  EXPECT_EQ(j["description_r"], sc->strokes[3].arm[1].description);
  EXPECT_EQ(j["sync"]["status"], "Disconnected");
  EXPECT_EQ(j["sync"]["enabled"], false);
  EXPECT_EQ(j["playing"], false) << "a screenshot run starts paused";

  // The joints are the viewer's IK for that pose: solve it here too.
  auto model = load::load_urdf(sc->urdf);
  ASSERT_TRUE(model) << model.error().str();
  ASSERT_TRUE(model->set_arms(sc->ee_links));
  follow::PoseSolver solver(*sc, *model);
  const auto q = solver.joints(3, 60, {0, 31});
  ASSERT_EQ(j["joints"].size(), 14u);
  for (int i = 0; i < 14; ++i) EXPECT_NEAR(j["joints"][i].get<double>(), q[i], 1e-9) << "joint " << i;
  ASSERT_EQ(j["joint_names"].size(), 14u);
  EXPECT_EQ(j["joint_names"][0], "left/joint_0");
}

TEST_F(ViewerGui, PausedViewerWaitsInsteadOfSpinning) {
  const fs::path out = dir_ / "idle.json";
  const auto r = run_process({kExe, "--scene=tatbotlogo", "--paused", "--quit-after=1.5", "--dump-state", out.string()}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in);
  // A spinning loop would draw ~100 frames in 1.5 s (vsync 60 Hz) or far more.
  EXPECT_LE(j["frames_rendered"].get<int>(), 12);
  EXPECT_GE(j["frames_rendered"].get<int>(), 1);
  EXPECT_GE(j["idle_waits"].get<int>(), 1);
}

TEST_F(ViewerGui, PlayingViewerAdvancesPoses) {
  const fs::path out = dir_ / "play.json";
  const auto r = run_process({kExe, "--scene=tatbotlogo", "--play", "--speed=20", "--quit-after=1.5",
                              "--dump-state", out.string()}, 60s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  const auto j = nlohmann::json::parse(in);
  // At 20x: first pose dwells 0.05 s, then a pose every 0.01 s.
  const int flat = j["stroke_idx"].get<int>() * j["stroke_length"].get<int>() + j["pose_idx"].get<int>();
  EXPECT_GT(flat, 20) << "poses should have advanced";
  EXPECT_GT(j["frames_rendered"].get<int>(), 10);
}

TEST_F(ViewerGui, ReplayShowsTheRecordedStateAndATimeline) {
  const std::string file = kSrc + "/tests/data/sessions/good.jsonl";
  const Image img = shoot("replay", {"--replay", file, "--replay-at=12"});
  const auto j = state("replay");
  ASSERT_FALSE(j.is_discarded());
  auto rec = session::Recording::load(file);
  ASSERT_TRUE(rec) << rec.error().str();
  const std::size_t i = rec->index_at(rec->time(0) + 12'000'000);
  EXPECT_EQ(j["stroke_idx"], rec->stroke_at(i));
  EXPECT_EQ(j["pose_idx"], rec->pose_at(i));
  EXPECT_EQ(j["sync"]["session"], "stroke_hog_1763758501");
  EXPECT_EQ(j["sync"]["enabled"], false);
  // The timeline along the bottom: played part and the session-start marker.
  long played = 0, start_marker = 0;
  for (int y = img.h - static_cast<int>(app::kTimelineHeight); y < img.h; ++y)
    for (int x = static_cast<int>(app::kPanelWidth); x < img.w; ++x) {
      const unsigned char* p = &img.rgb[(static_cast<std::size_t>(y) * img.w + x) * 3];
      played += near(p[0], 70, 6) && near(p[1], 110, 6) && near(p[2], 170, 6);
      start_marker += near(p[0], 80, 6) && near(p[1], 220, 6) && near(p[2], 120, 6);
    }
  EXPECT_GT(played, 500);
  EXPECT_GT(start_marker, 10);
}


// A copy of good.jsonl with a robot:state snapshot carrying both arms'
// joints right after its session_start.
fs::path session_with_joints(const fs::path& dir, const std::array<double, 14>& q) {
  std::ifstream in(kSrc + "/tests/data/sessions/good.jsonl");
  const fs::path out_path = dir / "with_joints.jsonl";
  std::ofstream out(out_path);
  std::string line;
  auto arm = [&](int a) {
    std::string s = "[";
    for (int i = 0; i < 7; ++i) s += (i ? ", " : "") + std::to_string(q[static_cast<std::size_t>(a * 7 + i)]);
    return s + "]";
  };
  for (int n = 0; std::getline(in, line); ++n) {
    out << line << "\n";
    if (line.find("\"session_start\"") == std::string::npos) continue;
    out << R"({"t":1763758501123456,"key":"robot:state:hog","raw":{"timestamp":"2025-11-21T20:55:01.123456",)"
        << R"("node_id":"hog","is_connected_l":true,"is_connected_r":true,"joints_l":)" << arm(0)
        << R"(,"joints_r":)" << arm(1)
        << R"(,"velocities_l":null,"velocities_r":null,"current_pose":"ready","goal_time_slow":2.0,"goal_time_fast":0.5}})"
        << "\n";
  }
  return out_path;
}

// Replay shows what live showed, joints included: the arms are drawn with the
// robot's recorded joints, not the scene's IK.
TEST_F(ViewerGui, ReplayDrawsTheRecordedJoints) {
  const std::array<double, 14> q{0.3, 1.0, -0.6, 0.4, 0.5, -0.3, 0.02, -0.4, 1.2, -0.9, -0.2, -0.6, 0.5, 0.02};
  const fs::path file = session_with_joints(dir_, q);
  const Image robot = shoot("replay_joints", {"--replay", file.string(), "--replay-at=12"});
  const Image ik = shoot("replay_ik", {"--replay", kSrc + "/tests/data/sessions/good.jsonl", "--replay-at=12"});
  const auto j = state("replay_joints");
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["mode"], "replay");
  EXPECT_EQ(j["joints_source"], "robot");
  EXPECT_EQ(state("replay_ik")["joints_source"], "ik");
  ASSERT_EQ(j["joints"].size(), 14u);
  for (std::size_t i = 0; i < 14; ++i) EXPECT_NEAR(j["joints"][i].get<double>(), q[i], 1e-9) << "joint " << i;
  // What was drawn: the needles where FK of the recorded joints puts them.
  auto sc = load::load_scene(kSrc + "/scenes/tatbotlogo");
  ASSERT_TRUE(sc) << sc.error().str();
  auto m = load::load_urdf(sc->urdf);
  ASSERT_TRUE(m) << m.error().str();
  ASSERT_TRUE(m->set_arms(sc->ee_links));
  std::vector<Eigen::Isometry3d> world;
  m->forward_kinematics(q, world);
  for (int a = 0; a < 2; ++a) {
    const auto& p = j["needles_drawn"][a == 0 ? "left" : "right"];
    ASSERT_EQ(p.size(), 3u) << j["needles_drawn"];
    const Eigen::Vector3d want = world[static_cast<std::size_t>(m->ee_link(a))].translation();
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(p[k].get<double>(), want[k], 1e-9) << "arm " << a;
  }
  // And on screen the arms are elsewhere than the IK would put them.
  long differ = 0;
  for (std::size_t i = 0; i + 2 < robot.rgb.size() && robot.rgb.size() == ik.rgb.size(); i += 3)
    differ += std::abs(robot.rgb[i] - ik.rgb[i]) + std::abs(robot.rgb[i + 1] - ik.rgb[i + 1]) > 40 ? 1 : 0;
  EXPECT_GT(differ, 3000);
}

// One set of keys acts on whatever is shown: in a replay, Right steps to the
// next event and Up to the next stroke (real key presses, xdotool).
TEST_F(ViewerGui, KeysMoveTheReplay) {
  const std::string file = kSrc + "/tests/data/sessions/good.jsonl";
  const fs::path json = dir_ / "keys.json";
  RunningProcess viewer = start_process({kExe, "--replay", file, "--replay-at=12", "--paused", "--quit-after=6",
                                         "--log-level=debug", "--width=1200", "--height=800", "--dump-state",
                                         json.string()});
  ASSERT_FALSE(wait_for_text(viewer.err_path, "checkbox at ", 20s).empty()) << "viewer never drew the panel";
  const auto keys = run_process({"/usr/bin/xdotool", "search", "--sync", "--name", "^strokeviz", "windowfocus",
                                 "--sync", "%1", "key", "--delay", "150", "Right", "Right", "Right", "Up"},
                                10s);
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  const auto r = finish_process(viewer, 30s);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(json);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  auto rec = session::Recording::load(file);
  ASSERT_TRUE(rec) << rec.error().str();
  // The same moves on the recording: three items on, then the next stroke.
  std::size_t i = rec->index_at(rec->time(0) + 12'000'000) + 3;
  if (const std::size_t s = rec->next_stroke(i); s != session::Recording::npos) i = s;
  EXPECT_EQ(j["mode"], "replay");
  EXPECT_NEAR(j["timeline"]["playhead_s"].get<double>(), static_cast<double>(rec->time(i)) / 1e6, 1e-6);
  EXPECT_EQ(j["stroke_idx"], rec->stroke_at(i));
  EXPECT_EQ(j["pose_idx"], rec->pose_at(i));
  EXPECT_EQ(j["timeline"]["playing"], false);
}


// A session whose counts do not fit the loaded scene: a prominent banner over
// the view says what differs; scene_name "default" alone is no mismatch.
TEST_F(ViewerGui, MismatchedSessionShowsABanner) {
  std::ifstream in(kSrc + "/tests/data/sessions/good.jsonl");
  const fs::path bad = dir_ / "mismatch.jsonl", ok = dir_ / "default.jsonl";
  std::ofstream out_bad(bad), out_ok(ok);
  std::string line;
  auto replace_all = [](std::string s, const std::string& a, const std::string& b) {
    for (auto p = s.find(a); p != std::string::npos; p = s.find(a, p + b.size())) s.replace(p, a.size(), b);
    return s;
  };
  while (std::getline(in, line)) {
    const std::string named = replace_all(line, R"("scene_name": "tatbotlogo")", R"("scene_name": "default")");
    out_ok << named << "\n";
    out_bad << replace_all(named, R"("total_strokes": 19)", R"("total_strokes": 212)") << "\n";
  }
  out_bad.close();
  out_ok.close();
  auto banner_pixels = [](const Image& img) {
    return count_view_pixels(img, [](int r, int g, int b) { return near(r, 120, 8) && near(g, 28, 8) && near(b, 20, 8); });
  };
  const Image with = shoot("mismatch", {"--replay", bad.string(), "--replay-at=12"});
  const Image without = shoot("default_name", {"--replay", ok.string(), "--replay-at=12"});
  const auto j = state("mismatch");
  EXPECT_NE(j["sync"]["mismatch"].get<std::string>().find("212 strokes (loaded: 19)"), std::string::npos)
      << j["sync"]["mismatch"];
  EXPECT_EQ(state("default_name")["sync"]["mismatch"], "");
  EXPECT_GT(banner_pixels(with), 5000) << "the banner over the view";
  EXPECT_EQ(banner_pixels(without), 0);
}

}  // namespace
}  // namespace strokeviz::test
