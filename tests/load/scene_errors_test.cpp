// Broken scenes: scene.json syntax and field errors, missing and bad G-code.
#include <gtest/gtest.h>

#include "model/scene.hpp"
#include "tests/load/scene_test_util.hpp"
#include "load/scene_loader.hpp"
#include "load/gcode.hpp"

namespace strokeviz::load {
using namespace model;
namespace {

using testing::line_of;
using testing::mini_scene_json;
using testing::TempDir;

std::filesystem::path fixture(const char* name) {
  return testing::source_dir() / "tests/data/scenes" / name;
}

Error load_err(const std::filesystem::path& p) {
  auto r = load_scene(p);
  EXPECT_FALSE(r.ok()) << p;
  return r.ok() ? Error{} : r.error();
}

TEST(SceneErrors, SyntaxErrorNamesFileAndLine) {
  const Error e = load_err(fixture("bad_json"));
  EXPECT_EQ(e.file, (fixture("bad_json") / "scene.json").string());
  EXPECT_EQ(e.line, 9);  // the comma is missing at the end of line 8
  EXPECT_NE(e.message.find("JSON syntax error"), std::string::npos) << e.str();
}

TEST(SceneErrors, SyntaxErrorLines) {
  struct Case {
    const char* text;
    int line;
  } cases[] = {{"", 1}, {"{\n\"a\": 1,\n}\n", 3}, {"{\n\n\"a\": [1, 2\n", 4}, {"{\"a\":\n tru }", 2}, {"[1]\nx", 2}};
  for (const auto& c : cases) {
    auto r = parse_scene_json(c.text, "s/scene.json");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().line, c.line) << c.text << " -> " << r.error().str();
  }
}

TEST(SceneErrors, WrongTypeNamesField) {
  const Error e = load_err(fixture("wrong_type"));
  EXPECT_EQ(e.line, 7);
  EXPECT_NE(e.message.find("stroke_length: expected an integer, got string"), std::string::npos) << e.str();
  EXPECT_EQ(e.str(), (fixture("wrong_type") / "scene.json").string() + ":7: " + e.message);
}

TEST(SceneErrors, BadGcodeLineNamesGcodeFileAndLine) {
  const Error e = load_err(fixture("bad_gcode"));
  EXPECT_EQ(std::filesystem::path(e.file).filename(), "bad_pen0_true_blue.gcode");
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.message, "bad number 'Y1O' in G1");
}

TEST(SceneErrors, MissingPenFileNamesPen) {
  const Error e = load_err(fixture("missing_pen"));
  const std::string text = testing::read_text(fixture("missing_pen") / "scene.json");
  EXPECT_EQ(e.line, line_of(text, "\"right\": [\"bright_red\"]"));
  EXPECT_NE(e.message.find("pens.right[0]: no G-code file"), std::string::npos) << e.str();
  EXPECT_NE(e.message.find("bright_red"), std::string::npos);
}

TEST(SceneErrors, MissingSceneJson) {
  TempDir tmp;
  const Error e = load_err(tmp.path());
  EXPECT_EQ(e.file, (tmp.path() / "scene.json").string());
  EXPECT_EQ(e.line, 0);
}

// Each case breaks one field of a valid scene; the error must name the field
// path and point at the line of its key (or of the element).
struct FieldCase {
  const char* name;
  void (*mutate)(nlohmann::json&);
  const char* field;  // expected field path prefix in the message
  const char* key;    // the quoted text whose line the error must give
};

