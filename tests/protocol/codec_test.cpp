// Protocol parsing: every PROTOCOL.md payload, timestamps, bad input, writers.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "protocol/codec.hpp"
#include "tests/protocol/payloads.hpp"

namespace strokeviz::protocol {
namespace {

using namespace test;

constexpr TimeUs kRecv = 1795294999000000;

template <class T>
const T& as(const Expected<Event>& e) {
  EXPECT_TRUE(e.ok()) << (e.ok() ? "" : e.error().str());
  EXPECT_TRUE(std::holds_alternative<T>(*e));
  return std::get<T>(*e);
}

// The message of a rejected payload (fails the test when it was accepted).
template <class T>
std::string rejection(const Expected<T>& r) {
  EXPECT_FALSE(r.ok()) << "accepted but should have been rejected";
  return r.ok() ? std::string() : r.error().str();
}

std::string replace(std::string_view s, std::string_view from, std::string_view to) {
  std::string out(s);
  const auto p = out.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) out.replace(p, from.size(), to);
  return out;
}

// ---- timestamps ----------------------------------------------------------------

TEST(SyncTimestamp, ParsesWithAndWithoutFraction) {
  EXPECT_EQ(*parse_timestamp("2026-11-21T20:55:01.123456"), 1795294501123456);
  EXPECT_EQ(*parse_timestamp("2026-11-21T20:55:00"), 1795294500000000);  // Python drops .000000
  EXPECT_EQ(*parse_timestamp("1970-01-01T00:00:00"), 0);
  EXPECT_EQ(*parse_timestamp("2024-02-29T23:59:59.5"), 1709251199500000);
  EXPECT_EQ(*parse_timestamp("2026-11-21T20:55:00.551200Z"), 1795294500551200);
  EXPECT_EQ(*parse_timestamp("2026-11-21T20:55:00.551200+00:00"), 1795294500551200);
  EXPECT_EQ(*parse_timestamp("1969-12-31T23:59:59.999999"), -1);
}

TEST(SyncTimestamp, RejectsMalformed) {
  for (const char* bad : {"", "2026-11-21", "2026-11-21T20:55", "2026-13-01T00:00:00",
                          "2026-02-29T00:00:00", "2026-11-21T24:00:00", "2026-11-21T20:55:00.",
                          "2026-11-21T20:55:00+02:00", "2026-11-21T20:55:00.1234567",
                          "20261121T205500", "x026-11-21T20:55:00"}) {
    auto t = parse_timestamp(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_NE(t.error().message.find("not an ISO-8601 time"), std::string::npos);
    }
  }
}

TEST(SyncTimestamp, FormatsLikePythonIsoformat) {
  EXPECT_EQ(format_timestamp(1795294501123456), "2026-11-21T20:55:01.123456");
  EXPECT_EQ(format_timestamp(1795294500000000), "2026-11-21T20:55:00");
  EXPECT_EQ(format_timestamp(1795294920000100), "2026-11-21T21:02:00.000100");
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00");
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59.999999");
  EXPECT_EQ(format_timestamp(1709251199500000), "2024-02-29T23:59:59.500000");
  for (TimeUs t : {TimeUs{0}, TimeUs{1795294501123456}, TimeUs{-86'400'000'001}, TimeUs{951782400000000}})
    EXPECT_EQ(*parse_timestamp(format_timestamp(t)), t);
}

// ---- every PROTOCOL.md payload --------------------------------------------------------

void expect_header(const EventHeader& h, std::string_view channel, std::string_view ts, TimeUs t) {
  EXPECT_EQ(h.channel, channel);
  EXPECT_EQ(h.node_id, "hog");
  EXPECT_EQ(h.timestamp, ts);
  EXPECT_EQ(h.time_us, t);
  EXPECT_EQ(h.received_us, kRecv);
}

TEST(SyncParseEvent, SessionStart) {
  auto r = parse_event("stroke:events:session", kSessionStartJson, kRecv);
  const auto& e = as<SessionStart>(r);
  expect_header(e.header, "stroke:events:session", "2026-11-21T20:55:01.123456", 1795294501123456);
  EXPECT_EQ(e.session_id, "stroke_hog_1763758501");
  EXPECT_EQ(e.total_strokes, 212);
  EXPECT_EQ(e.scene_name, "tatbotlogo");
  EXPECT_EQ(type_name(*r), "session_start");
}

TEST(SyncParseEvent, SessionEnd) {
  auto r = parse_event("stroke:events:session", kSessionEndJson, kRecv);
  const auto& e = as<SessionEnd>(r);
  expect_header(e.header, "stroke:events:session", "2026-11-21T21:40:12.000311", 1795297212000311);
  EXPECT_EQ(e.session_id, "stroke_hog_1763758501");
}

TEST(SyncParseEvent, ProgressUpdate) {
  auto r = parse_event("stroke:events:progress", kProgressUpdateJson, kRecv);
  const auto& e = as<ProgressUpdate>(r);
  expect_header(e.header, "stroke:events:progress", "2026-11-21T20:57:44.861002", 1795294664861002);
  EXPECT_EQ(e.session_id, "stroke_hog_1763758501");
  EXPECT_EQ(e.stroke_idx, 5);
  EXPECT_EQ(e.pose_idx, 25);
  EXPECT_EQ(e.total_strokes, 212);
  EXPECT_EQ(e.stroke_length, 108);
  EXPECT_EQ(e.description_l, "left arm stroke after inkdip in inkcap_left_large");
  EXPECT_EQ(e.description_r, "right arm inkdip into inkcap_right_large to fill with bright_red ink");
}

TEST(SyncParseEvent, ToolProgressIsItsOwnKind) {
  auto r = parse_event("stroke:events:progress", kToolProgressJson, kRecv);
  ASSERT_TRUE(r.ok()) << r.error().str();
  const auto* e = std::get_if<ToolProgress>(&*r);
  ASSERT_NE(e, nullptr) << "a tool's progress message is not a session update";
  EXPECT_EQ(e->header.node_id, "hog");
  EXPECT_DOUBLE_EQ(e->progress, 0.3);
  EXPECT_EQ(e->message, "Executing stroke 1/19: left arm stroke after inkdip in inkcap_left_large");
  EXPECT_EQ(e->header.time_us, parse_timestamp("2026-11-21T20:57:40.000311").value());
  EXPECT_EQ(type_name(*r), "tool_progress");
  // It round-trips through the writer (the simulator publishes it).
  auto again = parse_event("stroke:events:progress", to_json(*r), kRecv);
  ASSERT_TRUE(again.ok()) << again.error().str();
  EXPECT_EQ(std::get<ToolProgress>(*again).message, e->message);
  // Without session_id and without a message it is still a broken session update.
  auto bad = parse_event("stroke:events:progress", R"({"type": "progress_update", "node_id": "hog",
      "timestamp": "2026-11-21T20:57:40.000311"})", kRecv);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("session_id"), std::string::npos) << bad.error().message;
}

TEST(SyncParseEvent, StateUpdate) {
  auto r = parse_event("robot:events", kStateUpdateJson, kRecv);
  const auto& e = as<RobotStateUpdate>(r);
  expect_header(e.header, "robot:events", "2026-11-21T20:55:00.551200", 1795294500551200);
  EXPECT_TRUE(e.is_connected_l);
  EXPECT_TRUE(e.is_connected_r);
  EXPECT_EQ(e.current_pose, "ready");
}

TEST(SyncParseEvent, Error) {
  auto r = parse_event("error:events:stroke_execution", kErrorJson, kRecv);
  const auto& e = as<ErrorEvent>(r);
  expect_header(e.header, "error:events:stroke_execution", "2026-11-21T21:02:00.000100",
                1795294920000100);
  EXPECT_EQ(e.category, "stroke_execution");
  EXPECT_EQ(e.payload_category, "stroke_execution");
  EXPECT_EQ(e.message, "arm l timeout");
  EXPECT_EQ(e.details_json, R"({"scene": "tatbotlogo"})");
}

TEST(SyncParseEvent, ErrorDetailsNestedAreReserializedPythonStyle) {
  auto r = parse_event(
      "error:events:x",
      R"({"type":"error","category":"x","message":"m","node_id":"hog","timestamp":"2026-11-21T21:02:00",)"
      R"("details":{"a":[1,2.5,{"b":null,"c":true}],"d":"\u00e9\"","e":{},"f":[]}})",
      kRecv);
  EXPECT_EQ(as<ErrorEvent>(r).details_json,
            R"({"a": [1, 2.5, {"b": null, "c": true}], "d": "\u00e9\"", "e": {}, "f": []})");
  auto no_details = parse_event("error:events:x",
                                R"({"type":"error","category":"x","message":"m","node_id":"hog",)"
                                R"("timestamp":"2026-11-21T21:02:00"})",
                                kRecv);
  EXPECT_EQ(as<ErrorEvent>(no_details).details_json, "");
}

