// Test support: run a program with a time limit and capture its output.
#include "tests/support/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace strokeviz::test {

namespace {

// Waits for pid to exit within limit using a pidfd (no polling loop).
bool wait_with_limit(pid_t pid, std::chrono::milliseconds limit, int& status) {
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(limit.count()));
    close(fd);
    if (n == 0) return false;
  }
  return waitpid(pid, &status, 0) == pid;
}
}  // namespace

RunningProcess start_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  RunningProcess p;
  char out_tpl[] = "/tmp/strokeviz-test-out-XXXXXX";
  char err_tpl[] = "/tmp/strokeviz-test-err-XXXXXX";
  const int out_fd = mkstemp(out_tpl);
  const int err_fd = mkstemp(err_tpl);
  p.out_path = out_tpl;
  p.err_path = err_tpl;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('=') + 1);
    bool overridden = false;
    for (const auto& x : extra_env) overridden = overridden || x.rfind(name, 0) == 0;
    if (!overridden) env_store.push_back(entry);
  }
  for (const auto& e : extra_env) env_store.push_back(e);
  std::vector<char*> env;
  for (auto& e : env_store) env.push_back(e.data());
  env.push_back(nullptr);

  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), env.data()) == 0) p.pid = pid;
  posix_spawn_file_actions_destroy(&fa);
  close(out_fd);
  close(err_fd);
  return p;
}

ProcessResult finish_process(RunningProcess& p, std::chrono::milliseconds limit) {
  ProcessResult r;
  if (p.pid <= 0) {
    r.err = "process did not start";
  } else {
    int status = 0;
    if (!wait_with_limit(p.pid, limit, status)) {
      kill(p.pid, SIGKILL);
      waitpid(p.pid, &status, 0);
      r.timed_out = true;
    }
    if (WIFEXITED(status) && !r.timed_out) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    p.pid = -1;
  }
  r.out = slurp(p.out_path);
  r.err += slurp(p.err_path);
  std::remove(p.out_path.c_str());
  std::remove(p.err_path.c_str());
  return r;
}

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds limit,
                          const std::vector<std::string>& extra_env) {
  RunningProcess p = start_process(argv, extra_env);
  ProcessResult r = finish_process(p, limit);
  if (p.pid < 0 && r.exit_code == -1 && r.err == "process did not start")
    r.err = std::string("posix_spawn failed for ") + argv[0];
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string wait_for_text(const std::string& path, const std::string& needle, std::chrono::milliseconds limit) {
  // Bounded: checks the file every 20 ms until the text shows or the limit passes.
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    const std::string text = slurp(path);
    if (text.find(needle) != std::string::npos) return text;
    if (std::chrono::steady_clock::now() >= end) return {};
    usleep(20'000);
  }
}

}  // namespace strokeviz::test
