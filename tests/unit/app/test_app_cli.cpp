// The real strokeviz executable on bad command lines and broken inputs:
// a clear message naming what and where, exit 2, never a crash.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace strokeviz::test {
namespace {

using namespace std::chrono_literals;
const std::string kExe = STROKEVIZ_EXE;
const std::string kSrc = STROKEVIZ_SOURCE_DIR;

ProcessResult viewer(std::vector<std::string> args, std::vector<std::string> env = {}) {
  args.insert(args.begin(), kExe);
  return run_process(args, 60s, env);
}

void expect_clean_exit(const ProcessResult& r, int code) {
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_EQ(r.exit_code, code) << "stdout:\n" << r.out << "\nstderr:\n" << r.err;
}

TEST(Cli, HelpListsTheOptionsAndExitsZero) {
  const auto r = viewer({"--help"});
  expect_clean_exit(r, 0);
  for (const char* opt : {"--scene", "--scenes-dir", "--urdf", "--screenshot", "--frames", "--dump-state", "--version"})
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
}

TEST(Cli, VersionPrintsTheVersion) {
  const auto r = viewer({"--version"});
  expect_clean_exit(r, 0);
  EXPECT_NE(r.out.find("strokeviz " STROKEVIZ_VERSION), std::string::npos) << r.out;
}

TEST(Cli, UnknownOptionAndBadValuesExitTwo) {
  expect_clean_exit(viewer({"--no-such-option"}), 2);
  expect_clean_exit(viewer({"--frames", "0"}), 2);
  expect_clean_exit(viewer({"--speed", "1000"}), 2);
}

TEST(Cli, UnknownSceneListsTheAvailableOnes) {
  const auto r = viewer({"--scene=nosuchscene"});
  expect_clean_exit(r, 2);
  EXPECT_NE(r.err.find("unknown scene 'nosuchscene'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("tatbotlogo"), std::string::npos) << r.err;
}

TEST(Cli, UnknownSceneInAScenesDirListsThatDir) {
  const auto r = viewer({"--scenes-dir", kSrc + "/tests/data/scenes", "--scene=nosuchscene"});
  expect_clean_exit(r, 2);
  EXPECT_NE(r.err.find("bad_json"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("tatbotlogo"), std::string::npos) << r.err;
}

TEST(Cli, MissingScenePathSaysSo) {
  const auto r = viewer({"--scene=/no/such/dir/scene.json"});
  expect_clean_exit(r, 2);
  EXPECT_NE(r.err.find("/no/such/dir/scene.json"), std::string::npos) << r.err;
}

TEST(Cli, MalformedSceneJsonNamesFileAndLine) {
  const auto r = viewer({"--scene=" + kSrc + "/tests/data/scenes/bad_json"});
  expect_clean_exit(r, 2);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(scene\.json:[0-9]+: )"))) << r.err;
}

TEST(Cli, WrongTypeInSceneJsonNamesTheField) {
  const auto r = viewer({"--scene=" + kSrc + "/tests/data/scenes/wrong_type"});
  expect_clean_exit(r, 2);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(scene\.json:[0-9]+: )"))) << r.err;
}

TEST(Cli, GcodeWithABadLineNamesFileAndLine) {
  const auto r = viewer({"--scene=" + kSrc + "/tests/data/scenes/bad_gcode"});
  expect_clean_exit(r, 2);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(\.gcode:[0-9]+: )"))) << r.err;
}

TEST(Cli, UrdfWithAMissingMeshNamesTheMeshAndLine) {
  const auto r = viewer({"--scene=tatbotlogo", "--urdf", kSrc + "/tests/data/urdf/missing_mesh.urdf"});
  expect_clean_exit(r, 2);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(missing_mesh\.urdf:[0-9]+: .*mesh)"))) << r.err;
}

TEST(Cli, MissingUrdfFileSaysSo) {
  const auto r = viewer({"--scene=tatbotlogo", "--urdf", "/no/such/robot.urdf"});
  expect_clean_exit(r, 2);
  EXPECT_NE(r.err.find("/no/such/robot.urdf"), std::string::npos) << r.err;
}

TEST(Cli, NoDisplayIsAClearRuntimeError) {
  const auto r = viewer({"--scene=tatbotlogo"}, {"DISPLAY=", "WAYLAND_DISPLAY="});
  expect_clean_exit(r, 1);
  EXPECT_NE(r.err.find("display"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace strokeviz::test

namespace strokeviz::test {
namespace {

TEST(CheckReach, TatbotlogoIsReachableEverywhere) {
  const auto r = viewer({"--scene=tatbotlogo", "--check-reach"});
  expect_clean_exit(r, 0);
  EXPECT_NE(r.out.find("every pose is reachable within 0.5 mm"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("check-reach: 100%"), std::string::npos) << "progress is shown: " << r.err;
}

TEST(CheckReach, AnOutOfReachDesignIsListedAndExitsThree) {
  const auto r = viewer({"--scene=" + kSrc + "/tests/data/scenes/unreachable", "--check-reach"});
  expect_clean_exit(r, 3);
  EXPECT_NE(r.out.find("32 poses are NOT reachable"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(stroke 1 pose 0 offset 0 left arm: [0-9.]+ mm off)"))) << r.out;
}

}  // namespace
}  // namespace strokeviz::test