TEST(SyncParseEvent, NodeEventIsKeptRaw) {
  const std::string_view payload = R"({"anything": [1, {"x": 2}], "node_id": "eek", "timestamp": "2026-11-21T20:55:00"})";
  auto r = parse_event("node:events:eek", payload, kRecv);
  const auto& e = as<NodeEvent>(r);
  EXPECT_EQ(e.header.channel, "node:events:eek");
  EXPECT_EQ(e.header.node_id, "eek");
  EXPECT_EQ(e.header.timestamp, "2026-11-21T20:55:00");
  EXPECT_EQ(e.header.time_us, 1795294500000000);
  EXPECT_EQ(e.header.received_us, kRecv);
  EXPECT_EQ(e.channel_node_id, "eek");
  EXPECT_EQ(e.type, "");
  EXPECT_EQ(e.raw, payload);
  // Free-form: no required field, but still a JSON object.
  EXPECT_TRUE(parse_event("node:events:eek", "{}", kRecv).ok());
  EXPECT_NE(rejection(parse_event("node:events:eek", "[1]", kRecv)).find("expected a JSON object"),
            std::string::npos);
}

TEST(SyncParseEvent, StampsReceiveTimeWhenNotGiven) {
  const TimeUs before = now_us();
  auto r = parse_event("robot:events", kStateUpdateJson);
  const TimeUs after = now_us();
  ASSERT_TRUE(r.ok());
  EXPECT_GE(header_of(*r).received_us, before);
  EXPECT_LE(header_of(*r).received_us, after);
}

