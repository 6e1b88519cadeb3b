// The sync worker thread: connect, subscribe, snapshot, fill the gap, follow live, reconnect.
//
// One connection's life (Loop::follow):
//   1. Two connections: a subscriber and one for commands (AUTH/SELECT on both).
//   2. SUBSCRIBE + PSUBSCRIBE and wait for the confirmations FIRST. From then
//      on every event is buffered on the subscriber socket while we read
//      the snapshot, so nothing published between the snapshot and the
//      first live read is lost. The price is that events published during
//      the snapshot arrive after it, some older than what the snapshot
//      showed: the view may step back for the length of one drain and then
//      forward again. That is harmless because progress is absolute (the
//      last item wins), and it is the only order that loses nothing —
//      snapshot-then-subscribe has a window where an event falls between.
//   3. Snapshot on the command connection: SCAN stroke:progress:* → HGET
//      progress → ProgressSnapshot (oldest first, so the newest session is
//      last), and per session the history gap (below); SCAN robot:state:*
//      → HGET state → RobotStateSnapshot.
//   4. Follow: read the subscriber with the read timeout; a timeout is a
//      heartbeat (staleness, refresh, PING). While a session is open or
//      events came, the progress hash (offsets live only there) and
//      robot:state:<node> (joints) are re-read at most every
//      snapshot_refresh and pushed when they changed. When the command
//      connection was idle for heartbeat_interval it sends PING; no reply
//      within command_timeout (a frozen/SIGSTOPped server, a dead LAN)
//      counts as a lost connection.
// Any error drops both connections: Retrying with backoff (0.5 s doubling
// to 10 s, ±20 % jitter, reset after a connection got through step 3).
//
// History (stream:stroke_history:<session>) policy:
//   * A session first seen in a snapshot: no history is replayed (the
//     progress hash already is the current position; a 10 000-entry replay
//     would only flood the live view). Its newest stream id is recorded.
//   * While live, each refresh also reads the newest 16 stream ids and
//     records the one whose (stroke_idx, pose_idx) matches the last event
//     received for the session: the last entry known to be seen.
//   * After a reconnect: XRANGE from just after that id (id with seq+1, which
//     works on Redis < 6.2 too) in pages of 1000, at most max_history_entries,
//     pushed as HistoryEntry oldest first, right after the session's
//     ProgressSnapshot. Duplicates of events already seen are harmless.
//
// Refused AUTH, NOPERM, a db index out of range: Retrying with that reason
// in the label ("Retrying in 4 s (AUTH refused: WRONGPASS …)"), with the
// same growing backoff: the user can fix the server or ACL without
// restarting the viewer, and the label says exactly what is wrong. (Error is
// kept for internal failures that a retry cannot fix.)
#include "sync/worker.hpp"

#include "session/recorder.hpp"

#include "protocol/stream_id.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "protocol/codec.hpp"
#include "common/rate_limited_log.hpp"
#include "session/recording.hpp"
#include "sync/redis_client.hpp"
#include "protocol/fast_scan.hpp"

namespace strokeviz::sync {
using namespace protocol;
using namespace session;

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kSlice = 100ms;                  // longest uninterruptible wait
constexpr std::size_t kBatchMax = 1024;         // pushes per wake, at most
constexpr std::size_t kHistoryPage = 1000;
constexpr std::size_t kMaxSessions = 64;        // tracked sessions (history ids)
constexpr std::size_t kMaxNodes = 16;           // robot:state nodes refreshed

const std::vector<std::string> kChannels{std::string(kChannelSession),
                                         std::string(kChannelProgress),
                                         std::string(kChannelRobot)};
const std::vector<std::string> kPatterns{std::string(kChannelErrorPrefix) + "*",
                                         std::string(kChannelNodePrefix) + "*"};

bool id_less(std::string_view a, std::string_view b) {
  const auto x = StreamId::parse(a), y = StreamId::parse(b);
  if (!y) return false;
  if (!x) return true;
  return *x < *y;
}

// The value of a top-level-looking "session_id" string in a payload the
// parsers rejected (recording only: which file it goes to); empty if none.
std::string_view find_session_id(std::string_view payload) {
  const std::size_t k = payload.find("\"session_id\"");
  if (k == std::string_view::npos) return {};
  std::size_t p = k + 12;
  while (p < payload.size() && (payload[p] == ' ' || payload[p] == ':')) ++p;
  if (p >= payload.size() || payload[p] != '"') return {};
  const std::size_t e = payload.find_first_of("\"\\", p + 1);
  if (e == std::string_view::npos || payload[e] != '"') return {};
  return payload.substr(p + 1, e - p - 1);
}

std::string_view field(const StreamFields& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return v;
  return {};
}

}  // namespace

