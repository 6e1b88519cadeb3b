// StateManager against a private redis-server: keys, fields, types, TTL, events and the write order.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include "protocol/codec.hpp"
#include "tools/publisher.hpp"
#include "tests/tools/state_manager_support.hpp"
#include "tests/support/redis_server.hpp"

namespace strokeviz::test {
namespace {

using namespace std::chrono_literals;
using tools::StateManager;
using tools::StateManagerOptions;

std::set<std::string> keys_of(const std::string& json) {
  std::set<std::string> out;
  const nlohmann::json j = nlohmann::json::parse(json);
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

const std::set<std::string> kProgressFields = {
    "timestamp", "node_id", "stroke_idx", "pose_idx", "total_strokes", "stroke_length",
    "stroke_description_l", "stroke_description_r", "offset_idx_l", "offset_idx_r",
    "is_executing", "is_paused", "scene_name", "dataset_name"};
const std::set<std::string> kRobotStateFields = {
    "timestamp", "node_id", "is_connected_l", "is_connected_r", "joints_l", "joints_r",
    "velocities_l", "velocities_r", "current_pose", "goal_time_slow", "goal_time_fast"};
const std::set<std::string> kNodeHealthFields = {
    "timestamp", "node_id", "cpu_percent", "memory_percent", "disk_percent", "gpu_available",
    "gpu_percent", "gpu_memory_percent", "is_reachable", "ping_latency_ms",
    "mcp_server_running", "mcp_port", "last_heartbeat"};

StateManagerOptions node(const std::string& name) {
  StateManagerOptions o;
  o.node_id = name;
  return o;
}

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis.ok()) << redis.error(); }
  RedisServer redis;
};

TEST_F(PublisherTest, StartSessionWritesProgressHashThenSessionStart) {
  RedisConn sub(redis.port());
  ASSERT_TRUE(sub.send({"SUBSCRIBE", "stroke:events:session"}));
  ASSERT_FALSE(sub.next(200ms)) << "nothing yet";
  StateManager sm(config_for(redis.port()), node("hog"));
  const auto before = now_us() / 1'000'000;
  auto id = sm.start_stroke_session(212, 108, "tatbotlogo");
  ASSERT_TRUE(id) << id.error().str();
  const auto after = now_us() / 1'000'000;

  std::smatch m;
  ASSERT_TRUE(std::regex_match(*id, m, std::regex(R"(stroke_hog_(\d+))"))) << *id;
  const long long secs = std::stoll(m[1]);
  EXPECT_GE(secs, before);
  EXPECT_LE(secs, after);
  EXPECT_EQ(sm.session_id(), *id);

  RedisConn c(redis.port());
  EXPECT_EQ(redis.cli({"TYPE", "stroke:progress:" + *id}), "hash");
  EXPECT_EQ(redis.cli({"HKEYS", "stroke:progress:" + *id}), "progress");
  const auto json = c.hget("stroke:progress:" + *id, "progress");
  ASSERT_TRUE(json);
  EXPECT_EQ(keys_of(*json), kProgressFields);
  auto p = protocol::parse_progress(*json);
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(p->node_id, "hog");
  EXPECT_EQ(p->stroke_idx, 0);
  EXPECT_EQ(p->pose_idx, 0);
  EXPECT_EQ(p->total_strokes, 212);
  EXPECT_EQ(p->stroke_length, 108);
  EXPECT_TRUE(p->is_executing);
  EXPECT_FALSE(p->is_paused);
  EXPECT_EQ(p->scene_name, "tatbotlogo");
  EXPECT_FALSE(p->dataset_name.has_value());

  auto msg = sub.next(2s);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->channel, "stroke:events:session");
  EXPECT_EQ(keys_of(msg->payload),
            (std::set<std::string>{"type", "session_id", "node_id", "total_strokes", "scene_name",
                                   "timestamp"}));
  auto ev = protocol::parse_event(msg->channel, msg->payload);
  ASSERT_TRUE(ev) << ev.error().str();
  const auto& start = std::get<protocol::SessionStart>(*ev);
  EXPECT_EQ(start.session_id, *id);
  EXPECT_EQ(start.total_strokes, 212);
  EXPECT_EQ(start.scene_name, "tatbotlogo");
  EXPECT_EQ(start.header.node_id, "hog");
}

