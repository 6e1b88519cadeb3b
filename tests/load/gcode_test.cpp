// G-code parsing and arc-length resampling (app/scene/gcode.hpp).
#include <gtest/gtest.h>

#include "load/gcode.hpp"
#include "load/scene_loader.hpp"

namespace strokeviz::load {
using namespace model;
namespace {

GcodeParse parse_ok(std::string_view text) {
  auto r = parse_gcode(text, "t.gcode");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().str());
  return r.ok() ? *r : GcodeParse{};
}

Error parse_err(std::string_view text) {
  auto r = parse_gcode(text, "t.gcode");
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : r.error();
}

TEST(Gcode, G0StartsPathG1Draws) {
  auto p = parse_ok("G0 X1 Y2\nG1 X3 Y4\nG1 X5 Y6\nG0 X0 Y0\nG1 X1 Y1\n");
  ASSERT_EQ(p.paths.size(), 2u);
  ASSERT_EQ(p.paths[0].points_mm.size(), 3u);
  EXPECT_EQ(p.paths[0].points_mm[0], Eigen::Vector2d(1, 2));
  EXPECT_EQ(p.paths[0].points_mm[2], Eigen::Vector2d(5, 6));
  EXPECT_EQ(p.paths[0].first_line, 1);
  EXPECT_EQ(p.paths[0].last_line, 3);
  ASSERT_EQ(p.paths[1].points_mm.size(), 2u);  // trailing path flushed at end of file
  EXPECT_EQ(p.paths[1].first_line, 4);
  EXPECT_TRUE(p.warnings.empty());
}

// The robot upper-cases the command but reads only "G0"/"G1" and upper-case
// X/Y words: G00/G01 and lower-case x/y would be skipped, so they are errors.
TEST(Gcode, LowercaseCommandsReadZeroPaddedOnesRejected) {
  auto p = parse_ok("g0 X1 Y2\nG1 X3 Y4\ng1 X-5.5 Y+6e1\n");
  ASSERT_EQ(p.paths.size(), 1u);
  ASSERT_EQ(p.paths[0].points_mm.size(), 3u);
  EXPECT_EQ(p.paths[0].points_mm[2], Eigen::Vector2d(-5.5, 60));
  EXPECT_EQ(parse_err("G0 X0 Y0\nG01 X3 Y4\n").str(),
            "t.gcode:2: 'G01': the robot reads only 'G1' and would skip this line");
  EXPECT_EQ(parse_err("G00 X0 Y0\n").str(), "t.gcode:1: 'G00': the robot reads only 'G0' and would skip this line");
  EXPECT_EQ(parse_err("G0 X0 Y0\ng1 x1 y1\n").str(),
            "t.gcode:2: lower-case 'x1' in G1: the robot reads only upper-case X and Y and would skip it");
}

TEST(Gcode, CommentsAndBlankLines) {
  auto p = parse_ok("; header\n\n   \nG0 X0 Y0 ; move\n(comment line)\nG1 (inline) X1 Y0\n\tG1 X1 Y1 \r\n");
  ASSERT_EQ(p.paths.size(), 1u);
  EXPECT_EQ(p.paths[0].points_mm.size(), 3u);
  EXPECT_EQ(p.paths[0].last_line, 7);
  EXPECT_TRUE(p.warnings.empty());
}

// The robot reads every word starting with X or Y, comments included.
TEST(Gcode, CoordinateWordInACommentIsAnError) {
  EXPECT_EQ(parse_err("G0 X0 Y0\nG1 X1 Y1 ; Yellow pen\n").str(),
            "t.gcode:2: the robot reads 'Yellow' in this comment as a coordinate");
  EXPECT_EQ(parse_err("G1 X1 Y1 ( X2 )\n").line, 1);
  EXPECT_EQ(parse_ok("G0 X0 Y0 (unclosed but harmless\nG1 X1 Y1\n").paths.size(), 1u);
}

TEST(Gcode, XOnlyOrYOnlyMoveIsAnError) {
  EXPECT_EQ(parse_err("G0 X0 Y0\nG1 X5\n").str(),
            "t.gcode:2: G1 with X but no Y: the robot keeps a point only from a line with both, so it would "
            "skip this move");
  EXPECT_EQ(parse_err("G0 Y5\n").line, 1);
}

TEST(Gcode, G0WithoutXYStartsEmptyPath) {
  auto p = parse_ok("G0 X0 Y0\nG1 X1 Y1\nG0\nG1 X2 Y2\nG1 X3 Y3\n");
  ASSERT_EQ(p.paths.size(), 2u);
  ASSERT_EQ(p.paths[1].points_mm.size(), 2u);  // no start point from the bare G0
  EXPECT_EQ(p.paths[1].points_mm[0], Eigen::Vector2d(2, 2));
  EXPECT_EQ(p.paths[1].first_line, 4);
}

TEST(Gcode, PenUpOnlyFileHasNoPaths) {
  auto p = parse_ok("G0 X0 Y0\nG0 X1 Y1\nG0 X2 Y2\n");
  EXPECT_TRUE(p.paths.empty());
}

TEST(Gcode, ZAndFParametersIgnored) {
  auto p = parse_ok("G0 X0 Y0 Z5 F3000\nG1 X1 Y1 Z-1 F100\n");
  ASSERT_EQ(p.paths.size(), 1u);
  EXPECT_EQ(p.paths[0].points_mm[1], Eigen::Vector2d(1, 1));
  EXPECT_TRUE(p.warnings.empty());
}

TEST(Gcode, IgnoredCommandsWarnWithLineNumbers) {
  // G21 and G90 state the modes the robot assumes: accepted silently.
  auto p = parse_ok("G21\nG90\nM3 S1000\nF1500\nG0 X0 Y0\nG1 X1 Y1\nm5\n");
  ASSERT_EQ(p.paths.size(), 1u);
  ASSERT_EQ(p.warnings.size(), 3u);
  EXPECT_EQ(p.warnings[0].line, 3);
  EXPECT_EQ(p.warnings[1].line, 4);
  EXPECT_EQ(p.warnings[2].line, 7);
  EXPECT_EQ(p.warnings[0].file, "t.gcode");
  EXPECT_EQ(p.warnings[0].str(), "t.gcode:3: ignored 'M3': the robot skips this line");
  EXPECT_NE(p.warnings[1].message.find("F1500"), std::string::npos);
}

// G4 dwell, tool changes and other codes the robot skips: one warning per
// command, naming its first line, not a load failure.
TEST(Gcode, DwellToolAndUnknownCodesAreOneWarningEach) {
  auto p = parse_ok("T1\nG0 X0 Y0\nG4 P200\nG1 X1 Y1\nG4 P200\nG4 P100\nhello world\n");
  ASSERT_EQ(p.paths.size(), 1u);
  EXPECT_EQ(p.paths[0].points_mm.size(), 2u);
  ASSERT_EQ(p.warnings.size(), 3u);
  EXPECT_EQ(p.warnings[0].str(), "t.gcode:1: ignored 'T1': the robot skips this line");
  EXPECT_EQ(p.warnings[1].str(), "t.gcode:3: ignored 'G4': the robot skips this line (and 2 more lines like it)");
  EXPECT_EQ(p.warnings[2].str(), "t.gcode:7: ignored 'HELLO': the robot skips this line");
}

TEST(Gcode, BadNumberIsErrorWithFileAndLine) {
  auto e = parse_err("G21\nG0 X0 Y0\nG1 X1.2.3 Y0\n");
  EXPECT_EQ(e.file, "t.gcode");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.str(), "t.gcode:3: bad number 'X1.2.3' in G1");
  EXPECT_EQ(parse_err("\n\nG0 X12.abc Y1\n").line, 3);
  EXPECT_EQ(parse_err("G0 X Y1\n").str(), "t.gcode:1: bad number 'X' in G0");
  EXPECT_EQ(parse_err("G1 Xinf Y1\n").line, 1);
  EXPECT_EQ(parse_err("G1 Xnan Y1\n").line, 1);
  EXPECT_EQ(parse_err("G1 X0x10 Y1\n").line, 1);
}

