// Session files: line format, writer -> loader round trip for every item kind, bad files, queries, listings.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "protocol/codec.hpp"
#include "session/recording.hpp"
#include "session/format.hpp"
#include "protocol/fast_scan.hpp"
#include "tests/protocol/payloads.hpp"

using namespace strokeviz::test;  // NOLINT: the PROTOCOL.md payloads
#include "tests/session/recording_items.hpp"
#include "session/recorder.hpp"

namespace strokeviz::session::test {
using namespace protocol;
using namespace session;
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSession = "stroke_hog_1763758501";

// A fresh temp folder, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/strokeviz-rec-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void write_file(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// What the worker pushes for a live message received at t (or nullopt: rejected).
std::optional<FeedItem> as_worker(std::string_view channel, std::string_view payload, TimeUs t) {
  if (auto u = fast::progress_update(channel, payload, t)) return FeedItem(Event(std::move(*u)));
  auto e = parse_event(channel, payload, t);
  if (!e) return std::nullopt;
  return FeedItem(std::move(*e));
}

// A one-line progress_update the way Python's json.dumps writes it.
std::string progress_json(int stroke, int pose, TimeUs t, std::string_view session = kSession) {
  ProgressUpdate u;
  u.header.node_id = "hog";
  u.header.time_us = t;
  u.session_id = std::string(session);
  u.stroke_idx = stroke;
  u.pose_idx = pose;
  u.total_strokes = 212;
  u.stroke_length = 108;
  u.description_l = "left arm stroke " + std::to_string(stroke);
  u.description_r = "right arm inkdip into inkcap_right_large to fill with bright_red ink";
  return to_json(Event(u));
}

SessionHeader header_for(std::string_view id) {
  SessionHeader h;
  h.session_id = std::string(id);
  h.scene = "tatbotlogo";
  h.node = "hog";
  h.start_time = "2026-11-21T20:55:01.123456";
  h.start_us = *parse_timestamp(h.start_time);
  return h;
}

std::unique_ptr<Recorder> open_recorder(const fs::path& dir, std::size_t buffer = 8u << 20) {
  RecorderOptions o;
  o.dir = dir;
  o.viewer_version = "0.1.0";
  o.server = "127.0.0.1:6379 db 0";
  o.buffer_bytes = buffer;
  o.flush_every = std::chrono::milliseconds(20);
  auto r = Recorder::open(o);
  EXPECT_TRUE(r) << (r ? "" : r.error().str());
  return r ? std::move(*r) : nullptr;
}

// ---- format -------------------------------------------------------------------------

TEST(RecordingFormat, ClassifiesPayloads) {
  EXPECT_EQ(classify_payload(R"({"a": 1, "b": [1, 2.5e3, -0.1], "c": {"d": null}, "e": "x\"\u00e9"})"), PayloadForm::Raw);
  EXPECT_EQ(classify_payload(kSessionStartJson), PayloadForm::Text);  // spread over two lines
  EXPECT_EQ(classify_payload("{}"), PayloadForm::Raw);
  EXPECT_EQ(classify_payload("not JSON"), PayloadForm::Bad);
  EXPECT_EQ(classify_payload("[1, 2]"), PayloadForm::Bad);
  EXPECT_EQ(classify_payload("\"str\""), PayloadForm::Bad);
  EXPECT_EQ(classify_payload(R"({"a": 01})"), PayloadForm::Bad);
  EXPECT_EQ(classify_payload(R"({"a": 1,})"), PayloadForm::Bad);
  EXPECT_EQ(classify_payload("{\"a\": \"\xFF\"}"), PayloadForm::Bad);
  EXPECT_EQ(classify_payload("{\"a\": \"\xC3\xA9\"}"), PayloadForm::Raw);
  EXPECT_EQ(classify_payload(R"({"a": "\ud800"})"), PayloadForm::Bad);
  EXPECT_EQ(classify_payload(R"({"a": "\ud83d\ude00"})"), PayloadForm::Raw);
  EXPECT_EQ(classify_payload(R"({"a": 1} x)"), PayloadForm::Bad);
  EXPECT_EQ(classify_payload(R"({"a": 1)"), PayloadForm::Bad);
  std::string deep = "{\"x\": ";
  for (int i = 0; i < 100; ++i) deep += '[';
  for (int i = 0; i < 100; ++i) deep += ']';
  EXPECT_EQ(classify_payload(deep + "}"), PayloadForm::Bad);
}

TEST(RecordingFormat, TimestampFormatterMatchesFormatTimestamp) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> d(0, 4102444800000000LL);  // 1970..2100
  for (int i = 0; i < 20000; ++i) {
    TimeUs t = d(rng);
    if (i % 3 == 0) t -= t % 1000000;  // no fraction
    char buf[32];
    ASSERT_EQ(std::string(buf, format_timestamp_to(buf, t)), format_timestamp(t)) << t;
  }
}

