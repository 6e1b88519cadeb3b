// SyncWorker against a real redis-server: PROTOCOL.md payloads, bad input, snapshot, ACL/AUTH/db.
#include "tests/sync/worker_test_common.hpp"
#include "tests/protocol/payloads.hpp"

using namespace strokeviz::test;  // NOLINT: the PROTOCOL.md payloads

namespace strokeviz::sync::test {
using namespace protocol;
using namespace session;
namespace {

TEST(SyncWorkerLive, ProtocolPayloadsPublishedWithRedisCliArriveTyped) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  auto wakes = std::make_shared<std::atomic<int>>(0);
  Harness h(test_options(redis.port(), wakes));
  h.worker.start();
  ASSERT_TRUE(h.wait_up(5s)) << h.labels();
  EXPECT_EQ(h.last_status().label, "Connected (idle)");
  EXPECT_EQ(h.last_status().server, redis.address() + " db 0");

  const std::vector<std::pair<std::string, std::string_view>> sent{
      {"stroke:events:session", kSessionStartJson},
      {"robot:events", kStateUpdateJson},
      {"stroke:events:progress", kProgressUpdateJson},
      {"error:events:stroke_execution", kErrorJson},
      {"node:events:hog", R"({"type": "heartbeat", "node_id": "hog", "timestamp": "2026-11-21T20:55:02"})"},
      {"stroke:events:session", kSessionEndJson}};
  bool live_seen = false;
  for (const auto& [channel, payload] : sent) {
    ASSERT_EQ(redis.cli({"PUBLISH", channel, std::string(payload)}), "1") << channel;
    if (channel == "stroke:events:progress")
      live_seen = h.wait([&] { return h.last_status().label == "Live: stroke_hog_1763758501"; }, 5s);
  }
  ASSERT_TRUE(h.wait([&] { return h.event_count() == sent.size(); }, 5s))
      << h.event_count() << " events; " << h.labels();
  EXPECT_TRUE(live_seen) << h.labels();

  const auto starts = h.events<SessionStart>();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].session_id, "stroke_hog_1763758501");
  EXPECT_EQ(starts[0].total_strokes, 212);
  EXPECT_EQ(starts[0].scene_name, "tatbotlogo");
  EXPECT_EQ(starts[0].header.channel, "stroke:events:session");
  const auto states = h.events<RobotStateUpdate>();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].current_pose, "ready");
  EXPECT_TRUE(states[0].is_connected_l);
  const auto progress = h.events<ProgressUpdate>();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].stroke_idx, 5);
  EXPECT_EQ(progress[0].pose_idx, 25);
  EXPECT_EQ(progress[0].stroke_length, 108);
  EXPECT_EQ(progress[0].description_r,
            "right arm inkdip into inkcap_right_large to fill with bright_red ink");
  const auto errors = h.events<ErrorEvent>();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].category, "stroke_execution");
  EXPECT_EQ(errors[0].message, "arm l timeout");
  const auto nodes = h.events<NodeEvent>();
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].channel_node_id, "hog");
  EXPECT_EQ(nodes[0].type, "heartbeat");
  ASSERT_EQ(h.events<SessionEnd>().size(), 1u);

  // The connection is announced first (gaps in a recording start there).
  ASSERT_TRUE(std::holds_alternative<Reconnected>(h.items.front()));
  EXPECT_EQ(std::get<Reconnected>(h.items.front()).reconnects, 0u);
  // Then, on the queue, the publish order.
  const auto* first = std::get_if<Event>(&h.items.at(1));
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(std::holds_alternative<SessionStart>(*first));

  EXPECT_TRUE(h.wait([&] { return h.last_status().label == "Connected (idle)"; }, 5s))
      << "session_end closes the session: " << h.labels();
  EXPECT_EQ(h.worker.received(), sent.size());
  EXPECT_EQ(h.worker.rejected(), 0u);
  EXPECT_EQ(h.worker.dropped(), 0u);
  EXPECT_NE(h.worker.last_latency_us(), 0);
  EXPECT_GT(wakes->load(), 0);
}