// ---- the worker thread's state ------------------------------------------------

class SyncWorker::Loop {
 public:
  explicit Loop(SyncWorker& w)
      : w_(w), opt_(w.options_), status_(opt_.stale_after), rng_(std::random_device{}()) {}

  void run();
  // Reports an exception that escaped: Error state.
  void report_fatal(const std::string& what);

 private:
  struct Session {
    std::string last_id;          // newest stream id known to be seen
    std::int64_t stroke = -1;     // last progress received (to match stream entries)
    std::int64_t pose = -1;
    std::string node;             // node_id of the session
    std::string last_raw;         // last progress hash pushed
    std::uint64_t touched = 0;    // for eviction
  };

  Expected<void> follow(bool& established);
  // Marks the start of this connection in the feed and the recording (gaps).
  void announce_connection();
  Expected<void> snapshot(RedisConnection& cmd);
  Expected<void> fill_gap(RedisConnection& cmd, const std::string& session_id, Session& s);
  Expected<void> refresh(RedisConnection& cmd);
  void handle(const PubSubMessage& m, Clock::time_point now);
  void push(FeedItem&& item);
  void retry_pending();
  void push_progress(const std::string& session_id, std::string raw, std::string_view where);
  void push_robot(const std::string& node, std::string raw, std::string_view where);
  // ---- recording (options.recorder; every call a no-op without one) ----
  TimeUs receive_time();  // now_us(), never going back while recording
  void record_message(const PubSubMessage& m, TimeUs t, const Expected<Event>& parsed);
  void record_progress(const std::string& session_id, const std::string& raw, const StrokeProgress& p);
  void open_recording(const std::string& session_id, std::string_view scene, std::string_view node,
                      std::string_view start_time, TimeUs start_us);
  void reject(std::string_view key, const Error& e);
  Session& session(const std::string& id);
  void note_node(const std::string& node);
  void flush(Clock::time_point now);
  void publish_status(Clock::time_point now);
  bool stopped() const { return w_.stop_.load(std::memory_order_relaxed); }
  bool sleep_until(Clock::time_point deadline);

  SyncWorker& w_;
  const WorkerOptions& opt_;
  SyncStatus status_;
  RateLimitedLog log_;
  std::map<std::string, Session> sessions_;
  std::uint64_t touch_ = 0;
  std::map<std::string, std::string> robot_raw_;  // node -> last robot state pushed
  std::set<std::string> contexted_;  // sessions whose file got its context lines
  std::set<std::string> dirty_sessions_, dirty_nodes_;
  std::optional<FeedItem> pending_;  // newest item that did not fit in the queue
  bool status_dirty_ = true;
  bool pushed_ = false;
  bool ever_connected_ = false;
  Clock::time_point last_publish_{}, last_refresh_{}, last_command_{}, retry_at_{}, last_event_{};
  std::mt19937 rng_;
  TimeUs last_receive_ = 0;
  std::string last_loss_reason_;  // why the previous connection ended
  std::uint64_t connections_ = 0;
};

void SyncWorker::Loop::announce_connection() {
  Reconnected r{receive_time(), connections_++, last_loss_reason_};
  if (opt_.recorder) opt_.recorder->connection_started(r);
  push(std::move(r));
}

