// SAX-based parsers and Python-compatible writers for the tatbot payloads.
//
// Sections: 1. SAX field collector  2. typed field reader  3. live events
//           4. snapshots and stream entries  5. writers
#include "protocol/codec.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <exception>
#include <span>

#include <nlohmann/json.hpp>

namespace strokeviz::protocol {
namespace {

using json = nlohmann::json;

// ============================================================================
// 1. SAX field collector: keeps the top-level fields named in a spec.
// ============================================================================

enum class Kind : std::uint8_t { Absent, Null, Bool, Int, BigInt, Float, String, Object, Array };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Absent: return "nothing";
    case Kind::Null: return "null";
    case Kind::Bool: return "boolean";
    case Kind::Int:
    case Kind::BigInt: return "integer";
    case Kind::Float: return "float";
    case Kind::String: return "string";
    case Kind::Object: return "object";
    case Kind::Array: return "array";
  }
  return "?";
}

// Scalar: keep a scalar value (containers only record their kind).
// Array7: also collect up to 7 numbers of an array value.
// Raw: re-serialize the whole value as JSON text.
enum class Mode : std::uint8_t { Scalar, Array7, Raw };

struct FieldSpec {
  std::string_view name;
  Mode mode = Mode::Scalar;
};

struct Slot {
  Kind kind = Kind::Absent;
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;         // string value, or the Raw text
  ArmJoints arr{};       // Array7 values
  int arr_n = 0;         // Array7 element count
  Kind arr_bad = Kind::Absent;  // first non-number element of an Array7 value
};

constexpr std::size_t kMaxFields = 16;
constexpr std::size_t kMaxMessage = 300;

std::string clip(std::string s) {
  if (s.size() > kMaxMessage) {
    s.resize(kMaxMessage);
    s += "...";
  }
  return s;
}

// The SAX handler. Tracks depth with a counter (nlohmann's SAX parser is
// itself iterative), refuses depth > kMaxDepth and a non-object root.
class Collector {
 public:
  explicit Collector(std::span<const FieldSpec> spec) : spec_(spec) {}

  const Slot& slot(std::size_t f) const { return slots_[f]; }
  Slot& slot(std::size_t f) { return slots_[f]; }
  const std::string& error() const { return error_; }

  // --- nlohmann SAX interface ---
  bool null() {
    return scalar(Kind::Null, [](Slot&) {}, [](std::string& o) { o += "null"; });
  }
  bool boolean(bool v) {
    return scalar(Kind::Bool, [v](Slot& s) { s.b = v; },
                  [v](std::string& o) { o += v ? "true" : "false"; });
  }
  bool number_integer(json::number_integer_t v) {
    if (depth_ == 2 && array_ != nullptr) return array_number(static_cast<double>(v));
    return scalar(Kind::Int, [v](Slot& s) { s.i = v; },
                  [v](std::string& o) { o += std::to_string(v); });
  }
  bool number_unsigned(json::number_unsigned_t v) {
    if (depth_ == 2 && array_ != nullptr) return array_number(static_cast<double>(v));
    const bool big = v > static_cast<json::number_unsigned_t>(INT64_MAX);
    return scalar(big ? Kind::BigInt : Kind::Int,
                  [v](Slot& s) { s.i = static_cast<std::int64_t>(v); },
                  [v](std::string& o) { o += std::to_string(v); });
  }
  bool number_float(json::number_float_t v, const json::string_t& text) {
    if (depth_ == 2 && array_ != nullptr) return array_number(v);
    return scalar(Kind::Float, [v](Slot& s) { s.d = v; }, [&text](std::string& o) { o += text; });
  }
  bool string(json::string_t& v) {
    return scalar(Kind::String, [&v](Slot& s) { s.s = std::move(v); },
                  [&v](std::string& o) { append_json_string(o, v); });
  }
  bool binary(json::binary_t&) { return fail("unexpected binary value"); }

  bool start_object(std::size_t) { return open(Kind::Object, '{'); }
  bool end_object() { return close('}'); }
  bool start_array(std::size_t) { return open(Kind::Array, '['); }
  bool end_array() { return close(']'); }

  bool key(json::string_t& k) {
    if (depth_ == 1) {
      cur_ = lookup(k);
      return true;
    }
    if (raw_ != nullptr) {
      raw_sep();
      append_json_string(raw_->s, k);
      raw_->s += ": ";
      after_key_ = true;
    }
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    if (auto p = what.find("] "); what.rfind("[json.exception", 0) == 0 && p != std::string::npos)
      what.erase(0, p + 2);
    error_ = clip("not valid JSON: " + what);
    return false;
  }

