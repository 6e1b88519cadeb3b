// Test support: a private redis-server on a free loopback port, stopped by PID.
#include "tests/support/redis_server.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/process.hpp"

extern char** environ;

namespace strokeviz::test {

namespace {
using namespace std::chrono_literals;

// Waits up to `limit` for pid to exit (pidfd: no polling loop).
bool wait_exit(pid_t pid, std::chrono::milliseconds limit) {
  const int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    pollfd p{fd, POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(limit.count()));
    close(fd);
    if (n == 0) return false;
  }
  int status = 0;
  return waitpid(pid, &status, 0) == pid;
}

// True once a TCP connect to 127.0.0.1:port succeeds and PING answers +PONG.
bool pings(int port) {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const char ping[] = "PING\r\n";
    if (send(s, ping, sizeof ping - 1, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof ping - 1)) {
      pollfd p{s, POLLIN, 0};
      char buf[16] = {};
      ok = poll(&p, 1, 200) == 1 && recv(s, buf, sizeof buf - 1, 0) > 0 &&
           (std::string(buf).rfind("+PONG", 0) == 0 || std::string(buf).rfind("-NOAUTH", 0) == 0);
    }
  }
  close(s);
  return ok;
}
}  // namespace

int free_loopback_port() {
  const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = 0;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int port = 0;
  if (s >= 0 && bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    socklen_t len = sizeof a;
    if (getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0) port = ntohs(a.sin_port);
  }
  if (s >= 0) close(s);
  return port;
}

RedisServer::RedisServer(std::vector<std::string> extra_args) : extra_args_(std::move(extra_args)) {
  char tpl[] = "/tmp/strokeviz-redis-XXXXXX";
  if (!mkdtemp(tpl)) {
    error_ = "mkdtemp failed";
    return;
  }
  dir_ = tpl;
  // A port picked free can be taken before redis binds it: try a few.
  for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
    port_ = free_loopback_port();
    if (port_ > 0) start();
  }
}

RedisServer::~RedisServer() {
  stop();
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool RedisServer::start() {
  std::vector<std::string> args{"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", dir_,
                                "--logfile", dir_ + "/redis.log", "--protected-mode", "yes"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "redis-server", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    error_ = "cannot start redis-server (is redis-server installed?)";
    return false;
  }
  pid_ = pid;
  if (wait_ready(5000ms)) return true;
  error_ = "redis-server did not answer on port " + std::to_string(port_);
  stop();
  return false;
}

bool RedisServer::wait_ready(std::chrono::milliseconds limit) {
  // Bounded: at most `limit`, checking every 10 ms whether it answers or died.
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pings(port_)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    usleep(10'000);
  }
  return false;
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);  // a paused server cannot handle SIGTERM
  kill(pid_, SIGTERM);
  if (!wait_exit(pid_, 5000ms)) {
    kill(pid_, SIGKILL);
    wait_exit(pid_, 5000ms);
  }
  pid_ = -1;
}

bool RedisServer::restart() {
  stop();
  return start();
}

void RedisServer::pause() {
  if (pid_ > 0) kill(pid_, SIGSTOP);
}

void RedisServer::resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

std::string RedisServer::cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p", std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = run_process(argv, 10s);
  if (r.exit_code != 0) return "";
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace strokeviz::test
