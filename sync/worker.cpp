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
//   3. Snapshot on the command connection, one row of the watched keys
//      (worker_snapshot.cpp) after the other: SCAN stroke:progress:* → HGET
//      progress → ProgressSnapshot (oldest first, so the newest session is
//      last), and per session the history gap; SCAN robot:state:* → HGET
//      state → RobotStateSnapshot.
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
// Refused AUTH, NOPERM, a db index out of range: Retrying with that reason
// in the label ("Retrying in 4 s (AUTH refused: WRONGPASS …)"), with the
// same growing backoff: the user can fix the server or ACL without
// restarting the viewer, and the label says exactly what is wrong. (Error is
// kept for internal failures that a retry cannot fix.)
#include "sync/worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/fast_scan.hpp"
#include "protocol/keys.hpp"
#include "session/recorder.hpp"
#include "sync/worker_loop.hpp"

namespace strokeviz::sync {
using namespace protocol;
using namespace session;

namespace {

using namespace std::chrono_literals;

constexpr auto kSlice = 100ms;                  // longest uninterruptible wait
constexpr std::size_t kBatchMax = 1024;         // pushes per wake, at most

const std::vector<std::string> kChannels{std::string(kChannelSession),
                                         std::string(kChannelProgress),
                                         std::string(kChannelRobot)};
const std::vector<std::string> kPatterns{std::string(kChannelErrorPrefix) + "*",
                                         std::string(kChannelNodePrefix) + "*"};

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

}  // namespace

// ---- the connection's life ---------------------------------------------------

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
    status_.progress_seen(p->pose_idx, p->stroke_length, now);
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