TEST_F(PublisherTest, DatasetNameIsWrittenWhenGiven) {
  StateManager sm(config_for(redis.port()), node("hog"));
  auto id = sm.start_stroke_session(3, 10, "s", std::string("stroke-s-2026"));
  ASSERT_TRUE(id) << id.error().str();
  RedisConn c(redis.port());
  auto p = protocol::parse_progress(*c.hget("stroke:progress:" + *id, "progress"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->dataset_name, "stroke-s-2026");
}

TEST_F(PublisherTest, UpdateWritesHashStreamAndEvent) {
  StateManager sm(config_for(redis.port()), node("hog"));
  auto id = sm.start_stroke_session(10, 50, "tatbotlogo");
  ASSERT_TRUE(id);
  RedisConn sub(redis.port());
  ASSERT_TRUE(sub.send({"SUBSCRIBE", "stroke:events:progress"}));
  ASSERT_FALSE(sub.next(100ms));
  auto r = sm.update_stroke_progress(5, 25, "left arm stroke after inkdip in inkcap_left_large",
                                     "right arm at rest", 16, 17);
  ASSERT_TRUE(r) << r.error().str();

  RedisConn c(redis.port());
  auto p = protocol::parse_progress(*c.hget("stroke:progress:" + *id, "progress"));
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(p->stroke_idx, 5);
  EXPECT_EQ(p->pose_idx, 25);
  EXPECT_EQ(p->stroke_description_l, "left arm stroke after inkdip in inkcap_left_large");
  EXPECT_EQ(p->stroke_description_r, "right arm at rest");
  EXPECT_EQ(p->offset_idx_l, 16);
  EXPECT_EQ(p->offset_idx_r, 17);
  EXPECT_TRUE(p->is_executing) << "kept from the hash";
  EXPECT_EQ(p->total_strokes, 10);

  EXPECT_EQ(redis.cli({"TYPE", "stream:stroke_history:" + *id}), "stream");
  Reply range = c.cmd({"XRANGE", "stream:stroke_history:" + *id, "-", "+"});
  ASSERT_TRUE(range);
  ASSERT_EQ(range->elements, 1u);
  const redisReply* entry = range->element[0];
  const auto fields = RedisConn::fields(entry);
  std::set<std::string> names;
  for (const auto& [k, v] : fields) names.insert(k);
  EXPECT_EQ(names, (std::set<std::string>{"stroke_idx", "pose_idx", "description_l",
                                          "description_r", "node_id"}));
  auto e = protocol::parse_stream_entry(std::string(entry->element[0]->str), fields);
  ASSERT_TRUE(e) << e.error().str();
  EXPECT_EQ(e->stroke_idx, 5);
  EXPECT_EQ(e->pose_idx, 25);
  EXPECT_EQ(e->node_id, "hog");
  EXPECT_EQ(e->description_r, "right arm at rest");

  auto msg = sub.next(2s);
  ASSERT_TRUE(msg);
  EXPECT_EQ(keys_of(msg->payload),
            (std::set<std::string>{"type", "session_id", "node_id", "stroke_idx", "pose_idx",
                                   "total_strokes", "stroke_length", "description_l",
                                   "description_r", "timestamp"}));
  auto ev = protocol::parse_event(msg->channel, msg->payload);
  ASSERT_TRUE(ev) << ev.error().str();
  const auto& u = std::get<protocol::ProgressUpdate>(*ev);
  EXPECT_EQ(u.session_id, *id);
  EXPECT_EQ(u.stroke_idx, 5);
  EXPECT_EQ(u.pose_idx, 25);
  EXPECT_EQ(u.total_strokes, 10);
  EXPECT_EQ(u.stroke_length, 50);
  EXPECT_EQ(u.description_l, "left arm stroke after inkdip in inkcap_left_large");
}

// The order seen by the server itself: MONITOR lists every command as run.
TEST_F(PublisherTest, MonitorShowsHgetHsetXaddPublishPerUpdateInTwoRoundTrips) {
  StateManager sm(config_for(redis.port()), node("hog"));
  auto id = sm.start_stroke_session(4, 25, "s");
  ASSERT_TRUE(id);
  RedisConn mon(redis.port());
  ASSERT_TRUE(mon.send({"MONITOR"}));
  ASSERT_FALSE(mon.next(200ms));
  const auto trips_before = sm.round_trips();
  constexpr int kUpdates = 10;
  for (int i = 0; i < kUpdates; ++i) {
    auto r = sm.update_stroke_progress(i / 5, (i % 5) * 5, "l", "r", 1, 2);
    ASSERT_TRUE(r) << r.error().str();
  }
  EXPECT_EQ(sm.round_trips() - trips_before, 2u * kUpdates) << "HGET, then HSET+XADD+PUBLISH pipelined";

  std::vector<std::string> commands;
  std::vector<std::string> lines;
  while (commands.size() < 4u * kUpdates) {
    auto line = mon.next(2s);
    ASSERT_TRUE(line) << "MONITOR saw only " << commands.size() << " commands";
    const auto q = line->payload.find("] \"");
    ASSERT_NE(q, std::string::npos) << line->payload;
    const auto end = line->payload.find('"', q + 3);
    commands.push_back(line->payload.substr(q + 3, end - q - 3));
    lines.push_back(line->payload);
  }
  for (int i = 0; i < kUpdates; ++i) {
    EXPECT_EQ(commands[4 * i + 0], "HGET") << lines[4 * i];
    EXPECT_EQ(commands[4 * i + 1], "HSET") << lines[4 * i + 1];
    EXPECT_EQ(commands[4 * i + 2], "XADD") << lines[4 * i + 2];
    EXPECT_EQ(commands[4 * i + 3], "PUBLISH") << lines[4 * i + 3];
    EXPECT_NE(lines[4 * i + 2].find("\"MAXLEN\" \"~\" \"10000\" \"*\""), std::string::npos)
        << lines[4 * i + 2];
    EXPECT_NE(lines[4 * i + 3].find("\"stroke:events:progress\""), std::string::npos);
  }
}

// A subscriber that, on each progress event, at once reads the hash and the
// newest stream entry: both already hold that update (or a later one).
TEST_F(PublisherTest, WhenTheEventArrivesHashAndStreamAlreadyHoldIt) {
  constexpr int kStrokes = 8, kLength = 50;
  StateManager sm(config_for(redis.port()), node("hog"));
  auto id = sm.start_stroke_session(kStrokes, kLength, "s");
  ASSERT_TRUE(id);
  RedisConn sub(redis.port());
  ASSERT_TRUE(sub.send({"SUBSCRIBE", "stroke:events:progress"}));
  ASSERT_FALSE(sub.next(100ms));
  RedisConn reader(redis.port());

  std::atomic<bool> failed{false};
  std::thread publisher([&] {
    for (int s = 0; s < kStrokes; ++s)
      for (int p = 0; p < kLength; ++p)
        if (!sm.update_stroke_progress(s, p, "l" + std::to_string(s), "r", 0, 0)) failed = true;
  });
  int seen = 0, hash_behind = 0, stream_behind = 0;
  while (seen < kStrokes * kLength) {
    auto msg = sub.next(5s);
    if (!msg) break;
    auto ev = protocol::parse_event(msg->channel, msg->payload);
    ASSERT_TRUE(ev) << ev.error().str();
    const auto& u = std::get<protocol::ProgressUpdate>(*ev);
    const int seq = int(u.stroke_idx) * kLength + int(u.pose_idx);
    EXPECT_EQ(seq, seen) << "events in order";
    ++seen;
    auto p = protocol::parse_progress(*reader.hget("stroke:progress:" + *id, "progress"));
    ASSERT_TRUE(p);
    if (int(p->stroke_idx) * kLength + int(p->pose_idx) < seq) ++hash_behind;
    Reply last = reader.cmd({"XREVRANGE", "stream:stroke_history:" + *id, "+", "-", "COUNT", "1"});
    ASSERT_TRUE(last && last->elements == 1);
    auto e = protocol::parse_stream_entry(last->element[0]->element[0]->str, RedisConn::fields(last->element[0]));
    ASSERT_TRUE(e);
    if (int(e->stroke_idx) * kLength + int(e->pose_idx) < seq) ++stream_behind;
  }
  publisher.join();
  EXPECT_FALSE(failed);
  EXPECT_EQ(seen, kStrokes * kLength);
  EXPECT_EQ(hash_behind, 0);
  EXPECT_EQ(stream_behind, 0);
  EXPECT_EQ(redis.cli({"XLEN", "stream:stroke_history:" + *id}), std::to_string(kStrokes * kLength));
}

TEST_F(PublisherTest, UpdateRefusesWithoutSessionOutOfRangeAndMissingHash) {
  StateManager sm(config_for(redis.port()), node("hog"));
  auto none = sm.update_stroke_progress(0, 0, "l", "r", 0, 0);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().str().find("no active stroke session"), std::string::npos);

  auto id = sm.start_stroke_session(2, 10, "s");
  ASSERT_TRUE(id);
  auto out = sm.update_stroke_progress(2, 0, "l", "r", 0, 0);
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().str().find("out of range"), std::string::npos);
  EXPECT_EQ(redis.cli({"EXISTS", "stream:stroke_history:" + *id}), "0") << "nothing written";

  redis.cli({"DEL", "stroke:progress:" + *id});
  auto missing = sm.update_stroke_progress(1, 0, "l", "r", 0, 0);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().str().find("not found"), std::string::npos) << missing.error().str();
}

