// --demo: a private redis-server on a free loopback port and the robot simulator against it.
#include "app/demo.hpp"

#include <chrono>
#include <cstring>
#include <ctime>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <random>
#include <spawn.h>
#include <sstream>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

extern char** environ;

namespace strokeviz::app {

namespace fs = std::filesystem;

ChildProcess::ChildProcess(ChildProcess&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    stop();
    pid_ = std::exchange(o.pid_, -1);
  }
  return *this;
}

Expected<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv, const fs::path& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  // The child gets default signal handling and mask: this process blocks
  // SIGINT/SIGTERM for its signal thread, and a child must not inherit that.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Error{argv[0], 0, std::string("cannot start: ") + std::strerror(rc)};
  ChildProcess c;
  c.pid_ = pid;
  return c;
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::stop(double grace_s) {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);
  kill(pid_, SIGTERM);
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
  bool exited = false;
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    exited = poll(&p, 1, static_cast<int>(grace_s * 1000)) == 1;
    close(fd);
  }
  if (!exited) kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits (bounded) until redis-server's log says it is ready, or it exited.
bool wait_redis_ready(ChildProcess& redis, const fs::path& log, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (read_file(log).find("Ready to accept connections") != std::string::npos) return true;
    if (!redis.running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

fs::path exe_dir() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : p.parent_path();
}

}  // namespace

std::string find_simulator() {
  const fs::path dir = exe_dir();
  // Installed side by side; in the build tree app/strokeviz and tools/strokeviz-sim.
  for (const fs::path& p : {dir / "strokeviz-sim", dir / ".." / "tools" / "strokeviz-sim"}) {
    std::error_code ec;
    if (fs::exists(p, ec)) return p.string();
  }
  return "strokeviz-sim";  // PATH
}

Expected<DemoServices> DemoServices::start(const fs::path& scene, double speed) {
  char tpl[] = "/tmp/strokeviz-demo-XXXXXX";
  if (!mkdtemp(tpl)) return Error{"--demo", 0, "cannot create a temporary folder"};
  DemoServices d;
  d.dir_ = tpl;
  std::mt19937 rng(static_cast<unsigned>(getpid()) ^ static_cast<unsigned>(time(nullptr)));
  std::uniform_int_distribution<int> port_pick(20000, 60000);
  // A port may be taken: redis then exits, and another is tried.
  for (int attempt = 0; attempt < 8 && d.port_ == 0; ++attempt) {
    const int port = port_pick(rng);
    const fs::path log = d.dir_ / ("redis-" + std::to_string(port) + ".log");
    auto redis = ChildProcess::spawn({"redis-server", "--port", std::to_string(port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", d.dir_.string(),
                                      "--logfile", log.string()},
                                     d.dir_ / "redis-stdout.log");
    if (!redis) return Error{"--demo", 0, "redis-server: " + redis.error().message + " (apt-get install redis-server)"};
    if (wait_redis_ready(*redis, log, std::chrono::seconds(5))) {
      d.port_ = port;
      d.redis_ = std::move(*redis);
    }
  }
  if (d.port_ == 0) return Error{"--demo", 0, "redis-server did not start; see " + d.dir_.string()};
  char speed_text[32];
  std::snprintf(speed_text, sizeof speed_text, "%g", speed);
  auto sim = ChildProcess::spawn({find_simulator(), "--scene=" + scene.string(), "--redis", d.address(), "--loop",
                                  "--speed", speed_text, "--node", "demo", "--start-delay", "1", "--rich"},
                                 d.dir_ / "sim.log");
  if (!sim) return Error{"--demo", 0, "strokeviz-sim: " + sim.error().message};
  d.sim_ = std::move(*sim);
  spdlog::info("demo: redis-server on {} (pid {}), simulator pid {}, logs in {}", d.address(), d.redis_.pid(),
               d.sim_.pid(), d.dir_.string());
  return d;
}

DemoServices::DemoServices(DemoServices&& o) noexcept
    : dir_(std::exchange(o.dir_, {})), port_(o.port_), redis_(std::move(o.redis_)), sim_(std::move(o.sim_)) {}

DemoServices::~DemoServices() {
  sim_.stop();
  redis_.stop();
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

}  // namespace strokeviz::app