 private:
  int lookup(std::string_view k) const {
    for (std::size_t f = 0; f < spec_.size(); ++f)
      if (spec_[f].name == k) return static_cast<int>(f);
    return -1;
  }

  bool fail(std::string msg) {
    error_ = clip(std::move(msg));
    return false;
  }

  // A scalar value: store it (depth 1), count it (Array7) or serialize it (Raw).
  template <class Store, class Write>
  bool scalar(Kind kind, Store store, Write write) {
    if (depth_ == 0) return fail(std::string("expected a JSON object, got ") + kind_name(kind));
    if (depth_ == 1) {
      if (cur_ >= 0) {
        Slot& s = slots_[static_cast<std::size_t>(cur_)];
        s.kind = kind;
        if (spec_[static_cast<std::size_t>(cur_)].mode == Mode::Raw) {
          s.s.clear();
          write(s.s);
        } else {
          store(s);
        }
        cur_ = -1;
      }
      return true;
    }
    if (depth_ == 2 && array_ != nullptr && array_->arr_bad == Kind::Absent) array_->arr_bad = kind;
    if (raw_ != nullptr) {
      raw_sep();
      write(raw_->s);
    }
    return true;
  }

  bool array_number(double v) {
    if (array_->arr_n < 7) array_->arr[static_cast<std::size_t>(array_->arr_n)] = v;
    ++array_->arr_n;
    if (raw_ != nullptr) {  // cannot happen (Array7 and Raw are distinct modes)
      raw_sep();
      raw_->s += std::to_string(v);
    }
    return true;
  }

  bool open(Kind kind, char bracket) {
    if (depth_ == 0) {
      if (kind != Kind::Object) return fail("expected a JSON object, got array");
      depth_ = 1;
      return true;
    }
    if (depth_ >= kMaxDepth)
      return fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    if (depth_ == 1 && cur_ >= 0) {  // a container as a field's value
      const auto f = static_cast<std::size_t>(cur_);
      Slot& s = slots_[f];
      s.kind = kind;
      if (spec_[f].mode == Mode::Raw) {
        raw_ = &s;
        s.s.clear();
        s.s += bracket;
      } else if (spec_[f].mode == Mode::Array7 && kind == Kind::Array) {
        array_ = &s;
        s.arr_n = 0;
        s.arr_bad = Kind::Absent;
      }
      cur_ = -1;
    } else {
      if (depth_ == 2 && array_ != nullptr && array_->arr_bad == Kind::Absent) array_->arr_bad = kind;
      if (raw_ != nullptr) {
        raw_sep();
        raw_->s += bracket;
      }
    }
    ++depth_;
    first_[static_cast<std::size_t>(depth_)] = true;
    return true;
  }

  bool close(char bracket) {
    --depth_;
    if (raw_ != nullptr) {
      raw_->s += bracket;
      if (depth_ == 1) raw_ = nullptr;
    }
    if (depth_ == 1) array_ = nullptr;
    return true;
  }

  // Separator before an element inside a Raw capture.
  void raw_sep() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    auto& first = first_[static_cast<std::size_t>(depth_)];
    if (!first) raw_->s += ", ";
    first = false;
  }

  std::span<const FieldSpec> spec_;
  std::array<Slot, kMaxFields> slots_{};
  std::array<bool, kMaxDepth + 2> first_{};
  int depth_ = 0;
  int cur_ = -1;             // field of the next value at depth 1, -1: ignored
  Slot* raw_ = nullptr;      // Raw capture in progress
  Slot* array_ = nullptr;    // Array7 collection in progress
  bool after_key_ = false;   // Raw: a key was just written
  std::string error_;
};

// Runs the collector over `payload`; false with collector.error() on failure.
bool collect(std::string_view payload, Collector& c, std::string& error) {
  if (payload.size() > kMaxPayloadBytes) {
    error = "payload of " + std::to_string(payload.size()) + " bytes exceeds the limit of " +
            std::to_string(kMaxPayloadBytes);
    return false;
  }
  try {
    if (json::sax_parse(payload.data(), payload.data() + payload.size(), &c)) return true;
    error = c.error().empty() ? std::string("not valid JSON") : c.error();
  } catch (const std::exception& ex) {
    error = clip(std::string("not valid JSON: ") + ex.what());
  }
  return false;
}