TEST(SyncParseEvent, UnknownExtraFieldsAreTolerated) {
  std::string p = replace(kProgressUpdateJson, R"("type": "progress_update",)",
                          R"("type": "progress_update", "extra": {"deep": [1, [2, {"x": null}]]},)"
                          R"( "also": 1.5e300, "flag": false, "offsets": [1, 2],)");
  auto r = parse_event("stroke:events:progress", p, kRecv);
  EXPECT_EQ(as<ProgressUpdate>(r).pose_idx, 25);
  // ... also in every other payload type.
  EXPECT_TRUE(parse_event("stroke:events:session", replace(kSessionStartJson, "{", R"({"v": 2, )"), kRecv).ok());
  EXPECT_TRUE(parse_event("stroke:events:session", replace(kSessionEndJson, "{", R"({"v": [2], )"), kRecv).ok());
  EXPECT_TRUE(parse_event("robot:events", replace(kStateUpdateJson, "{", R"({"v": {}, )"), kRecv).ok());
  EXPECT_TRUE(parse_event("error:events:e", replace(kErrorJson, "{", R"({"v": null, )"), kRecv).ok());
  EXPECT_TRUE(parse_progress(replace(kStrokeProgressJson, "{", R"({"offset_num": 5, )")).ok());
  EXPECT_TRUE(parse_robot_state(replace(kRobotStateJson, "{", R"({"joints": [[1]], )")).ok());
  EXPECT_TRUE(parse_node_health(replace(kNodeHealthJson, "{", R"({"load": [0.5], )")).ok());
}

TEST(SyncParseEvent, TimestampWithoutFractionInAnEvent) {
  auto r = parse_event("stroke:events:session",
                       replace(kSessionEndJson, "2026-11-21T21:40:12.000311", "2026-11-21T21:40:12"),
                       kRecv);
  EXPECT_EQ(as<SessionEnd>(r).header.time_us, 1795297212000000);
}

// ---- snapshots and stream entries -------------------------------------------------

TEST(SyncParseSnapshot, StrokeProgress) {
  auto r = parse_progress(kStrokeProgressJson);
  ASSERT_TRUE(r.ok()) << r.error().str();
  const StrokeProgress& p = *r;
  EXPECT_EQ(p.timestamp, "2026-11-21T20:57:44.861002");
  EXPECT_EQ(p.time_us, 1795294664861002);
  EXPECT_EQ(p.node_id, "hog");
  EXPECT_EQ(p.stroke_idx, 5);
  EXPECT_EQ(p.pose_idx, 25);
  EXPECT_EQ(p.total_strokes, 212);
  EXPECT_EQ(p.stroke_length, 108);
  EXPECT_EQ(p.stroke_description_l, "left arm stroke after inkdip in inkcap_left_large");
  EXPECT_EQ(p.stroke_description_r, "right arm inkdip into inkcap_right_large to fill with bright_red ink");
  EXPECT_EQ(p.offset_idx_l, 3);
  EXPECT_EQ(p.offset_idx_r, 0);
  EXPECT_TRUE(p.is_executing);
  EXPECT_FALSE(p.is_paused);
  EXPECT_EQ(p.scene_name, "tatbotlogo");
  EXPECT_EQ(p.dataset_name, std::nullopt);
}

TEST(SyncParseSnapshot, RobotState) {
  auto r = parse_robot_state(kRobotStateJson);
  ASSERT_TRUE(r.ok()) << r.error().str();
  const RobotState& s = *r;
  EXPECT_EQ(s.timestamp, "2026-11-21T20:55:00");
  EXPECT_EQ(s.time_us, 1795294500000000);
  EXPECT_EQ(s.node_id, "hog");
  EXPECT_TRUE(s.is_connected_l);
  EXPECT_FALSE(s.is_connected_r);
  ASSERT_TRUE(s.joints_l.has_value());
  EXPECT_EQ(*s.joints_l, (ArmJoints{0.0, 1.5707963267948966, -1.2, 0.25, 0, -0.5, 0.022}));
  EXPECT_FALSE(s.joints_r.has_value());
  ASSERT_TRUE(s.velocities_l.has_value());
  EXPECT_EQ(*s.velocities_l, (ArmJoints{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7}));
  EXPECT_FALSE(s.velocities_r.has_value());
  EXPECT_EQ(s.current_pose, "ready");
  EXPECT_EQ(s.goal_time_slow, 2.0);
  EXPECT_EQ(s.goal_time_fast, 0.5);
}

