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

// Parses G-code text the way the robot does (tatbot gen/gcode.py):
// `;` and `( … )` comments and blank lines are skipped; G0/G00 flushes the
// current path if the pen was down, then starts a new one at its X/Y; G1/G01
// puts the pen down and appends its X/Y; G21, G90, F-only lines and M-codes
// are accepted and ignored. Anything else, a malformed number, G20 (inches)
// or G91 (relative) is an Error naming `file:line`.
Expected<GcodeParse> parse_gcode(std::string_view text, const std::string& file_name);
Expected<GcodeParse> parse_gcode_file(const std::filesystem::path& path);

// Even arc-length resampling of a polyline to exactly n points (n >= 1).
// A single point (or a zero-length path) is repeated n times. Matches
// tatbot's resample_path().
std::vector<Eigen::Vector3d> resample_by_arc_length(std::span<const Eigen::Vector3d> points,
                                                    int n);

}  // namespace strokeviz::load