// Lines the robot skips although they move: the drawing would lose them.
TEST(Gcode, SkippedMovesAreErrors) {
  EXPECT_EQ(parse_err("G0 X0 Y0\nG1 X1 Y1\nG2 X0 Y0 I1 J0\n").str(),
            "t.gcode:3: 'G2' moves, but the robot reads only G0 and G1 and would skip it");
  EXPECT_EQ(parse_err("G0X1Y2\n").line, 1);
  EXPECT_EQ(parse_err("G92 X0 Y0\n").line, 1);
  EXPECT_EQ(parse_ok("M3 ; Yes\n").warnings.size(), 1u);  // X/Y only in a comment: nothing lost
}

TEST(Gcode, InchesAndRelativeRejected) {
  auto e = parse_err("G21\nG20\n");
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(e.message.find("G20"), std::string::npos);
  e = parse_err("G90\nG0 X0 Y0\nG91\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_NE(e.message.find("G91"), std::string::npos);
}

TEST(Gcode, PenDownWithoutPointsWarns) {
  auto p = parse_ok("G1\nG0 X1 Y1\n");
  EXPECT_TRUE(p.paths.empty());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0].line, 2);
}

TEST(Gcode, EmptyTextHasNoPaths) {
  auto p = parse_ok("");
  EXPECT_TRUE(p.paths.empty());
  EXPECT_TRUE(p.warnings.empty());
}