TEST_F(PublisherTest, RecreateMissingSessionRebuildsTheHash) {
  StateManagerOptions o = node("hog");
  o.recreate_missing_session = true;
  StateManager sm(config_for(redis.port()), o);
  auto id = sm.start_stroke_session(2, 10, "s");
  ASSERT_TRUE(id);
  ASSERT_TRUE(sm.update_stroke_progress(0, 5, "l", "r", 3, 3));
  redis.cli({"FLUSHALL"});
  auto r = sm.update_stroke_progress(1, 0, "l", "r", 3, 3);
  ASSERT_TRUE(r) << r.error().str();
  RedisConn c(redis.port());
  auto p = protocol::parse_progress(*c.hget("stroke:progress:" + *id, "progress"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->stroke_idx, 1);
  EXPECT_EQ(p->total_strokes, 2);
  EXPECT_EQ(p->scene_name, "s");
}

TEST_F(PublisherTest, EndSessionKeepsTheHashNotExecutingAndPublishesSessionEnd) {
  StateManager sm(config_for(redis.port()), node("hog"));
  auto id = sm.start_stroke_session(2, 10, "s");
  ASSERT_TRUE(id);
  ASSERT_TRUE(sm.update_stroke_progress(1, 5, "l", "r", 0, 0));
  RedisConn sub(redis.port());
  ASSERT_TRUE(sub.send({"SUBSCRIBE", "stroke:events:session"}));
  ASSERT_FALSE(sub.next(100ms));
  auto r = sm.end_stroke_session();
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_TRUE(sm.session_id().empty());

  RedisConn c(redis.port());
  auto p = protocol::parse_progress(*c.hget("stroke:progress:" + *id, "progress"));
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->is_executing);
  EXPECT_EQ(p->stroke_idx, 1);
  EXPECT_EQ(p->pose_idx, 5);

  auto msg = sub.next(2s);
  ASSERT_TRUE(msg);
  EXPECT_EQ(keys_of(msg->payload),
            (std::set<std::string>{"type", "session_id", "node_id", "timestamp"}));
  auto ev = protocol::parse_event(msg->channel, msg->payload);
  ASSERT_TRUE(ev);
  EXPECT_EQ(std::get<protocol::SessionEnd>(*ev).session_id, *id);
  EXPECT_FALSE(sm.update_stroke_progress(1, 6, "l", "r", 0, 0)) << "no session any more";
  EXPECT_TRUE(sm.end_stroke_session()) << "ending nothing is quiet, like Python";
}

