// SyncWorker against a failing redis-server: restart with gap fill, SIGSTOP, closed port, prompt stop().
#include "tests/sync/worker_test_common.hpp"

namespace strokeviz::sync::test {
using namespace protocol;
using namespace session;
namespace {

TEST(SyncWorkerRecovery, ServerRestartRetriesThenFillsTheGapFromTheStream) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  WorkerOptions o = test_options(redis.port());
  // The first retry comes 1.6 to 2.4 s after the loss: time to restart the
  // server and write the gap before the worker is back.
  o.backoff_min = 2000ms;
  o.backoff_max = 4000ms;
  Harness h(o);
  h.worker.start();
  ASSERT_TRUE(h.wait_up(5s)) << h.labels();
  const std::string session = "stroke_hog_1763758501";
  {
    Writer w(redis.port());
    ASSERT_TRUE(w.ok()) << w.error();
    for (int pose = 0; pose <= 10; pose += 5) ASSERT_FALSE(w.progress(session, 3, pose).empty());
    // The last event and the refresh after it (which learns its stream id).
    ASSERT_TRUE(h.wait([&] {
      const auto p = h.all<ProgressSnapshot>();
      return h.events<ProgressUpdate>().size() == 3 && !p.empty() && p.back().progress.pose_idx == 10;
    }, 5s)) << h.labels();
  }
  EXPECT_EQ(h.last_status().label, "Live: " + session);

  redis.stop();
  ASSERT_TRUE(h.wait_state(SyncState::Retrying, 3s)) << h.labels();
  EXPECT_NE(h.last_status().label.find("Retrying in"), std::string::npos) << h.last_status().label;
  EXPECT_FALSE(h.last_status().reason.empty());
  ASSERT_TRUE(redis.restart()) << redis.error();
  // While the worker is away, the robot goes on (the restarted server is
  // empty: --save ''; stream ids come from the clock, so they are newer).
  std::vector<std::string> gap_ids;
  {
    Writer w(redis.port());
    ASSERT_TRUE(w.ok()) << w.error();
    for (int pose = 15; pose <= 30; pose += 5) gap_ids.push_back(w.progress(session, 3, pose, 4));
  }
  ASSERT_EQ(h.event_count(), 3u) << "nobody listened while the worker was away";
  ASSERT_TRUE(h.wait([&] { return h.all<HistoryEntry>().size() == gap_ids.size(); }, 10s)) << h.labels();
  const auto history = h.all<HistoryEntry>();
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].session_id, session);
    EXPECT_EQ(history[i].entry.id, gap_ids[i]);
    EXPECT_EQ(history[i].entry.stroke_idx, 3);
    EXPECT_EQ(history[i].entry.pose_idx, 15 + 5 * static_cast<std::int64_t>(i));
  }
  ASSERT_TRUE(h.wait([&] { return h.last_status().label == "Live: " + session; }, 5s)) << h.labels();
  EXPECT_TRUE(h.saw_state(SyncState::Retrying));
  EXPECT_EQ(h.worker.reconnects(), 1u);
  // The snapshot after the reconnect carries the offsets written in the gap.
  EXPECT_EQ(h.all<ProgressSnapshot>().back().progress.pose_idx, 30);
  EXPECT_EQ(h.all<ProgressSnapshot>().back().progress.offset_idx_l, 4);

  // Live events after the restart arrive.
  Writer w(redis.port());
  ASSERT_TRUE(w.ok()) << w.error();
  ASSERT_FALSE(w.progress(session, 3, 35).empty());
  ASSERT_TRUE(h.wait([&] {
    const auto p = h.events<ProgressUpdate>();
    return !p.empty() && p.back().pose_idx == 35;
  }, 5s)) << h.labels();
  EXPECT_EQ(h.worker.dropped(), 0u);
}