TEST(SyncParseSnapshot, NodeHealth) {
  auto r = parse_node_health(kNodeHealthJson);
  ASSERT_TRUE(r.ok()) << r.error().str();
  const NodeHealth& h = *r;
  EXPECT_EQ(h.timestamp, "2026-11-21T20:55:00.551200");
  EXPECT_EQ(h.time_us, 1795294500551200);
  EXPECT_EQ(h.node_id, "eek");
  EXPECT_EQ(h.cpu_percent, 12.5);
  EXPECT_EQ(h.memory_percent, 40.25);
  EXPECT_EQ(h.disk_percent, 71.0);
  EXPECT_TRUE(h.gpu_available);
  EXPECT_EQ(h.gpu_percent, std::nullopt);
  EXPECT_EQ(h.gpu_memory_percent, 3.5);
  EXPECT_TRUE(h.is_reachable);
  EXPECT_EQ(h.ping_latency_ms, 0.42);
  EXPECT_TRUE(h.mcp_server_running);
  EXPECT_EQ(h.mcp_port, 8000);
  EXPECT_EQ(h.last_heartbeat, "2026-11-21T20:54:59.999999");
  EXPECT_EQ(h.last_heartbeat_us, 1795294499999999);
}

TEST(SyncParseSnapshot, StreamEntry) {
  StreamFields f = {{"stroke_idx", "5"},      {"pose_idx", "25"}, {"description_l", "left"},
                    {"description_r", "right"}, {"node_id", "hog"}, {"extra", "x"}};
  auto r = parse_stream_entry("1763758664861-3", f);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r->id, "1763758664861-3");
  EXPECT_EQ(r->time_ms, 1763758664861);
  EXPECT_EQ(r->seq, 3);
  EXPECT_EQ(r->stroke_idx, 5);
  EXPECT_EQ(r->pose_idx, 25);
  EXPECT_EQ(r->description_l, "left");
  EXPECT_EQ(r->description_r, "right");
  EXPECT_EQ(r->node_id, "hog");

  auto bad = f;
  bad[1].second = "2x";
  EXPECT_EQ(rejection(parse_stream_entry("1-0", bad)),
            "stream:stroke_history entry 1-0: field 'pose_idx': expected integer string, got '2x'");
  bad[1].second = "-1";
  EXPECT_NE(rejection(parse_stream_entry("1-0", bad)).find("'pose_idx': -1 is negative"), std::string::npos);
  bad = f;
  bad.erase(bad.begin() + 4);
  EXPECT_NE(rejection(parse_stream_entry("1-0", bad)).find("field 'node_id': missing"), std::string::npos);
  for (const char* id : {"", "12", "a-1", "1-", "-1-0", "1-0-0"})
    EXPECT_NE(rejection(parse_stream_entry(id, f)).find("id: expected"), std::string::npos) << id;
}

// ---- bad input -------------------------------------------------------------------

TEST(SyncParseBad, NotJson) {
  for (std::string_view bad : {"", "hello", "{", "{\"type\": }", "{'type': 'x'}", "{\"a\":1}}",
                               "{\"a\":1} trailing", "nul", "{\"a\": 01}"}) {
    const auto msg = rejection(parse_event("stroke:events:progress", bad, kRecv));
    EXPECT_EQ(msg.rfind("stroke:events:progress: not valid JSON", 0), 0u) << bad << " -> " << msg;
  }
}

TEST(SyncParseBad, TruncatedJson) {
  for (std::size_t n = 0; n < kProgressUpdateJson.size(); ++n) {
    const auto msg = rejection(parse_event("stroke:events:progress", kProgressUpdateJson.substr(0, n), kRecv));
    EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << n << ": " << msg;
  }
}

TEST(SyncParseBad, NotAnObject) {
  EXPECT_EQ(rejection(parse_event("stroke:events:progress", "[1, 2]", kRecv)),
            "stroke:events:progress: expected a JSON object, got array");
  EXPECT_EQ(rejection(parse_event("stroke:events:progress", R"("progress_update")", kRecv)),
            "stroke:events:progress: expected a JSON object, got string");
  EXPECT_EQ(rejection(parse_event("stroke:events:progress", "42", kRecv)),
            "stroke:events:progress: expected a JSON object, got integer");
  EXPECT_EQ(rejection(parse_event("robot:events", "null", kRecv)),
            "robot:events: expected a JSON object, got null");
  EXPECT_EQ(rejection(parse_progress("4.5")), "stroke:progress: expected a JSON object, got float");
  EXPECT_EQ(rejection(parse_robot_state("true")), "robot:state: expected a JSON object, got boolean");
}