// ============================================================================
// 2. Typed field reader: the first failure wins and names the field.
// ============================================================================

class Reader {
 public:
  Reader(std::string_view where, std::span<const FieldSpec> spec, Collector& c)
      : where_(where), spec_(spec), c_(c) {}

  bool failed() const { return failed_; }
  Error error() const { return Error{std::string(where_), 0, message_}; }

  void fail(std::size_t f, const std::string& why) {
    if (failed_) return;
    failed_ = true;
    message_ = clip("field '" + std::string(spec_[f].name) + "': " + why);
  }

  bool present(std::size_t f) const { return c_.slot(f).kind != Kind::Absent; }

  // Strings are moved out of the collector: read each field once.
  std::string str(std::size_t f) {
    Slot& s = c_.slot(f);
    if (s.kind != Kind::String) return mismatch(f, "string", s.kind), std::string();
    return std::move(s.s);
  }
  std::optional<std::string> opt_str(std::size_t f) {
    Slot& s = c_.slot(f);
    if (s.kind == Kind::Null) return std::nullopt;
    if (s.kind != Kind::String) return mismatch(f, "string or null", s.kind), std::nullopt;
    return std::move(s.s);
  }
  std::int64_t integer(std::size_t f) {
    const Slot& s = c_.slot(f);
    if (s.kind == Kind::BigInt) return fail(f, "integer out of range"), 0;
    if (s.kind != Kind::Int) return mismatch(f, "integer", s.kind), 0;
    return s.i;
  }
  std::optional<std::int64_t> opt_integer(std::size_t f) {
    if (c_.slot(f).kind == Kind::Null) return std::nullopt;
    if (c_.slot(f).kind == Kind::Absent) return mismatch(f, "integer or null", Kind::Absent), 0;
    return integer(f);
  }
  // Non-negative integer.
  std::int64_t index(std::size_t f) {
    const std::int64_t v = integer(f);
    if (!failed_ && v < 0) fail(f, std::to_string(v) + " is negative");
    return v;
  }
  // 0 <= value < bound (the bound field named in the message).
  void check_below(std::size_t f, std::int64_t v, std::size_t bound_f, std::int64_t bound) {
    if (!failed_ && v >= bound)
      fail(f, std::to_string(v) + " out of range [0, " + std::to_string(bound) + ") given " +
                  std::string(spec_[bound_f].name));
  }
  double number(std::size_t f) {
    const Slot& s = c_.slot(f);
    if (s.kind == Kind::Float) return s.d;
    if (s.kind == Kind::Int) return static_cast<double>(s.i);
    if (s.kind == Kind::BigInt) return static_cast<double>(static_cast<std::uint64_t>(s.i));
    return mismatch(f, "number", s.kind), 0.0;
  }
  std::optional<double> opt_number(std::size_t f) {
    if (c_.slot(f).kind == Kind::Null) return std::nullopt;
    if (c_.slot(f).kind == Kind::Absent) return mismatch(f, "number or null", Kind::Absent), 0.0;
    return number(f);
  }
  bool boolean(std::size_t f) {
    const Slot& s = c_.slot(f);
    if (s.kind != Kind::Bool) return mismatch(f, "boolean", s.kind), false;
    return s.b;
  }
  std::optional<ArmJoints> opt_joints(std::size_t f) {
    const Slot& s = c_.slot(f);
    if (s.kind == Kind::Null) return std::nullopt;
    if (s.kind != Kind::Array) return mismatch(f, "array of 7 numbers or null", s.kind), std::nullopt;
    if (s.arr_bad != Kind::Absent)
      return fail(f, std::string("expected array of 7 numbers, found a ") + kind_name(s.arr_bad) +
                         " element"),
             std::nullopt;
    if (s.arr_n != 7)
      return fail(f, "expected array of 7 numbers, got " + std::to_string(s.arr_n)), std::nullopt;
    for (double v : s.arr)
      if (!std::isfinite(v)) return fail(f, "not a finite number"), std::nullopt;
    return s.arr;
  }
  // An ISO timestamp string: the text goes to `text`, the parsed time is returned.
  TimeUs time(std::size_t f, std::string& text) {
    text = str(f);
    if (failed_) return 0;
    auto t = parse_timestamp(text);
    if (!t) return fail(f, t.error().message), 0;
    return *t;
  }

