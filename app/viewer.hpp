// The viewer: loads the scene and robot, opens the window, runs the render loop.
#pragma once

#include <chrono>

#include "app/cli.hpp"

namespace strokeviz::app {

// Runs the whole viewer; returns the process exit code (see cli.hpp).
// process_start is when main() began, for the start-to-first-frame figure.
int run_viewer(const Options& options, std::chrono::steady_clock::time_point process_start);

}  // namespace strokeviz::app
