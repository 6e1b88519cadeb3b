// Recording against a real redis-server: the worker records every message (bad ones too), snapshots
// and history; the loaded file gives back exactly what the worker pushed, in order. from_redis and
// list_redis_sessions after a publisher (StateManager) session.
#include <unistd.h>

#include "tools/publisher.hpp"
#include "session/recording.hpp"
#include "sync/history.hpp"
#include "follow/summary.hpp"
#include "tests/sync/worker_test_common.hpp"
#include "tests/protocol/payloads.hpp"

using namespace strokeviz::test;  // NOLINT: the PROTOCOL.md payloads
#include "tests/session/recording_items.hpp"
#include "session/recorder.hpp"

namespace strokeviz::sync::test {
using namespace protocol;
using namespace session;
using namespace tools;
namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/strokeviz-recw-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::shared_ptr<Recorder> make_recorder(const fs::path& dir, const RedisServer& redis) {
  RecorderOptions o;
  o.dir = dir;
  o.viewer_version = "test";
  o.server = redis.address();
  o.flush_every = std::chrono::milliseconds(50);
  auto r = Recorder::open(o);
  EXPECT_TRUE(r) << (r ? "" : r.error().str());
  return r ? std::shared_ptr<Recorder>(std::move(*r)) : nullptr;
}

TEST(SyncRecordingWorker, EverythingReceivedIsRecordedAndReplaysAsPushed) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  TempDir dir;
  auto recorder = make_recorder(dir.path, redis);
  ASSERT_TRUE(recorder);
  std::vector<FeedItem> pushed;
  std::uint64_t rejected = 0;
  {
    auto opts = test_options(redis.port());
    opts.recorder = recorder;
    opts.snapshot_refresh = std::chrono::milliseconds(20);
    Harness h(std::move(opts));
    h.worker.start();
    ASSERT_TRUE(h.wait_up(5s)) << h.labels();
    const std::string sid = "stroke_hog_1763758501";
    auto pub = [&](std::string_view ch, std::string_view payload) {
      ASSERT_EQ(redis.cli({"PUBLISH", std::string(ch), std::string(payload)}), "1") << ch;
    };
    auto settle = [&] { std::this_thread::sleep_for(60ms); h.poll(); };
    pub(kChannelSession, kSessionStartJson);
    settle();
    // Joints and offsets live in hashes: the worker's refresh pushes (and records) them.
    redis.cli({"HSET", "robot:state:hog", "state", std::string(kRobotStateJson)});
    pub(kChannelRobot, kStateUpdateJson);
    settle();
    redis.cli({"HSET", "stroke:progress:" + sid, "progress", std::string(kStrokeProgressJson)});
    pub(kChannelProgress, kProgressUpdateJson);
    settle();
    pub(kChannelProgress, "this is not JSON");
    pub(kChannelProgress, R"({"type": "progress_update", "session_id": "stroke_hog_1763758501", "stroke_idx": "5"})");
    pub("error:events:stroke_execution", kErrorJson);
    pub("node:events:hog", R"({"type": "heartbeat", "node_id": "hog", "timestamp": "2026-11-21T20:55:02"})");
    Writer w(redis.port());
    ASSERT_TRUE(w.ok());
    for (int p = 0; p < 10; ++p) ASSERT_FALSE(w.progress(sid, 6, p * 5, p % 3).empty());
    settle();
    pub(kChannelSession, kSessionEndJson);
    ASSERT_TRUE(h.wait([&] { return !h.events<SessionEnd>().empty(); }, 5s)) << h.labels();
    settle();
    h.worker.stop();
    h.poll();
    pushed = h.items;
    rejected = h.worker.rejected();
    EXPECT_EQ(h.worker.dropped(), 0u);
  }
  const auto stats = recorder->stats();
  recorder.reset();  // the worker's copy is gone too: flushed and closed
  EXPECT_EQ(rejected, 2u);
  EXPECT_EQ(stats.lost_lines, 0u);
  EXPECT_EQ(stats.last_error, "");