 private:
  void mismatch(std::size_t f, const char* expected, Kind got) {
    if (got == Kind::Absent)
      fail(f, "missing");
    else
      fail(f, std::string("expected ") + expected + ", got " + kind_name(got));
  }

  std::string_view where_;
  std::span<const FieldSpec> spec_;
  Collector& c_;
  bool failed_ = false;
  std::string message_;
};

// ============================================================================
// 3. Live events. Every event spec starts with type, node_id, timestamp.
// ============================================================================

enum : std::size_t { kType = 0, kNodeId = 1, kTimestamp = 2 };

constexpr FieldSpec kSessionSpec[] = {
    {"type"}, {"node_id"}, {"timestamp"}, {"session_id"}, {"total_strokes"}, {"scene_name"}};
enum : std::size_t { kSsSessionId = 3, kSsTotalStrokes, kSsSceneName };

constexpr FieldSpec kProgressSpec[] = {
    {"type"},       {"node_id"},       {"timestamp"},     {"session_id"},    {"stroke_idx"},
    {"pose_idx"},   {"total_strokes"}, {"stroke_length"}, {"description_l"}, {"description_r"}};
enum : std::size_t {
  kPuSessionId = 3, kPuStrokeIdx, kPuPoseIdx, kPuTotalStrokes, kPuStrokeLength, kPuDescL, kPuDescR
};

constexpr FieldSpec kRobotSpec[] = {{"type"},           {"node_id"},        {"timestamp"},
                                    {"is_connected_l"}, {"is_connected_r"}, {"current_pose"}};
enum : std::size_t { kRsConnL = 3, kRsConnR, kRsPose };

constexpr FieldSpec kErrorSpec[] = {{"type"},    {"node_id"}, {"timestamp"},
                                    {"category"}, {"message"}, {"details", Mode::Raw}};
enum : std::size_t { kErCategory = 3, kErMessage, kErDetails };

constexpr FieldSpec kNodeSpec[] = {{"type"}, {"node_id"}, {"timestamp"}};

EventHeader read_header(Reader& r, std::string_view channel, TimeUs received_us) {
  EventHeader h;
  h.channel = std::string(channel);
  h.node_id = r.str(kNodeId);
  h.time_us = r.time(kTimestamp, h.timestamp);
  h.received_us = received_us;
  return h;
}

Expected<Event> session_event(Reader& r, std::string_view channel, TimeUs recv) {
  const std::string type = r.str(kType);
  if (r.failed()) return r.error();
  if (type == "session_start") {
    SessionStart e;
    e.header = read_header(r, channel, recv);
    e.session_id = r.str(kSsSessionId);
    e.total_strokes = r.index(kSsTotalStrokes);
    e.scene_name = r.str(kSsSceneName);
    if (r.failed()) return r.error();
    return Event{std::move(e)};
  }
  if (type == "session_end") {
    SessionEnd e;
    e.header = read_header(r, channel, recv);
    e.session_id = r.str(kSsSessionId);
    if (r.failed()) return r.error();
    return Event{std::move(e)};
  }
  r.fail(kType, "unknown type '" + type + "' on this channel");
  return r.error();
}

Expected<Event> progress_event(Reader& r, std::string_view channel, TimeUs recv) {
  const std::string type = r.str(kType);
  if (!r.failed() && type != "progress_update")
    r.fail(kType, "unknown type '" + type + "' on this channel");
  if (r.failed()) return r.error();
  ProgressUpdate e;
  e.header = read_header(r, channel, recv);
  e.session_id = r.str(kPuSessionId);
  e.stroke_idx = r.index(kPuStrokeIdx);
  e.pose_idx = r.index(kPuPoseIdx);
  e.total_strokes = r.index(kPuTotalStrokes);
  e.stroke_length = r.index(kPuStrokeLength);
  r.check_below(kPuStrokeIdx, e.stroke_idx, kPuTotalStrokes, e.total_strokes);
  r.check_below(kPuPoseIdx, e.pose_idx, kPuStrokeLength, e.stroke_length);
  e.description_l = r.str(kPuDescL);
  e.description_r = r.str(kPuDescR);
  if (r.failed()) return r.error();
  return Event{std::move(e)};
}

Expected<Event> robot_event(Reader& r, std::string_view channel, TimeUs recv) {
  const std::string type = r.str(kType);
  if (!r.failed() && type != "state_update")
    r.fail(kType, "unknown type '" + type + "' on this channel");
  if (r.failed()) return r.error();
  RobotStateUpdate e;
  e.header = read_header(r, channel, recv);
  e.is_connected_l = r.boolean(kRsConnL);
  e.is_connected_r = r.boolean(kRsConnR);
  e.current_pose = r.str(kRsPose);
  if (r.failed()) return r.error();
  return Event{std::move(e)};
}