TEST_F(PublisherTest, RobotStateHashAndStateUpdateEvent) {
  StateManager sm(config_for(redis.port()), node("hog"));
  RedisConn sub(redis.port());
  ASSERT_TRUE(sub.send({"SUBSCRIBE", "robot:events"}));
  ASSERT_FALSE(sub.next(100ms));
  protocol::RobotState s;
  s.is_connected_l = true;
  s.is_connected_r = false;
  s.current_pose = "ready";
  s.joints_l = protocol::ArmJoints{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.04};
  ASSERT_TRUE(sm.update_robot_state(s));

  RedisConn c(redis.port());
  Reply all = c.cmd({"HGETALL", "robot:state:hog"});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->elements, 4u);
  std::set<std::string> fields{all->element[0]->str, all->element[2]->str};
  EXPECT_EQ(fields, (std::set<std::string>{"state", "last_updated"}));
  const auto json = c.hget("robot:state:hog", "state");
  EXPECT_EQ(keys_of(*json), kRobotStateFields);
  auto st = protocol::parse_robot_state(*json);
  ASSERT_TRUE(st) << st.error().str();
  EXPECT_EQ(st->node_id, "hog");
  EXPECT_EQ(st->current_pose, "ready");
  ASSERT_TRUE(st->joints_l);
  EXPECT_DOUBLE_EQ((*st->joints_l)[2], 0.3);
  EXPECT_FALSE(st->joints_r);
  EXPECT_TRUE(parse_timestamp(*c.hget("robot:state:hog", "last_updated")));

  auto msg = sub.next(2s);
  ASSERT_TRUE(msg);
  EXPECT_EQ(keys_of(msg->payload),
            (std::set<std::string>{"type", "node_id", "timestamp", "is_connected_l",
                                   "is_connected_r", "current_pose"}));
  auto ev = protocol::parse_event(msg->channel, msg->payload);
  ASSERT_TRUE(ev);
  const auto& u = std::get<protocol::RobotStateUpdate>(*ev);
  EXPECT_TRUE(u.is_connected_l);
  EXPECT_FALSE(u.is_connected_r);
  EXPECT_EQ(u.current_pose, "ready");

  // write_robot_state: the hash only, no event.
  s.current_pose = "executing";
  ASSERT_TRUE(sm.write_robot_state(s));
  EXPECT_FALSE(sub.next(300ms));
  EXPECT_EQ(protocol::parse_robot_state(*c.hget("robot:state:hog", "state"))->current_pose, "executing");
}

