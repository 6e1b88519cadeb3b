// G-code parsing for tatbot designs: G0 (pen up) splits paths, G1 draws.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "common/expected.hpp"

namespace strokeviz::load {

// One pen-down path in design millimetres (origin at the design centre,
// X right, Y up), with the source lines it came from.
struct GcodePath {
  std::vector<Eigen::Vector2d> points_mm;  // includes the G0 start point
  int first_line = 0;                      // 1-based line of the G0 / first G1
  int last_line = 0;
};

struct GcodeParse {
  std::vector<GcodePath> paths;
  std::vector<Error> warnings;  // e.g. ignored commands, empty paths
};

// Parses G-code text the way the robot does (tatbot gen/gcode.py): blank
// lines and lines starting with `;` or `(` are skipped; G0 flushes the
// current path if the pen was down, then starts a new one at its X/Y; G1
// puts the pen down and appends its X/Y. Like the robot, it reads the X and
// Y words (upper case) anywhere on a G0/G1 line, the last one winning.
// What the robot ignores and loses nothing by (G4 dwell, T, M, F, …) gives
// one warning per command at its first line; G21/G90 (the modes it assumes)
// are silent. What the robot would misread is an Error naming `file:line`:
// a bad number, an X/Y word inside a comment, lower-case x/y, a G0/G1 with
// only one of X/Y, G00/G01/G2/G3 or any other skipped line that moves, G20
// (inches), G91 (relative).
Expected<GcodeParse> parse_gcode(std::string_view text, const std::string& file_name);
Expected<GcodeParse> parse_gcode_file(const std::filesystem::path& path);

// Even arc-length resampling of a polyline to exactly n points (n >= 1).
// A single point (or a zero-length path) is repeated n times. Matches
// tatbot's resample_path().
std::vector<Eigen::Vector3d> resample_by_arc_length(std::span<const Eigen::Vector3d> points,
                                                    int n);

}  // namespace strokeviz::load
