// Bounded fuzz: random mutations of the PROTOCOL.md payloads never crash a parser.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "tests/protocol/payloads.hpp"

namespace strokeviz::protocol {
namespace {

using namespace test;

// Fragments worth splicing in: structure, types, edge numbers, bad bytes.
const std::vector<std::string> kFragments = {
    "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false", "-1", "0", "1e999",
    "-0.0", "18446744073709551616", "9223372036854775807", "\"\\u0000\"", "\"\\ud800\"",
    "\xFF", "\xC3", "\xED\xA0\x80", "[[[[[[[[", "{\"a\":{\"a\":{\"a\":", "\"type\"",
    "\"stroke_idx\": ", "\"pose_idx\": -5", "\"joints_l\": [1,2,3,4,5,6,7]", " ", "\n"};

std::string mutate(std::string s, std::mt19937_64& rng) {
  const int edits = 1 + static_cast<int>(rng() % 4);
  for (int k = 0; k < edits; ++k) {
    const std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 6) {
      case 0:  // flip a byte
        if (!s.empty()) s[pos % s.size()] = static_cast<char>(rng() & 0xFF);
        break;
      case 1:  // delete a run
        if (!s.empty()) s.erase(pos % s.size(), 1 + rng() % 8);
        break;
      case 2:  // insert a fragment
        s.insert(pos, kFragments[rng() % kFragments.size()]);
        break;
      case 3:  // truncate
        s.resize(pos);
        break;
      case 4: {  // duplicate a slice
        const std::size_t from = s.empty() ? 0 : rng() % s.size();
        s.insert(pos, s.substr(from, rng() % 32));
        break;
      }
      case 5:  // swap a digit
        for (std::size_t i = pos; i < s.size(); ++i)
          if (s[i] >= '0' && s[i] <= '9') {
            s[i] = static_cast<char>('0' + rng() % 10);
            break;
          }
        break;
    }
  }
  return s;
}

template <class T>
void check(const Expected<T>& r, int& ok, int& rejected) {
  if (r.ok()) {
    ++ok;
  } else {
    ++rejected;
    ASSERT_FALSE(r.error().message.empty());
  }
}

TEST(SyncProtocolFuzz, TwentyThousandMutationsNeverCrash) {
  const struct {
    std::string_view channel, json;
  } seeds[] = {{"stroke:events:session", kSessionStartJson},
               {"stroke:events:session", kSessionEndJson},
               {"stroke:events:progress", kProgressUpdateJson},
               {"robot:events", kStateUpdateJson},
               {"error:events:stroke_execution", kErrorJson},
               {"node:events:hog", kStateUpdateJson},
               {"", kStrokeProgressJson},
               {"", kRobotStateJson},
               {"", kNodeHealthJson}};
  std::mt19937_64 rng(20261121);
  int ok = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto& seed = seeds[rng() % std::size(seeds)];
    const std::string p = mutate(std::string(seed.json), rng);
    if (seed.json == kStrokeProgressJson) check(parse_progress(p), ok, rejected);
    else if (seed.json == kRobotStateJson) check(parse_robot_state(p), ok, rejected);
    else if (seed.json == kNodeHealthJson) check(parse_node_health(p), ok, rejected);
    else check(parse_event(seed.channel, p, 0), ok, rejected);
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(ok + rejected, 20000);
  // Both outcomes occur: the mutations are neither all fatal nor all harmless.
  EXPECT_GT(ok, 500);
  EXPECT_GT(rejected, 5000);
  std::printf("fuzz: %d accepted, %d rejected\n", ok, rejected);
}

}  // namespace
}  // namespace strokeviz::protocol