TEST(SyncParseBad, WrongFieldTypes) {
  const auto ch = "stroke:events:progress";
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("pose_idx": 25)", R"("pose_idx": "25")"), kRecv)),
            "stroke:events:progress: field 'pose_idx': expected integer, got string");
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("stroke_idx": 5)", R"("stroke_idx": "5")"), kRecv)),
            "stroke:events:progress: field 'stroke_idx': expected integer, got string");
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("stroke_idx": 5)", R"("stroke_idx": 5.0)"), kRecv)),
            "stroke:events:progress: field 'stroke_idx': expected integer, got float");
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("stroke_idx": 5)", R"("stroke_idx": null)"), kRecv)),
            "stroke:events:progress: field 'stroke_idx': expected integer, got null");
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("stroke_idx": 5)", R"("stroke_idx": [5])"), kRecv)),
            "stroke:events:progress: field 'stroke_idx': expected integer, got array");
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("stroke_idx": 5)", R"("stroke_idx": 18446744073709551615)"), kRecv)),
            "stroke:events:progress: field 'stroke_idx': integer out of range");
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("stroke_idx": 5)", R"("stroke_idx": 99999999999999999999)"), kRecv)),
            "stroke:events:progress: field 'stroke_idx': expected integer, got float");
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("node_id": "hog")", R"("node_id": 7)"), kRecv)),
            "stroke:events:progress: field 'node_id': expected string, got integer");
  EXPECT_EQ(rejection(parse_event(ch, replace(kProgressUpdateJson, R"("description_l": "left arm stroke after inkdip in inkcap_left_large")",
                                              R"("description_l": {"a": "left"})"), kRecv)),
            "stroke:events:progress: field 'description_l': expected string, got object");
  EXPECT_EQ(rejection(parse_event("robot:events", replace(kStateUpdateJson, R"("is_connected_l": true)", R"("is_connected_l": 1)"), kRecv)),
            "robot:events: field 'is_connected_l': expected boolean, got integer");
  EXPECT_EQ(rejection(parse_event("stroke:events:session", replace(kSessionStartJson, R"("total_strokes": 212)", R"("total_strokes": "212")"), kRecv)),
            "stroke:events:session: field 'total_strokes': expected integer, got string");
  EXPECT_NE(rejection(parse_event("stroke:events:session", replace(kSessionStartJson, "2026-11-21T20:55:01.123456", "yesterday"), kRecv))
                .find("stroke:events:session: field 'timestamp': not an ISO-8601 time 'yesterday'"),
            std::string::npos);
  EXPECT_EQ(rejection(parse_event("error:events:x", replace(kErrorJson, R"("message": "arm l timeout")", R"("message": null)"), kRecv)),
            "error:events:x: field 'message': expected string, got null");
  // Snapshots.
  EXPECT_EQ(rejection(parse_progress(replace(kStrokeProgressJson, R"("is_paused": false)", R"("is_paused": "false")"))),
            "stroke:progress: field 'is_paused': expected boolean, got string");
  EXPECT_EQ(rejection(parse_progress(replace(kStrokeProgressJson, R"("dataset_name": null)", R"("dataset_name": 3)"))),
            "stroke:progress: field 'dataset_name': expected string or null, got integer");
  EXPECT_EQ(rejection(parse_robot_state(replace(kRobotStateJson, R"("joints_r": null)", R"("joints_r": [1, 2])"))),
            "robot:state: field 'joints_r': expected array of 7 numbers, got 2");
  EXPECT_EQ(rejection(parse_robot_state(replace(kRobotStateJson, R"("joints_r": null)", R"("joints_r": [1, 2, 3, 4, 5, 6, 7, 8])"))),
            "robot:state: field 'joints_r': expected array of 7 numbers, got 8");
  EXPECT_EQ(rejection(parse_robot_state(replace(kRobotStateJson, R"("joints_r": null)", R"("joints_r": [1, 2, 3, "4", 5, 6, 7])"))),
            "robot:state: field 'joints_r': expected array of 7 numbers, found a string element");
  EXPECT_EQ(rejection(parse_robot_state(replace(kRobotStateJson, R"("joints_r": null)", R"("joints_r": [1, 2, 3, [4], 5, 6, 7])"))),
            "robot:state: field 'joints_r': expected array of 7 numbers, found a array element");
  EXPECT_EQ(rejection(parse_robot_state(replace(kRobotStateJson, R"("joints_r": null)", R"("joints_r": {"a": 1})"))),
            "robot:state: field 'joints_r': expected array of 7 numbers or null, got object");
  EXPECT_EQ(rejection(parse_robot_state(replace(kRobotStateJson, R"("goal_time_fast": 0.5)", R"("goal_time_fast": "0.5")"))),
            "robot:state: field 'goal_time_fast': expected number, got string");
  EXPECT_EQ(rejection(parse_node_health(replace(kNodeHealthJson, R"("mcp_port": 8000)", R"("mcp_port": 8000.5)"))),
            "node:health: field 'mcp_port': expected integer, got float");
  EXPECT_EQ(rejection(parse_node_health(replace(kNodeHealthJson, R"("ping_latency_ms": 0.42)", R"("ping_latency_ms": "fast")"))),
            "node:health: field 'ping_latency_ms': expected number, got string");
  EXPECT_EQ(rejection(parse_progress(replace(kStrokeProgressJson, "{", R"({"x": 1)"), "stroke:progress:stroke_hog_1")),
            "stroke:progress:stroke_hog_1: not valid JSON: parse error at line 1, column 18: syntax error "
            "while parsing object - unexpected string literal; expected '}'");
}