const FieldCase kFieldCases[] = {
    {"missing_name", [](nlohmann::json& j) { j.erase("name"); }, "name: missing", nullptr},
    {"format", [](nlohmann::json& j) { j["format"] = "other"; }, "format:", "\"format\""},
    {"version", [](nlohmann::json& j) { j["version"] = 2; }, "version:", "\"version\""},
    {"stroke_length_1", [](nlohmann::json& j) { j["stroke_length"] = 1; }, "stroke_length: must be in 2..4096", "\"stroke_length\""},
    {"stroke_length_float", [](nlohmann::json& j) { j["stroke_length"] = 6.5; }, "stroke_length: expected an integer", "\"stroke_length\""},
    {"offset_num_0", [](nlohmann::json& j) { j["offset_num"] = 0; }, "offset_num:", "\"offset_num\""},
    {"offset_range", [](nlohmann::json& j) { j["offset_range"] = {1}; }, "offset_range: expected an array of 2", "\"offset_range\""},
    {"goal_time", [](nlohmann::json& j) { j["goal_time_slow"] = -1; }, "goal_time_slow: must be > 0", "\"goal_time_slow\""},
    {"hover_type", [](nlohmann::json& j) { j["hover_offset"][2] = "x"; }, "hover_offset[2]: expected a number, got string", "\"x\""},
    {"ee_offset_right", [](nlohmann::json& j) { j["ee_offset"].erase("right"); }, "ee_offset.right: missing", "\"ee_offset\""},
    {"ee_rot_norm", [](nlohmann::json& j) { j["ee_rot_wxyz"]["left"] = {1, 1, 0, 0}; }, "ee_rot_wxyz.left: quaternion is not normalised", "\"left\": [\n      1,\n      1"},
    {"skin_wxyz", [](nlohmann::json& j) { j["skin"]["design_wxyz"] = {1, 0, 0}; }, "skin.design_wxyz: expected an array of 4", "\"design_wxyz\""},
    {"skin_width", [](nlohmann::json& j) { j["skin"]["width_m"] = 0; }, "skin.width_m: must be > 0", "\"width_m\""},
    {"color_range", [](nlohmann::json& j) { j["pen_colors"]["bright_red"] = {256, 0, 0}; }, "pen_colors.bright_red[0]: must be in 0..255", "256"},
    {"no_color", [](nlohmann::json& j) { j["pen_colors"].erase("bright_red"); }, "pens.right[0]: no colour", nullptr},
    {"pens_type", [](nlohmann::json& j) { j["pens"]["left"] = "true_blue"; }, "pens.left: expected an array", "\"left\": \"true_blue\""},
    {"pen_twice", [](nlohmann::json& j) { j["pens"]["left"].push_back("true_blue"); }, "pens.left[2]: pen 'true_blue' is listed twice", nullptr},
    {"no_inkcap", [](nlohmann::json& j) { j["inkcaps"][3]["ink"] = nullptr; }, "pens.right[0]: no right inkcap holds ink 'bright_red'", nullptr},
    {"inkcap_arm", [](nlohmann::json& j) { j["inkcaps"][2]["arm"] = "middle"; }, "inkcaps[2].arm: expected \"left\" or \"right\"", "\"middle\""},
    {"inkcap_depth", [](nlohmann::json& j) { j["inkcaps"][1].erase("depth_m"); }, "inkcaps[1].depth_m: missing", nullptr},
    {"joints_6", [](nlohmann::json& j) { j["poses"]["sleep"]["right"].erase(6); }, "poses.sleep.right: expected an array of 7", nullptr},
    {"joint_type", [](nlohmann::json& j) { j["poses"]["ready"]["left"][3] = nullptr; }, "poses.ready.left[3]: expected a number, got null", nullptr},
    {"robot", [](nlohmann::json& j) { j.erase("robot"); }, "robot: missing", nullptr},
    {"ee_links", [](nlohmann::json& j) { j["robot"]["ee_links"] = {"a"}; }, "robot.ee_links:", "\"ee_links\""},
    {"not_object", [](nlohmann::json& j) { j = nlohmann::json::array(); }, "expected a JSON object", nullptr},
};

TEST(SceneErrors, FieldErrorsNameFieldAndLine) {
  for (const auto& c : kFieldCases) {
    auto j = mini_scene_json();
    c.mutate(j);
    const std::string text = j.dump(2);
    auto r = parse_scene_json(text, "dir/scene.json");
    ASSERT_FALSE(r.ok()) << c.name;
    const Error& e = r.error();
    EXPECT_EQ(e.file, "dir/scene.json") << c.name;
    EXPECT_EQ(e.message.rfind(c.field, 0), 0u) << c.name << ": " << e.str();
    EXPECT_GE(e.line, 1) << c.name;
    if (c.key) {
      EXPECT_EQ(e.line, line_of(text, c.key)) << c.name << ": " << e.str();
    }
  }
}

TEST(SceneErrors, ExtraKeysAndOptionalFieldsAccepted) {
  auto j = mini_scene_json();
  j["future_field"] = {{"x", 1}};
  j["skin"]["extra"] = true;
  j["notes"] = "n";
  auto r = parse_scene_json(j.dump(), "scene.json");
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r->dir, std::filesystem::path("."));
  EXPECT_EQ(r->ee_links[1], "right/tattoo_needle");
}

}  // namespace
}  // namespace strokeviz::load