  // The session file holds what the worker pushed from session_start to session_end.
  std::size_t first = pushed.size(), last = 0;
  for (std::size_t i = 0; i < pushed.size(); ++i) {
    if (const Event* e = std::get_if<Event>(&pushed[i])) {
      if (std::holds_alternative<SessionStart>(*e) && first == pushed.size()) first = i;
      if (std::holds_alternative<SessionEnd>(*e)) last = i;
    }
  }
  ASSERT_LT(first, last);
  LoadReport rep;
  auto rec = Recording::load(dir.path / "stroke_hog_1763758501.jsonl", &rep);
  ASSERT_TRUE(rec) << rec.error().str();
  EXPECT_EQ(rep.skipped, 0u) << rep.first_bad_line << ": " << rep.first_bad_reason;
  EXPECT_EQ(rec->header().scene, "tatbotlogo");
  EXPECT_EQ(rec->header().node, "hog");
  EXPECT_EQ(rec->header().start_time, "2026-11-21T20:55:01.123456");
  EXPECT_EQ(rec->header().viewer_version, "test");
  EXPECT_EQ(rec->header().server, redis.address());
  std::vector<FeedItem> replayed;
  std::size_t rejected_items = 0, snapshots = 0;
  for (std::size_t i = 0; i < rec->size(); ++i) {
    if (auto it = rec->item(i)) replayed.push_back(std::move(*it));
    else ++rejected_items;
    snapshots += rec->kind(i) == ItemKind::Snapshot ? 1 : 0;
  }
  EXPECT_EQ(rejected_items, 2u);
  EXPECT_GE(snapshots, 2u);  // robot state and progress hashes
  // The file opens with context: the connection it was recorded on (gaps start
  // at such a line) and the robot state the live view already had (so a
  // replay of this file alone shows the joints), then session_start.
  std::size_t context = 0;
  while (context < replayed.size()) {
    const Event* e = std::get_if<Event>(&replayed[context]);
    if (e && std::holds_alternative<SessionStart>(*e)) break;
    EXPECT_TRUE(std::holds_alternative<RobotStateSnapshot>(replayed[context]) ||
                std::holds_alternative<Reconnected>(replayed[context]))
        << describe(replayed[context]);
    ++context;
  }
  ASSERT_LT(context, replayed.size()) << "no session_start in the file";
  // From session_start through session_end — plus, here, the progress hash
  // re-read after the end (the test's writer leaves is_executing true, so it
  // still belongs to the session).
  const std::size_t in_session = replayed.size() - context;
  ASSERT_GE(in_session, last - first + 1);
  std::string dump = "\nreplayed:";
  for (const auto& r : replayed) dump += "\n  " + describe(r);
  dump += "\npushed from session_start:";
  for (std::size_t i = first; i < pushed.size(); ++i) dump += "\n  " + describe(pushed[i]);
  ASSERT_LE(first + in_session, pushed.size()) << dump;
  for (std::size_t i = 0; i < in_session; ++i)
    ASSERT_EQ(describe(replayed[context + i]), describe(pushed[first + i])) << "item " << i;
  for (std::size_t i = last - first + 1; i < in_session; ++i)
    EXPECT_TRUE(std::holds_alternative<ProgressSnapshot>(replayed[context + i])) << describe(replayed[context + i]);
  // Anything pushed outside the session went to the per-day file, but for
  // the connection line: it opens every file written on that connection.
  std::size_t links = 0;
  for (std::size_t i = 0; i < context; ++i) links += std::holds_alternative<Reconnected>(replayed[i]) ? 1 : 0;
  EXPECT_EQ(links, 1u);
  std::size_t outside = 0;
  for (const auto& l : list_session_files(dir.path))
    if (l.header.session_id.empty())
      if (auto d = Recording::load(l.source)) outside += d->size();
  EXPECT_EQ(outside, pushed.size() - in_session - links);
}