TEST(RecordingFormat, LinesAreSingleLinePlainJson) {
  std::string out;
  format_message_line(out, 42, "stroke:events:session", kSessionStartJson);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  EXPECT_NE(out.find("\"text\":"), std::string::npos);
  LineView v;
  ASSERT_TRUE(parse_line(std::string_view(out).substr(0, out.size() - 1), v));
  EXPECT_EQ(v.t, 42);
  EXPECT_EQ(v.name, "stroke:events:session");
  EXPECT_EQ(v.payload, kSessionStartJson);  // byte-exact
  out.clear();
  format_message_line(out, 43, "stroke:events:progress", "bad \xFF payload\n");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  ASSERT_TRUE(parse_line(std::string_view(out).substr(0, out.size() - 1), v));
  EXPECT_EQ(v.form, PayloadForm::Bad);
  // A foreign writer's field order goes through the DOM fallback.
  ASSERT_TRUE(parse_line(R"({"ch":"robot:events","raw":{"a":1},"t":7})", v));
  EXPECT_EQ(v.t, 7);
  EXPECT_EQ(v.name, "robot:events");
  EXPECT_FALSE(parse_line(R"({"t":"x"})", v));
  EXPECT_FALSE(parse_line("garbage", v));
}

// ---- round trip ---------------------------------------------------------------------