TEST(SyncParseBad, MissingFields) {
  const struct {
    std::string_view channel, json, field;
  } cases[] = {
      {"stroke:events:session", kSessionStartJson, "session_id"},
      {"stroke:events:session", kSessionStartJson, "total_strokes"},
      {"stroke:events:session", kSessionStartJson, "scene_name"},
      {"stroke:events:session", kSessionStartJson, "timestamp"},
      {"stroke:events:session", kSessionEndJson, "session_id"},
      {"stroke:events:session", kSessionEndJson, "node_id"},
      {"stroke:events:session", kSessionEndJson, "type"},
      {"stroke:events:progress", kProgressUpdateJson, "stroke_idx"},
      {"stroke:events:progress", kProgressUpdateJson, "pose_idx"},
      {"stroke:events:progress", kProgressUpdateJson, "stroke_length"},
      {"stroke:events:progress", kProgressUpdateJson, "description_r"},
      {"robot:events", kStateUpdateJson, "is_connected_r"},
      {"robot:events", kStateUpdateJson, "current_pose"},
      {"error:events:stroke_execution", kErrorJson, "message"},
      {"error:events:stroke_execution", kErrorJson, "category"},
  };
  for (const auto& c : cases) {
    // Rename the key so the field is absent but the JSON stays valid.
    std::string renamed = replace(c.json, "\"" + std::string(c.field) + "\":", "\"renamed_" + std::string(c.field) + "\":");
    EXPECT_EQ(rejection(parse_event(c.channel, renamed, kRecv)),
              std::string(c.channel) + ": field '" + std::string(c.field) + "': missing");
  }
  EXPECT_EQ(rejection(parse_progress(R"({"timestamp": "2026-11-21T20:55:00"})")),
            "stroke:progress: field 'node_id': missing");
  EXPECT_EQ(rejection(parse_robot_state(replace(kRobotStateJson, R"("velocities_r": null,)", ""))),
            "robot:state: field 'velocities_r': missing");
  EXPECT_EQ(rejection(parse_node_health(replace(kNodeHealthJson, R"("gpu_percent": null,)", ""))),
            "node:health: field 'gpu_percent': missing");
}

TEST(SyncParseBad, NegativeAndOutOfRangeIndices) {
  const auto ch = "stroke:events:progress";
  auto with = [&](std::string_view from, std::string_view to) {
    return rejection(parse_event(ch, replace(kProgressUpdateJson, from, to), kRecv));
  };
  EXPECT_EQ(with(R"("stroke_idx": 5)", R"("stroke_idx": -1)"),
            "stroke:events:progress: field 'stroke_idx': -1 is negative");
  EXPECT_EQ(with(R"("pose_idx": 25)", R"("pose_idx": -25)"),
            "stroke:events:progress: field 'pose_idx': -25 is negative");
  EXPECT_EQ(with(R"("stroke_idx": 5)", R"("stroke_idx": 212)"),
            "stroke:events:progress: field 'stroke_idx': 212 out of range [0, 212) given total_strokes");
  EXPECT_EQ(with(R"("pose_idx": 25)", R"("pose_idx": 108)"),
            "stroke:events:progress: field 'pose_idx': 108 out of range [0, 108) given stroke_length");
  EXPECT_EQ(with(R"("stroke_length": 108)", R"("stroke_length": -108)"),
            "stroke:events:progress: field 'stroke_length': -108 is negative");
  EXPECT_EQ(with(R"("total_strokes": 212)", R"("total_strokes": 0)"),
            "stroke:events:progress: field 'stroke_idx': 5 out of range [0, 0) given total_strokes");
  // The last valid indices are accepted.
  auto ok = parse_event(ch, replace(replace(kProgressUpdateJson, R"("stroke_idx": 5)", R"("stroke_idx": 211)"),
                                    R"("pose_idx": 25)", R"("pose_idx": 107)"), kRecv);
  EXPECT_EQ(as<ProgressUpdate>(ok).pose_idx, 107);
  EXPECT_EQ(rejection(parse_progress(replace(kStrokeProgressJson, R"("offset_idx_l": 3)", R"("offset_idx_l": -3)"))),
            "stroke:progress: field 'offset_idx_l': -3 is negative");
  EXPECT_EQ(rejection(parse_progress(replace(kStrokeProgressJson, R"("pose_idx": 25)", R"("pose_idx": 200)"))),
            "stroke:progress: field 'pose_idx': 200 out of range [0, 108) given stroke_length");
  EXPECT_EQ(rejection(parse_event("stroke:events:session", replace(kSessionStartJson, R"("total_strokes": 212)", R"("total_strokes": -2)"), kRecv)),
            "stroke:events:session: field 'total_strokes': -2 is negative");
}

