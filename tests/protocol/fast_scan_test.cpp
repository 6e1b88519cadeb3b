// The worker's progress_update fast path: same event as parse_event() whenever it accepts, never more lenient.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "protocol/codec.hpp"
#include "protocol/fast_scan.hpp"
#include "tests/protocol/payloads.hpp"

using namespace strokeviz::test;  // NOLINT: the PROTOCOL.md payloads

namespace strokeviz::protocol {
namespace {

constexpr TimeUs kRecv = 1'763'758'600'000'000;

void expect_same(const ProgressUpdate& a, const ProgressUpdate& b) {
  EXPECT_EQ(a.header.channel, b.header.channel);
  EXPECT_EQ(a.header.node_id, b.header.node_id);
  EXPECT_EQ(a.header.timestamp, b.header.timestamp);
  EXPECT_EQ(a.header.time_us, b.header.time_us);
  EXPECT_EQ(a.header.received_us, b.header.received_us);
  EXPECT_EQ(a.session_id, b.session_id);
  EXPECT_EQ(a.stroke_idx, b.stroke_idx);
  EXPECT_EQ(a.pose_idx, b.pose_idx);
  EXPECT_EQ(a.total_strokes, b.total_strokes);
  EXPECT_EQ(a.stroke_length, b.stroke_length);
  EXPECT_EQ(a.description_l, b.description_l);
  EXPECT_EQ(a.description_r, b.description_r);
}

// Whenever the fast path accepts, parse_event accepts with the same event.
void check(std::string_view payload, std::string_view channel = kChannelProgress) {
  const auto fast_result = fast::progress_update(channel, payload, kRecv);
  const auto full = parse_event(channel, payload, kRecv);
  if (!fast_result) return;  // falls back: parse_event decides
  ASSERT_TRUE(full.ok()) << "fast path accepted what parse_event rejects: " << full.error().str() << "\n"
                         << payload;
  const auto* p = std::get_if<ProgressUpdate>(&*full);
  ASSERT_NE(p, nullptr);
  expect_same(*fast_result, *p);
}

TEST(WorkerFastParse, AcceptsTheProtocolPayloadWithTheSameResult) {
  const auto f = fast::progress_update(kChannelProgress, test::kProgressUpdateJson, kRecv);
  ASSERT_TRUE(f.has_value());
  check(test::kProgressUpdateJson);
  EXPECT_EQ(f->stroke_idx, 5);
  EXPECT_EQ(f->pose_idx, 25);
  // What the project's own writer produces, with an extra unknown field.
  ProgressUpdate u;
  u.header.node_id = "eek";
  u.header.time_us = 1'763'758'664'000'000;  // whole second: no fraction written
  u.session_id = "stroke_eek_1";
  u.stroke_idx = 0;
  u.pose_idx = 0;
  u.total_strokes = 1;
  u.stroke_length = 1;
  std::string json = to_json(Event{u});
  json.insert(json.size() - 1, ", \"extra\": [1, 2], \"more\": null");
  EXPECT_FALSE(fast::progress_update(kChannelProgress, json, kRecv).has_value()) << "a nested extra falls back";
  json = to_json(Event{u});
  json.insert(json.size() - 1, ", \"more\": null, \"n\": -3, \"t\": true, \"s\": \"x\"");
  ASSERT_TRUE(fast::progress_update(kChannelProgress, json, kRecv).has_value()) << json;
  check(json);
}

TEST(WorkerFastParse, FallsBackOnEverythingOutsideItsSubset) {
  const std::string base(test::kProgressUpdateJson);
  auto with = [&](std::string_view from, std::string_view to) {
    std::string s = base;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  for (const std::string& bad : {
           with("\"stroke_idx\": 5", "\"stroke_idx\": \"5\""), with("\"stroke_idx\": 5", "\"stroke_idx\": 5.0"),
           with("\"stroke_idx\": 5", "\"stroke_idx\": -5"), with("\"stroke_idx\": 5", "\"stroke_idx\": 05"),
           with("\"stroke_idx\": 5", "\"stroke_idx\": 212"), with("\"pose_idx\": 25", "\"pose_idx\": 108"),
           with("\"stroke_idx\": 5", "\"stroke_idx\": 5e0"),
           with("\"stroke_idx\": 5", "\"stroke_idx\": 99999999999999999999"),
           with("\"type\": \"progress_update\"", "\"type\": \"progress\""),
           with("\"type\": \"progress_update\", ", ""), with("left arm", "left\\u0020arm"),
           with("left arm", "left \xC3\xA9 arm"), with("left arm", "left\xFF arm"),
           with("\"node_id\"", "\"node\\u005fid\""), with("20:57:44.861002", "25:57:44"),
           with("\"session_id\": \"stroke_hog_1763758501\"", "\"session_id\": null"),
           base + "x", base.substr(0, base.size() - 1), "[" + base + "]",
           with("\"pose_idx\": 25", "\"pose_idx\": 25, \"pose_idx\": 30")}) {
    EXPECT_FALSE(fast::progress_update(kChannelProgress, bad, kRecv).has_value()) << bad;
  }
  EXPECT_FALSE(fast::progress_update(kChannelSession, base, kRecv).has_value()) << "other channels";
  // The combined entry point still rejects through parse_event.
  EXPECT_FALSE(fast::parse_event(kChannelProgress, with("\"pose_idx\": 25", "\"pose_idx\": 108")).ok());
  EXPECT_TRUE(fast::parse_event(kChannelSession, test::kSessionStartJson).ok());
}

// Random byte mutations of the payload: the fast path never accepts
// something parse_event rejects, and agrees when both accept.
TEST(WorkerFastParse, MutationsNeverMakeItMoreLenient) {
  std::mt19937 rng(12345);
  const std::string base(test::kProgressUpdateJson);
  const std::string alphabet = "{}[]\",:0123456789-.eE \\tnulrfasx_\x7f\xc3";
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s = base;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = rng() % s.size();
      switch (rng() % 3) {
        case 0: s[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: s.erase(at, 1); break;
        default: s.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
    }
    if (fast::progress_update(kChannelProgress, s, kRecv)) ++accepted;
    check(s);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(accepted, 100) << "the mutations also exercise the accepting path";
}

}  // namespace
}  // namespace strokeviz::protocol