TEST(RecordingRoundTrip, EveryItemKindComesBackFieldByField) {
  TempDir dir;
  std::vector<std::optional<FeedItem>> expected;
  std::vector<ItemKind> kinds;
  {
    auto rec = open_recorder(dir.path);
    ASSERT_TRUE(rec);
    rec->session_started(header_for(kSession));
    TimeUs t = 1763758501000000;
    auto msg = [&](std::string_view ch, std::string_view payload, ItemKind k) {
      ++t;
      rec->append_message(t, ch, payload, kSession);
      expected.push_back(as_worker(ch, payload, t));
      kinds.push_back(k);
      if (k == ItemKind::Rejected) EXPECT_FALSE(expected.back().has_value()) << payload;
      else EXPECT_TRUE(expected.back().has_value()) << payload;
    };
    msg(kChannelSession, kSessionStartJson, ItemKind::SessionStart);
    msg(kChannelRobot, kStateUpdateJson, ItemKind::RobotEvent);
    msg(kChannelProgress, kProgressUpdateJson, ItemKind::Progress);  // multi-line: parse_event path
    msg(kChannelProgress, progress_json(5, 30, 1763758660000001), ItemKind::Progress);  // compact path
    msg(kChannelProgress, progress_json(5, 35, 1763758661000000), ItemKind::Progress);  // no fraction
    std::string odd = progress_json(6, 0, 1763758662500000);
    odd.replace(odd.find(".500000"), 7, ".5");  // a timestamp the format cannot regenerate: side table
    msg(kChannelProgress, odd, ItemKind::Progress);
    std::string accented = progress_json(6, 5, 1763758663000000);
    accented.replace(accented.find("left arm"), 8, "gauche \\u00e9");
    msg(kChannelProgress, accented, ItemKind::Progress);
    msg("error:events:stroke_execution", kErrorJson, ItemKind::Error);
    msg("node:events:hog", R"({"type": "heartbeat", "node_id": "hog", "timestamp": "2026-11-21T20:55:02"})", ItemKind::Node);
    msg(kChannelProgress, "this is not JSON", ItemKind::Rejected);
    msg(kChannelProgress, R"({"type": "progress_update", "stroke_idx": "5"})", ItemKind::Rejected);
    msg(kChannelProgress, "{\"type\": \"x\", \"m\": \"\xFF\"}", ItemKind::Rejected);
    msg("some:other:channel", "{}", ItemKind::Rejected);

    ++t;
    rec->append_snapshot(t, std::string("stroke:progress:") + std::string(kSession), kStrokeProgressJson, kSession);
    expected.push_back(FeedItem(ProgressSnapshot{std::string(kSession), *parse_progress(kStrokeProgressJson)}));
    kinds.push_back(ItemKind::Snapshot);
    ++t;
    rec->append_snapshot(t, "robot:state:hog", kRobotStateJson, kSession);
    expected.push_back(FeedItem(RobotStateSnapshot{*parse_robot_state(kRobotStateJson)}));
    kinds.push_back(ItemKind::Snapshot);

    StreamFields fields{{"stroke_idx", "7"}, {"pose_idx", "10"}, {"description_l", "l \"q\""},
                        {"description_r", "r"}, {"node_id", "hog"}};
    for (std::string id : {"1763758700123-0", "1763758700123-1"}) {
      auto e = parse_stream_entry(id, fields);
      ASSERT_TRUE(e);
      ++t;
      rec->append_history(t, kSession, *e);
      expected.push_back(FeedItem(HistoryEntry{std::string(kSession), *e}));
      kinds.push_back(ItemKind::Progress);
    }
    msg(kChannelSession, kSessionEndJson, ItemKind::SessionEnd);
    rec->session_ended(kSession);
    const auto st = rec->stats();
    EXPECT_EQ(st.lines, expected.size());
    EXPECT_EQ(st.lost_lines, 0u);
  }  // destroyed: flushed, closed

  const fs::path file = dir.path / (std::string(kSession) + ".jsonl");
  const std::string text = read_file(file);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), static_cast<long>(expected.size() + 1)) << text;
  EXPECT_EQ(text.rfind(R"({"format":"strokeviz-session","version":1,"session_id":"stroke_hog_1763758501")", 0), 0u);

  LoadReport report;
  auto rec = Recording::load(file, &report);
  ASSERT_TRUE(rec) << rec.error().str();
  EXPECT_EQ(report.skipped, 0u) << report.first_bad_line << ": " << report.first_bad_reason;
  EXPECT_EQ(report.lines, expected.size() + 1);
  ASSERT_EQ(rec->size(), expected.size());
  EXPECT_EQ(rec->header().session_id, kSession);
  EXPECT_EQ(rec->header().scene, "tatbotlogo");
  EXPECT_EQ(rec->header().node, "hog");
  EXPECT_EQ(rec->header().start_time, "2026-11-21T20:55:01.123456");
  EXPECT_EQ(rec->header().start_us, *parse_timestamp("2026-11-21T20:55:01.123456"));
  EXPECT_EQ(rec->header().viewer_version, "0.1.0");
  EXPECT_EQ(rec->header().server, "127.0.0.1:6379 db 0");
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(rec->kind(i), kinds[i]) << i;
    const auto got = rec->item(i);
    ASSERT_EQ(got.has_value(), expected[i].has_value()) << i;
    if (got) {
      EXPECT_EQ(describe(*got), describe(*expected[i])) << i;
    }
    EXPECT_EQ(rec->time(i), static_cast<TimeUs>(1763758501000001 + i)) << i;
  }
  EXPECT_GT(rec->memory_bytes(), 0u);
}

TEST(RecordingRoundTrip, EventsOutsideSessionsGoToThePerDayFile) {
  TempDir dir;
  const TimeUs t = *parse_timestamp("2026-11-21T23:59:59.5");
  {
    auto rec = open_recorder(dir.path);
    rec->append_message(t, kChannelRobot, kStateUpdateJson, "");
    rec->append_message(t + 1000000, kChannelRobot, kStateUpdateJson, "not_open_session");  // next UTC day
  }
  auto a = Recording::load(dir.path / "events-2026-11-21.jsonl");
  ASSERT_TRUE(a) << a.error().str();
  EXPECT_EQ(a->size(), 1u);
  EXPECT_EQ(a->header().session_id, "");
  EXPECT_EQ(a->header().start_us, t);
  auto b = Recording::load(dir.path / "events-2026-11-22.jsonl");
  ASSERT_TRUE(b) << b.error().str();
  EXPECT_EQ(b->size(), 1u);
}

