// Test support: a private redis-server on a free loopback port, stopped by PID.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace strokeviz::test {

// Which thread: the test's. Starts `redis-server --port <free> --bind 127.0.0.1
// --save '' --appendonly no` in a temp dir; the destructor stops it (SIGTERM,
// then SIGKILL after 5 s) and removes the dir. Never touches any other server.
class RedisServer {
 public:
  // extra_args are appended to the command line (e.g. {"--requirepass", "pw"}).
  explicit RedisServer(std::vector<std::string> extra_args = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  bool ok() const { return pid_ > 0; }
  const std::string& error() const { return error_; }  // why start() failed
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  // Stops the server (by PID) and waits for it to exit.
  void stop();
  // Starts it again on the same port; waits until it answers PING.
  bool restart();
  // SIGSTOP / SIGCONT the server process (a frozen, not a dead, server).
  void pause();
  void resume();

  // Runs redis-cli against this server with the given arguments; returns
  // stdout (trimmed), or "" on failure. For test set-up and checks.
  std::string cli(const std::vector<std::string>& args) const;

 private:
  bool start();
  bool wait_ready(std::chrono::milliseconds limit);

  std::vector<std::string> extra_args_;
  std::string dir_;
  std::string error_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
int free_loopback_port();

}  // namespace strokeviz::test