TEST(SyncWorkerLive, BadPayloadsAreRejectedAndTheWorkerKeepsFollowing) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  Harness h(test_options(redis.port()));
  h.worker.start();
  ASSERT_TRUE(h.wait_up(5s)) << h.labels();
  Writer w(redis.port());
  ASSERT_TRUE(w.ok()) << w.error();

  std::string deep = R"({"type": "progress_update", "x": )";
  for (int i = 0; i < 100000; ++i) deep += '[';
  for (int i = 0; i < 100000; ++i) deep += ']';
  deep += '}';
  std::string wrong_type(kProgressUpdateJson);
  wrong_type.replace(wrong_type.find("\"stroke_idx\": 5"), 15, "\"stroke_idx\": \"5\"");
  std::string out_of_range(kProgressUpdateJson);
  out_of_range.replace(out_of_range.find("\"pose_idx\": 25"), 14, "\"pose_idx\": 108");
  std::string negative(kProgressUpdateJson);
  negative.replace(negative.find("\"stroke_idx\": 5"), 15, "\"stroke_idx\": -1");
  const std::string one_mb_string = "\"" + std::string(1 << 20, 'x') + "\"";  // a JSON string, not an object
  std::string over_limit(kProgressUpdateJson);
  over_limit.replace(over_limit.find("left arm"), 8, std::string(kMaxPayloadBytes, 'y'));

  const std::vector<std::pair<std::string, std::string>> bad{
      {"stroke:events:progress", "this is not JSON"},
      {"stroke:events:progress", "[1, 2, 3]"},
      {"stroke:events:progress", wrong_type},
      {"stroke:events:progress", out_of_range},
      {"stroke:events:progress", negative},
      {"stroke:events:session", R"({"type": "session_pause", "session_id": "s", "node_id": "hog", "timestamp": "2026-11-21T20:55:01"})"},
      {"robot:events", R"({"type": "state_update", "node_id": "hog"})"},  // fields missing
      {"stroke:events:progress", one_mb_string},
      {"stroke:events:progress", over_limit},
      {"stroke:events:progress", deep},
      {"error:events:x", "{\"type\": \"error\", \"message\": \"\xFF\"}"}};
  for (const auto& [channel, payload] : bad) ASSERT_TRUE(w.publish(channel, payload)) << channel;
  // A good event after them still arrives, and so does a 1 MB description
  // (the parser accepts payloads up to kMaxPayloadBytes, see test_protocol).
  std::string big_description(kProgressUpdateJson);
  big_description.replace(big_description.find("left arm"), 8, std::string(1 << 20, 'd'));
  ASSERT_TRUE(w.publish("stroke:events:progress", big_description));
  ASSERT_TRUE(w.publish("stroke:events:session", std::string(kSessionEndJson)));

  ASSERT_TRUE(h.wait([&] { return !h.events<SessionEnd>().empty(); }, 10s)) << h.labels();
  EXPECT_EQ(h.worker.rejected(), bad.size());
  EXPECT_EQ(h.worker.received(), 2u);
  const auto progress = h.events<ProgressUpdate>();
  ASSERT_EQ(progress.size(), 1u);
  EXPECT_EQ(progress[0].description_l.size(), (1u << 20) + std::string(" stroke after inkdip in inkcap_left_large").size());
  EXPECT_NE(h.last_status().state, SyncState::Retrying) << "bad input never drops the connection: " << h.labels();
  EXPECT_FALSE(h.saw_state(SyncState::Retrying)) << h.labels();
  EXPECT_EQ(h.worker.reconnects(), 0u);
}