TEST(RecordingRoundTrip, ReopenedSessionAppendsWithoutASecondHeader) {
  TempDir dir;
  for (int run = 0; run < 2; ++run) {
    auto rec = open_recorder(dir.path);
    rec->session_started(header_for(kSession));
    rec->append_message(1763758502000000 + run, kChannelProgress, progress_json(run, 0, 1763758502000000), kSession);
  }
  const std::string text = read_file(dir.path / (std::string(kSession) + ".jsonl"));
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  auto r = Recording::load(dir.path / (std::string(kSession) + ".jsonl"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 2u);
}

// ---- bad files ------------------------------------------------------------------------

// Writes a session of n progress lines; returns the file.
fs::path write_session(const fs::path& dir, int n) {
  auto rec = open_recorder(dir);
  rec->session_started(header_for(kSession));
  for (int i = 0; i < n; ++i)
    rec->append_message(1763758502000000 + i * 1000, kChannelProgress,
                        progress_json(i / 23, (i % 23) * 5 % 108, 1763758502000000 + i * 1000), kSession);
  return dir / (std::string(kSession) + ".jsonl");
}

TEST(RecordingBadFiles, TruncatedMidLineKeepsTheValidPrefix) {
  TempDir dir;
  const fs::path f = write_session(dir.path, 50);
  fs::resize_file(f, fs::file_size(f) - 40);
  LoadReport rep;
  auto r = Recording::load(f, &rep);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->size(), 49u);
  EXPECT_EQ(rep.skipped, 1u);
  EXPECT_EQ(rep.first_bad_line, 51u);
  EXPECT_NE(rep.first_bad_reason.find("truncated"), std::string::npos) << rep.first_bad_reason;
}

TEST(RecordingBadFiles, CutRightAfterANestedBraceIsStillTruncated) {
  TempDir dir;
  const fs::path f = dir.path / "x.jsonl";
  std::string text;
  format_header_line(text, header_for(kSession));
  format_message_line(text, 1, "node:events:hog", R"({"type":"x","node_id":"hog","d":{"a":1}})");
  text.resize(text.size() - 2);  // drop "}\n": ends in the nested object's '}'
  write_file(f, text);
  LoadReport rep;
  auto r = Recording::load(f, &rep);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 0u);
  EXPECT_EQ(rep.skipped, 1u);
  EXPECT_EQ(rep.first_bad_line, 2u);
}

TEST(RecordingBadFiles, GarbageLinesAreSkippedAndCounted) {
  TempDir dir;
  const fs::path f = write_session(dir.path, 20);
  std::string text = read_file(f);
  std::size_t at = 0;
  for (int line = 0; line < 6; ++line) at = text.find('\n', at) + 1;  // after line 6
  text.insert(at, "garbage here\n{\"t\":12,\"ch\":\"stroke:events:progress\",\"raw\":{\"type\":\n\x01\x02\n");
  write_file(f, text);
  LoadReport rep;
  auto r = Recording::load(f, &rep);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->size(), 20u);
  EXPECT_EQ(rep.skipped, 3u);
  EXPECT_EQ(rep.first_bad_line, 7u);
  EXPECT_EQ(rep.lines, 24u);
  EXPECT_FALSE(rep.first_bad_reason.empty());
  for (std::size_t i = 0; i < r->size(); ++i) EXPECT_EQ(r->kind(i), ItemKind::Progress);
}

TEST(RecordingBadFiles, EmptyMissingForeignAndFutureFilesAreErrorsNamingTheFile) {
  TempDir dir;
  const fs::path empty = dir.path / "empty.jsonl";
  write_file(empty, "");
  auto a = Recording::load(empty);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().file, empty.string());
  EXPECT_NE(a.error().message.find("empty"), std::string::npos);

  auto b = Recording::load(dir.path / "missing.jsonl");
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().str().find("missing.jsonl"), std::string::npos);
  EXPECT_NE(b.error().str().find("No such file"), std::string::npos) << b.error().str();

  const fs::path foreign = dir.path / "foreign.jsonl";
  write_file(foreign, "{\"hello\": 1}\n{\"t\":1}\n");
  auto c = Recording::load(foreign);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().line, 1);
  EXPECT_NE(c.error().message.find("not a strokeviz session file"), std::string::npos) << c.error().str();

  const fs::path binary = dir.path / "binary.jsonl";
  write_file(binary, std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10));
  EXPECT_FALSE(Recording::load(binary));

  const fs::path future = dir.path / "future.jsonl";
  write_file(future, R"({"format":"strokeviz-session","version":2,"session_id":"s"})" "\n");
  auto d = Recording::load(future);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().str(), future.string() + ":1: session format version 2 is newer than this viewer reads (1)");
}

// ---- queries ----------------------------------------------------------------------------

