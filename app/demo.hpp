// --demo: a private redis-server on a free loopback port and the robot simulator against it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>
#include <sys/types.h>

#include "common/expected.hpp"

namespace strokeviz::app {

// A child process stopped by PID: SIGTERM, then SIGKILL after a grace period.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { stop(); }
  ChildProcess(ChildProcess&& o) noexcept;
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv (argv[0] looked up in PATH when it has no slash), stdout and
  // stderr to `log` (appended).
  static Expected<ChildProcess> spawn(const std::vector<std::string>& argv, const std::filesystem::path& log);
  bool running();  // false once it exited (reaps it)
  void stop(double grace_s = 3.0);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Which thread: the render thread, before the window opens and at exit.
// Uses no sockets (the sync worker alone does): readiness is read from
// redis-server's log, and a port already taken shows there too.
class DemoServices {
 public:
  // scene: the scene folder the viewer loaded (the simulator runs the same).
  static Expected<DemoServices> start(const std::filesystem::path& scene, double speed);
  DemoServices(DemoServices&& o) noexcept;
  DemoServices& operator=(DemoServices&&) = delete;
  ~DemoServices();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  DemoServices() = default;
  std::filesystem::path dir_;
  int port_ = 0;
  ChildProcess redis_;
  ChildProcess sim_;
};

// strokeviz-sim next to this executable (build tree: sim/ beside it), else PATH.
std::string find_simulator();

}  // namespace strokeviz::app