Expected<Event> error_event(Reader& r, const Collector& c, std::string_view channel,
                            TimeUs recv) {
  const std::string type = r.str(kType);
  if (!r.failed() && type != "error") r.fail(kType, "unknown type '" + type + "' on this channel");
  if (r.failed()) return r.error();
  ErrorEvent e;
  e.header = read_header(r, channel, recv);
  e.category = std::string(channel.substr(kChannelErrorPrefix.size()));
  e.payload_category = r.str(kErCategory);
  e.message = r.str(kErMessage);
  if (r.present(kErDetails)) e.details_json = c.slot(kErDetails).s;
  if (r.failed()) return r.error();
  return Event{std::move(e)};
}

Event node_event(const Collector& c, std::string_view channel, std::string_view payload,
                 TimeUs recv) {
  NodeEvent e;
  e.header.channel = std::string(channel);
  e.header.received_us = recv;
  e.channel_node_id = std::string(channel.substr(kChannelNodePrefix.size()));
  if (c.slot(kType).kind == Kind::String) e.type = c.slot(kType).s;
  if (c.slot(kNodeId).kind == Kind::String) e.header.node_id = c.slot(kNodeId).s;
  if (c.slot(kTimestamp).kind == Kind::String) {
    e.header.timestamp = c.slot(kTimestamp).s;
    if (auto t = parse_timestamp(e.header.timestamp)) e.header.time_us = *t;
  }
  e.raw = std::string(payload);
  return Event{std::move(e)};
}

bool has_suffix_after(std::string_view channel, std::string_view prefix) {
  return channel.size() > prefix.size() && channel.substr(0, prefix.size()) == prefix;
}

// ============================================================================
// 4. Snapshots and stream entries.
// ============================================================================

constexpr FieldSpec kStrokeProgressSpec[] = {
    {"timestamp"},      {"node_id"},      {"stroke_idx"},           {"pose_idx"},
    {"total_strokes"},  {"stroke_length"}, {"stroke_description_l"}, {"stroke_description_r"},
    {"offset_idx_l"},   {"offset_idx_r"},  {"is_executing"},         {"is_paused"},
    {"scene_name"},     {"dataset_name"}};

constexpr FieldSpec kRobotStateSpec[] = {
    {"timestamp"},      {"node_id"},
    {"is_connected_l"}, {"is_connected_r"},
    {"joints_l", Mode::Array7},     {"joints_r", Mode::Array7},
    {"velocities_l", Mode::Array7}, {"velocities_r", Mode::Array7},
    {"current_pose"},   {"goal_time_slow"},
    {"goal_time_fast"}};

constexpr FieldSpec kNodeHealthSpec[] = {
    {"timestamp"},       {"node_id"},       {"cpu_percent"},        {"memory_percent"},
    {"disk_percent"},    {"gpu_available"}, {"gpu_percent"},        {"gpu_memory_percent"},
    {"is_reachable"},    {"ping_latency_ms"}, {"mcp_server_running"}, {"mcp_port"},
    {"last_heartbeat"}};

template <class T, class Build>
Expected<T> parse_snapshot(std::string_view json_text, std::string_view where,
                           std::span<const FieldSpec> spec, Build build) {
  Collector c(spec);
  std::string error;
  if (!collect(json_text, c, error)) return Error{std::string(where), 0, std::move(error)};
  Reader r(where, spec, c);
  T out = build(r);
  if (r.failed()) return r.error();
  return out;
}

// Non-negative decimal integer string.
bool parse_index_string(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// ============================================================================
// 5. Writers (Python json.dumps layout).
// ============================================================================

void append_number(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
    return;
  }
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, static_cast<std::size_t>(p - buf));
  out += s;
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";  // Python repr: 2.0
}