TEST(Gcode, MissingFileIsError) {
  auto r = parse_gcode_file("/nonexistent/x_pen0_a.gcode");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().file, "/nonexistent/x_pen0_a.gcode");
}

// ---- resampling ------------------------------------------------------------

using V = Eigen::Vector3d;

TEST(Resample, ExactCountAndEndpoints) {
  std::vector<V> pts{V(0, 0, 0), V(1, 0, 0), V(1, 3, 0)};
  for (int n : {1, 2, 3, 7, 128}) {
    auto r = resample_by_arc_length(pts, n);
    ASSERT_EQ(r.size(), static_cast<size_t>(n));
    EXPECT_EQ(r.front(), pts.front());
    if (n > 1) {
      EXPECT_EQ(r.back(), pts.back());
    }
  }
}

TEST(Resample, EvenSpacingOnLShape) {
  std::vector<V> pts{V(0, 0, 0), V(0.03, 0, 0), V(0.03, 0.01, 0)};  // total 0.04
  auto r = resample_by_arc_length(pts, 9);                            // step 0.005
  ASSERT_EQ(r.size(), 9u);
  for (size_t i = 0; i + 1 < r.size(); ++i) {
    // arc length between samples; the corner sample sits exactly on the corner
    EXPECT_NEAR((r[i + 1] - r[i]).norm(), 0.005, 1e-9) << i;
  }
  EXPECT_NEAR((r[6] - V(0.03, 0, 0)).norm(), 0.0, 1e-12);
}

TEST(Resample, EvenArcSpacingAcrossCorner) {
  std::vector<V> pts{V(0, 0, 0), V(3, 0, 0), V(3, 4, 0)};  // total 7, 8 samples: step 1
  auto r = resample_by_arc_length(pts, 8);
  auto arc = [](const V& p) { return p.y() > 0 ? 3.0 + p.y() : p.x(); };
  for (size_t i = 0; i + 1 < r.size(); ++i) EXPECT_NEAR(arc(r[i + 1]) - arc(r[i]), 1.0, 1e-9);
}

TEST(Resample, SinglePointRepeated) {
  std::vector<V> pts{V(1, 2, 3)};
  auto r = resample_by_arc_length(pts, 5);
  ASSERT_EQ(r.size(), 5u);
  for (const auto& p : r) EXPECT_EQ(p, V(1, 2, 3));
}

TEST(Resample, DuplicatePoints) {
  std::vector<V> pts{V(0, 0, 0), V(0, 0, 0), V(2, 0, 0), V(2, 0, 0), V(4, 0, 0)};
  auto r = resample_by_arc_length(pts, 5);
  ASSERT_EQ(r.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(r[static_cast<size_t>(i)].x(), i, 1e-12);
  std::vector<V> same{V(1, 1, 0), V(1, 1, 0), V(1, 1, 0)};  // zero length
  for (const auto& p : resample_by_arc_length(same, 4)) EXPECT_EQ(p, V(1, 1, 0));
}

TEST(Resample, EmptyInputGivesNothing) {
  EXPECT_TRUE(resample_by_arc_length({}, 4).empty());
}

}  // namespace
}  // namespace strokeviz::load
