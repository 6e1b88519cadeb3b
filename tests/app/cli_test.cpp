// The real strokeviz executable on bad command lines and broken inputs:
// a clear message naming what and where, exit 2, never a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
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
  for (const char* opt : {"--scene", "--scenes-dir", "--urdf", "--screenshot", "--frames", "--dump-state", "--dump-plan", "--version"})
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

namespace strokeviz::test {
namespace {

const std::string kSessions = kSrc + "/tests/data/sessions/";

std::string slurp_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Replay, SummaryOfAGoodSessionAsJsonAndCsv) {
  const std::string json = ::testing::TempDir() + "summary.json";
  auto r = viewer({"--replay", kSessions + "good.jsonl", "--summary", json});
  expect_clean_exit(r, 0);
  const std::string j = slurp_file(json);
  EXPECT_NE(j.find("\"session_id\": \"stroke_hog_1763758501\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"gaps\": [\n        [\n          25,\n          45"), std::string::npos) << "stroke 1 lost poses 30..40";
  EXPECT_NE(j.find("arm l timeout"), std::string::npos);
  const std::string csv = ::testing::TempDir() + "summary.csv";
  r = viewer({"--replay", kSessions + "good.jsonl", "--summary", csv});
  expect_clean_exit(r, 0);
  const std::string c = slurp_file(csv);
  EXPECT_EQ(c.rfind("stroke,start,end,duration_s,poses_seen,offsets_l,offsets_r,gaps,errors,recording_gap_s\n", 0), 0u) << c;
  EXPECT_NE(c.find("\n1,"), std::string::npos);
  EXPECT_NE(c.find("\"25-45\""), std::string::npos) << c;
}

TEST(Replay, TruncatedAndGarbageFilesLoadTheValidLinesAndSaySo) {
  const std::string out = ::testing::TempDir() + "t.json";
  auto r = viewer({"--replay", kSessions + "truncated.jsonl", "--summary", out});
  expect_clean_exit(r, 0);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(truncated\.jsonl: skipped 1 damaged line\(s\), the first at line 82)")))
      << r.err;
  r = viewer({"--replay", kSessions + "garbage.jsonl", "--summary", out});
  expect_clean_exit(r, 0);
  EXPECT_NE(r.err.find("skipped 3 damaged line(s), the first at line 21"), std::string::npos) << r.err;
}

TEST(Replay, BadFilesAreClearErrorsWithExitTwo) {
  const std::string out = ::testing::TempDir() + "x.json";
  struct Case {
    const char* file;
    const char* says;
  } cases[] = {{"missing.jsonl", "missing.jsonl: cannot open"},
               {"empty.jsonl", "empty.jsonl: empty file"},
               {"future.jsonl", "future.jsonl:1: session format version 99 is newer"},
               {"not_session.jsonl", "not_session.jsonl:1: not a strokeviz session file"}};
  for (const Case& c : cases) {
    const auto r = viewer({"--replay", kSessions + c.file, "--summary", out});
    expect_clean_exit(r, 2);
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.file << ": " << r.err;
    // The same without --summary: the error comes before any window opens.
    const auto w = viewer({"--replay", kSessions + c.file}, {"DISPLAY="});
    expect_clean_exit(w, 2);
  }
}

TEST(Replay, SummaryNeedsReplayAndAKnownExtension) {
  expect_clean_exit(viewer({"--summary", "/tmp/x.json"}), 2);
  const auto r = viewer({"--replay", kSessions + "good.jsonl", "--summary", ::testing::TempDir() + "x.txt"});
  expect_clean_exit(r, 2);
  EXPECT_NE(r.err.find(".json or .csv"), std::string::npos) << r.err;
  const auto u = viewer({"--replay", "redis://127.0.0.1:1", "--summary", "/tmp/x.json"});
  expect_clean_exit(u, 2);
  EXPECT_NE(u.err.find("needs a session id"), std::string::npos) << u.err;
}

TEST(Replay, ListSessionsShowsTheRecordingsFolder) {
  const auto r = viewer({"--list-sessions", "--record-dir", kSessions});
  expect_clean_exit(r, 0);
  EXPECT_NE(r.out.find("stroke_hog_1763758501"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tatbotlogo"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace strokeviz::test