class ObjectWriter {
 public:
  ObjectWriter() { out_ = "{"; }
  ObjectWriter& str(std::string_view k, std::string_view v) {
    key(k);
    append_json_string(out_, v);
    return *this;
  }
  ObjectWriter& opt_str(std::string_view k, const std::optional<std::string>& v) {
    return v ? str(k, *v) : raw(k, "null");
  }
  ObjectWriter& integer(std::string_view k, std::int64_t v) { return raw(k, std::to_string(v)); }
  ObjectWriter& opt_integer(std::string_view k, const std::optional<std::int64_t>& v) {
    return v ? integer(k, *v) : raw(k, "null");
  }
  ObjectWriter& number(std::string_view k, double v) {
    key(k);
    append_number(out_, v);
    return *this;
  }
  ObjectWriter& opt_number(std::string_view k, const std::optional<double>& v) {
    return v ? number(k, *v) : raw(k, "null");
  }
  ObjectWriter& boolean(std::string_view k, bool v) { return raw(k, v ? "true" : "false"); }
  ObjectWriter& joints(std::string_view k, const std::optional<ArmJoints>& v) {
    if (!v) return raw(k, "null");
    key(k);
    out_ += '[';
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (i) out_ += ", ";
      append_number(out_, (*v)[i]);
    }
    out_ += ']';
    return *this;
  }
  ObjectWriter& time(std::string_view k, TimeUs t) { return str(k, format_timestamp(t)); }
  ObjectWriter& raw(std::string_view k, std::string_view json_text) {
    key(k);
    out_ += json_text;
    return *this;
  }
  std::string done() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  void key(std::string_view k) {
    if (out_.size() > 1) out_ += ", ";
    append_json_string(out_, k);
    out_ += ": ";
  }
  std::string out_;
};

struct EventWriter {
  std::string operator()(const SessionStart& e) const {
    return ObjectWriter()
        .str("type", "session_start")
        .str("session_id", e.session_id)
        .str("node_id", e.header.node_id)
        .integer("total_strokes", e.total_strokes)
        .str("scene_name", e.scene_name)
        .time("timestamp", e.header.time_us)
        .done();
  }
  std::string operator()(const SessionEnd& e) const {
    return ObjectWriter()
        .str("type", "session_end")
        .str("session_id", e.session_id)
        .str("node_id", e.header.node_id)
        .time("timestamp", e.header.time_us)
        .done();
  }
  std::string operator()(const ProgressUpdate& e) const {
    return ObjectWriter()
        .str("type", "progress_update")
        .str("session_id", e.session_id)
        .str("node_id", e.header.node_id)
        .integer("stroke_idx", e.stroke_idx)
        .integer("pose_idx", e.pose_idx)
        .integer("total_strokes", e.total_strokes)
        .integer("stroke_length", e.stroke_length)
        .str("description_l", e.description_l)
        .str("description_r", e.description_r)
        .time("timestamp", e.header.time_us)
        .done();
  }
  std::string operator()(const RobotStateUpdate& e) const {
    return ObjectWriter()
        .str("type", "state_update")
        .str("node_id", e.header.node_id)
        .time("timestamp", e.header.time_us)
        .boolean("is_connected_l", e.is_connected_l)
        .boolean("is_connected_r", e.is_connected_r)
        .str("current_pose", e.current_pose)
        .done();
  }
  std::string operator()(const ErrorEvent& e) const {
    return ObjectWriter()
        .str("type", "error")
        .str("category", e.payload_category.empty() ? e.category : e.payload_category)
        .str("message", e.message)
        .raw("details", e.details_json.empty() ? std::string_view("{}") : e.details_json)
        .str("node_id", e.header.node_id)
        .time("timestamp", e.header.time_us)
        .done();
  }
  std::string operator()(const NodeEvent& e) const { return e.raw; }
};

}  // namespace

// ---- public: events ---------------------------------------------------------

Expected<Event> parse_event(std::string_view channel, std::string_view payload) {
  return parse_event(channel, payload, now_us());
}

Expected<Event> parse_event(std::string_view channel, std::string_view payload,
                            TimeUs received_us) {
  std::span<const FieldSpec> spec;
  if (channel == kChannelSession) spec = kSessionSpec;
  else if (channel == kChannelProgress) spec = kProgressSpec;
  else if (channel == kChannelRobot) spec = kRobotSpec;
  else if (has_suffix_after(channel, kChannelErrorPrefix)) spec = kErrorSpec;
  else if (has_suffix_after(channel, kChannelNodePrefix)) spec = kNodeSpec;
  else return Error{clip(std::string(channel)), 0, "unknown channel"};

  Collector c(spec);
  std::string error;
  if (!collect(payload, c, error)) return Error{std::string(channel), 0, std::move(error)};
  Reader r(channel, spec, c);
  if (channel == kChannelSession) return session_event(r, channel, received_us);
  if (channel == kChannelProgress) return progress_event(r, channel, received_us);
  if (channel == kChannelRobot) return robot_event(r, channel, received_us);
  if (spec.data() == kErrorSpec) return error_event(r, c, channel, received_us);
  return node_event(c, channel, payload, received_us);
}

