// Session file lines: the JSON-object validator, the line writers and the line reader.
#include "session/format.hpp"

#include <cstdlib>

#include <charconv>
#include <cstring>

#include <nlohmann/json.hpp>

#include "protocol/codec.hpp"
#include "session/recording.hpp"

namespace strokeviz::session {
using namespace protocol;
namespace {

using json = nlohmann::json;

// ---- validator ----------------------------------------------------------------

class Validator {
 public:
  explicit Validator(std::string_view s)
      : p_(reinterpret_cast<const unsigned char*>(s.data())), e_(p_ + s.size()) {}

  PayloadForm run() {
    ws();
    if (p_ == e_ || *p_ != '{') return PayloadForm::Bad;
    if (!value(0)) return PayloadForm::Bad;
    ws();
    if (p_ != e_) return PayloadForm::Bad;
    return newline_ ? PayloadForm::Text : PayloadForm::Raw;
  }

 private:
  void ws() {
    while (p_ != e_) {
      const unsigned char c = *p_;
      if (c == ' ' || c == '\t') {
        ++p_;
      } else if (c == '\n' || c == '\r') {
        newline_ = true;
        ++p_;
      } else {
        break;
      }
    }
  }

  bool value(int depth) {
    ws();
    if (p_ == e_) return false;
    switch (*p_) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': return string();
      case 't': return word("true");
      case 'f': return word("false");
      case 'n': return word("null");
      default: return number();
    }
  }

  bool object(int depth) {
    if (depth > kMaxLineDepth) return false;
    ++p_;  // '{'
    ws();
    if (p_ != e_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      ws();
      if (p_ == e_ || *p_ != '"' || !string()) return false;
      ws();
      if (p_ == e_ || *p_ != ':') return false;
      ++p_;
      if (!value(depth)) return false;
      if (const Next n = next('}'); n != Next::More) return n == Next::Closed;
    }
  }

  bool array(int depth) {
    if (depth > kMaxLineDepth) return false;
    ++p_;  // '['
    ws();
    if (p_ != e_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      if (!value(depth)) return false;
      if (const Next n = next(']'); n != Next::More) return n == Next::Closed;
    }
  }

  // After an object member or array element: ',' (more), `close`, or an error.
  enum class Next { More, Closed, Bad };
  Next next(char close) {
    ws();
    if (p_ == e_) return Next::Bad;
    if (*p_ == ',' || *p_ == close) return *p_++ == ',' ? Next::More : Next::Closed;
    return Next::Bad;
  }

  bool word(std::string_view w) {
    if (static_cast<std::size_t>(e_ - p_) < w.size() || std::memcmp(p_, w.data(), w.size()) != 0)
      return false;
    p_ += w.size();
    return true;
  }

