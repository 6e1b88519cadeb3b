// SIGINT/SIGTERM turned into a flag and a wake-up of the render loop.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace strokeviz::app {

// Which thread: construct on the main thread BEFORE any other thread starts
// (it blocks the signals so every later thread inherits the mask); a
// dedicated thread waits for them with sigtimedwait and calls on_signal.
class SignalWatcher {
 public:
  SignalWatcher();
  ~SignalWatcher();  // stops and joins the watcher thread
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

  bool requested() const { return signal_ != 0; }
  int signal_number() const { return signal_; }
  // Called from the watcher thread after a signal (e.g. glfwPostEmptyEvent).
  void set_wake(std::function<void()> wake);

 private:
  void loop();

  std::atomic<int> signal_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> wake_set_{false};
  std::function<void()> wake_;
  std::thread thread_;
};

}  // namespace strokeviz::app