TEST(SyncParseBad, UnknownTypeAndChannel) {
  EXPECT_EQ(rejection(parse_event("stroke:events:session", replace(kSessionEndJson, "session_end", "session_pause"), kRecv)),
            "stroke:events:session: field 'type': unknown type 'session_pause' on this channel");
  EXPECT_EQ(rejection(parse_event("stroke:events:progress", replace(kProgressUpdateJson, "progress_update", "session_start"), kRecv)),
            "stroke:events:progress: field 'type': unknown type 'session_start' on this channel");
  EXPECT_EQ(rejection(parse_event("robot:events", replace(kStateUpdateJson, "state_update", "joint_update"), kRecv)),
            "robot:events: field 'type': unknown type 'joint_update' on this channel");
  EXPECT_EQ(rejection(parse_event("error:events:x", replace(kErrorJson, R"("type": "error")", R"("type": "warning")"), kRecv)),
            "error:events:x: field 'type': unknown type 'warning' on this channel");
  EXPECT_EQ(rejection(parse_event("robot:events", replace(kStateUpdateJson, R"("state_update")", "3"), kRecv)),
            "robot:events: field 'type': expected string, got integer");
  EXPECT_EQ(rejection(parse_event("stroke:events:nope", kProgressUpdateJson, kRecv)),
            "stroke:events:nope: unknown channel");
  EXPECT_EQ(rejection(parse_event("error:events:", kErrorJson, kRecv)), "error:events:: unknown channel");
}

TEST(SyncParseBad, InvalidUtf8) {
  std::string p(kProgressUpdateJson);
  p.replace(p.find("left arm"), 1, "\xC3\x28");  // bad continuation byte
  EXPECT_NE(rejection(parse_event("stroke:events:progress", p, kRecv)).find("not valid JSON"), std::string::npos);
  std::string q(kProgressUpdateJson);
  q.replace(q.find("left arm"), 1, "\xFF");
  EXPECT_NE(rejection(parse_event("stroke:events:progress", q, kRecv)).find("ill-formed UTF-8"), std::string::npos);
  std::string r(kProgressUpdateJson);
  r.replace(r.find("left arm"), 1, "\xED\xA0\x80");  // an encoded surrogate
  EXPECT_FALSE(parse_event("stroke:events:progress", r, kRecv).ok());
}

// Decision: a 1 MB description is accepted (payloads up to kMaxPayloadBytes
// are); the time stays linear. Payloads over the limit are refused unparsed.
TEST(SyncParseBad, OneMegabyteStringIsAcceptedInBoundedTime) {
  const std::string big(1 << 20, 'x');
  const std::string p = replace(kProgressUpdateJson, "left arm stroke after inkdip in inkcap_left_large", big);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = parse_event("stroke:events:progress", p, kRecv);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(as<ProgressUpdate>(r).description_l.size(), big.size());
  EXPECT_LT(ms, 2000);
  const std::string huge = replace(kProgressUpdateJson, "left arm stroke", std::string(kMaxPayloadBytes, 'y'));
  EXPECT_NE(rejection(parse_event("stroke:events:progress", huge, kRecv)).find("exceeds the limit"), std::string::npos);
  // A parse error inside a 1 MB string does not echo the megabyte back.
  const std::string broken = replace(p, R"("description_r")", R"("desc\q")");
  EXPECT_LT(rejection(parse_event("stroke:events:progress", broken, kRecv)).size(), 400u);
}