TEST(SyncWorkerLive, SnapshotOnConnectDeliversProgressAndRobotStateButNoHistory) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const std::string session = "stroke_hog_1763758501";
  ASSERT_EQ(redis.cli({"HSET", "stroke:progress:" + session, "progress", std::string(kStrokeProgressJson)}), "1");
  ASSERT_EQ(redis.cli({"HSET", "robot:state:hog", "state", std::string(kRobotStateJson), "last_updated",
                       "2026-11-21T20:55:00"}), "2");
  for (int i = 0; i < 5; ++i)
    ASSERT_FALSE(redis.cli({"XADD", "stream:stroke_history:" + session, "*", "stroke_idx", "5", "pose_idx",
                            std::to_string(i * 5), "description_l", "l", "description_r", "r", "node_id", "hog"})
                     .empty());
  Harness h(test_options(redis.port()));
  h.worker.start();
  ASSERT_TRUE(h.wait([&] { return !h.all<ProgressSnapshot>().empty() && !h.all<RobotStateSnapshot>().empty(); }, 5s))
      << h.labels();
  const auto p = h.all<ProgressSnapshot>();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].session_id, session);
  EXPECT_EQ(p[0].progress.stroke_idx, 5);
  EXPECT_EQ(p[0].progress.pose_idx, 25);
  EXPECT_EQ(p[0].progress.offset_idx_l, 3);
  EXPECT_TRUE(p[0].progress.is_executing);
  const auto r = h.all<RobotStateSnapshot>();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].state.node_id, "hog");
  ASSERT_TRUE(r[0].state.joints_l.has_value());
  EXPECT_DOUBLE_EQ((*r[0].state.joints_l)[1], 1.5707963267948966);
  EXPECT_FALSE(r[0].state.joints_r.has_value());
  // First connect: the snapshot is the position; no history replayed.
  EXPECT_TRUE(h.all<HistoryEntry>().empty());
  // An executing session in the snapshot makes the status Live.
  EXPECT_TRUE(h.wait([&] { return h.last_status().label == "Live: " + session; }, 2s)) << h.labels();
  // Unchanged hashes are not pushed again by the live refresh.
  std::this_thread::sleep_for(500ms);  // several refresh periods; checks an absence
  h.poll();
  EXPECT_EQ(h.all<ProgressSnapshot>().size(), 1u);
  EXPECT_EQ(h.all<RobotStateSnapshot>().size(), 1u);
  // A changed robot state hash (joints move without events) is picked up while a session is open.
  std::string moved(kRobotStateJson);
  moved.replace(moved.find("-1.2"), 4, "-1.1");
  ASSERT_EQ(redis.cli({"HSET", "robot:state:hog", "state", moved}), "0");
  ASSERT_TRUE(h.wait([&] { return h.all<RobotStateSnapshot>().size() == 2; }, 3s)) << h.labels();
  EXPECT_DOUBLE_EQ((*h.all<RobotStateSnapshot>()[1].state.joints_l)[2], -1.1);
}

TEST(SyncWorkerLive, ProgressHashRefreshBringsTheOffsetsWhileLive) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  Harness h(test_options(redis.port()));
  h.worker.start();
  ASSERT_TRUE(h.wait_up(5s)) << h.labels();
  Writer w(redis.port());
  ASSERT_TRUE(w.ok()) << w.error();
  ASSERT_FALSE(w.progress("stroke_hog_1", 0, 0, /*offset_l=*/7).empty());
  ASSERT_TRUE(h.wait([&] { return !h.all<ProgressSnapshot>().empty(); }, 3s)) << h.labels();
  EXPECT_EQ(h.all<ProgressSnapshot>().back().progress.offset_idx_l, 7);
  EXPECT_EQ(h.all<ProgressSnapshot>().back().session_id, "stroke_hog_1");
  ASSERT_EQ(h.events<ProgressUpdate>().size(), 1u);
  EXPECT_EQ(h.last_status().label, "Live: stroke_hog_1");
}