void SyncWorker::Loop::run() {
  auto backoff = opt_.backoff_min;
  while (!stopped()) {
    if (status_.connect_started()) status_dirty_ = true;
    flush(Clock::now());
    bool established = false;
    const auto result = follow(established);
    if (established) backoff = opt_.backoff_min;
    if (stopped() || (!result && result.error().kind == ErrorKind::Stopped)) break;
    const std::string reason =
        result ? std::string("connection ended") : result.error().message;
    spdlog::warn("SyncWorker: {}: {}", opt_.redis.describe(), reason);
    status_.connection_lost(reason);
    last_loss_reason_ = reason;
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    const auto delay = std::chrono::duration_cast<Clock::duration>(backoff * jitter(rng_));
    backoff = std::min(backoff * 2, opt_.backoff_max);
    const auto now = Clock::now();
    retry_at_ = now + delay;
    status_.retry_scheduled(delay, now);
    status_dirty_ = true;
    flush(now);
    if (!sleep_until(retry_at_)) break;
  }
  if (pending_) {  // never delivered
    pending_.reset();
    w_.dropped_.fetch_add(1, std::memory_order_relaxed);
    status_.event_dropped();
  }
  status_.user_disabled();
  status_dirty_ = true;
  flush(Clock::now());
}

void SyncWorker::Loop::report_fatal(const std::string& what) {
  spdlog::error("SyncWorker: {}", what);
  status_.fatal(what);
  status_dirty_ = true;
  flush(Clock::now());
}

bool SyncWorker::Loop::sleep_until(Clock::time_point deadline) {
  for (;;) {
    if (stopped()) return false;
    const auto now = Clock::now();
    if (now >= deadline) return true;
    flush(now);  // the countdown label, once a second
    std::this_thread::sleep_for(std::min<Clock::duration>(deadline - now, kSlice));
  }
}

Expected<void> SyncWorker::Loop::follow(bool& established) {
  const RedisTimeouts t{opt_.connect_timeout, opt_.read_timeout, opt_.command_timeout};
  auto sub = RedisConnection::connect(opt_.redis, t, w_.stop_);
  if (!sub) return sub.error();
  auto cmd = RedisConnection::connect(opt_.redis, t, w_.stop_);
  if (!cmd) return cmd.error();
  // Subscribe before the snapshot (see the file comment).
  if (auto s = sub->subscribe(kChannels, kPatterns); !s) return s.error();
  status_.connected();
  status_.subscribed();
  status_dirty_ = true;
  announce_connection();
  if (auto s = snapshot(*cmd); !s) return s.error();
  established = true;
  if (ever_connected_) w_.reconnects_.fetch_add(1, std::memory_order_relaxed);
  ever_connected_ = true;
  auto now = Clock::now();
  last_command_ = last_refresh_ = now;
  flush(now);
  spdlog::info("SyncWorker: following {}", opt_.redis.describe());

  for (;;) {
    if (stopped()) return redis_error(ErrorKind::Stopped, "stopped");
    retry_pending();
    auto m = sub->read_message();
    now = Clock::now();
    if (m) {
      handle(*m, now);
      // Drain what hiredis already read, without touching the socket: one wake per batch.
      for (std::size_t n = 1; n < kBatchMax; ++n) {
        auto b = sub->buffered_message();
        if (!b) return b.error();
        if (!b->reply) break;
        handle(*b, now);
      }
      now = Clock::now();
    } else if (m.error().kind != ErrorKind::Timeout) {
      return m.error();
    }
    if (status_.tick(now)) status_dirty_ = true;
    flush(now);  // wake the consumer before any command round trip below
    const bool want_refresh = !dirty_sessions_.empty() || !dirty_nodes_.empty() ||
                              !status_.session_id().empty();
    if (want_refresh && now - last_refresh_ >= opt_.snapshot_refresh) {
      if (auto r = refresh(*cmd); !r) return r.error();
    } else if (now - last_command_ >= opt_.heartbeat_interval) {
      if (auto r = cmd->command({"PING"}); !r) return r.error();
      last_command_ = Clock::now();
    }
    flush(now);
  }
}

// ---- snapshot and history -------------------------------------------------------