// Design: a frozen server (SIGSTOP) keeps its TCP connections open, so the
// subscriber alone would wait forever. The command connection PINGs when
// idle for heartbeat_interval; no reply within command_timeout counts as a
// lost connection: Retrying ("server not responding ..."). Stale is only for
// a server that answers while the robot is silent.
TEST(SyncWorkerRecovery, FrozenServerGoesRetryingThenRecovers) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  Harness h(test_options(redis.port()));
  h.worker.start();
  ASSERT_TRUE(h.wait_up(5s)) << h.labels();
  redis.pause();
  const auto paused_at = Clock::now();
  const bool retrying = h.wait_state(SyncState::Retrying, 2800ms);
  const auto detected = Clock::now() - paused_at;
  // Keep it paused the full 3 s.
  h.wait([] { return false; }, std::chrono::duration_cast<std::chrono::milliseconds>(
                                   3s - (Clock::now() - paused_at)));
  redis.resume();
  ASSERT_TRUE(retrying) << h.labels();
  EXPECT_LT(detected, 2500ms);
  EXPECT_NE(h.last_status().reason.find("not responding"), std::string::npos) << h.labels();
  ASSERT_TRUE(h.wait_up(15s)) << h.labels();
  ASSERT_EQ(redis.cli({"PUBLISH", "robot:events",
                       R"({"type": "state_update", "node_id": "hog", "timestamp": "2026-11-21T20:55:00.551200", "is_connected_l": true, "is_connected_r": true, "current_pose": "ready"})"}),
            "1");
  EXPECT_TRUE(h.wait([&] { return h.events<RobotStateUpdate>().size() == 1; }, 5s)) << h.labels();
}

TEST(SyncWorkerRecovery, StaleWhenTheServerAnswersButTheRobotIsSilent) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  WorkerOptions o = test_options(redis.port());
  o.stale_after = 1000ms;
  Harness h(o);
  h.worker.start();
  ASSERT_TRUE(h.wait_up(5s)) << h.labels();
  Writer w(redis.port());
  ASSERT_TRUE(w.ok()) << w.error();
  // Mid-stroke (pose 50 of 108) the robot reports every ~0.5 s: silence past
  // stale_after is Stale. (After a stroke's last report the allowed silence
  // is longer: SyncStatus.StaleFollowsTheObservedCadence.)
  ASSERT_FALSE(w.progress("stroke_hog_9", 0, 50).empty());
  ASSERT_TRUE(h.wait([&] { return h.last_status().label == "Live: stroke_hog_9"; }, 3s)) << h.labels();
  ASSERT_TRUE(h.wait_state(SyncState::Stale, 3s)) << h.labels();
  EXPECT_EQ(h.last_status().label.rfind("Stale (no event for ", 0), 0u) << h.last_status().label;
  ASSERT_FALSE(w.progress("stroke_hog_9", 0, 55).empty());
  EXPECT_TRUE(h.wait([&] { return h.last_status().label == "Live: stroke_hog_9"; }, 3s)) << h.labels();
}

TEST(SyncWorkerRecovery, ClosedPortRetriesWithGrowingBackoff) {
  const int port = strokeviz::test::free_loopback_port();
  ASSERT_GT(port, 0);
  WorkerOptions o = test_options(port);
  o.backoff_min = 100ms;
  o.backoff_max = 800ms;
  Harness h(o);
  h.worker.start();
  // Distinct retry deadlines, in order.
  std::vector<Clock::time_point> retries;
  ASSERT_TRUE(h.wait([&] {
    const auto& s = h.last_status();
    if (s.state == SyncState::Retrying && (retries.empty() || retries.back() != s.retry_at))
      retries.push_back(s.retry_at);
    return retries.size() >= 6;
  }, 10s)) << h.labels();
  const auto& s = h.last_status();
  EXPECT_NE(s.reason.find("Connection refused"), std::string::npos) << s.reason;
  EXPECT_NE(s.label.find("Retrying in "), std::string::npos) << s.label;
  // Interval i ≈ connect attempt + delay(i+1): 0.2, 0.4, 0.8 (cap), 0.8 s, ±20 %.
  std::vector<double> gaps;
  for (std::size_t i = 1; i < retries.size(); ++i)
    gaps.push_back(std::chrono::duration<double>(retries[i] - retries[i - 1]).count());
  EXPECT_GT(gaps[1], gaps[0]) << gaps[0] << " " << gaps[1];
  EXPECT_GT(gaps[2], gaps[1]) << gaps[1] << " " << gaps[2];
  for (double g : gaps) EXPECT_LT(g, 0.8 * 1.2 + 0.25) << "capped at backoff_max";
  EXPECT_GT(gaps[0], 0.2 * 0.8 - 0.01);
  EXPECT_EQ(h.worker.received(), 0u);
}

