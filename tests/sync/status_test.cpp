// SyncStatus transitions and labels; RateLimitedLog admission.
#include <gtest/gtest.h>

#include "common/rate_limited_log.hpp"
#include "sync/status.hpp"

namespace strokeviz::sync {
namespace {

using namespace std::chrono_literals;
using Clock = SyncStatus::Clock;
const Clock::time_point t0 = Clock::time_point{} + 1000s;

TEST(SyncStatus, HappyPathThroughASession) {
  SyncStatus s(5s);
  EXPECT_EQ(s.state(), SyncState::Disconnected);
  EXPECT_EQ(s.label(t0), "Disconnected");
  EXPECT_TRUE(s.connect_started());
  EXPECT_EQ(s.label(t0), "Connecting");
  EXPECT_TRUE(s.connected());
  EXPECT_EQ(s.label(t0), "Connected (idle)");
  s.subscribed();
  EXPECT_TRUE(s.is_subscribed());
  EXPECT_EQ(s.state(), SyncState::Connected);
  EXPECT_TRUE(s.session_started("stroke_hog_1763758501", t0));
  EXPECT_EQ(s.label(t0), "Live: stroke_hog_1763758501");
  EXPECT_FALSE(s.event_received(t0 + 1s));
  EXPECT_FALSE(s.tick(t0 + 5s));  // 4 s since the last event
  EXPECT_TRUE(s.session_ended());
  EXPECT_EQ(s.label(t0 + 6s), "Connected (idle)");
  EXPECT_EQ(s.session_id(), "");
  EXPECT_EQ(s.received(), 1u);
}

TEST(SyncStatus, GoesStaleAndBackToLive) {
  SyncStatus s(5s);
  s.connect_started();
  s.connected();
  s.session_started("stroke_hog_1", t0);
  EXPECT_FALSE(s.tick(t0 + 4999ms));
  EXPECT_TRUE(s.tick(t0 + 5s));
  EXPECT_EQ(s.state(), SyncState::Stale);
  EXPECT_EQ(s.label(t0 + 5s), "Stale (no event for 5 s)");
  EXPECT_EQ(s.label(t0 + 12900ms), "Stale (no event for 12 s)");
  EXPECT_EQ(s.session_id(), "stroke_hog_1");
  EXPECT_TRUE(s.event_received(t0 + 13s));
  EXPECT_EQ(s.label(t0 + 13s), "Live: stroke_hog_1");
  EXPECT_TRUE(s.tick(t0 + 18s));
  EXPECT_TRUE(s.session_ended());  // a stale session can still end
  EXPECT_EQ(s.state(), SyncState::Connected);
  EXPECT_FALSE(s.tick(t0 + 100s));  // idle never goes stale
}

TEST(SyncStatus, ConnectionLostThenRetrying) {
  SyncStatus s;
  s.connect_started();
  s.connected();
  s.session_started("stroke_hog_1", t0);
  EXPECT_TRUE(s.connection_lost("connection reset by peer"));
  EXPECT_EQ(s.label(t0), "Disconnected");
  EXPECT_EQ(s.session_id(), "");
  EXPECT_TRUE(s.retry_scheduled(3s, t0));
  EXPECT_EQ(s.label(t0), "Retrying in 3 s (connection reset by peer)");
  EXPECT_EQ(s.label(t0 + 500ms), "Retrying in 3 s (connection reset by peer)");  // rounds up
  EXPECT_EQ(s.label(t0 + 2001ms), "Retrying in 1 s (connection reset by peer)");
  EXPECT_EQ(s.label(t0 + 10s), "Retrying in 0 s (connection reset by peer)");
  EXPECT_TRUE(s.connect_started());
  EXPECT_EQ(s.label(t0), "Connecting");
  EXPECT_TRUE(s.connection_lost("connection refused"));  // the connect itself failed
  s.retry_scheduled(2s, t0);
  EXPECT_EQ(s.label(t0), "Retrying in 2 s (connection refused)");
  s.connect_started();
  s.connected();
  EXPECT_EQ(s.reason(), "");
  SyncStatus fresh;
  fresh.retry_scheduled(1s, t0);
  EXPECT_EQ(fresh.label(t0), "Retrying in 1 s");
}

TEST(SyncStatus, FatalErrorAndUserDisable) {
  SyncStatus s;
  s.connect_started();
  EXPECT_TRUE(s.fatal("AUTH failed: WRONGPASS"));
  EXPECT_EQ(s.label(t0), "Error: AUTH failed: WRONGPASS");
  EXPECT_FALSE(s.retry_scheduled(1s, t0));  // no automatic retry out of Error
  EXPECT_FALSE(s.connected());
  EXPECT_EQ(s.state(), SyncState::Error);
  EXPECT_TRUE(s.connect_started());  // the user tries again
  s.connected();
  s.session_started("stroke_hog_2", t0);
  EXPECT_TRUE(s.user_disabled());
  EXPECT_EQ(s.label(t0), "Disconnected");
  EXPECT_EQ(s.session_id(), "");
  EXPECT_FALSE(s.is_subscribed());
}

TEST(SyncStatus, IgnoresInputsThatCannotHaveHappened) {
  SyncStatus s;
  EXPECT_FALSE(s.connected());  // not connecting
  EXPECT_FALSE(s.session_started("x", t0));
  EXPECT_FALSE(s.event_received(t0));
  EXPECT_FALSE(s.session_ended());
  EXPECT_FALSE(s.connection_lost("x"));
  EXPECT_FALSE(s.tick(t0 + 1000s));
  EXPECT_EQ(s.state(), SyncState::Disconnected);
  EXPECT_EQ(s.received(), 0u);
  s.connect_started();
  EXPECT_FALSE(s.connect_started());
  EXPECT_FALSE(s.session_started("x", t0));  // not connected yet
  EXPECT_EQ(s.state(), SyncState::Connecting);
}

TEST(SyncStatus, Counters) {
  SyncStatus s;
  s.connect_started();
  s.connected();
  s.event_received(t0);
  s.event_received(t0);
  s.event_rejected();
  s.event_dropped();
  s.event_dropped();
  EXPECT_EQ(s.received(), 2u);
  EXPECT_EQ(s.rejected(), 1u);
  EXPECT_EQ(s.dropped(), 2u);
  EXPECT_EQ(to_string(SyncState::Stale), "Stale");
}

TEST(SyncRateLimitedLog, OneLinePerKeyPerIntervalWithSuppressedCount) {
  RateLimitedLog log(1s);
  EXPECT_EQ(log.admit("progress/pose_idx", t0), 0u);
  EXPECT_EQ(log.admit("progress/pose_idx", t0 + 100ms), std::nullopt);
  EXPECT_EQ(log.admit("progress/pose_idx", t0 + 999ms), std::nullopt);
  EXPECT_EQ(log.admit("session/type", t0 + 999ms), 0u);  // keys are independent
  EXPECT_EQ(log.admit("progress/pose_idx", t0 + 1s), 2u);
  EXPECT_EQ(log.admit("progress/pose_idx", t0 + 3s), 0u);
  EXPECT_EQ(log.suppressed_total(), 2u);
  EXPECT_TRUE(log.warn("k", "first", t0));
  EXPECT_FALSE(log.warn("k", "second", t0 + 1ms));
  EXPECT_TRUE(log.warn("k", "third", t0 + 2s));
}

TEST(SyncRateLimitedLog, KeysFromTheWireAreBounded) {
  RateLimitedLog log(1s);
  for (std::size_t i = 0; i < RateLimitedLog::kMaxKeys; ++i)
    EXPECT_EQ(log.admit("error:events:" + std::to_string(i), t0), 0u);
  EXPECT_EQ(log.admit("error:events:new1", t0), 0u);  // the shared overflow bucket
  EXPECT_EQ(log.admit("error:events:new2", t0), std::nullopt);
}


// The robot's cadence: between strokes it moves to ready and saves its dataset
// (seconds); within a stroke it reports every ~0.5 s.
TEST(SyncStatus, StaleFollowsTheObservedCadence) {
  SyncStatus s(2s);
  s.connect_started();
  s.connected();
  s.session_started("stroke_hog_1", t0);
  for (int p = 5; p <= 125; p += 5) {
    s.event_received(t0 + p * 100ms);
    s.progress_seen(p, 128, t0 + p * 100ms);
  }
  const auto last = t0 + 12500ms;  // pose 125 of 128: the stroke's last report
  EXPECT_FALSE(s.tick(last + 3s)) << "a 3 s gap between strokes is not Stale";
  EXPECT_FALSE(s.tick(last + 29s));
  EXPECT_TRUE(s.tick(last + 30s));
  s.event_received(last + 31s);  // the next stroke's pose 0, then pose 5
  s.progress_seen(0, 128, last + 31s);
  s.event_received(last + 35s);
  s.progress_seen(5, 128, last + 35s);
  EXPECT_EQ(s.state(), SyncState::Live);
  EXPECT_FALSE(s.tick(last + 36500ms)) << "within a stroke: 5 x the ~0.5 s cadence, at least stale_after";
  EXPECT_FALSE(s.tick(last + 37s));
  EXPECT_TRUE(s.tick(last + 37500ms));
  EXPECT_EQ(s.state(), SyncState::Stale);
}

}  // namespace
}  // namespace strokeviz::sync