Expected<void> SyncWorker::Loop::snapshot(RedisConnection& cmd) {
  auto keys = cmd.scan(std::string(kProgressKeyPrefix) + "*");
  if (!keys) return keys.error();
  struct Found {
    std::string id, raw;
    StrokeProgress p;
  };
  std::vector<Found> found;
  for (const auto& key : *keys) {
    auto raw = cmd.hget(key, "progress");
    if (!raw) return raw.error();
    if (!*raw) continue;
    auto p = parse_progress(**raw, key);
    if (!p) {
      reject(key, p.error());
      continue;
    }
    found.push_back({key.substr(kProgressKeyPrefix.size()), std::move(**raw), std::move(*p)});
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Found& a, const Found& b) { return a.p.time_us < b.p.time_us; });
  const Found* executing = nullptr;
  for (auto& f : found) {
    const bool known = sessions_.count(f.id) != 0;
    // Only sessions that run or that we followed get history: old hashes stay behind.
    if (known || f.p.is_executing) {
      Session& s = session(f.id);
      s.node = f.p.node_id;
      s.last_raw = f.raw;
      record_progress(f.id, f.raw, f.p);
      push(ProgressSnapshot{f.id, f.p});
      if (auto g = fill_gap(cmd, f.id, s); !g) return g;
      note_node(f.p.node_id);
    } else {
      record_progress(f.id, f.raw, f.p);
      push(ProgressSnapshot{f.id, f.p});
    }
    if (f.p.is_executing) executing = &f;
  }
  const auto now = Clock::now();
  if (executing != nullptr && status_.session_started(executing->id, now)) status_dirty_ = true;

  auto robots = cmd.scan(std::string(kRobotStateKeyPrefix) + "*");
  if (!robots) return robots.error();
  for (const auto& key : *robots) {
    auto raw = cmd.hget(key, "state");
    if (!raw) return raw.error();
    if (!*raw) continue;
    const std::string node = key.substr(kRobotStateKeyPrefix.size());
    robot_raw_.erase(node);  // always deliver on (re)connect
    push_robot(node, std::move(**raw), key);
  }
  last_command_ = Clock::now();
  return {};
}

Expected<void> SyncWorker::Loop::fill_gap(RedisConnection& cmd, const std::string& session_id,
                                          Session& s) {
  const std::string key = std::string(kHistoryKeyPrefix) + session_id;
  if (s.last_id.empty()) {  // first sight: remember where the stream is, replay nothing
    auto newest = cmd.xrange(key, "+", "-", 1, /*reverse=*/true);
    if (!newest) return newest.error();
    if (!newest->empty()) s.last_id = newest->front().id;
    return {};
  }
  std::size_t total = 0;
  while (total < opt_.max_history_entries) {
    if (stopped()) return redis_error(ErrorKind::Stopped, "stopped");
    const auto from = StreamId::parse(s.last_id);
    if (!from) break;
    const std::size_t n = std::min(kHistoryPage, opt_.max_history_entries - total);
    auto page = cmd.xrange(key, from->next(), "+", n);
    if (!page) return page.error();
    for (auto& raw : *page) {
      s.last_id = raw.id;
      auto e = parse_stream_entry(raw.id, raw.fields, key);
      if (!e) {
        reject(key, e.error());
        continue;
      }
      s.stroke = e->stroke_idx;
      s.pose = e->pose_idx;
      if (opt_.recorder) opt_.recorder->append_history(receive_time(), session_id, *e);
      push(HistoryEntry{session_id, std::move(*e)});
    }
    total += page->size();
    if (page->size() < n) break;
    retry_pending();
  }
  if (total > 0) spdlog::info("SyncWorker: {}: {} history entries after the gap", key, total);
  return {};
}