  bool digits() {
    const unsigned char* start = p_;
    while (p_ != e_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  bool number() {
    if (p_ != e_ && *p_ == '-') ++p_;
    if (p_ == e_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return false;
    }
    if (p_ != e_ && *p_ == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (p_ != e_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != e_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
    }
    return true;
  }

  int hex4() {  // -1 when not 4 hex digits
    if (e_ - p_ < 4) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      const unsigned char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else return -1;
    }
    return v;
  }

  bool escape() {  // after the backslash
    if (p_ == e_) return false;
    const unsigned char c = *p_++;
    switch (c) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return true;
      case 'u': {
        const int u = hex4();
        if (u < 0) return false;
        if (u >= 0xDC00 && u <= 0xDFFF) return false;  // lone low surrogate
        if (u >= 0xD800 && u <= 0xDBFF) {              // needs a low surrogate next
          if (e_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
          p_ += 2;
          const int lo = hex4();
          return lo >= 0xDC00 && lo <= 0xDFFF;
        }
        return true;
      }
      default: return false;
    }
  }

  bool utf8() {  // at a byte >= 0x80
    const unsigned char c = *p_;
    int n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
    else return false;
    if (e_ - p_ < n + 1) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p_[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p_[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p_ += n + 1;
    return true;
  }

  bool string() {
    ++p_;  // '"'
    while (p_ != e_) {
      const unsigned char c = *p_;
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        ++p_;
        if (!escape()) return false;
      } else if (c < 0x20) {
        return false;
      } else if (c < 0x80) {
        ++p_;
      } else if (!utf8()) {
        return false;
      }
    }
    return false;
  }

  const unsigned char* p_;
  const unsigned char* e_;
  bool newline_ = false;
};

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void append_payload(std::string& out, std::string_view payload) {
  switch (classify_payload(payload)) {
    case PayloadForm::Raw:
      out += ",\"raw\":";
      out += payload;
      break;
    case PayloadForm::Text:
      out += ",\"text\":";
      append_json_string(out, payload);
      break;
    case PayloadForm::Bad:
      out += ",\"bad\":";
      append_json_string(out, payload);
      break;
  }
  out += "}\n";
}

void field(std::string& out, std::string_view name, std::string_view value, bool first = false) {
  if (!first) out += ',';
  out += '"';
  out += name;
  out += "\":";
  append_json_string(out, value);
}

// ---- reader helpers -------------------------------------------------------------

struct Cursor {
  std::string_view s;
  std::size_t p = 0;
  bool lit(std::string_view w) {
    if (s.compare(p, w.size(), w) != 0) return false;
    p += w.size();
    return true;
  }
  bool integer(std::int64_t& v) {
    const auto r = std::from_chars(s.data() + p, s.data() + s.size(), v);
    if (r.ec != std::errc()) return false;
    p = static_cast<std::size_t>(r.ptr - s.data());
    return true;
  }
  // A string body up to the closing quote, no escapes (else false: use the fallback).
  bool plain(std::string_view& out) {
    const std::size_t start = p;
    while (p < s.size()) {
      const char c = s[p];
      if (c == '"') {
        out = s.substr(start, p - start);
        ++p;
        return true;
      }
      if (c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
      ++p;
    }
    return false;
  }
};

Expected<bool> fail(std::string msg) { return Error{"", 0, std::move(msg)}; }

bool take_payload(LineView& out, const json& j) {
  if (auto it = j.find("raw"); it != j.end()) {
    if (!it->is_object()) return false;
    out.own_payload = it->dump();
    out.form = PayloadForm::Raw;
  } else if (auto t = j.find("text"); t != j.end() && t->is_string()) {
    out.own_payload = t->get<std::string>();
    out.form = PayloadForm::Text;
  } else if (auto b = j.find("bad"); b != j.end() && b->is_string()) {
    out.own_payload = b->get<std::string>();
    out.form = PayloadForm::Bad;
  } else {
    return false;
  }
  out.payload = out.own_payload;
  return true;
}

bool take_fields(LineView& out, const json& f) {
  if (!f.is_object()) return false;
  out.fields.clear();
  for (auto it = f.begin(); it != f.end(); ++it) {
    if (!it.value().is_string()) return false;
    out.fields.emplace_back(it.key(), it.value().get<std::string>());
  }
  return true;
}

// Any valid line, by the DOM (other writers, escaped names, reordered fields).
Expected<bool> parse_line_dom(std::string_view line, LineView& out) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) return fail("not valid JSON");
  if (!j.is_object()) return fail("not a JSON object");
  auto t = j.find("t");
  if (t == j.end() || !t->is_number_integer()) return fail("field 't': expected an integer");
  out.t = t->get<std::int64_t>();
  if (auto ch = j.find("ch"); ch != j.end()) {
    if (!ch->is_string()) return fail("field 'ch': expected a string");
    out.type = LineView::Type::Message;
    out.own_name = ch->get<std::string>();
    out.name = out.own_name;
    if (!take_payload(out, j)) return fail("expected 'raw' (object), 'text' or 'bad' (string)");
    return true;
  }
  if (auto link = j.find("link"); link != j.end()) {
    auto n = j.find("reconnects");
    auto why = j.find("reason");
    if (!link->is_string()) return fail("field 'link': expected a string");
    if (n == j.end() || !n->is_number_integer()) return fail("field 'reconnects': expected an integer");
    out.type = LineView::Type::Link;
    out.own_name = link->get<std::string>();
    out.name = out.own_name;
    out.count = n->get<std::int64_t>();
    out.own_payload = why != j.end() && why->is_string() ? why->get<std::string>() : std::string();
    out.payload = out.own_payload;
    return true;
  }
  auto key = j.find("key");
  if (key == j.end() || !key->is_string()) return fail("expected field 'ch', 'key' or 'link'");
  out.own_name = key->get<std::string>();
  out.name = out.own_name;
  if (auto id = j.find("id"); id != j.end()) {
    if (!id->is_string()) return fail("field 'id': expected a string");
    out.type = LineView::Type::History;
    out.own_id = id->get<std::string>();
    out.id = out.own_id;
    auto f = j.find("fields");
    if (f == j.end() || !take_fields(out, *f)) return fail("field 'fields': expected an object of strings");
    return true;
  }
  out.type = LineView::Type::Snapshot;
  if (!take_payload(out, j)) return fail("expected 'raw' (object), 'text' or 'bad' (string)");
  return true;
}

// A JSON string literal `"…"` (with escapes) decoded.
bool decode_string(std::string_view literal, std::string& out) {
  json j = json::parse(literal, nullptr, false);
  if (!j.is_string()) return false;
  out = j.get<std::string>();
  return true;
}

}  // namespace

PayloadForm classify_payload(std::string_view payload) { return Validator(payload).run(); }

void format_header_line(std::string& out, const SessionHeader& h) {
  out += "{\"format\":";
  append_json_string(out, kSessionFormat);
  out += ",\"version\":";
  append_int(out, kSessionVersion);
  field(out, "session_id", h.session_id);
  field(out, "scene", h.scene);
  field(out, "node", h.node);
  field(out, "start_time", h.start_time);
  field(out, "viewer_version", h.viewer_version);
  field(out, "server", h.server);
  out += "}\n";
}

void format_message_line(std::string& out, TimeUs t, std::string_view channel, std::string_view payload) {
  out += "{\"t\":";
  append_int(out, t);
  out += ",\"ch\":";
  append_json_string(out, channel);
  append_payload(out, payload);
}

void format_snapshot_line(std::string& out, TimeUs t, std::string_view key, std::string_view js) {
  out += "{\"t\":";
  append_int(out, t);
  out += ",\"key\":";
  append_json_string(out, key);
  append_payload(out, js);
}

void format_history_line(std::string& out, TimeUs t, std::string_view session_id, const StreamEntry& e) {
  out += "{\"t\":";
  append_int(out, t);
  out += ",\"key\":\"stream:stroke_history:";
  // The key as one JSON string: prefix + escaped id without its quotes.
  std::string id_text;
  append_json_string(id_text, session_id);
  out.append(id_text, 1, id_text.size() - 2);
  out += "\",\"id\":";
  append_json_string(out, e.id);
  out += ",\"fields\":{";
  field(out, "stroke_idx", std::to_string(e.stroke_idx), true);
  field(out, "pose_idx", std::to_string(e.pose_idx));
  field(out, "description_l", e.description_l);
  field(out, "description_r", e.description_r);
  field(out, "node_id", e.node_id);
  out += "}}\n";
}

void format_link_line(std::string& out, const protocol::Reconnected& r) {
  out += "{\"t\":";
  out += std::to_string(r.time_us);
  out += ",\"link\":\"connected\",\"reconnects\":";
  out += std::to_string(r.reconnects);
  out += ",\"reason\":";
  protocol::append_json_string(out, r.reason);
  out += "}\n";
}

void correct_start(SessionHeader& h, TimeUs first_item_us) {
  constexpr TimeUs kTrusted = 15LL * 60 * 1'000'000;  // UTC offsets are whole hours or half hours
  if (first_item_us <= 0) return;
  // Only a start that is exactly the id's number (the old writer's bug) is
  // suspect; the number is a detector here, never a time.
  const auto us = h.session_id.rfind('_');
  std::int64_t n = 0;
  const char* end = h.session_id.data() + h.session_id.size();
  const bool from_id = h.start_us == 0 ||
                       (us != std::string::npos &&
                        std::from_chars(h.session_id.data() + us + 1, end, n).ptr == end && h.start_us == n * 1'000'000);
  if (!from_id) return;
  if (h.start_us != 0 && std::llabs(h.start_us - first_item_us) <= kTrusted) return;
  h.start_us = first_item_us;
  h.start_time = format_timestamp(first_item_us);
}

Expected<SessionHeader> parse_header_line(std::string_view line, const std::string& file) {
  auto bad = [&](std::string msg) -> Expected<SessionHeader> { return Error{file, 1, std::move(msg)}; };
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a strokeviz session file (line 1 is not a JSON object)");
  auto f = j.find("format");
  if (f == j.end() || !f->is_string() || f->get<std::string>() != kSessionFormat)
    return bad("not a strokeviz session file (no \"format\":\"strokeviz-session\" header)");
  auto v = j.find("version");
  if (v == j.end() || !v->is_number_integer()) return bad("session header: field 'version': expected an integer");
  const auto version = v->get<std::int64_t>();
  if (version > kSessionVersion)
    return bad("session format version " + std::to_string(version) + " is newer than this viewer reads (" +
               std::to_string(kSessionVersion) + ")");
  if (version < 1) return bad("session format version " + std::to_string(version) + " is not valid");
  SessionHeader h;
  auto str = [&](const char* name) {
    auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  h.session_id = str("session_id");
  h.scene = str("scene");
  h.node = str("node");
  h.start_time = str("start_time");
  h.viewer_version = str("viewer_version");
  h.server = str("server");
  if (auto t = parse_timestamp(h.start_time)) h.start_us = *t;
  return h;
}

Expected<bool> parse_line(std::string_view line, LineView& out) {
  out.fields.clear();
  Cursor c{line};
  if (!c.lit("{\"t\":") || !c.integer(out.t) || line.empty() || line.back() != '}')
    return parse_line_dom(line, out);
  bool is_key = false;
  if (c.lit(",\"ch\":\"")) {
    out.type = LineView::Type::Message;
  } else if (c.lit(",\"key\":\"")) {
    is_key = true;
    out.type = LineView::Type::Snapshot;
  } else {
    return parse_line_dom(line, out);
  }
  if (!c.plain(out.name)) return parse_line_dom(line, out);
  const std::size_t end = line.size() - 1;  // the closing '}'
  if (c.lit(",\"raw\":")) {
    out.form = PayloadForm::Raw;
    if (c.p >= end) return fail("empty 'raw' payload");
    out.payload = line.substr(c.p, end - c.p);
    return true;
  }
  const bool text = c.lit(",\"text\":");
  if (text || c.lit(",\"bad\":")) {
    out.form = text ? PayloadForm::Text : PayloadForm::Bad;
    if (!decode_string(line.substr(c.p, end - c.p), out.own_payload))
      return fail(std::string("field '") + (text ? "text" : "bad") + "': expected a JSON string");
    out.payload = out.own_payload;
    return true;
  }
  if (is_key && c.lit(",\"id\":\"")) {
    out.type = LineView::Type::History;
    if (!c.plain(out.id) || !c.lit(",\"fields\":")) return parse_line_dom(line, out);
    json f = json::parse(line.substr(c.p, end - c.p), nullptr, false);
    if (f.is_discarded() || !take_fields(out, f)) return fail("field 'fields': expected an object of strings");
    return true;
  }
  return parse_line_dom(line, out);
}

}  // namespace strokeviz::session
