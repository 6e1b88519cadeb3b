// Bounded random mutation of the tatbotlogo G-code and scene.json: parsing
// must never crash, and every failure is an Error with a message and line.
#include <random>

#include <gtest/gtest.h>

#include "load/gcode.hpp"
#include "model/scene.hpp"
#include "tests/load/scene_test_util.hpp"
#include "load/scene_loader.hpp"

namespace strokeviz::load {
using namespace model;
namespace {

// 20 000 inputs in all; a few seconds under ASan+UBSan.
constexpr unsigned kSeed = 20240607;
constexpr int kGcodeIterations = 14000;
constexpr int kJsonIterations = 6000;
constexpr size_t kGcodeLines = 160;  // header, letters and a whole circle

// Flip a bit, insert an interesting byte, delete a range, truncate or
// duplicate a slice: one to four of them.
std::string mutate(std::string s, std::mt19937& rng) {
  static const std::string kBytes = "{}[]\":,.-+eE0123456789 \n\t;()GXYgxyMF\\nul\x80\xff";
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  const int ops = 1 + static_cast<int>(pick(4));
  for (int k = 0; k < ops; ++k) {
    const size_t pos = pick(s.size() + 1);
    switch (pick(5)) {
      case 0:
        if (pos < s.size()) s[pos] = static_cast<char>(s[pos] ^ (1 << pick(8)));
        break;
      case 1: s.insert(pos, 1, kBytes[pick(kBytes.size())]); break;
      case 2: s.erase(pos, 1 + pick(16)); break;
      case 3: s.resize(pos); break;
      default: {
        const size_t len = std::min(s.size() - std::min(pos, s.size()), 1 + pick(32));
        s.insert(pick(s.size() + 1), s.substr(std::min(pos, s.size()), len));
      }
    }
  }
  return s;
}

void check(const Error& e, const std::string& input) {
  ASSERT_FALSE(e.message.empty()) << input;
  ASSERT_GE(e.line, 0) << input;
}

TEST(SceneFuzz, MutatedGcodeNeverCrashes) {
  std::string base = testing::read_text(testing::source_dir() / "scenes/tatbotlogo/tatbotlogo_pen1_bright_red.gcode");
  ASSERT_FALSE(base.empty());
  size_t cut = 0;
  for (size_t n = 0; n < kGcodeLines && cut != std::string::npos; ++n) cut = base.find('\n', cut + 1);
  if (cut != std::string::npos) base.resize(cut + 1);
  std::mt19937 rng(kSeed);
  int failures = 0;
  for (int i = 0; i < kGcodeIterations; ++i) {
    const std::string text = mutate(base, rng);
    auto r = parse_gcode(text, "fuzz.gcode");
    if (!r.ok()) {
      ++failures;
      check(r.error(), text);
      ASSERT_EQ(r.error().file, "fuzz.gcode");
      continue;
    }
    for (const auto& p : r->paths) {
      std::vector<Eigen::Vector3d> pts;
      for (const auto& q : p.points_mm) pts.emplace_back(q.x(), q.y(), 0.0);
      ASSERT_EQ(resample_by_arc_length(pts, 16).size(), 16u);
    }
  }
  EXPECT_GT(failures, 0);  // the mutations do reach the error paths
}

TEST(SceneFuzz, MutatedSceneJsonNeverCrashes) {
  const std::string base = testing::read_text(testing::source_dir() / "scenes/tatbotlogo/scene.json");
  ASSERT_FALSE(base.empty());
  std::mt19937 rng(kSeed + 1);
  int failures = 0;
  for (int i = 0; i < kJsonIterations; ++i) {
    const std::string text = mutate(base, rng);
    auto r = parse_scene_json(text, "fuzz/scene.json");
    if (r.ok()) continue;
    ++failures;
    check(r.error(), text);
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace strokeviz::load