Expected<void> SyncWorker::Loop::refresh(RedisConnection& cmd) {
  std::set<std::string> sessions = std::move(dirty_sessions_);
  std::set<std::string> nodes = std::move(dirty_nodes_);
  dirty_sessions_.clear();
  dirty_nodes_.clear();
  if (!status_.session_id().empty()) {
    sessions.insert(status_.session_id());
    if (auto it = sessions_.find(status_.session_id()); it != sessions_.end() && !it->second.node.empty())
      nodes.insert(it->second.node);
  }
  // One pipeline: per session HGET + XREVRANGE (the stream id seen), per node HGET.
  std::vector<std::string> keys;
  for (const auto& id : sessions) {
    keys.push_back(std::string(kProgressKeyPrefix) + id);
    cmd.append({"HGET", keys.back(), "progress"});
    keys.push_back(std::string(kHistoryKeyPrefix) + id);
    cmd.append({"XREVRANGE", keys.back(), "+", "-", "COUNT", "16"});
  }
  for (const auto& node : nodes) {
    keys.push_back(std::string(kRobotStateKeyPrefix) + node);
    cmd.append({"HGET", keys.back(), "state"});
  }
  std::size_t k = 0;
  auto next = [&]() -> Expected<RedisReplyPtr> {
    auto r = cmd.reply();
    if (r && is_error(r->get())) {
      const std::string msg(reply_string(r->get()));
      if (msg.rfind("WRONGTYPE", 0) == 0) {  // a foreign key of that name: no data, not fatal
        reject(keys[k], Error{keys[k], 0, msg});
        return RedisReplyPtr();
      }
      return redis_error(ErrorKind::Reply, keys[k] + ": " + msg);
    }
    return r;
  };
  for (const auto& id : sessions) {
    auto hash = next();
    if (!hash) return hash.error();
    const std::string progress_key = keys[k++];
    auto stream = next();
    if (!stream) return stream.error();
    ++k;
    if (auto raw = reply_string(hash->get()); !raw.empty())
      push_progress(id, std::string(raw), progress_key);
    // The newest entry matching the last progress received is the last one seen.
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second.stroke < 0) continue;
    if (!*stream) continue;
    auto entries = parse_stream_reply(stream->get(), keys[k - 1]);
    if (!entries) return entries.error();
    const std::string stroke = std::to_string(it->second.stroke);
    const std::string pose = std::to_string(it->second.pose);
    for (const auto& e : *entries) {  // newest first
      if (field(e.fields, "stroke_idx") == stroke && field(e.fields, "pose_idx") == pose) {
        if (id_less(it->second.last_id, e.id)) it->second.last_id = e.id;
        break;
      }
    }
  }
  for (const auto& node : nodes) {
    auto hash = next();
    if (!hash) return hash.error();
    const std::string key = keys[k++];
    if (auto raw = reply_string(hash->get()); !raw.empty()) push_robot(node, std::string(raw), key);
  }
  last_refresh_ = last_command_ = Clock::now();
  return {};
}

// ---- live events --------------------------------------------------------------

void SyncWorker::Loop::handle(const PubSubMessage& m, Clock::time_point now) {
  if (!m.is_message()) return;  // subscribe confirmations, pong
  // The progress_update fast path, else parse_event (fast::parse_event, with
  // the receive time taken here so that the recorded line carries the same).
  const TimeUs t = receive_time();
  Expected<Event> parsed = [&]() -> Expected<Event> {
    if (auto u = fast::progress_update(m.channel, m.payload, t)) return Event{std::move(*u)};
    return protocol::parse_event(m.channel, m.payload, t);
  }();
  // Recorded whether or not it parsed (rejected payloads are kept too).
  if (opt_.recorder) record_message(m, t, parsed);
  if (!parsed) {
    w_.rejected_.fetch_add(1, std::memory_order_relaxed);
    status_.event_rejected();
    reject(m.channel, parsed.error());
    return;
  }
  Event& ev = *parsed;
  const EventHeader& h = header_of(ev);
  w_.received_.fetch_add(1, std::memory_order_relaxed);
  w_.last_latency_us_.store(h.received_us - h.time_us, std::memory_order_relaxed);
  last_event_ = now;
  bool changed = false;
  if (const auto* s = std::get_if<SessionStart>(&ev)) {
    changed |= status_.session_started(s->session_id, now);
    Session& t = session(s->session_id);
    t.node = s->header.node_id;
    note_node(t.node);
  } else if (const auto* e = std::get_if<SessionEnd>(&ev)) {
    if (status_.session_id().empty() || status_.session_id() == e->session_id)
      changed |= status_.session_ended();
  } else if (const auto* p = std::get_if<ProgressUpdate>(&ev)) {
    // Progress means a session is running, also one whose session_start was
    // missed (joined late, or across a reconnect): that is Live.
    const bool live = status_.state() == SyncState::Live || status_.state() == SyncState::Stale;
    if (p->session_id != status_.session_id() || !live) changed |= status_.session_started(p->session_id, now);
    Session& t = session(p->session_id);
    t.stroke = p->stroke_idx;
    t.pose = p->pose_idx;
    if (t.node.empty()) {
      t.node = p->header.node_id;
      note_node(t.node);
    }
    dirty_sessions_.insert(p->session_id);
  } else if (const auto* r = std::get_if<RobotStateUpdate>(&ev)) {
    note_node(r->header.node_id);
    if (dirty_nodes_.size() < kMaxNodes) dirty_nodes_.insert(r->header.node_id);
  }
  changed |= status_.event_received(now);
  if (changed) status_dirty_ = true;
  push(std::move(ev));
}