TEST(SyncWorkerLive, ReadOnlyAclUserIsEnough) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  ASSERT_EQ(redis.cli({"ACL", "SETUSER", "viewer", "on", ">pw", "~*", "&*", "+@read", "+subscribe",
                       "+psubscribe", "+ping"}), "OK");
  Writer w(redis.port());
  ASSERT_TRUE(w.ok()) << w.error();
  ASSERT_FALSE(w.progress("stroke_hog_2", 1, 5, 2).empty());
  ASSERT_EQ(redis.cli({"HSET", "robot:state:hog", "state", std::string(kRobotStateJson)}), "1");

  WorkerOptions o = test_options(redis.port());
  o.redis.user = "viewer";
  o.redis.password = "pw";
  Harness h(o);
  h.worker.start();
  ASSERT_TRUE(h.wait([&] { return h.last_status().label == "Live: stroke_hog_2"; }, 5s)) << h.labels();
  EXPECT_EQ(h.all<ProgressSnapshot>().size(), 1u);
  EXPECT_EQ(h.all<RobotStateSnapshot>().size(), 1u);
  ASSERT_FALSE(w.progress("stroke_hog_2", 1, 10, 3).empty());
  ASSERT_TRUE(h.wait([&] {
    const auto p = h.all<ProgressSnapshot>();
    return !p.empty() && p.back().progress.pose_idx == 10 && !h.events<ProgressUpdate>().empty();
  }, 5s)) << h.labels();
  EXPECT_EQ(h.all<ProgressSnapshot>().back().progress.offset_idx_l, 3);
  EXPECT_FALSE(h.saw_state(SyncState::Retrying)) << h.labels();
  EXPECT_EQ(h.last_status().server, redis.address() + " db 0 user viewer (password set)");
}

TEST(SyncWorkerLive, ReadOnlyUserOnANonZeroDbNeedsSelect) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  ASSERT_EQ(redis.cli({"ACL", "SETUSER", "viewer", "on", ">pw", "~*", "&*", "+@read", "+subscribe",
                       "+psubscribe", "+ping"}), "OK");
  WorkerOptions o = test_options(redis.port());
  o.redis.user = "viewer";
  o.redis.password = "pw";
  o.redis.db = 1;
  Harness h(o);
  h.worker.start();
  ASSERT_TRUE(h.wait_state(SyncState::Retrying, 5s)) << h.labels();
  EXPECT_NE(h.last_status().reason.find("SELECT 1 refused: NOPERM"), std::string::npos) << h.labels();
  // The user fixes the ACL; the next retry gets through without a restart.
  ASSERT_EQ(redis.cli({"ACL", "SETUSER", "viewer", "+select"}), "OK");
  EXPECT_TRUE(h.wait_up(5s)) << h.labels();
}

TEST(SyncWorkerLive, WrongPasswordGivesAClearStatusWithoutThePassword) {
  RedisServer redis({"--requirepass", "right-pw"});
  ASSERT_TRUE(redis.ok()) << redis.error();
  const std::string secret = "Wr0ng-Secret-42";
  WorkerOptions o = test_options(redis.port());
  o.redis.password = secret;
  Harness h(o);
  h.worker.start();
  ASSERT_TRUE(h.wait([&] { return h.statuses.size() >= 3 && h.last_status().state == SyncState::Retrying; }, 5s))
      << h.labels();
  const auto& s = h.last_status();
  EXPECT_NE(s.label.find("AUTH refused"), std::string::npos) << s.label;
  EXPECT_NE(s.reason.find("WRONGPASS"), std::string::npos) << s.reason;
  for (const auto& st : h.statuses) {
    EXPECT_EQ(st.label.find(secret), std::string::npos) << st.label;
    EXPECT_EQ(st.reason.find(secret), std::string::npos) << st.reason;
    EXPECT_EQ(st.server.find(secret), std::string::npos) << st.server;
  }
  EXPECT_EQ(h.worker.received(), 0u);
}

TEST(SyncWorkerLive, MissingPasswordSaysNoAuth) {
  RedisServer redis({"--requirepass", "right-pw"});
  ASSERT_TRUE(redis.ok()) << redis.error();
  Harness h(test_options(redis.port()));
  h.worker.start();
  ASSERT_TRUE(h.wait_state(SyncState::Retrying, 5s)) << h.labels();
  EXPECT_NE(h.last_status().reason.find("NOAUTH"), std::string::npos) << h.labels();
}

TEST(SyncWorkerLive, WrongDbGivesAClearStatus) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  WorkerOptions o = test_options(redis.port());
  o.redis.db = 99;
  Harness h(o);
  h.worker.start();
  ASSERT_TRUE(h.wait_state(SyncState::Retrying, 5s)) << h.labels();
  EXPECT_NE(h.last_status().label.find("SELECT 99 refused: ERR DB index is out of range"), std::string::npos)
      << h.labels();
}

}  // namespace
}  // namespace strokeviz::sync::test