TEST(RecordingQueries, IndexStrokeNavigationAndState) {
  TempDir dir;
  const std::string sid(kSession);
  {
    auto rec = open_recorder(dir.path);
    rec->session_started(header_for(kSession));
    TimeUs t = 1000;
    rec->append_message(t, kChannelSession, kSessionStartJson, sid);              // 0
    rec->append_message(t += 10, kChannelRobot, kStateUpdateJson, sid);           // 1
    for (int s = 0; s < 3; ++s)                                                   // 2..13
      for (int p = 0; p < 4; ++p) {
        t += 10;
        rec->append_message(t, kChannelProgress, progress_json(s, p * 5, 1763758502000000 + t), sid);
      }
    rec->append_snapshot(t += 10, "stroke:progress:" + sid, kStrokeProgressJson, sid);  // 14
    rec->append_message(t += 10, "error:events:x", kErrorJson, sid);              // 15
    rec->append_message(t += 10, kChannelProgress, progress_json(3, 0, 1763758503000000), sid);  // 16
    rec->append_snapshot(t += 10, "robot:state:hog", kRobotStateJson, sid);       // 17
    rec->append_message(t += 10, kChannelSession, kSessionEndJson, sid);          // 18
  }
  auto r = Recording::load(dir.path / (sid + ".jsonl"));
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(r->size(), 19u);
  EXPECT_EQ(r->index_at(0), 0u);
  EXPECT_EQ(r->index_at(1000), 0u);
  EXPECT_EQ(r->index_at(1015), 1u);
  EXPECT_EQ(r->index_at(1020), 2u);
  EXPECT_EQ(r->index_at(1'000'000'000), 18u);
  EXPECT_EQ(r->stroke_at(1), -1);
  EXPECT_EQ(r->pose_at(1), -1);
  EXPECT_EQ(r->stroke_at(2), 0);
  EXPECT_EQ(r->stroke_at(7), 1);
  EXPECT_EQ(r->pose_at(7), 5);
  EXPECT_EQ(r->stroke_at(15), 2);
  EXPECT_EQ(r->stroke_at(18), 3);
  EXPECT_EQ(r->next_stroke(0), 2u);
  EXPECT_EQ(r->next_stroke(2), 6u);
  EXPECT_EQ(r->next_stroke(9), 10u);
  EXPECT_EQ(r->next_stroke(14), 16u);
  EXPECT_EQ(r->next_stroke(16), Recording::npos);
  EXPECT_EQ(r->prev_stroke(15), 6u);   // start of the stroke before the current one
  EXPECT_EQ(r->prev_stroke(7), 2u);
  EXPECT_EQ(r->prev_stroke(3), Recording::npos);
  EXPECT_EQ(r->prev_stroke(1), Recording::npos);
  EXPECT_EQ(r->next_of(0, ItemKind::Error), 15u);
  EXPECT_EQ(r->next_of(15, ItemKind::Error), Recording::npos);
  EXPECT_EQ(r->prev_of(18, ItemKind::Error), 15u);
  EXPECT_EQ(r->prev_of(15, ItemKind::Error), Recording::npos);
  EXPECT_EQ(r->next_of(0, ItemKind::SessionEnd), 18u);
  EXPECT_EQ(r->prev_of(18, ItemKind::SessionStart), 0u);

  auto kinds_of = [](const std::vector<FeedItem>& v) {
    std::string s;
    for (const auto& it : v) s += describe(it).substr(0, describe(it).find('|')) + " ";
    return s;
  };
  EXPECT_EQ(kinds_of(r->state_at(15)), "SessionStart RobotStateUpdate ProgressUpdate ProgressSnapshot ");
  const auto st = r->state_at(15);
  EXPECT_EQ(describe(st[2]), describe(*r->item(13)));
  EXPECT_EQ(kinds_of(r->state_at(18)),
            "SessionStart RobotStateUpdate ProgressSnapshot ProgressUpdate RobotStateSnapshot SessionEnd ");
  EXPECT_EQ(kinds_of(r->state_at(0)), "SessionStart ");
}

// ---- listings ------------------------------------------------------------------------------

TEST(RecordingListings, FilesInAFolderFromHeadersAndTails) {
  TempDir dir;
  write_session(dir.path, 100);  // strokes 0..4
  {
    auto rec = open_recorder(dir.path);
    SessionHeader h = header_for("stroke_hog_1763760000");
    h.start_us = header_for(kSession).start_us + 3600000000LL;  // an hour later: listed first
    h.start_time = format_timestamp(h.start_us);
    rec->session_started(h);
    rec->append_message(1763760001000000, kChannelProgress, progress_json(9, 0, 1763760001000000, h.session_id),
                        h.session_id);
  }
  write_file(dir.path / "notes.jsonl", "{\"hello\": 1}\n");
  write_file(dir.path / "other.txt", "x");
  const auto list = list_session_files(dir.path);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].header.session_id, "stroke_hog_1763760000");  // newest first
  EXPECT_EQ(list[0].max_stroke, 9);
  EXPECT_EQ(list[0].end_us, 1763760001000000);
  EXPECT_EQ(list[1].header.session_id, kSession);
  EXPECT_EQ(list[1].header.scene, "tatbotlogo");
  EXPECT_EQ(list[1].max_stroke, 99 / 23);
  EXPECT_EQ(list[1].end_us, 1763758502000000 + 99 * 1000);
  EXPECT_EQ(list[1].source, (dir.path / (std::string(kSession) + ".jsonl")).string());
  EXPECT_TRUE(list_session_files(dir.path / "nope").empty());
}