TEST(SyncRecordingWorker, ProgressForAnUnopenedSessionOpensItsFile) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  TempDir dir;
  auto recorder = make_recorder(dir.path, redis);
  TimeUs before_us = 0, after_us = 0;
  {
    auto opts = test_options(redis.port());
    opts.recorder = recorder;
    Harness h(std::move(opts));
    h.worker.start();
    ASSERT_TRUE(h.wait_up(5s)) << h.labels();
    Writer w(redis.port());
    before_us = now_us();
    for (int p = 0; p < 3; ++p) w.progress("stroke_hog_1763758600", 2, p * 5);
    after_us = now_us();
    ASSERT_TRUE(h.wait([&] { return h.events<ProgressUpdate>().size() == 3; }, 5s));
  }
  recorder.reset();
  auto rec = Recording::load(dir.path / "stroke_hog_1763758600.jsonl");
  ASSERT_TRUE(rec) << rec.error().str();
  EXPECT_EQ(rec->header().node, "hog");
  // The start comes from the message timestamps, never from the number in the
  // session id (PROTOCOL.md: the robot's id is skewed by its UTC offset).
  EXPECT_GE(rec->header().start_us, before_us);
  EXPECT_LE(rec->header().start_us, after_us);
  EXPECT_NE(rec->header().start_us, 1763758600LL * 1000000);
  EXPECT_EQ(rec->header().start_time, format_timestamp(rec->header().start_us));
  EXPECT_EQ(rec->stroke_at(rec->size() - 1), 2);
  std::size_t progress = 0;
  for (std::size_t i = 0; i < rec->size(); ++i) progress += rec->kind(i) == ItemKind::Progress ? 1 : 0;
  EXPECT_EQ(progress, 3u);
}

TEST(SyncRecordingWorker, FromRedisAndListingAfterAPublisherSession) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  StateManagerOptions so;
  so.node_id = "hog";
  StateManager sm(config_for(redis.port()), so);
  auto sid = sm.start_stroke_session(4, 108, "tatbotlogo");
  ASSERT_TRUE(sid) << sid.error().str();
  int n = 0;
  for (int s = 0; s < 4; ++s)
    for (int p = 0; p < 108; p += 20, ++n)
      ASSERT_TRUE(sm.update_stroke_progress(s, p, "left " + std::to_string(s), "right", s % 3, 1));
  ASSERT_TRUE(sm.end_stroke_session());

  auto rec = sync::fetch_recording(config_for(redis.port()), *sid);
  ASSERT_TRUE(rec) << rec.error().str();
  ASSERT_EQ(rec->size(), static_cast<std::size_t>(n + 1));
  EXPECT_EQ(rec->header().session_id, *sid);
  EXPECT_EQ(rec->header().scene, "tatbotlogo");
  EXPECT_EQ(rec->header().node, "hog");
  EXPECT_EQ(rec->kind(0), ItemKind::Snapshot);
  const auto snap = rec->item(0);
  ASSERT_TRUE(snap && std::holds_alternative<ProgressSnapshot>(*snap));
  EXPECT_EQ(std::get<ProgressSnapshot>(*snap).progress.offset_idx_r, 1);
  // Items are what the worker pushes for a gap: HistoryEntry, parsed from XRANGE.
  RedisConnection* conn = nullptr;
  Writer w(redis.port());
  conn = w.conn();
  auto raw = conn->xrange("stream:stroke_history:" + *sid, "-", "+", 1000);
  ASSERT_TRUE(raw);
  ASSERT_EQ(raw->size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto e = parse_stream_entry((*raw)[i].id, (*raw)[i].fields);
    ASSERT_TRUE(e);
    ASSERT_EQ(rec->kind(i + 1), ItemKind::Progress);
    EXPECT_EQ(describe(*rec->item(i + 1)), describe(FeedItem(HistoryEntry{*sid, *e})));
    EXPECT_EQ(rec->time(i + 1), e->time_ms * 1000);
  }
  EXPECT_EQ(rec->stroke_at(rec->size() - 1), 3);
  EXPECT_EQ(rec->next_stroke(1), 1 + 6u);  // 6 poses per stroke (0, 20, ..., 100)

  auto list = sync::list_redis_sessions(config_for(redis.port()));
  ASSERT_TRUE(list) << list.error().str();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].source, "redis://127.0.0.1:" + std::to_string(redis.port()) + "/" + *sid);
  EXPECT_EQ((*list)[0].items, n);
  EXPECT_EQ((*list)[0].max_stroke, 3);
  EXPECT_EQ((*list)[0].header.scene, "tatbotlogo");
  EXPECT_GT((*list)[0].header.start_us, 0);
  EXPECT_GE((*list)[0].end_us, (*list)[0].header.start_us);

  auto missing = sync::fetch_recording(config_for(redis.port()), "stroke_hog_1");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().str().find("stroke_hog_1"), std::string::npos);
}