// stop() while: retrying, connecting to a frozen server, idle-reading,
// reading a flood, and waiting for a command reply. Bound 1 s (design: ~100 ms).
TEST(SyncWorkerRecovery, StopIsPromptInEveryState) {
  {  // Retrying, long backoff.
    const int port = strokeviz::test::free_loopback_port();
    WorkerOptions o = test_options(port);
    o.backoff_min = 10000ms;
    o.backoff_max = 10000ms;
    Harness h(o);
    h.worker.start();
    ASSERT_TRUE(h.wait_state(SyncState::Retrying, 3s)) << h.labels();
    const auto ms = stop_ms(h.worker, "retrying");
    EXPECT_LT(ms, 1000) << "retrying";
    h.poll();
    EXPECT_EQ(h.last_status().label, "Disconnected");
  }
  {  // Connecting: the TCP connect succeeds (the kernel accepts) but SUBSCRIBE never answers.
    RedisServer redis;
    ASSERT_TRUE(redis.ok()) << redis.error();
    redis.pause();
    WorkerOptions o = test_options(redis.port());
    o.command_timeout = 10000ms;
    Harness h(o);
    h.worker.start();
    ASSERT_TRUE(h.wait_state(SyncState::Connecting, 3s)) << h.labels();
    std::this_thread::sleep_for(300ms);  // let it sit in the reply wait; the state cannot show that
    const auto ms = stop_ms(h.worker, "connecting: SUBSCRIBE to a frozen server");
    redis.resume();
    EXPECT_LT(ms, 1000) << "connecting";
  }
  {  // Connecting to a non-local address: a SYN that may never be answered
     // (or, in a sandbox, something else answers): stop() is prompt either way.
    WorkerOptions o;
    o.redis.host = "10.255.255.1";
    o.redis.port = 6379;
    o.connect_timeout = 10000ms;
    Harness h(o);
    h.worker.start();
    std::this_thread::sleep_for(200ms);  // somewhere in connect/retry; no state to wait for
    EXPECT_LT(stop_ms(h.worker, "connecting to a remote address"), 1000) << "connecting to a remote address: " << h.labels();
  }
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  {  // Idle reading.
    Harness h(test_options(redis.port()));
    h.worker.start();
    ASSERT_TRUE(h.wait_up(5s)) << h.labels();
    EXPECT_LT(stop_ms(h.worker, "idle read"), 1000) << "idle";
  }
  {  // Reading a flood, with a consumer that never drains.
    WorkerOptions o = test_options(redis.port());
    o.queue_capacity = 16;
    Harness h(o);
    h.worker.start();
    ASSERT_TRUE(h.wait_up(5s)) << h.labels();
    std::atomic<bool> flood{true};
    std::thread publisher([&] {
      Writer w(redis.port());
      int i = 0;
      while (flood.load() && w.ok()) w.progress("stroke_hog_5", 1, (i++ % 20) * 5);
    });
    const auto deadline = Clock::now() + 5s;
    while (h.worker.dropped() < 50 && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    EXPECT_GE(h.worker.dropped(), 50u) << "a full queue counts drops";
    const auto ms = stop_ms(h.worker, "reading a flood, queue full");
    flood.store(false);
    publisher.join();
    EXPECT_LT(ms, 1000) << "flood";
  }
  {  // Waiting for a command reply (frozen server while following).
    WorkerOptions o = test_options(redis.port());
    o.command_timeout = 10000ms;
    o.heartbeat_interval = 100ms;
    Harness h(o);
    h.worker.start();
    ASSERT_TRUE(h.wait_up(5s)) << h.labels();
    redis.pause();
    std::this_thread::sleep_for(400ms);  // a PING is now waiting for its reply
    const auto ms = stop_ms(h.worker, "waiting for a PING reply from a frozen server");
    redis.resume();
    EXPECT_LT(ms, 1000) << "command wait";
  }
}

}  // namespace
}  // namespace strokeviz::sync::test