// PROTOCOL.md "What the real robot does": hash values are pydantic's
// model_dump_json (compact, raw UTF-8, 1 to 6 fraction digits, trailing zeros
// dropped), events json.dumps (", ", \uXXXX, 6 digits). Both parse back.
TEST_F(PublisherTest, HashesAreCompactPydanticJsonAndEventsPythonStyle) {
  StateManager sm(config_for(redis.port()), node("hog"));
  RedisConn sub(redis.port());
  ASSERT_TRUE(sub.send({"SUBSCRIBE", "stroke:events:progress"}));
  ASSERT_FALSE(sub.next(100ms));
  auto id = sm.start_stroke_session(3, 10, "default");
  ASSERT_TRUE(id) << id.error().str();
  ASSERT_TRUE(sm.update_stroke_progress(1, 5, "left \xc3\xa9", "right", 4, 4));
  protocol::RobotState st;
  st.is_connected_l = st.is_connected_r = true;
  st.current_pose = "ready";
  ASSERT_TRUE(sm.update_robot_state(st));
  ASSERT_TRUE(sm.update_node_health());

  RedisConn c(redis.port());
  const std::regex trimmed(R"re("(timestamp|last_heartbeat)":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{0,5}[1-9])?")re");
  for (const auto& [key, field] : {std::pair<std::string, std::string>{"stroke:progress:" + *id, "progress"},
                                   {"robot:state:hog", "state"},
                                   {"node:health:hog", "health"}}) {
    const auto json = c.hget(key, field);
    ASSERT_TRUE(json) << key;
    EXPECT_EQ(json->find(", "), std::string::npos) << "compact: " << *json;
    EXPECT_EQ(json->find("\": "), std::string::npos) << "compact: " << *json;
    EXPECT_TRUE(std::regex_search(*json, trimmed)) << "trimmed fraction: " << *json;
  }
  const auto progress = *c.hget("stroke:progress:" + *id, "progress");
  EXPECT_NE(progress.find("\"stroke_description_l\":\"left \xc3\xa9\""), std::string::npos)
      << "raw UTF-8: " << progress;
  auto p = protocol::parse_progress(progress);
  ASSERT_TRUE(p) << p.error().str();
  EXPECT_EQ(p->stroke_idx, 1);
  EXPECT_EQ(p->stroke_description_l, "left \xc3\xa9");
  auto rs = protocol::parse_robot_state(*c.hget("robot:state:hog", "state"));
  ASSERT_TRUE(rs) << rs.error().str();
  EXPECT_FALSE(rs->joints_l);
  EXPECT_TRUE(protocol::parse_node_health(*c.hget("node:health:hog", "health")));

  auto msg = sub.next(2s);
  ASSERT_TRUE(msg);
  EXPECT_NE(msg->payload.find("\"description_l\": \"left \\u00e9\""), std::string::npos) << msg->payload;
  EXPECT_TRUE(std::regex_search(msg->payload, std::regex(R"re("timestamp": "[-0-9T:]{19}(\.\d{6})?"\})re")))
      << msg->payload;
  auto ev = protocol::parse_event(msg->channel, msg->payload);
  ASSERT_TRUE(ev) << ev.error().str();
  EXPECT_GE(protocol::header_of(*ev).time_us, p->time_us) << "the event's clock read comes second";
}