void SyncWorker::Loop::reject(std::string_view key, const Error& e) {
  std::string msg = e.str();
  if (msg.size() > 300) msg = msg.substr(0, 300) + "...";
  log_.warn(key.substr(0, 128), "SyncWorker: rejected " + msg);
}

SyncWorker::Loop::Session& SyncWorker::Loop::session(const std::string& id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) {
    if (sessions_.size() >= kMaxSessions) {
      auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
        return a.second.touched < b.second.touched;
      });
      sessions_.erase(oldest);
    }
    it = sessions_.emplace(id, Session{}).first;
  }
  it->second.touched = ++touch_;
  return it->second;
}

void SyncWorker::Loop::note_node(const std::string& node) {
  if (!node.empty() && robot_raw_.size() < kMaxNodes) robot_raw_.try_emplace(node);
}

void SyncWorker::Loop::push_progress(const std::string& session_id, std::string raw,
                                     std::string_view where) {
  Session& s = session(session_id);
  if (raw == s.last_raw) return;
  auto p = parse_progress(raw, where);
  if (!p) {
    reject(where, p.error());
    return;
  }
  s.last_raw = std::move(raw);
  record_progress(session_id, s.last_raw, *p);
  push(ProgressSnapshot{session_id, std::move(*p)});
}

void SyncWorker::Loop::push_robot(const std::string& node, std::string raw, std::string_view where) {
  auto it = robot_raw_.find(node);
  if (it != robot_raw_.end() && it->second == raw) return;
  auto st = parse_robot_state(raw, where);
  if (!st) {
    reject(where, st.error());
    return;
  }
  if (opt_.recorder) opt_.recorder->append_snapshot(receive_time(), where, raw, status_.session_id());
  if (it != robot_raw_.end())
    it->second = std::move(raw);
  else if (robot_raw_.size() < kMaxNodes)
    robot_raw_.emplace(node, std::move(raw));
  push(RobotStateSnapshot{std::move(*st)});
}

// ---- recording -------------------------------------------------------------------

TimeUs SyncWorker::Loop::receive_time() {
  const TimeUs t = now_us();
  if (!opt_.recorder) return t;
  last_receive_ = std::max(last_receive_, t);  // the recorded times stay ordered
  return last_receive_;
}

void SyncWorker::Loop::open_recording(const std::string& session_id, std::string_view scene,
                                      std::string_view node, std::string_view start_time, TimeUs start_us) {
  SessionHeader h;
  h.session_id = session_id;
  h.scene = std::string(scene);
  h.node = std::string(node);
  h.start_time = std::string(start_time);
  h.start_us = start_us;
  // First time this worker opens the session's file (not a re-open after its end).
  const bool fresh = !opt_.recorder->session_open(session_id) && contexted_.insert(session_id).second;
  if (contexted_.size() > kMaxSessions) contexted_.erase(contexted_.begin());
  opt_.recorder->session_started(h);  // no-op when already open
  if (!fresh) return;
  // Context for a self-contained file: the robot state the live view already
  // shows (its joints), written before the session's first event.
  const auto it = robot_raw_.find(std::string(node));
  if (it != robot_raw_.end() && !it->second.empty())
    opt_.recorder->append_snapshot(receive_time(), std::string(kRobotStateKeyPrefix) + it->first, it->second, session_id);
}

// The file: the session the payload names (a session start or a progress
// for a session not open yet opens it: joined late or after a reconnect),
// else the open session, else the per-day file.
void SyncWorker::Loop::record_message(const PubSubMessage& m, TimeUs t, const Expected<Event>& parsed) {
  Recorder& rec = *opt_.recorder;
  std::string_view sid;
  const SessionEnd* end = nullptr;
  if (parsed) {
    const Event& ev = *parsed;
    if (const auto* s = std::get_if<SessionStart>(&ev)) {
      open_recording(s->session_id, s->scene_name, s->header.node_id, s->header.timestamp, s->header.time_us);
      sid = s->session_id;
    } else if (const auto* p = std::get_if<ProgressUpdate>(&ev)) {
      if (!rec.session_open(p->session_id)) {
        open_recording(p->session_id, {}, p->header.node_id, p->header.timestamp, p->header.time_us);
      }
      sid = p->session_id;
    } else if ((end = std::get_if<SessionEnd>(&ev)) != nullptr) {
      sid = end->session_id;
    } else {
      sid = status_.session_id();
    }
  } else {
    sid = find_session_id(m.payload);
    if (sid.empty() || !rec.session_open(sid)) sid = status_.session_id();
  }
  rec.append_message(t, m.channel, m.payload, sid);
  if (end != nullptr) rec.session_ended(end->session_id);  // flushed and closed
}

