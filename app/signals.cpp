// SIGINT/SIGTERM turned into a flag and a wake-up of the render loop.
#include "app/signals.hpp"

#include <csignal>
#include <ctime>
#include <pthread.h>

namespace strokeviz::app {

namespace {
sigset_t watched_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

SignalWatcher::SignalWatcher() {
  const sigset_t set = watched_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this] { loop(); });
}

SignalWatcher::~SignalWatcher() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void SignalWatcher::set_wake(std::function<void()> wake) {
  wake_ = std::move(wake);
  wake_set_ = true;  // release: wake_ is written before the flag
}

void SignalWatcher::loop() {
  const sigset_t set = watched_signals();
  const timespec timeout{0, 100'000'000};  // notices stop_ within 100 ms
  while (!stop_) {
    const int sig = sigtimedwait(&set, nullptr, &timeout);
    if (sig <= 0) continue;
    signal_ = sig;
    if (wake_set_) wake_();
  }
}

}  // namespace strokeviz::app