// ---- public: snapshots --------------------------------------------------------

Expected<StrokeProgress> parse_progress(std::string_view json_text, std::string_view where) {
  return parse_snapshot<StrokeProgress>(json_text, where, kStrokeProgressSpec, [](Reader& r) {
    StrokeProgress p;
    p.time_us = r.time(0, p.timestamp);
    p.node_id = r.str(1);
    p.stroke_idx = r.index(2);
    p.pose_idx = r.index(3);
    p.total_strokes = r.index(4);
    p.stroke_length = r.index(5);
    r.check_below(2, p.stroke_idx, 4, p.total_strokes);
    r.check_below(3, p.pose_idx, 5, p.stroke_length);
    p.stroke_description_l = r.str(6);
    p.stroke_description_r = r.str(7);
    p.offset_idx_l = r.index(8);
    p.offset_idx_r = r.index(9);
    p.is_executing = r.boolean(10);
    p.is_paused = r.boolean(11);
    p.scene_name = r.opt_str(12);
    p.dataset_name = r.opt_str(13);
    return p;
  });
}

Expected<RobotState> parse_robot_state(std::string_view json_text, std::string_view where) {
  return parse_snapshot<RobotState>(json_text, where, kRobotStateSpec, [](Reader& r) {
    RobotState s;
    s.time_us = r.time(0, s.timestamp);
    s.node_id = r.str(1);
    s.is_connected_l = r.boolean(2);
    s.is_connected_r = r.boolean(3);
    s.joints_l = r.opt_joints(4);
    s.joints_r = r.opt_joints(5);
    s.velocities_l = r.opt_joints(6);
    s.velocities_r = r.opt_joints(7);
    s.current_pose = r.str(8);
    s.goal_time_slow = r.number(9);
    s.goal_time_fast = r.number(10);
    return s;
  });
}

Expected<NodeHealth> parse_node_health(std::string_view json_text, std::string_view where) {
  return parse_snapshot<NodeHealth>(json_text, where, kNodeHealthSpec, [](Reader& r) {
    NodeHealth h;
    h.time_us = r.time(0, h.timestamp);
    h.node_id = r.str(1);
    h.cpu_percent = r.number(2);
    h.memory_percent = r.number(3);
    h.disk_percent = r.number(4);
    h.gpu_available = r.boolean(5);
    h.gpu_percent = r.opt_number(6);
    h.gpu_memory_percent = r.opt_number(7);
    h.is_reachable = r.boolean(8);
    h.ping_latency_ms = r.opt_number(9);
    h.mcp_server_running = r.boolean(10);
    h.mcp_port = r.opt_integer(11);
    h.last_heartbeat_us = r.time(12, h.last_heartbeat);
    return h;
  });
}

Expected<StreamEntry> parse_stream_entry(std::string_view id, const StreamFields& fields,
                                         std::string_view where) {
  const std::string file = std::string(where) + " entry " + clip(std::string(id));
  auto fail = [&](std::string msg) { return Error{file, 0, clip(std::move(msg))}; };
  StreamEntry e;
  e.id = std::string(id);
  const auto dash = id.find('-');
  if (dash == std::string_view::npos || !parse_index_string(id.substr(0, dash), e.time_ms) ||
      !parse_index_string(id.substr(dash + 1), e.seq) || e.time_ms < 0 || e.seq < 0)
    return fail("id: expected <milliseconds>-<sequence>");

  const std::string* value[5] = {};
  static constexpr std::string_view kNames[5] = {"stroke_idx", "pose_idx", "description_l",
                                                 "description_r", "node_id"};
  for (const auto& [k, v] : fields)
    for (std::size_t i = 0; i < 5; ++i)
      if (k == kNames[i]) value[i] = &v;  // the last duplicate wins
  for (std::size_t i = 0; i < 5; ++i)
    if (value[i] == nullptr) return fail("field '" + std::string(kNames[i]) + "': missing");
  std::int64_t* idx[2] = {&e.stroke_idx, &e.pose_idx};
  for (std::size_t i = 0; i < 2; ++i) {
    if (!parse_index_string(*value[i], *idx[i]))
      return fail("field '" + std::string(kNames[i]) + "': expected integer string, got '" +
                  *value[i] + "'");
    if (*idx[i] < 0)
      return fail("field '" + std::string(kNames[i]) + "': " + *value[i] + " is negative");
  }
  e.description_l = *value[2];
  e.description_r = *value[3];
  e.node_id = *value[4];
  return e;
}

