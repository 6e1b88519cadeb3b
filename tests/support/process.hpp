// Test support: run a program with a time limit and capture its output.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace strokeviz::test {

struct ProcessResult {
  int exit_code = -1;    // -1 if killed by a signal or the time limit
  int signal = 0;        // the terminating signal, if any
  bool timed_out = false;
  std::string out;       // stdout
  std::string err;       // stderr
};

// Runs argv[0] with argv (no shell), waits at most `limit` (then SIGKILL).
// Extra environment entries "NAME=value" are added to the inherited ones.
ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                          const std::vector<std::string>& extra_env = {});

}  // namespace strokeviz::test
