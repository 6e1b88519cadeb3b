// The sync worker's watched keys: the snapshot on (re)connect, the live refresh, the history gap.
//
// Every hash the worker reads comes from one table, watched_keys(): a row
// names the key prefix, the hash field with the JSON, which ids a live
// refresh re-reads, and how a value is parsed and pushed. The snapshot runs
// SCAN <prefix>* + HGET <field> row by row; the refresh pipelines one HGET
// per row and id (at most every snapshot_refresh while live). A new kind of
// hash (node:health:<node>) is one row plus its push.
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
#include "sync/worker_loop.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "protocol/codec.hpp"
#include "protocol/keys.hpp"
#include "protocol/stream_id.hpp"
#include "session/recorder.hpp"

namespace strokeviz::sync {
using namespace protocol;

namespace {

constexpr std::size_t kHistoryPage = 1000;

bool id_less(std::string_view a, std::string_view b) {
  const auto x = StreamId::parse(a), y = StreamId::parse(b);
  if (!y) return false;
  if (!x) return true;
  return *x < *y;
}

std::string_view field(const StreamFields& f, std::string_view name) {
  for (const auto& [k, v] : f)
    if (k == name) return v;
  return {};
}

}  // namespace

std::span<const SyncWorker::Loop::WatchedKey> SyncWorker::Loop::watched_keys() {
  static constexpr WatchedKey kRows[] = {
      {kProgressKeyPrefix, kProgressField, IdKind::Session, kHistoryKeyPrefix, &Loop::snapshot_progress,
       &Loop::push_progress},
      {kRobotStateKeyPrefix, kRobotStateField, IdKind::Node, {}, &Loop::snapshot_robots, &Loop::push_robot},
  };
  return kRows;
}

// ---- snapshot and history -------------------------------------------------------

Expected<void> SyncWorker::Loop::snapshot(RedisConnection& cmd) {
  for (const WatchedKey& w : watched_keys()) {
    auto keys = cmd.scan(std::string(w.prefix) + "*");
    if (!keys) return keys.error();
    std::vector<HashValue> found;
    for (auto& key : *keys) {
      auto raw = cmd.hget(key, w.field);
      if (!raw) return raw.error();
      if (!*raw) continue;
      found.push_back({key.substr(w.prefix.size()), std::move(**raw), std::move(key)});
    }
    if (auto r = (this->*w.snapshot)(cmd, std::move(found)); !r) return r;
  }
  last_command_ = Clock::now();
  return {};
}

// Oldest first, so the newest session is last; running or followed sessions get their history gap.
Expected<void> SyncWorker::Loop::snapshot_progress(RedisConnection& cmd, std::vector<HashValue> hashes) {
  struct Found {
    std::string id, raw;
    StrokeProgress p;
  };
  std::vector<Found> found;
  for (auto& h : hashes) {
    auto p = parse_progress(h.raw, h.key);
    if (!p) {
      reject(h.key, p.error());
      continue;
    }
    found.push_back({std::move(h.id), std::move(h.raw), std::move(*p)});
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
  return {};
}

Expected<void> SyncWorker::Loop::snapshot_robots(RedisConnection&, std::vector<HashValue> found) {
  for (auto& h : found) {
    robot_raw_.erase(h.id);  // always deliver on (re)connect
    push_robot(h.id, std::move(h.raw), h.key);
  }
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

// ---- live refresh -------------------------------------------------------------

Expected<void> SyncWorker::Loop::refresh(RedisConnection& cmd) {
  const RefreshIds ids = take_refresh_ids();
  // One pipeline: per row and id an HGET, then the newest ids of the row's stream.
  std::vector<std::string> keys;  // each command's key, in pipeline order
  for (const WatchedKey& w : watched_keys()) {
    for (const auto& id : ids.of(w.ids)) {
      keys.push_back(std::string(w.prefix) + id);
      cmd.append({"HGET", keys.back(), w.field});
      if (w.seen_stream.empty()) continue;
      keys.push_back(std::string(w.seen_stream) + id);
      cmd.append({"XREVRANGE", keys.back(), "+", "-", "COUNT", "16"});
    }
  }
  std::size_t k = 0;
  for (const WatchedKey& w : watched_keys()) {
    for (const auto& id : ids.of(w.ids)) {
      const std::size_t n = w.seen_stream.empty() ? 1 : 2;
      if (auto r = refresh_one(cmd, w, id, std::span<const std::string>(keys).subspan(k, n)); !r) return r;
      k += n;
    }
  }
  last_refresh_ = last_command_ = Clock::now();
  return {};
}

// Sessions with new progress and the open one; nodes with new robot events and the open session's.
SyncWorker::Loop::RefreshIds SyncWorker::Loop::take_refresh_ids() {
  RefreshIds ids{std::move(dirty_sessions_), std::move(dirty_nodes_)};
  dirty_sessions_.clear();
  dirty_nodes_.clear();
  if (!status_.session_id().empty()) {
    ids.sessions.insert(status_.session_id());
    if (auto it = sessions_.find(status_.session_id()); it != sessions_.end() && !it->second.node.empty())
      ids.nodes.insert(it->second.node);
  }
  return ids;
}

Expected<void> SyncWorker::Loop::refresh_one(RedisConnection& cmd, const WatchedKey& w,
                                             const std::string& id, std::span<const std::string> keys) {
  auto hash = refresh_reply(cmd, keys[0]);
  if (!hash) return hash.error();
  Expected<RedisReplyPtr> stream = RedisReplyPtr();
  if (keys.size() > 1) stream = refresh_reply(cmd, keys[1]);
  if (!stream) return stream.error();
  if (auto raw = reply_string(hash->get()); !raw.empty()) (this->*w.push)(id, std::string(raw), keys[0]);
  if (!*stream) return {};
  return note_seen(id, stream->get(), keys[1]);
}

// The next pipelined reply. A foreign key of that name (WRONGTYPE) is no
// data, not fatal: a null reply. Any other error reply is.
Expected<RedisReplyPtr> SyncWorker::Loop::refresh_reply(RedisConnection& cmd, const std::string& key) {
  auto r = cmd.reply();
  if (r && is_error(r->get())) {
    const std::string msg(reply_string(r->get()));
    if (msg.rfind("WRONGTYPE", 0) == 0) {
      reject(key, Error{key, 0, msg});
      return RedisReplyPtr();
    }
    return redis_error(ErrorKind::Reply, key + ": " + msg);
  }
  return r;
}

// The newest entry matching the last progress received is the last one seen.
Expected<void> SyncWorker::Loop::note_seen(const std::string& session_id, const redisReply* stream,
                                           std::string_view key) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end() || it->second.stroke < 0) return {};
  auto entries = parse_stream_reply(stream, key);
  if (!entries) return entries.error();
  const std::string stroke = std::to_string(it->second.stroke);
  const std::string pose = std::to_string(it->second.pose);
  for (const auto& e : *entries) {  // newest first
    if (field(e.fields, "stroke_idx") == stroke && field(e.fields, "pose_idx") == pose) {
      if (id_less(it->second.last_id, e.id)) it->second.last_id = e.id;
      break;
    }
  }
  return {};
}

// ---- pushing what changed ------------------------------------------------------

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

}  // namespace strokeviz::sync