// The robot's session id is unix time + its host's UTC offset (naive-UTC bug);
// every timestamp stays true UTC.
TEST_F(PublisherTest, SessionIdOffsetSkewsOnlyTheIdsNumber) {
  StateManagerOptions o = node("hog");
  o.session_id_offset_s = 21600;
  StateManager sm(config_for(redis.port()), o);
  const auto before = now_us() / 1'000'000;
  auto id = sm.start_stroke_session(3, 10);
  const auto after = now_us() / 1'000'000;
  ASSERT_TRUE(id) << id.error().str();
  std::smatch m;
  ASSERT_TRUE(std::regex_match(*id, m, std::regex(R"(stroke_hog_(\d+))"))) << *id;
  EXPECT_GE(std::stoll(m[1]), before + 21600);
  EXPECT_LE(std::stoll(m[1]), after + 21600);
  RedisConn c(redis.port());
  auto p = protocol::parse_progress(*c.hget("stroke:progress:" + *id, "progress"));
  ASSERT_TRUE(p);
  EXPECT_GE(p->time_us / 1'000'000, before);
  EXPECT_LE(p->time_us / 1'000'000, after);
}

TEST_F(PublisherTest, NodeHealthExpiresWithin60Seconds) {
  StateManager sm(config_for(redis.port()), node("hog"));
  ASSERT_TRUE(sm.update_node_health());
  const int ttl = std::stoi(redis.cli({"TTL", "node:health:hog"}));
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 60);
  RedisConn c(redis.port());
  const auto json = c.hget("node:health:hog", "health");
  ASSERT_TRUE(json);
  EXPECT_EQ(keys_of(*json), kNodeHealthFields);
  auto h = protocol::parse_node_health(*json);
  ASSERT_TRUE(h) << h.error().str();
  EXPECT_EQ(h->node_id, "hog");
  EXPECT_TRUE(h->is_reachable) << "PING answered";

  protocol::NodeHealth given;
  given.cpu_percent = 12.5;
  given.mcp_port = 8000;
  ASSERT_TRUE(sm.update_node_health(given));
  h = protocol::parse_node_health(*c.hget("node:health:hog", "health"));
  ASSERT_TRUE(h);
  EXPECT_DOUBLE_EQ(h->cpu_percent, 12.5);
  EXPECT_EQ(h->mcp_port, 8000);
  EXPECT_LE(std::stoi(redis.cli({"TTL", "node:health:hog"})), 60);
}

