// SyncWorker::Loop, the worker thread's state (private to sync/).
//
// Its functions live in worker.cpp (the connection's life, live events,
// recording, the queue) and worker_snapshot.cpp (the watched keys: snapshot,
// refresh, history gap).
//
// Which thread: the worker thread only; it owns every member.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "common/rate_limited_log.hpp"
#include "protocol/events.hpp"
#include "protocol/items.hpp"
#include "sync/redis_client.hpp"
#include "sync/status.hpp"
#include "sync/worker.hpp"

namespace strokeviz::sync {

class SyncWorker::Loop {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Loop(SyncWorker& w)
      : w_(w), opt_(w.options_), status_(opt_.stale_after), rng_(std::random_device{}()) {}

  void run();
  // Reports an exception that escaped: Error state.
  void report_fatal(const std::string& what);

 private:
  static constexpr std::size_t kMaxSessions = 64;  // tracked sessions (history ids)
  static constexpr std::size_t kMaxNodes = 16;     // robot:state nodes refreshed

  struct Session {
    std::string last_id;          // newest stream id known to be seen
    std::int64_t stroke = -1;     // last progress received (to match stream entries)
    std::int64_t pose = -1;
    std::string node;             // node_id of the session
    std::string last_raw;         // last progress hash pushed
    std::uint64_t touched = 0;    // for eviction
  };

  // ---- the watched keys (worker_snapshot.cpp) ----
  // One hash <prefix><id> read on (re)connect (SCAN + HGET) and re-read live.
  struct HashValue {
    std::string id, raw, key;  // <id>, the field's JSON, the whole key
  };
  enum class IdKind : std::uint8_t {
    Session,  // re-read: sessions with new progress, and the open one
    Node,     // re-read: nodes with new robot events, and the open session's node
  };
  // One row of watched_keys(): a new kind of hash is one row.
  struct WatchedKey {
    std::string_view prefix;       // keys <prefix><id> ...
    std::string_view field;        // ... whose JSON is in this hash field
    IdKind ids;                    // which ids a live refresh re-reads
    std::string_view seen_stream;  // if set, a refresh also reads <seen_stream><id>'s newest ids
    // Every value found on (re)connect, in SCAN order: parse and push them.
    Expected<void> (Loop::*snapshot)(RedisConnection& cmd, std::vector<HashValue> found);
    // One value re-read live: parse and push it when it changed.
    void (Loop::*push)(const std::string& id, std::string raw, std::string_view key);
  };
  struct RefreshIds {
    std::set<std::string> sessions, nodes;
    const std::set<std::string>& of(IdKind k) const { return k == IdKind::Session ? sessions : nodes; }
  };
  static std::span<const WatchedKey> watched_keys();

  Expected<void> follow(bool& established);
  // Marks the start of this connection in the feed and the recording (gaps).
  void announce_connection();
  Expected<void> snapshot(RedisConnection& cmd);
  Expected<void> snapshot_progress(RedisConnection& cmd, std::vector<HashValue> found);
  Expected<void> snapshot_robots(RedisConnection& cmd, std::vector<HashValue> found);
  Expected<void> fill_gap(RedisConnection& cmd, const std::string& session_id, Session& s);
  Expected<void> refresh(RedisConnection& cmd);
  RefreshIds take_refresh_ids();
  // The replies to one id's refresh commands; `keys`: the hash's, then the stream's.
  Expected<void> refresh_one(RedisConnection& cmd, const WatchedKey& w, const std::string& id,
                             std::span<const std::string> keys);
  Expected<RedisReplyPtr> refresh_reply(RedisConnection& cmd, const std::string& key);
  Expected<void> note_seen(const std::string& session_id, const redisReply* stream, std::string_view key);
  void handle(const PubSubMessage& m, Clock::time_point now);
  void push(protocol::FeedItem&& item);
  void retry_pending();
  void push_progress(const std::string& session_id, std::string raw, std::string_view where);
  void push_robot(const std::string& node, std::string raw, std::string_view where);
  // ---- recording (options.recorder; every call a no-op without one) ----
  TimeUs receive_time();  // now_us(), never going back while recording
  void record_message(const PubSubMessage& m, TimeUs t, const Expected<protocol::Event>& parsed);
  void record_progress(const std::string& session_id, const std::string& raw,
                       const protocol::StrokeProgress& p);
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
  std::optional<protocol::FeedItem> pending_;  // newest item that did not fit in the queue
  bool status_dirty_ = true;
  bool pushed_ = false;
  bool ever_connected_ = false;
  Clock::time_point last_publish_{}, last_refresh_{}, last_command_{}, retry_at_{}, last_event_{};
  std::mt19937 rng_;
  TimeUs last_receive_ = 0;
  std::string last_loss_reason_;  // why the previous connection ended
  std::uint64_t connections_ = 0;
};

}  // namespace strokeviz::sync
