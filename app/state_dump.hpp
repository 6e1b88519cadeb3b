// --dump-state: the viewer state as JSON, for tests and bug reports.
#pragma once

#include <array>
#include <filesystem>
#include <optional>

#include <Eigen/Core>
#include <string>
#include <vector>

#include "app/ui/panels.hpp"
#include "follow/source.hpp"
#include "follow/viewer_state.hpp"
#include "common/expected.hpp"

namespace strokeviz::app {

struct DumpExtras {
  std::string urdf;
  long long frames_rendered = 0;
  long long idle_waits = 0;
  double first_frame_ms = 0.0;         // since main() began
  double first_frame_steady_ms = 0.0;  // steady_clock time of the first swap (for spawn-to-frame figures)
  // Robot event timestamp -> the swap of the first frame showing it (µs), one
  // sample per frame that applied progress events (the newest of them).
  const std::vector<long long>* event_to_swap_us = nullptr;
  // Where the two needle links were drawn (world, metres): what the renderer got.
  std::array<std::optional<Eigen::Vector3d>, 2> needles_drawn;
};

// `source` is what is shown: mode, timeline (begin_s, end_s, playhead_s in
// its own time; following_live; gaps).
std::string state_to_json(const follow::ViewerState& state, const follow::Source& source, const UiState& ui,
                          const PanelInput& in, const DumpExtras& extras);
Expected<void> write_state(const std::filesystem::path& path, const std::string& json);

}  // namespace strokeviz::app
