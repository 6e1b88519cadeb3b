// The recorder's I/O: a sink nobody reads (bounded buffer, lost lines, the worker never waits),
// kill -9 while recording (valid up to the last full line), write errors (counted, never thrown).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "protocol/codec.hpp"
#include "session/recording.hpp"
#include "session/recorder.hpp"

namespace strokeviz::session::test {
using namespace protocol;
using namespace session;
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kSession = "stroke_hog_1763758501";

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/strokeviz-recio-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string progress_json(std::int64_t i) {
  ProgressUpdate u;
  u.header.node_id = "hog";
  u.header.time_us = 1763758502000000 + i * 1000;
  u.session_id = std::string(kSession);
  u.stroke_idx = (i / 23) % 212;
  u.pose_idx = (i % 23) * 5 % 108;
  u.total_strokes = 212;
  u.stroke_length = 108;
  u.description_l = "left arm stroke after inkdip in inkcap_left_large";
  u.description_r = "right arm inkdip into inkcap_right_large to fill with bright_red ink";
  return to_json(Event(u));
}

SessionHeader header() {
  SessionHeader h;
  h.session_id = std::string(kSession);
  h.scene = "tatbotlogo";
  h.node = "hog";
  h.start_us = 1763758501000000;
  return h;
}

TEST(RecorderIo, SlowSinkLosesLinesButNeverBlocksTheAppender) {
  TempDir dir;
  const fs::path fifo = dir.path / (std::string(kSession) + ".jsonl");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);  // nobody reads it yet: the I/O thread is stuck in open()
  RecorderOptions o;
  o.dir = dir.path;
  o.buffer_bytes = 256 * 1024;
  o.flush_every = 10ms;
  auto rec = Recorder::open(o);
  ASSERT_TRUE(rec) << rec.error().str();
  (*rec)->session_started(header());
  const std::string payload = progress_json(1);
  constexpr int kLines = 20000;  // ~9 MB, 35x the buffer
  Clock::duration worst{};
  const auto t0 = Clock::now();
  for (int i = 0; i < kLines; ++i) {
    const auto a = Clock::now();
    (*rec)->append_message(1763758502000000 + i, kChannelProgress, payload, kSession);
    worst = std::max(worst, Clock::now() - a);
  }
  const auto total = Clock::now() - t0;
  const auto st = (*rec)->stats();
  EXPECT_GT(st.lost_lines, 0u);
  EXPECT_EQ(st.lines + st.lost_lines, static_cast<std::uint64_t>(kLines));
  // Held at most: the pending buffer plus the one the stuck I/O thread took.
  EXPECT_LE(st.bytes, 2 * o.buffer_bytes + 4096);
  const double us_total = std::chrono::duration<double, std::micro>(total).count();
  const double us_worst = std::chrono::duration<double, std::micro>(worst).count();
  std::printf("%d appends into a stuck sink: %.0f us total, worst %.1f us, %llu lost\n", kLines, us_total, us_worst,
              static_cast<unsigned long long>(st.lost_lines));
  EXPECT_LT(us_worst, 50000.0);  // no append waited for the disk (generous for sanitizers/CI)

  // Now a reader drains the FIFO: everything kept arrives, in whole lines.
  std::string got;
  std::thread reader([&] {
    const int fd = ::open(fifo.c_str(), O_RDONLY);
    if (fd < 0) return;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
  });
  (*rec)->session_ended(kSession);
  rec->reset();  // joins the I/O thread once the reader took everything
  reader.join();
  EXPECT_EQ(static_cast<std::uint64_t>(std::count(got.begin(), got.end(), '\n')), st.lines + 1);  // + header
  EXPECT_EQ(got.back(), '\n');
}

TEST(RecorderIo, KillMinus9LeavesAFileValidUpToTheLastFullLine) {
  TempDir dir;
  const fs::path file = dir.path / (std::string(kSession) + ".jsonl");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    RecorderOptions o;
    o.dir = dir.path;
    o.flush_every = 1ms;
    auto rec = Recorder::open(o);
    if (!rec) ::_exit(3);
    (*rec)->session_started(header());
    // Big lines make a cut in the middle of one likely.
    std::string big = progress_json(0);
    big.replace(big.find("left arm"), 8, std::string(20000, 'x'));
    for (std::int64_t i = 0;; ++i) {
      (*rec)->append_message(1763758502000000 + i, kChannelProgress, i % 2 ? big : progress_json(i), kSession);
      if (i % 50 == 0) ::usleep(200);
    }
  }
  const auto deadline = Clock::now() + 10s;
  std::error_code ec;
  while (Clock::now() < deadline && (!fs::exists(file, ec) || fs::file_size(file, ec) < 4u << 20))
    std::this_thread::sleep_for(2ms);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  ASSERT_GE(fs::file_size(file), 4u << 20);
  LoadReport rep;
  auto r = Recording::load(file, &rep);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_LE(rep.skipped, 1u);
  if (rep.skipped == 1) {
    EXPECT_EQ(rep.first_bad_line, rep.lines) << rep.first_bad_reason;  // only the last one
  }
  EXPECT_GT(r->size(), 100u);
  for (std::size_t i = 0; i < r->size(); ++i) ASSERT_EQ(r->kind(i), ItemKind::Progress) << i;
  std::printf("killed after %zu items; %llu bad line(s)%s\n", r->size(), static_cast<unsigned long long>(rep.skipped),
              rep.skipped ? (": " + rep.first_bad_reason).c_str() : "");
}

TEST(RecorderIo, WriteErrorsAreCountedAndReported) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  TempDir dir;
  fs::create_symlink("/dev/full", dir.path / (std::string(kSession) + ".jsonl"));
  RecorderOptions o;
  o.dir = dir.path;
  o.flush_every = 5ms;
  auto rec = Recorder::open(o);
  ASSERT_TRUE(rec);
  (*rec)->session_started(header());
  for (int i = 0; i < 100; ++i)
    (*rec)->append_message(1763758502000000 + i, kChannelProgress, progress_json(i), kSession);
  (*rec)->flush();
  const auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline && (*rec)->stats().lost_lines < 100) std::this_thread::sleep_for(5ms);
  const auto st = (*rec)->stats();
  EXPECT_EQ(st.lost_lines, 100u);
  EXPECT_NE(st.last_error.find("No space left on device"), std::string::npos) << st.last_error;
  EXPECT_NE(st.last_error.find(std::string(kSession)), std::string::npos) << st.last_error;
}

TEST(RecorderIo, UnwritableFolderIsAnErrorAtOpen) {
  RecorderOptions o;
  o.dir = "/proc/strokeviz-cannot-exist/sessions";
  auto rec = Recorder::open(o);
  ASSERT_FALSE(rec);
  EXPECT_NE(rec.error().str().find("/proc/strokeviz-cannot-exist"), std::string::npos) << rec.error().str();
}

}  // namespace
}  // namespace strokeviz::session::test
