// publisher: the C++ StateManager (see publisher.hpp for the writes and their order).
#include "tools/publisher.hpp"

#include <unistd.h>

#include <hiredis/hiredis.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <climits>
#include <utility>
#include <vector>

#include "protocol/codec.hpp"

namespace strokeviz::tools {
using namespace protocol;

// ---- pure helpers -------------------------------------------------------------

std::string make_session_id(std::string_view node_id, std::int64_t unix_seconds) {
  std::string id = "stroke_";
  id += node_id;
  id += '_';
  id += std::to_string(unix_seconds);
  return id;
}

std::string local_node_id() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name) != 0 || name[0] == '\0') return "localhost";
  name[HOST_NAME_MAX] = '\0';
  return name;
}

namespace {

using Json = nlohmann::ordered_json;
constexpr int kMaxJsonDepth = 64;

// Deepest bracket nesting outside strings; stops counting past `limit`.
int json_depth(std::string_view s, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : s) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

void write_python(std::string& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : j.items()) {
        if (!first) out += ", ";
        first = false;
        append_json_string(out, k);
        out += ": ";
        write_python(out, v);
      }
      out += '}';
      break;
    }
    case Json::value_t::array: {
      out += '[';
      for (std::size_t i = 0; i < j.size(); ++i) {
        if (i) out += ", ";
        write_python(out, j[i]);
      }
      out += ']';
      break;
    }
    case Json::value_t::string: append_json_string(out, j.get_ref<const std::string&>()); break;
    default: out += j.dump(); break;  // null, bool, numbers
  }
}

Expected<Json> parse_object(std::string_view json, std::string_view what) {
  if (json_depth(json, kMaxJsonDepth) > kMaxJsonDepth)
    return Error{std::string(what), 0, "nested deeper than " + std::to_string(kMaxJsonDepth)};
  Json j = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error{std::string(what), 0, "not valid JSON"};
  if (!j.is_object()) return Error{std::string(what), 0, "not a JSON object"};
  return j;
}

}  // namespace

Expected<std::string> python_json_object(std::string_view json) {
  auto j = parse_object(json, "python_json_object()");
  if (!j) return j.error();
  std::string out;
  write_python(out, *j);
  return out;
}

std::string trim_fraction(std::string_view t) {
  const std::size_t dot = t.find('.');
  if (dot == std::string_view::npos) return std::string(t);
  std::size_t end = dot + 1;
  while (end < t.size() && t[end] >= '0' && t[end] <= '9') ++end;
  std::size_t last = end;
  while (last > dot + 1 && t[last - 1] == '0') --last;
  std::string out(t.substr(0, last == dot + 1 ? dot : last));
  out += t.substr(end);
  return out;
}

Expected<std::string> pydantic_json_object(std::string_view json) {
  auto j = parse_object(json, "pydantic_json_object()");
  if (!j) return j.error();
  for (const char* key : {"timestamp", "last_heartbeat"}) {
    auto it = j->find(key);
    if (it != j->end() && it->is_string()) *it = trim_fraction(it->get_ref<const std::string&>());
  }
  return j->dump(-1, ' ', /*ensure_ascii=*/false, Json::error_handler_t::replace);
}

std::string tool_progress_json(double progress, std::string_view message) {
  Json j = Json::object();
  j["type"] = "progress_update";
  j["node_id"] = "";
  j["progress"] = progress;
  j["message"] = std::string(message);
  j["stroke_idx"] = 0;
  j["total_strokes"] = 0;
  std::string out;
  write_python(out, j);
  return out;
}

Expected<std::string> stamp_event(std::string_view json, std::string_view node_id, TimeUs now) {
  auto j = parse_object(json, "publish_event()");
  if (!j) return j.error();
  (*j)["node_id"] = std::string(node_id);
  (*j)["timestamp"] = format_timestamp(now);
  std::string out;
  write_python(out, *j);
  return out;
}