TEST(SyncParseBad, DeepNestingIsRejectedWithoutStackOverflow) {
  for (std::string_view open : {"[", "{\"a\":"}) {
    std::string p = R"({"type": "progress_update", "extra": )";
    for (int i = 0; i < 100000; ++i) p += open;
    p += "1";  // never closed: the limit trips first anyway
    EXPECT_EQ(rejection(parse_event("stroke:events:progress", p, kRecv)),
              "stroke:events:progress: nested deeper than 64 levels");
  }
  std::string closed = "{\"x\": ";
  for (int i = 0; i < 100000; ++i) closed += '[';
  for (int i = 0; i < 100000; ++i) closed += ']';
  closed += '}';
  EXPECT_EQ(rejection(parse_robot_state(closed)), "robot:state: nested deeper than 64 levels");
  std::string top(100000, '[');
  EXPECT_EQ(rejection(parse_event("node:events:x", top, kRecv)), "node:events:x: expected a JSON object, got array");
  // Exactly at the limit is fine: the top object is level 1, 63 arrays inside.
  std::string at_limit = replace(kStateUpdateJson, "{", "{\"x\": " + std::string(63, '[') + std::string(63, ']') + ", ");
  EXPECT_TRUE(parse_event("robot:events", at_limit, kRecv).ok());
  std::string over = replace(kStateUpdateJson, "{", "{\"x\": " + std::string(64, '[') + std::string(64, ']') + ", ");
  EXPECT_FALSE(parse_event("robot:events", over, kRecv).ok());
}

// ---- writers ----------------------------------------------------------------------

TEST(SyncWrite, EventsRoundTripAndMatchProtocolLayout) {
  const struct {
    std::string_view channel, json;
  } cases[] = {{"stroke:events:session", kSessionStartJson},
               {"stroke:events:session", kSessionEndJson},
               {"stroke:events:progress", kProgressUpdateJson},
               {"robot:events", kStateUpdateJson},
               {"error:events:stroke_execution", kErrorJson}};
  for (const auto& c : cases) {
    auto e = parse_event(c.channel, c.json, kRecv);
    ASSERT_TRUE(e.ok()) << e.error().str();
    EXPECT_EQ(channel_of(*e), c.channel);
    std::string expected(c.json);
    std::erase(expected, '\n');  // PROTOCOL.md wraps lines; the wire has ", " separators
    EXPECT_EQ(to_json(*e), expected);
  }
  auto n = parse_event("node:events:eek", R"({"k": 1})", kRecv);
  EXPECT_EQ(channel_of(*n), "node:events:eek");
  EXPECT_EQ(to_json(*n), R"({"k": 1})");
}

TEST(SyncWrite, SnapshotsRoundTrip) {
  auto p = parse_progress(kStrokeProgressJson);
  ASSERT_TRUE(p.ok());
  std::string expected(kStrokeProgressJson);
  std::erase(expected, '\n');
  EXPECT_EQ(to_json(*p), expected);
  auto p2 = parse_progress(to_json(*p));
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(to_json(*p2), to_json(*p));

  auto s = parse_robot_state(kRobotStateJson);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(to_json(*s),
            R"({"timestamp": "2026-11-21T20:55:00", "node_id": "hog", "is_connected_l": true, )"
            R"("is_connected_r": false, "joints_l": [0.0, 1.5707963267948966, -1.2, 0.25, 0.0, -0.5, 0.022], )"
            R"("joints_r": null, "velocities_l": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], "velocities_r": null, )"
            R"("current_pose": "ready", "goal_time_slow": 2.0, "goal_time_fast": 0.5})");

  auto h = parse_node_health(kNodeHealthJson);
  ASSERT_TRUE(h.ok());
  auto h2 = parse_node_health(to_json(*h));
  ASSERT_TRUE(h2.ok()) << h2.error().str();
  EXPECT_EQ(h2->disk_percent, 71.0);
  EXPECT_EQ(h2->mcp_port, 8000);
  EXPECT_EQ(h2->gpu_percent, std::nullopt);
  EXPECT_EQ(h2->last_heartbeat, "2026-11-21T20:54:59.999999");
}

TEST(SyncWrite, StreamFields) {
  auto e = parse_event("stroke:events:progress", kProgressUpdateJson, kRecv);
  const StreamFields f = to_stream_fields(std::get<ProgressUpdate>(*e));
  auto entry = parse_stream_entry("1763758664861-0", f);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->stroke_idx, 5);
  EXPECT_EQ(entry->pose_idx, 25);
  EXPECT_EQ(entry->node_id, "hog");
  EXPECT_EQ(f[0], (std::pair<std::string, std::string>{"stroke_idx", "5"}));
}

TEST(SyncWrite, JsonStringEscapesLikePythonEnsureAscii) {
  std::string out;
  append_json_string(out, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\x7F\x01\"\\\n\t");
  EXPECT_EQ(out, R"("\u00e9\u20ac\ud83d\ude00\u007f\u0001\"\\\n\t")");
  out.clear();
  append_json_string(out, "a\xFF" "b\xC3");  // invalid UTF-8 -> U+FFFD
  EXPECT_EQ(out, R"("a\ufffdb\ufffd")");
}

}  // namespace
}  // namespace strokeviz::protocol