TEST(RecordingListings, DefaultSessionsDir) {
  const char* old_xdg = std::getenv("XDG_DATA_HOME");
  const std::string keep = old_xdg ? old_xdg : "";
  ::setenv("XDG_DATA_HOME", "/data/x", 1);
  EXPECT_EQ(default_sessions_dir(), fs::path("/data/x/strokeviz/sessions"));
  ::unsetenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  if (home) {
    EXPECT_EQ(default_sessions_dir(), fs::path(home) / ".local/share/strokeviz/sessions");
  }
  if (old_xdg) ::setenv("XDG_DATA_HOME", keep.c_str(), 1);
}


// A file written when the header's start came from the session id's number,
// which the robot skews by its host's UTC offset (here +6 h): the first item's
// time is the true start, in the loaded recording and in the listing.
TEST(RecordingTimes, StartFromASkewedSessionIdIsCorrectedByTheItems) {
  TempDir dir;
  const TimeUs start = 1763758501123456;          // the session_start's receive time
  const TimeUs skewed = (1763758501LL + 21600) * 1000000;  // the id's number as a time
  const fs::path f = dir.path / "stroke_hog_1763780101.jsonl";
  std::string text = R"({"format":"strokeviz-session","version":1,"session_id":"stroke_hog_1763780101",)"
                     R"("scene":"tatbotlogo","node":"hog","start_time":")" + format_timestamp(skewed) +
                     R"(","viewer_version":"0.1.0","server":"127.0.0.1:6379"})" "\n";
  text += R"({"t":)" + std::to_string(start - 5'000'000) + R"(,"link":"connected","reconnects":0,"reason":""})" "\n";
  for (int i = 0; i < 3; ++i)
    text += R"({"t":)" + std::to_string(start + i * 60'000'000LL) + R"(,"ch":"stroke:events:progress","raw":)" +
            progress_json(i, 0, start + i * 60'000'000LL, "stroke_hog_1763780101") + "}\n";
  write_file(f, text);
  auto rec = Recording::load(f);
  ASSERT_TRUE(rec) << rec.error().str();
  EXPECT_EQ(rec->header().start_us, start) << "the first item received, not the connection line";
  EXPECT_EQ(rec->header().start_time, format_timestamp(start));
  const auto listings = list_session_files(dir.path);
  ASSERT_EQ(listings.size(), 1u);
  EXPECT_EQ(listings[0].header.start_us, start);
  EXPECT_EQ(listings[0].end_us - listings[0].header.start_us, 120'000'000) << "duration: two minutes";
}

TEST(RecordingTimes, OnlyAStartTakenFromTheIdIsCorrected) {
  SessionHeader h;
  h.session_id = "stroke_hog_1000000";
  h.start_us = 1'000'000LL * 1'000'000;  // the id's number as a time: the old writer's bug
  correct_start(h, h.start_us + 60'000'000);  // within 15 min of the first item: kept
  EXPECT_EQ(h.start_us, 1'000'000LL * 1'000'000);
  correct_start(h, h.start_us + 3600LL * 1'000'000);  // an hour off: the skew, corrected
  EXPECT_EQ(h.start_us, 1'000'000LL * 1'000'000 + 3600LL * 1'000'000);
  SessionHeader m;  // a start from a message timestamp is never second-guessed
  m.session_id = "stroke_hog_1000000";
  m.start_us = 5'000'000'000'123;
  correct_start(m, 1);
  correct_start(m, 9'000'000'000'000);
  EXPECT_EQ(m.start_us, 5'000'000'000'123);
}

}  // namespace
}  // namespace strokeviz::session::test