TEST_F(PublisherTest, ReportErrorAndPublishEvent) {
  StateManager sm(config_for(redis.port()), node("hog"));
  RedisConn sub(redis.port());
  ASSERT_TRUE(sub.send({"PSUBSCRIBE", "error:events:*", "node:events:*"}));
  ASSERT_FALSE(sub.next(100ms));
  ASSERT_TRUE(sm.report_error("stroke_execution", "arm l timeout", R"({"scene":"tatbotlogo"})"));
  auto msg = sub.next(2s);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->channel, "error:events:stroke_execution");
  EXPECT_EQ(keys_of(msg->payload), (std::set<std::string>{"type", "category", "message", "details",
                                                           "node_id", "timestamp"}));
  auto ev = protocol::parse_event(msg->channel, msg->payload);
  ASSERT_TRUE(ev) << ev.error().str();
  const auto& e = std::get<protocol::ErrorEvent>(*ev);
  EXPECT_EQ(e.payload_category, "stroke_execution");
  EXPECT_EQ(e.message, "arm l timeout");
  EXPECT_EQ(nlohmann::json::parse(e.details_json), nlohmann::json::parse(R"({"scene":"tatbotlogo"})"));

  EXPECT_FALSE(sm.report_error("x", "m", "[1]")) << "details must be an object";
  ASSERT_TRUE(sm.publish_event("node:events:hog", R"({"type":"hello","node_id":"other","n":1})"));
  msg = sub.next(2s);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->channel, "node:events:hog") << "the error with bad details was not published";
  const auto j = nlohmann::json::parse(msg->payload);
  EXPECT_EQ(j["node_id"], "hog");
  EXPECT_EQ(j["n"], 1);
  EXPECT_TRUE(parse_timestamp(j["timestamp"].get<std::string>()));
  EXPECT_FALSE(sm.publish_event("node:events:hog", "not json"));
}

TEST(PublisherConnection, ClosedPortNamesHostAndPort) {
  const int port = free_loopback_port();
  StateManager sm(config_for(port), node("hog"));
  auto r = sm.update_node_health();
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().str().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.error().str();
  EXPECT_FALSE(sm.connected());
}

TEST(PublisherConnection, ReconnectsOnTheNextCallAfterTheServerCameBack) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  StateManager sm(config_for(redis.port()), node("hog"));
  ASSERT_TRUE(sm.update_node_health());
  redis.stop();
  auto down = sm.update_node_health();
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().str().find(redis.address()), std::string::npos) << down.error().str();
  ASSERT_TRUE(redis.restart()) << redis.error();
  auto up = sm.update_node_health();
  EXPECT_TRUE(up) << up.error().str();
  EXPECT_EQ(redis.cli({"EXISTS", "node:health:hog"}), "1");
}

TEST(PublisherConnection, PasswordAndDbAreUsedAndThePasswordNeverShown) {
  RedisServer redis({"--requirepass", "s3cret-pw"});
  ASSERT_TRUE(redis.ok()) << redis.error();
  auto cfg = config_for(redis.port());
  cfg.password = "wrong-pw";
  StateManager bad(cfg, node("hog"));
  auto r = bad.update_node_health();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().str().find("wrong-pw"), std::string::npos) << r.error().str();
  EXPECT_NE(r.error().str().find("AUTH"), std::string::npos) << r.error().str();

  cfg.password = "s3cret-pw";
  cfg.db = 3;
  StateManager good(cfg, node("hog"));
  auto ok = good.update_node_health();
  ASSERT_TRUE(ok) << ok.error().str();
  EXPECT_EQ(redis.cli({"-a", "s3cret-pw", "--no-auth-warning", "-n", "3", "EXISTS", "node:health:hog"}), "1");
  EXPECT_EQ(redis.cli({"-a", "s3cret-pw", "--no-auth-warning", "-n", "0", "EXISTS", "node:health:hog"}), "0");
}

}  // namespace
}  // namespace strokeviz::test