// ---- the connection -------------------------------------------------------------

namespace {

struct ContextDeleter {
  void operator()(redisContext* c) const { if (c) redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
struct ReplyDeleter {
  void operator()(redisReply* r) const { if (r) freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;
using Command = std::vector<std::string>;
using Replies = std::vector<ReplyPtr>;

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// "HSET stroke:progress:x": a command named for messages (never its values:
// AUTH's would be the password).
std::string command_name(const Command& c) {
  if (c.empty()) return "(empty)";
  if (c.size() == 1 || c[0] == "AUTH") return c[0];
  return c[0] + " " + c[1];
}

// A hash value (progress, state, health) as the robot's pydantic writes it.
// The writers in protocol/ always give an object, so the fallback is unused.
std::string hash_json(const std::string& python_style) {
  auto j = pydantic_json_object(python_style);
  return j ? std::move(*j) : python_style;
}

std::string reply_text(const redisReply* r) {
  return r && r->str ? std::string(r->str, r->len) : std::string();
}

}  // namespace

struct StateManager::Impl {
  sync::RedisConfig config;
  StateManagerOptions options;
  std::string node;
  std::string session;
  std::optional<StrokeProgress> last_progress;  // what this object wrote last
  ContextPtr ctx;
  std::uint64_t round_trips = 0;

  std::string address() const {
    const bool v6 = config.host.find(':') != std::string::npos;
    return (v6 ? "[" + config.host + "]" : config.host) + ":" + std::to_string(config.port);
  }
  Error error(std::string message) const { return Error{"redis " + address(), 0, std::move(message)}; }

  // An I/O failure: the context is unusable; the next call reconnects.
  Error drop(const std::string& what) {
    std::string why = ctx && ctx->errstr[0] ? ctx->errstr : "connection lost";
    if (ctx && ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
      why = "timed out";
    ctx.reset();
    return error(what + ": " + why);
  }

  Expected<bool> connect() {
    if (ctx) return true;
    ContextPtr c(redisConnectWithTimeout(config.host.c_str(), config.port,
                                         to_timeval(options.connect_timeout)));
    if (!c) return error("connect: out of memory");
    if (c->err) return error(std::string("connect: ") + c->errstr);
    if (redisSetTimeout(c.get(), to_timeval(options.command_timeout)) != REDIS_OK)
      return error("connect: cannot set the command timeout");
    ctx = std::move(c);
    if (!config.password.empty()) {
      Command auth{"AUTH"};
      if (!config.user.empty()) auth.push_back(config.user);
      auth.push_back(config.password);
      auto r = run({std::move(auth)});
      if (!r) { ctx.reset(); return r.error(); }
    }
    if (config.db != 0) {
      auto r = run({{"SELECT", std::to_string(config.db)}});
      if (!r) { ctx.reset(); return r.error(); }
    }
    return true;
  }

  // Sends all commands in one write, then reads every reply (one round trip).
  // Redis runs one connection's commands in the order sent. An error reply
  // fails the batch (after all replies are read; the commands before and
  // after it have run); an I/O error drops the connection.
  Expected<Replies> run(const std::vector<Command>& commands) {
    if (auto c = connect(); !c) return c.error();
    for (const Command& cmd : commands) {
      std::vector<const char*> argv;
      std::vector<size_t> argvlen;
      for (const std::string& a : cmd) {
        argv.push_back(a.data());
        argvlen.push_back(a.size());
      }
      if (redisAppendCommandArgv(ctx.get(), static_cast<int>(argv.size()), argv.data(),
                                 argvlen.data()) != REDIS_OK)
        return drop(command_name(cmd));
    }
    Replies replies;
    for (const Command& cmd : commands) {
      void* raw = nullptr;
      if (redisGetReply(ctx.get(), &raw) != REDIS_OK || raw == nullptr) return drop(command_name(cmd));
      replies.emplace_back(static_cast<redisReply*>(raw));
    }
    ++round_trips;
    for (std::size_t i = 0; i < commands.size(); ++i)
      if (replies[i]->type == REDIS_REPLY_ERROR)
        return error(command_name(commands[i]) + ": " + reply_text(replies[i].get()));
    return replies;
  }

  // HGET the progress hash: the parsed progress, nullopt when absent.
  Expected<std::optional<StrokeProgress>> read_progress(const std::string& key) {
    auto r = run({{"HGET", key, "progress"}});
    if (!r) return r.error();
    const redisReply* reply = (*r)[0].get();
    if (reply->type == REDIS_REPLY_NIL) return std::optional<StrokeProgress>();
    if (reply->type != REDIS_REPLY_STRING) return error("HGET " + key + ": not a string reply");
    auto p = parse_progress(reply_text(reply), key);
    if (!p) return p.error();
    return std::optional<StrokeProgress>(std::move(*p));
  }
};

StateManager::StateManager(sync::RedisConfig config, StateManagerOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = std::move(config);
  impl_->options = std::move(options);
  impl_->node = impl_->options.node_id.empty() ? local_node_id() : impl_->options.node_id;
}
StateManager::~StateManager() = default;
StateManager::StateManager(StateManager&&) noexcept = default;
StateManager& StateManager::operator=(StateManager&&) noexcept = default;

const std::string& StateManager::node_id() const { return impl_->node; }
const std::string& StateManager::session_id() const { return impl_->session; }
std::string StateManager::address() const { return impl_->address(); }
Expected<bool> StateManager::connect() { return impl_->connect(); }
bool StateManager::connected() const { return impl_->ctx != nullptr; }
void StateManager::disconnect() { impl_->ctx.reset(); }
std::uint64_t StateManager::round_trips() const { return impl_->round_trips; }

// ---- stroke sessions --------------------------------------------------------------

Expected<std::string> StateManager::start_stroke_session(std::int64_t total_strokes,
                                                         std::int64_t stroke_length,
                                                         std::string_view scene_name,
                                                         std::optional<std::string> dataset_name) {
  if (total_strokes < 0 || stroke_length < 0)
    return impl_->error("start_stroke_session(): total_strokes and stroke_length must be >= 0");
  const TimeUs now = now_us();
  const std::string id =
      make_session_id(impl_->node, now / 1'000'000 + impl_->options.session_id_offset_s);

  StrokeProgress p;
  p.time_us = now;
  p.node_id = impl_->node;
  p.total_strokes = total_strokes;
  p.stroke_length = stroke_length;
  p.is_executing = true;
  p.scene_name = std::string(scene_name);
  p.dataset_name = std::move(dataset_name);

  SessionStart ev;
  ev.header.node_id = impl_->node;
  ev.header.time_us = now_us();  // a second clock read, as the robot's
  ev.session_id = id;
  ev.total_strokes = total_strokes;
  ev.scene_name = std::string(scene_name);

  auto r = impl_->run({{"HSET", std::string(kProgressKeyPrefix) + id, "progress", hash_json(to_json(p))},
                       {"PUBLISH", std::string(kChannelSession), to_json(Event(ev))}});
  if (!r) return r.error();
  impl_->session = id;
  impl_->last_progress = std::move(p);
  return id;
}

Expected<bool> StateManager::update_stroke_progress(std::int64_t stroke_idx, std::int64_t pose_idx,
                                                    std::string_view description_l,
                                                    std::string_view description_r,
                                                    std::int64_t offset_idx_l,
                                                    std::int64_t offset_idx_r,
                                                    std::optional<bool> is_executing,
                                                    std::optional<bool> is_paused) {
  if (impl_->session.empty())
    return impl_->error("update_stroke_progress(): no active stroke session; "
                        "call start_stroke_session() first");
  if (stroke_idx < 0 || pose_idx < 0 || offset_idx_l < 0 || offset_idx_r < 0)
    return impl_->error("update_stroke_progress(): indices must be >= 0");
  const std::string& id = impl_->session;
  const std::string key = std::string(kProgressKeyPrefix) + id;

  // 1. HGET the progress hash.
  auto current = impl_->read_progress(key);
  if (!current) return current.error();
  if (!*current) {
    if (!impl_->options.recreate_missing_session || !impl_->last_progress)
      return impl_->error("update_stroke_progress(): stroke session " + id + " not found (" + key +
                          " has no progress)");
    *current = impl_->last_progress;  // rebuilt by the HSET below
  }
  StrokeProgress p = std::move(**current);
  if (stroke_idx >= p.total_strokes || pose_idx >= p.stroke_length)
    return impl_->error("update_stroke_progress(): stroke " + std::to_string(stroke_idx) + " pose " +
                        std::to_string(pose_idx) + " out of range (" +
                        std::to_string(p.total_strokes) + " strokes x " +
                        std::to_string(p.stroke_length) + " poses)");
  const TimeUs now = now_us();
  p.time_us = now;
  p.stroke_idx = stroke_idx;
  p.pose_idx = pose_idx;
  p.stroke_description_l = std::string(description_l);
  p.stroke_description_r = std::string(description_r);
  p.offset_idx_l = offset_idx_l;
  p.offset_idx_r = offset_idx_r;
  if (is_executing) p.is_executing = *is_executing;
  if (is_paused) p.is_paused = *is_paused;

  ProgressUpdate ev;
  ev.header.node_id = impl_->node;
  ev.header.time_us = now_us();  // a second clock read, as the robot's
  ev.session_id = id;
  ev.stroke_idx = stroke_idx;
  ev.pose_idx = pose_idx;
  ev.total_strokes = p.total_strokes;
  ev.stroke_length = p.stroke_length;
  ev.description_l = std::string(description_l);
  ev.description_r = std::string(description_r);

  // 2.-4. HSET, XADD, PUBLISH: one round trip, run by Redis in this order.
  Command xadd{"XADD", std::string(kHistoryKeyPrefix) + id, "MAXLEN", "~",
               std::to_string(kStrokeHistoryMaxLen), "*"};
  for (auto& [field, value] : to_stream_fields(ev)) {
    xadd.push_back(std::move(field));
    xadd.push_back(std::move(value));
  }
  auto r = impl_->run({{"HSET", key, "progress", hash_json(to_json(p))},
                       std::move(xadd),
                       {"PUBLISH", std::string(kChannelProgress), to_json(Event(ev))}});
  if (!r) return r.error();
  impl_->last_progress = std::move(p);
  return true;
}

Expected<bool> StateManager::end_stroke_session(std::string_view session) {
  const std::string id = session.empty() ? impl_->session : std::string(session);
  if (id.empty()) return true;  // nothing to end (Python returns quietly)
  const std::string key = std::string(kProgressKeyPrefix) + id;
  auto current = impl_->read_progress(key);
  if (!current) return current.error();
  const bool ours = id == impl_->session;
  if (!*current && impl_->options.recreate_missing_session && ours && impl_->last_progress)
    *current = impl_->last_progress;

  const TimeUs now = now_us();
  SessionEnd ev;
  ev.header.node_id = impl_->node;
  ev.header.time_us = now;
  ev.session_id = id;
  std::vector<Command> commands;
  if (*current) {
    StrokeProgress& p = **current;
    p.is_executing = false;
    p.time_us = now;
    commands.push_back({"HSET", key, "progress", hash_json(to_json(p))});
  }
  commands.push_back({"PUBLISH", std::string(kChannelSession), to_json(Event(ev))});
  auto r = impl_->run(commands);
  if (!r) return r.error();
  if (ours) {
    impl_->session.clear();
    impl_->last_progress.reset();
  }
  return true;
}

// ---- robot state, node health, errors, free events ------------------------------------

namespace {
// The robot's two HSETs: `state`, then `last_updated` (a Python isoformat time).
std::vector<Command> robot_state_hsets(const std::string& key, RobotState& state,
                                       const std::string& node, TimeUs now) {
  if (state.node_id.empty()) state.node_id = node;
  if (state.time_us == 0) state.time_us = now;
  return {{"HSET", key, "state", hash_json(to_json(state))},
          {"HSET", key, "last_updated", format_timestamp(now)}};
}
}  // namespace

Expected<bool> StateManager::update_robot_state(RobotState state) {
  const std::string key = std::string(kRobotStateKeyPrefix) + impl_->node;
  std::vector<Command> commands = robot_state_hsets(key, state, impl_->node, now_us());
  RobotStateUpdate ev;
  ev.header.node_id = impl_->node;
  ev.header.time_us = now_us();
  ev.is_connected_l = state.is_connected_l;
  ev.is_connected_r = state.is_connected_r;
  ev.current_pose = state.current_pose;
  commands.push_back({"PUBLISH", std::string(kChannelRobot), to_json(Event(ev))});
  auto r = impl_->run(commands);
  if (!r) return r.error();
  return true;
}

Expected<bool> StateManager::write_robot_state(RobotState state) {
  const std::string key = std::string(kRobotStateKeyPrefix) + impl_->node;
  auto r = impl_->run(robot_state_hsets(key, state, impl_->node, now_us()));
  if (!r) return r.error();
  return true;
}

Expected<bool> StateManager::update_node_health(std::optional<NodeHealth> health) {
  const TimeUs now = now_us();
  NodeHealth h;
  if (health) {
    h = std::move(*health);
  } else {  // Python: NodeHealth(node_id=...), is_reachable = await redis.ping()
    auto ping = impl_->run({{"PING"}});
    h.is_reachable = ping.ok();
  }
  if (h.node_id.empty()) h.node_id = impl_->node;
  if (h.time_us == 0) h.time_us = now;
  if (h.last_heartbeat_us == 0) h.last_heartbeat_us = now_us();  // a second clock read
  const std::string key = std::string(kNodeHealthKeyPrefix) + impl_->node;
  auto r = impl_->run({{"HSET", key, "health", hash_json(to_json(h))},
                       {"EXPIRE", key, std::to_string(kNodeHealthTtlS)}});
  if (!r) return r.error();
  return true;
}

Expected<bool> StateManager::report_error(std::string_view category, std::string_view message,
                                          std::string_view details_json) {
  if (category.empty()) return impl_->error("report_error(): empty category");
  ErrorEvent ev;
  ev.header.node_id = impl_->node;
  ev.header.time_us = now_us();
  ev.category = std::string(category);
  ev.payload_category = ev.category;
  ev.message = std::string(message);
  if (details_json.empty()) {
    ev.details_json = "{}";
  } else {
    auto details = python_json_object(details_json);
    if (!details) return impl_->error("report_error(): details: " + details.error().message);
    ev.details_json = std::move(*details);
  }
  const Event e(std::move(ev));
  auto r = impl_->run({{"PUBLISH", channel_of(e), to_json(e)}});
  if (!r) return r.error();
  return true;
}

Expected<bool> StateManager::publish_tool_progress(double progress, std::string_view message) {
  return publish_event(kChannelProgress, tool_progress_json(progress, message));
}

Expected<bool> StateManager::publish_event(std::string_view channel, std::string_view json_object) {
  if (channel.empty()) return impl_->error("publish_event(): empty channel");
  auto payload = stamp_event(json_object, impl_->node, now_us());
  if (!payload) return impl_->error("publish_event(" + std::string(channel) + "): " +
                                    payload.error().message);
  auto r = impl_->run({{"PUBLISH", std::string(channel), std::move(*payload)}});
  if (!r) return r.error();
  return true;
}

}  // namespace strokeviz::tools
