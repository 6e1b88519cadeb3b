// Publisher pure parts: session ids, Python-style JSON re-serialization, stamped events, field sets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <set>

#include "protocol/codec.hpp"
#include "tools/publisher.hpp"

namespace strokeviz::tools {
using namespace protocol;
namespace {

std::set<std::string> keys_of(const std::string& json) {
  std::set<std::string> out;
  const nlohmann::json j = nlohmann::json::parse(json);
  for (const auto& [k, v] : j.items()) out.insert(k);
  return out;
}

TEST(SessionId, IsStrokeNodeUnixSeconds) {
  EXPECT_EQ(make_session_id("hog", 1763758501), "stroke_hog_1763758501");
  EXPECT_EQ(make_session_id("eek", 0), "stroke_eek_0");
  EXPECT_TRUE(std::regex_match(make_session_id(local_node_id(), now_us() / 1'000'000),
                               std::regex(R"(stroke_.+_\d{10})")));
}

TEST(LocalNodeId, IsNotEmpty) { EXPECT_FALSE(local_node_id().empty()); }

TEST(PythonJson, WritesLikeJsonDumps) {
  auto j = python_json_object(R"({"b":[1,2.5,true,null],"a":{"x":"é\n"},"z":"q\"s"})");
  ASSERT_TRUE(j) << j.error().str();
  EXPECT_EQ(*j, R"({"b": [1, 2.5, true, null], "a": {"x": "\u00e9\n"}, "z": "q\"s"})");
  EXPECT_EQ(*python_json_object("{}"), "{}");
}

TEST(PythonJson, RefusesNonObjectsBadJsonAndDeepNesting) {
  EXPECT_FALSE(python_json_object("[1]"));
  EXPECT_FALSE(python_json_object("\"s\""));
  EXPECT_FALSE(python_json_object("{\"a\":"));
  EXPECT_FALSE(python_json_object(""));
  const std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto r = python_json_object(deep);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().str().find("nested deeper"), std::string::npos);
  EXPECT_TRUE(python_json_object(R"({"s":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})"))
      << "brackets inside strings do not count";
}

TEST(StampEvent, SetsNodeIdInPlaceAndAppendsTimestamp) {
  const TimeUs t = *parse_timestamp("2026-11-21T20:55:01.123456");
  auto s = stamp_event(R"({"type":"x","node_id":"other","n":1})", "hog", t);
  ASSERT_TRUE(s) << s.error().str();
  EXPECT_EQ(*s, R"({"type": "x", "node_id": "hog", "n": 1, "timestamp": "2026-11-21T20:55:01.123456"})");
  auto whole = stamp_event("{}", "hog", *parse_timestamp("2026-11-21T20:55:01"));
  EXPECT_EQ(*whole, R"({"node_id": "hog", "timestamp": "2026-11-21T20:55:01"})");
  EXPECT_FALSE(stamp_event("[]", "hog", t));
}

TEST(TrimFraction, DropsTrailingZerosLikePydantic) {
  EXPECT_EQ(trim_fraction("2026-11-21T20:55:41.147980"), "2026-11-21T20:55:41.14798");
  EXPECT_EQ(trim_fraction("2026-11-21T20:55:41.860000"), "2026-11-21T20:55:41.86");
  EXPECT_EQ(trim_fraction("2026-11-21T20:55:41.000001"), "2026-11-21T20:55:41.000001");
  EXPECT_EQ(trim_fraction("2026-11-21T20:55:41.000000"), "2026-11-21T20:55:41");
  EXPECT_EQ(trim_fraction("2026-11-21T20:55:41"), "2026-11-21T20:55:41");
  EXPECT_EQ(trim_fraction("2026-11-21T20:55:41.500000Z"), "2026-11-21T20:55:41.5Z");
}

