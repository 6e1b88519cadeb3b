// Helpers for the scene tests: temporary scene folders and a small scene.json.
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace strokeviz::load::testing {
using namespace model;

inline std::filesystem::path source_dir() { return STROKEVIZ_SOURCE_DIR; }

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// A fresh folder under the temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string test = info ? std::string(info->test_suite_name()) + "." + info->name() : "x";
    path_ = std::filesystem::temp_directory_path() /
            ("strokeviz_scene_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + test);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A valid scene.json for design "mini": left pens true_blue and
// nighthawk_black, right pen bright_red; stroke_length 6.
inline nlohmann::json mini_scene_json() {
  using nlohmann::json;
  return json{
      {"format", "strokeviz-scene"},
      {"version", 1},
      {"name", "mini"},
      {"design", "mini"},
      {"stroke_length", 6},
      {"offset_num", 5},
      {"offset_range", {-0.002, 0.002}},
      {"goal_time_fast", 0.2},
      {"goal_time_slow", 1.0},
      {"hover_offset", {0.0, 0.0, 0.005}},
      {"ee_offset", {{"left", {0.001, 0.002, 0.0}}, {"right", {-0.001, 0.0, 0.003}}}},
      {"ee_rot_wxyz", {{"left", {1, 0, 0, 0}}, {"right", {0.7071, 0, 0, 0.7071}}}},
      {"skin", {{"width_m", 0.1}, {"height_m", 0.1}, {"design_pos", {0.25, 0.0, 0.1}}, {"design_wxyz", {1, 0, 0, 0}}}},
      {"pens", {{"left", {"true_blue", "nighthawk_black"}}, {"right", {"bright_red"}}}},
      {"pen_colors", {{"true_blue", {0, 128, 255}}, {"bright_red", {255, 0, 0}}, {"nighthawk_black", {0, 0, 0}}}},
      {"inkcaps",
       {{{"name", "capL_blue"}, {"arm", "left"}, {"ink", "true_blue"}, {"pos", {0.1, 0.05, 0.08}}, {"diameter_m", 0.014}, {"depth_m", 0.012}},
        {{"name", "capL_empty"}, {"arm", "left"}, {"ink", nullptr}, {"pos", {0.1, 0.07, 0.08}}, {"diameter_m", 0.008}, {"depth_m", 0.01}},
        {{"name", "capL_black"}, {"arm", "left"}, {"ink", "nighthawk_black"}, {"pos", {0.11, 0.05, 0.08}}, {"diameter_m", 0.008}, {"depth_m", 0.009}},
        {{"name", "capR_red"}, {"arm", "right"}, {"ink", "bright_red"}, {"pos", {0.1, -0.05, 0.08}}, {"diameter_m", 0.014}, {"depth_m", 0.015}}}},
      {"poses",
       {{"ready", {{"left", {0, 0, 0, 0, 0, 0, 0}}, {"right", {0, 0, 0, 0, 0, 0, 0}}}},
        {"sleep", {{"left", {1, 1, 1, 1, 1, 1, 0}}, {"right", {-1, -1, -1, -1, -1, -1, 0}}}}}},
      {"robot", {{"urdf", "robot/tatbot.urdf"}}},
  };
}

// Left: pen0 true_blue (1 path), pen2 nighthawk_black (1 path);
// right: pen1 bright_red (2 paths). Millimetres.
inline void write_mini_gcode(const std::filesystem::path& dir) {
  write_text(dir / "mini_pen0_true_blue.gcode", "G21\nM3 S100\nG90\nM5\nG0 X0 Y0\nG1 X10 Y0\n");
  write_text(dir / "mini_pen1_bright_red.gcode",
             "G0 X0 Y0\nG1 X0 Y10\nG0 X-5 Y-5\nG1 X-5 Y5\n");
  write_text(dir / "mini_pen2_nighthawk_black.gcode", "G0 X0 Y5\nG1 X5 Y5\n");
}

inline void write_mini_scene(const std::filesystem::path& dir, const nlohmann::json& j = mini_scene_json()) {
  write_text(dir / "scene.json", j.dump(2));
  write_mini_gcode(dir);
}

// 1-based line of the first occurrence of `needle` in `text` (0 if none).
inline int line_of(const std::string& text, const std::string& needle) {
  const size_t pos = text.find(needle);
  if (pos == std::string::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

}  // namespace strokeviz::load::testing
