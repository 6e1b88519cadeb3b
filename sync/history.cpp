// Sessions that only the robot's Redis holds: fetch one as a Recording, list them all.
#include "sync/history.hpp"

#include <algorithm>
#include <atomic>

#include <hiredis/hiredis.h>

#include "protocol/codec.hpp"
#include "protocol/keys.hpp"
#include "protocol/stream_id.hpp"
#include "sync/redis_client.hpp"

namespace strokeviz::sync {
using namespace session;
using namespace protocol;
using session::Recording;
using session::SessionHeader;
using session::SessionListing;

namespace {

Expected<RedisConnection> connect_for_listing(const RedisConfig& redis) {
  static const std::atomic<bool> never{false};
  return RedisConnection::connect(redis, RedisTimeouts{std::chrono::milliseconds(2000),
                                                       std::chrono::milliseconds(100),
                                                       std::chrono::milliseconds(5000)},
                                  never);
}

std::string redis_source(const RedisConfig& redis, const std::string& id) {
  return "redis://" + redis.host + ":" + std::to_string(redis.port) + "/" + id;
}

}  // namespace

Expected<Recording> fetch_recording(const RedisConfig& redis, const std::string& session_id) {
  const std::string where = redis_source(redis, session_id);
  auto conn = connect_for_listing(redis);
  if (!conn) return Error{where, 0, conn.error().message};
  const std::string pkey = std::string(kProgressKeyPrefix) + session_id;
  const std::string skey = std::string(kHistoryKeyPrefix) + session_id;
  auto raw = conn->hget(pkey, kProgressField);
  if (!raw) return Error{where, 0, raw.error().message};
  std::optional<StrokeProgress> progress;
  if (*raw) {
    auto p = parse_progress(**raw, pkey);
    if (!p) return Error{where, 0, p.error().str()};
    progress = std::move(*p);
  }
  std::vector<RawStreamEntry> entries;
  std::string from = "-";
  for (;;) {
    auto page = conn->xrange(skey, from, "+", 1000);
    if (!page) return Error{where, 0, page.error().message};
    const std::size_t n = page->size();
    for (auto& e : *page) entries.push_back(std::move(e));
    if (n < 1000) break;
    from = next_stream_id(entries.back().id);  // exclusive start, also on Redis < 6.2
    if (from.empty()) break;
  }
  if (!progress && entries.empty()) return Error{where, 0, "no such session (no progress hash, no history stream)"};

  std::vector<HistoryEntry> parsed;
  for (const auto& e : entries) {
    auto s = parse_stream_entry(e.id, e.fields, skey);
    if (s) parsed.push_back(HistoryEntry{session_id, std::move(*s)});
  }
  // Times come from the stream ids and the hash, never from the session id (PROTOCOL.md).
  SessionHeader h;
  h.session_id = session_id;
  h.server = redis.describe();
  if (progress) {
    h.scene = progress->scene_name.value_or("");
    h.node = progress->node_id;
  }
  if (!parsed.empty()) h.start_us = parsed.front().entry.time_ms * 1000;
  else if (progress) h.start_us = progress->time_us;
  if (h.start_us != 0) h.start_time = format_timestamp(h.start_us);
  if (h.node.empty() && !parsed.empty()) h.node = parsed.front().entry.node_id;
  Recording rec(std::move(h));
  rec.reserve(entries.size() + 1);
  // As the live worker pushes them after a reconnect: the snapshot, then the history.
  if (progress) {
    const TimeUs t = parsed.empty() ? progress->time_us : parsed.front().entry.time_ms * 1000;
    rec.append(t, ProgressSnapshot{session_id, std::move(*progress)});
  }
  for (auto& e : parsed) {
    const TimeUs t = e.entry.time_ms * 1000;
    rec.append(t, std::move(e));
  }
  return rec;
}

Expected<std::vector<SessionListing>> list_redis_sessions(const RedisConfig& redis) {
  const std::string where = "redis://" + redis.host + ":" + std::to_string(redis.port);
  auto conn = connect_for_listing(redis);
  if (!conn) return Error{where, 0, conn.error().message};
  auto keys = conn->scan(std::string(kProgressKeyPrefix) + "*", 10000);
  if (!keys) return Error{where, 0, keys.error().message};
  std::vector<SessionListing> out;
  for (const auto& key : *keys) {
    const std::string id = key.substr(kProgressKeyPrefix.size());
    auto raw = conn->hget(key, kProgressField);
    if (!raw) return Error{where, 0, raw.error().message};
    if (!*raw) continue;
    auto p = parse_progress(**raw, key);
    if (!p) continue;
    SessionListing l;
    l.source = redis_source(redis, id);
    l.header.session_id = id;
    l.header.scene = p->scene_name.value_or("");
    l.header.node = p->node_id;
    l.header.server = redis.describe();
    l.max_stroke = static_cast<int>(p->stroke_idx);
    l.end_us = p->time_us;
    const std::string skey = std::string(kHistoryKeyPrefix) + id;
    auto len = conn->command({"XLEN", skey});
    if (!len) return Error{where, 0, len.error().message};
    l.items = static_cast<std::int64_t>(len->get() != nullptr ? (*len)->integer : 0);
    auto last = conn->xrange(skey, "+", "-", 1, /*reverse=*/true);
    if (last && !last->empty()) {
      auto e = parse_stream_entry(last->front().id, last->front().fields, skey);
      if (e) l.end_us = std::max<TimeUs>(l.end_us, e->time_ms * 1000);
    }
    if (l.header.start_us == 0) {
      auto first = conn->xrange(skey, "-", "+", 1);
      if (first && !first->empty())
        if (auto e = parse_stream_entry(first->front().id, first->front().fields, skey))
          l.header.start_us = e->time_ms * 1000;
    }
    if (l.header.start_us != 0) l.header.start_time = format_timestamp(l.header.start_us);
    out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(), [](const SessionListing& a, const SessionListing& b) {
    return a.header.start_us > b.header.start_us;
  });
  return out;
}

}  // namespace strokeviz::sync