// ---- public: writers ------------------------------------------------------------

std::string channel_of(const Event& e) {
  if (const auto* er = std::get_if<ErrorEvent>(&e))
    return std::string(kChannelErrorPrefix) + er->category;
  if (const auto* ne = std::get_if<NodeEvent>(&e))
    return std::string(kChannelNodePrefix) + ne->channel_node_id;
  if (std::holds_alternative<ProgressUpdate>(e)) return std::string(kChannelProgress);
  if (std::holds_alternative<RobotStateUpdate>(e)) return std::string(kChannelRobot);
  return std::string(kChannelSession);
}

std::string to_json(const Event& e) { return std::visit(EventWriter{}, e); }

std::string to_json(const StrokeProgress& p) {
  return ObjectWriter()
      .time("timestamp", p.time_us)
      .str("node_id", p.node_id)
      .integer("stroke_idx", p.stroke_idx)
      .integer("pose_idx", p.pose_idx)
      .integer("total_strokes", p.total_strokes)
      .integer("stroke_length", p.stroke_length)
      .str("stroke_description_l", p.stroke_description_l)
      .str("stroke_description_r", p.stroke_description_r)
      .integer("offset_idx_l", p.offset_idx_l)
      .integer("offset_idx_r", p.offset_idx_r)
      .boolean("is_executing", p.is_executing)
      .boolean("is_paused", p.is_paused)
      .opt_str("scene_name", p.scene_name)
      .opt_str("dataset_name", p.dataset_name)
      .done();
}

std::string to_json(const RobotState& s) {
  return ObjectWriter()
      .time("timestamp", s.time_us)
      .str("node_id", s.node_id)
      .boolean("is_connected_l", s.is_connected_l)
      .boolean("is_connected_r", s.is_connected_r)
      .joints("joints_l", s.joints_l)
      .joints("joints_r", s.joints_r)
      .joints("velocities_l", s.velocities_l)
      .joints("velocities_r", s.velocities_r)
      .str("current_pose", s.current_pose)
      .number("goal_time_slow", s.goal_time_slow)
      .number("goal_time_fast", s.goal_time_fast)
      .done();
}

std::string to_json(const NodeHealth& h) {
  return ObjectWriter()
      .time("timestamp", h.time_us)
      .str("node_id", h.node_id)
      .number("cpu_percent", h.cpu_percent)
      .number("memory_percent", h.memory_percent)
      .number("disk_percent", h.disk_percent)
      .boolean("gpu_available", h.gpu_available)
      .opt_number("gpu_percent", h.gpu_percent)
      .opt_number("gpu_memory_percent", h.gpu_memory_percent)
      .boolean("is_reachable", h.is_reachable)
      .opt_number("ping_latency_ms", h.ping_latency_ms)
      .boolean("mcp_server_running", h.mcp_server_running)
      .opt_integer("mcp_port", h.mcp_port)
      .time("last_heartbeat", h.last_heartbeat_us)
      .done();
}

StreamFields to_stream_fields(const ProgressUpdate& p) {
  return {{"stroke_idx", std::to_string(p.stroke_idx)},
          {"pose_idx", std::to_string(p.pose_idx)},
          {"description_l", p.description_l},
          {"description_r", p.description_r},
          {"node_id", p.header.node_id}};
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  auto u_escape = [&out](std::uint32_t cp) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
  };
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '"' || c == '\\') out += '\\';
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: u_escape(c);
      }
      ++i;
      continue;
    }
    // Decode one UTF-8 sequence; anything malformed becomes U+FFFD.
    std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    std::uint32_t cp = n == 4 ? c & 0x07u : n == 3 ? c & 0x0Fu : c & 0x1Fu;
    bool ok = n != 0 && c <= 0xF4 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (ok && ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
      ok = false;
    if (!ok) {
      u_escape(0xFFFD);
      ++i;
      continue;
    }
    if (cp >= 0x10000) {
      cp -= 0x10000;
      u_escape(0xD800 + (cp >> 10));
      u_escape(0xDC00 + (cp & 0x3FF));
    } else {
      u_escape(cp);
    }
    i += n;
  }
  out += '"';
}

}  // namespace strokeviz::protocol
