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

// A process started in the background; its output goes to files.
struct RunningProcess {
  int pid = -1;
  std::string out_path, err_path;  // removed by finish_process
};
RunningProcess start_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
// Waits at most `limit` for it to exit (then SIGKILL) and collects its output.
ProcessResult finish_process(RunningProcess& p, std::chrono::milliseconds limit);
// The whole file ("" when it cannot be read).
std::string slurp(const std::string& path);
// Waits (bounded) until `path` contains `needle`; returns the file's text
// (empty if the limit passed first).
std::string wait_for_text(const std::string& path, const std::string& needle, std::chrono::milliseconds limit);

}  // namespace strokeviz::test