// A progress hash about to be pushed; an executing session not open yet opens its file.
void SyncWorker::Loop::record_progress(const std::string& session_id, const std::string& raw,
                                       const StrokeProgress& p) {
  if (!opt_.recorder) return;
  if (p.is_executing && !opt_.recorder->session_open(session_id)) {
    // Times come from the hash, never from the number in a session id (PROTOCOL.md).
    open_recording(session_id, p.scene_name.value_or(""), p.node_id, p.timestamp, p.time_us);
  }
  opt_.recorder->append_snapshot(receive_time(), std::string(kProgressKeyPrefix) + session_id, raw, session_id);
}

// ---- the queue and the status --------------------------------------------------

void SyncWorker::Loop::push(FeedItem&& item) {
  retry_pending();
  if (pending_) {  // still full: the newer item replaces the older (state is absolute)
    pending_ = std::move(item);
    w_.dropped_.fetch_add(1, std::memory_order_relaxed);
    status_.event_dropped();
    return;
  }
  if (w_.queue_->try_push(std::move(item)))
    pushed_ = true;
  else
    pending_ = std::move(item);  // try_push leaves it untouched when full
}

void SyncWorker::Loop::retry_pending() {
  if (pending_ && w_.queue_->try_push(std::move(*pending_))) {
    pending_.reset();
    pushed_ = true;
  }
}

void SyncWorker::Loop::flush(Clock::time_point now) {
  const SyncState s = status_.state();
  const bool counting = s == SyncState::Stale || s == SyncState::Retrying || pushed_;
  const bool publish = status_dirty_ || (counting && now - last_publish_ >= 1s);
  if (publish) publish_status(now);
  if ((publish || pushed_) && opt_.wake) opt_.wake();
  pushed_ = false;
}

void SyncWorker::Loop::publish_status(Clock::time_point now) {
  StatusSnapshot snap;
  snap.state = status_.state();
  snap.label = status_.label(now);
  snap.session_id = status_.session_id();
  snap.reason = status_.reason();
  snap.server = opt_.redis.describe();
  snap.retry_at = retry_at_;
  snap.last_event = last_event_;
  w_.status_.publish(std::move(snap));
  last_publish_ = now;
  status_dirty_ = false;
}

// ---- SyncWorker ------------------------------------------------------------------

SyncWorker::SyncWorker(WorkerOptions options)
    : options_(std::move(options)),
      queue_(std::make_unique<SpscQueue<FeedItem>>(std::max<std::size_t>(options_.queue_capacity, 1))) {
  StatusSnapshot s;
  s.label = "Disconnected";
  s.server = options_.redis.describe();
  status_.publish(std::move(s));
}

SyncWorker::~SyncWorker() { stop(); }

void SyncWorker::start() {
  if (thread_.joinable()) return;
  stop_.store(false, std::memory_order_relaxed);
  thread_ = std::thread([this] { run(); });
}

void SyncWorker::stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_relaxed);
  thread_.join();
}

StatusSnapshot SyncWorker::status(bool* changed) {
  const bool fresh = status_.refresh();
  if (changed != nullptr) *changed = fresh;
  return status_.current();
}

void SyncWorker::run() {
  std::optional<Loop> loop;
  try {
    loop.emplace(*this);
    loop->run();
  } catch (const std::exception& e) {
    if (loop) loop->report_fatal(std::string("internal error: ") + e.what());
    else spdlog::error("SyncWorker: internal error: {}", e.what());
  } catch (...) {
    if (loop) loop->report_fatal("internal error (unknown exception)");
    else spdlog::error("SyncWorker: internal error (unknown exception)");
  }
}

}  // namespace strokeviz::sync
