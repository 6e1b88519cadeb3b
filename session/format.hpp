// Session file lines (format "strokeviz-session" v1, see recording.hpp): writing and reading one line.
//
// Writer side (the recorder, on the sync worker thread): format_*_line()
// append one complete line, '\n' included, to a string. A payload is stored
//   "raw":{…}     verbatim, when it is a valid JSON object on one line (the
//                 usual case: the line stays plain JSON and costs one copy);
//   "text":"…"    as a JSON string, when it is a valid JSON object spread
//                 over several lines (raw newlines would split the line);
//   "bad":"…"     as a JSON string, when it is not a valid JSON object (not
//                 JSON, not an object, invalid UTF-8 — stored with U+FFFD —,
//                 nested deeper than kMaxLineDepth). The parsers reject all
//                 of these too, so a reader never parses a "bad" payload: it
//                 is a Rejected item, exactly as it was live.
// Reader side (Recording::load): parse_line() recognises the writer's own
// layout without a DOM and falls back to nlohmann for any other valid line
// (other writers, reordered fields; "raw" then re-serialized).
//
// Which thread: any; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "protocol/events.hpp"
#include "protocol/items.hpp"

namespace strokeviz::session {

struct SessionHeader;

// How format_*_line stores a payload.
enum class PayloadForm : std::uint8_t { Raw, Text, Bad };
// Deeper payloads are stored as "bad" (the parsers refuse them anyway: kMaxDepth).
inline constexpr int kMaxLineDepth = 72;

// Validates `payload` as one JSON object (strict RFC 8259, UTF-8 checked).
PayloadForm classify_payload(std::string_view payload);

void format_header_line(std::string& out, const SessionHeader& h);
void format_message_line(std::string& out, TimeUs t, std::string_view channel, std::string_view payload);
void format_snapshot_line(std::string& out, TimeUs t, std::string_view key, std::string_view json);
void format_history_line(std::string& out, TimeUs t, std::string_view session_id, const protocol::StreamEntry& e);
// {"t":…,"link":"connected","reconnects":N,"reason":"…"}: the worker (re)connected here.
void format_link_line(std::string& out, const protocol::Reconnected& r);

// Files written before times came only from messages took the header's start
// from the number in the session id, which the robot skews by its host's UTC
// offset (PROTOCOL.md). When the header's start is exactly that number (or
// missing) and over 15 minutes from the first recorded item, the item's time
// wins (and start_time follows).
void correct_start(SessionHeader& h, TimeUs first_item_us);

// `file` names the file in errors (line 1). A newer version or another format is an Error.
Expected<SessionHeader> parse_header_line(std::string_view line, const std::string& file);

// One parsed data line. Views point into the line or into `own_*`.
struct LineView {
  enum class Type : std::uint8_t { Message, Snapshot, History, Link };
  Type type = Type::Message;
  TimeUs t = 0;
  std::string_view name;      // channel (Message), key (Snapshot, History), "connected" (Link)
  std::string_view payload;   // Message/Snapshot: the payload text (after unescaping)
  PayloadForm form = PayloadForm::Raw;
  std::string_view id;        // History: stream id
  protocol::StreamFields fields;        // History: field/value pairs, all strings
  std::int64_t count = 0;     // Link: reconnects (the reason is in `payload`)
  std::string own_name, own_payload, own_id;
};
// Parses a data line (without its '\n'). Error message says why (no file/line).
Expected<bool> parse_line(std::string_view line, LineView& out);


}  // namespace strokeviz::session