// The robot's session id is unix time skewed by its host's UTC offset (here a
// host in UTC-6: +21 600 s). Everything the viewer shows — the recording's
// header, the listing, the summary, the Redis listing and fetch — has the
// true start and duration, from the messages.
TEST(SyncRecordingWorker, SkewedSessionIdsShowTheTrueStartEverywhere) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  TempDir dir;
  auto recorder = make_recorder(dir.path, redis);
  const TimeUs before = now_us();
  std::string sid;
  {
    auto opts = test_options(redis.port());
    opts.recorder = recorder;
    Harness h(std::move(opts));
    h.worker.start();
    ASSERT_TRUE(h.wait_up(5s)) << h.labels();
    StateManagerOptions so;
    so.node_id = "tz";
    so.session_id_offset_s = 21600;
    StateManager sm(config_for(redis.port()), so);
    auto started = sm.start_stroke_session(3, 108, "default");
    ASSERT_TRUE(started) << started.error().str();
    sid = *started;
    for (int s = 0; s < 3; ++s)
      for (int p = 0; p < 108; p += 20) ASSERT_TRUE(sm.update_stroke_progress(s, p, "left", "right", 0, 0));
    ASSERT_TRUE(sm.end_stroke_session());
    ASSERT_TRUE(h.wait([&] { return h.events<SessionEnd>().size() == 1; }, 5s)) << h.labels();
  }
  const TimeUs after = now_us();
  recorder.reset();
  // The skew is real: the id's number is six hours ahead of the clock.
  const std::int64_t id_number = std::stoll(sid.substr(sid.rfind('_') + 1));
  EXPECT_NEAR(static_cast<double>(id_number), static_cast<double>(before) / 1e6 + 21600, 5.0) << sid;
  auto in_run = [&](TimeUs t) { return t >= before - 1'000'000 && t <= after + 1'000'000; };

  bool listed = false;
  for (const auto& l : list_session_files(dir.path)) {
    if (l.header.session_id != sid) continue;
    listed = true;
    EXPECT_TRUE(in_run(l.header.start_us)) << l.header.start_time;
    EXPECT_GE(l.end_us, l.header.start_us);
    EXPECT_LE(l.end_us - l.header.start_us, after - before + 1'000'000) << "the duration of the run";
  }
  EXPECT_TRUE(listed);
  auto rec = Recording::load(dir.path / (sid + ".jsonl"));
  ASSERT_TRUE(rec) << rec.error().str();
  EXPECT_TRUE(in_run(rec->header().start_us)) << rec->header().start_time;
  const follow::SessionSummary sum = follow::summarize(*rec);
  EXPECT_EQ(sum.header.start_time, rec->header().start_time);
  ASSERT_EQ(sum.strokes.size(), 3u);
  EXPECT_TRUE(in_run(sum.strokes[0].start_us));
  EXPECT_TRUE(in_run(sum.strokes[2].end_us));

  auto remote = sync::list_redis_sessions(config_for(redis.port()));
  ASSERT_TRUE(remote) << remote.error().str();
  ASSERT_EQ(remote->size(), 1u);
  EXPECT_TRUE(in_run((*remote)[0].header.start_us)) << (*remote)[0].header.start_time;
  auto fetched = sync::fetch_recording(config_for(redis.port()), sid);
  ASSERT_TRUE(fetched) << fetched.error().str();
  EXPECT_TRUE(in_run(fetched->header().start_us)) << fetched->header().start_time;
}

}  // namespace
}  // namespace strokeviz::sync::test