// The hash values as pydantic's model_dump_json writes them.
TEST(PydanticJson, CompactRawUtf8TrimmedTimestamps) {
  StrokeProgress p;
  p.time_us = *parse_timestamp("2026-11-21T20:55:41.860000");
  p.node_id = "hog";
  p.total_strokes = 3;
  p.stroke_length = 10;
  p.stroke_description_l = "left \xc3\xa9 \"q\"";
  p.scene_name = "default";
  auto j = pydantic_json_object(to_json(p));
  ASSERT_TRUE(j) << j.error().str();
  EXPECT_EQ(*j,
            "{\"timestamp\":\"2026-11-21T20:55:41.86\",\"node_id\":\"hog\",\"stroke_idx\":0,"
            "\"pose_idx\":0,\"total_strokes\":3,\"stroke_length\":10,"
            "\"stroke_description_l\":\"left \xc3\xa9 \\\"q\\\"\",\"stroke_description_r\":\"\","
            "\"offset_idx_l\":0,\"offset_idx_r\":0,\"is_executing\":false,\"is_paused\":false,"
            "\"scene_name\":\"default\",\"dataset_name\":null}");
  auto back = parse_progress(*j);
  ASSERT_TRUE(back) << back.error().str();
  EXPECT_EQ(back->time_us, p.time_us);
  EXPECT_EQ(back->stroke_description_l, p.stroke_description_l);

  RobotState s;
  s.time_us = *parse_timestamp("2026-11-21T20:55:41");
  s.node_id = "hog";
  s.is_connected_l = s.is_connected_r = true;
  s.current_pose = "ready";
  EXPECT_EQ(*pydantic_json_object(to_json(s)),
            R"({"timestamp":"2026-11-21T20:55:41","node_id":"hog","is_connected_l":true,)"
            R"("is_connected_r":true,"joints_l":null,"joints_r":null,"velocities_l":null,)"
            R"("velocities_r":null,"current_pose":"ready","goal_time_slow":2.0,"goal_time_fast":0.5})");
  NodeHealth h;
  h.time_us = *parse_timestamp("2026-11-21T20:55:41.100000");
  h.last_heartbeat_us = *parse_timestamp("2026-11-21T20:55:41.100200");
  auto hj = pydantic_json_object(to_json(h));
  ASSERT_TRUE(hj);
  EXPECT_NE(hj->find(R"("timestamp":"2026-11-21T20:55:41.1",)"), std::string::npos) << *hj;
  EXPECT_NE(hj->find(R"("last_heartbeat":"2026-11-21T20:55:41.1002"})"), std::string::npos) << *hj;
  EXPECT_NE(hj->find(R"("cpu_percent":0.0,)"), std::string::npos) << *hj;
  EXPECT_TRUE(parse_node_health(*hj));
  EXPECT_FALSE(pydantic_json_object("[1]"));
}

TEST(ToolProgress, IsTheRobotsSecondKindOfProgressUpdate) {
  const TimeUs t = *parse_timestamp("2026-11-21T20:57:40.000311");
  auto s = stamp_event(tool_progress_json(0.3, "Executing stroke 1/19: left arm stroke"), "hog", t);
  ASSERT_TRUE(s) << s.error().str();
  EXPECT_EQ(*s, R"({"type": "progress_update", "node_id": "hog", "progress": 0.3, )"
                R"("message": "Executing stroke 1/19: left arm stroke", "stroke_idx": 0, )"
                R"("total_strokes": 0, "timestamp": "2026-11-21T20:57:40.000311"})");
}

// The payloads the StateManager writes are protocol.hpp's writers: their
// field sets are exactly PROTOCOL.md's.
TEST(PayloadFields, AreProtocolsFieldSets) {
  StrokeProgress p;
  p.time_us = now_us();
  p.scene_name = "tatbotlogo";
  EXPECT_EQ(keys_of(to_json(p)),
            (std::set<std::string>{"timestamp", "node_id", "stroke_idx", "pose_idx", "total_strokes",
                                   "stroke_length", "stroke_description_l", "stroke_description_r",
                                   "offset_idx_l", "offset_idx_r", "is_executing", "is_paused",
                                   "scene_name", "dataset_name"}));
  RobotState s;
  s.time_us = now_us();
  EXPECT_EQ(keys_of(to_json(s)),
            (std::set<std::string>{"timestamp", "node_id", "is_connected_l", "is_connected_r",
                                   "joints_l", "joints_r", "velocities_l", "velocities_r",
                                   "current_pose", "goal_time_slow", "goal_time_fast"}));
  NodeHealth h;
  h.time_us = h.last_heartbeat_us = now_us();
  EXPECT_EQ(keys_of(to_json(h)),
            (std::set<std::string>{"timestamp", "node_id", "cpu_percent", "memory_percent",
                                   "disk_percent", "gpu_available", "gpu_percent",
                                   "gpu_memory_percent", "is_reachable", "ping_latency_ms",
                                   "mcp_server_running", "mcp_port", "last_heartbeat"}));
  ProgressUpdate u;
  u.header.node_id = "hog";
  std::set<std::string> stream;
  for (const auto& [k, v] : to_stream_fields(u)) stream.insert(k);
  EXPECT_EQ(stream, (std::set<std::string>{"stroke_idx", "pose_idx", "description_l",
                                           "description_r", "node_id"}));
}

TEST(Constants, MatchTatbotSchemas) {
  EXPECT_EQ(kNodeHealthTtlS, 60);
  EXPECT_EQ(kStrokeHistoryMaxLen, 10000);
}

}  // namespace
}  // namespace strokeviz::tools
