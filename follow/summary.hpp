// --summary: per-stroke facts of a recorded session, as JSON or CSV.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"
#include "session/recording.hpp"

namespace strokeviz::follow {

struct StrokeSummary {
  int stroke = 0;
  TimeUs start_us = 0, end_us = 0;  // first and last progress of the stroke (receive time)
  std::set<int> poses;                    // pose indices reported
  std::set<int> offsets_l, offsets_r;     // depth offsets seen in progress snapshots during it
  std::vector<std::pair<int, int>> gaps;  // consecutive reports further apart than the robot's 5 poses
  std::vector<std::string> errors;        // error events while it ran
};

struct SessionSummary {
  session::SessionHeader header;
  std::int64_t stroke_length = 0;
  std::vector<StrokeSummary> strokes;  // in the order first reached
  std::vector<std::string> errors_outside_strokes;
  std::vector<session::Gap> recording_gaps;  // stretches the viewer was not listening
};

SessionSummary summarize(const session::Recording& rec);
std::string summary_json(const SessionSummary& s);
std::string summary_csv(const SessionSummary& s);
// Writes JSON or CSV by the file's extension (.json / .csv); anything else is an Error.
Expected<void> write_summary(const SessionSummary& s, const std::filesystem::path& file);

}  // namespace strokeviz::follow
