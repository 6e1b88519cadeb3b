// The parsers' field collector and typed reader (private to protocol/).
//
// collect() keeps the top-level fields a parser wants from a JSON payload (a
// SAX pass, json_fields.cpp); Reader turns them into values, the first
// failure naming the field.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/expected.hpp"
#include "protocol/events.hpp"

namespace strokeviz::protocol::detail {

enum class Kind : std::uint8_t { Absent, Null, Bool, Int, BigInt, Float, String, Object, Array };

inline const char* kind_name(Kind k) {
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
// The collected fields, indexed like the spec.
using Slots = std::array<Slot, kMaxFields>;
constexpr std::size_t kMaxMessage = 300;

// Messages are clipped to kMaxMessage characters (a hostile payload cannot flood the log).
inline std::string clip(std::string s) {
  if (s.size() > kMaxMessage) {
    s.resize(kMaxMessage);
    s += "...";
  }
  return s;
}

// Collects the top-level fields of `payload` named in `spec` into `slots`
// (nlohmann's SAX interface, no DOM). Refuses a payload over
// kMaxPayloadBytes, nesting deeper than kMaxDepth and a non-object root:
// false with the reason in `error`.
bool collect(std::string_view payload, std::span<const FieldSpec> spec, Slots& slots,
             std::string& error);

// Typed field reader: the first failure wins and names the field.
class Reader {
 public:
  Reader(std::string_view where, std::span<const FieldSpec> spec, Slots& slots)
      : where_(where), spec_(spec), slots_(slots) {}

  bool failed() const { return failed_; }
  Error error() const { return Error{std::string(where_), 0, message_}; }

  void fail(std::size_t f, const std::string& why) {
    if (failed_) return;
    failed_ = true;
    message_ = clip("field '" + std::string(spec_[f].name) + "': " + why);
  }

  bool present(std::size_t f) const { return slots_[f].kind != Kind::Absent; }

  // Strings are moved out of the slots: read each field once.
  std::string str(std::size_t f) {
    Slot& s = slots_[f];
    if (s.kind != Kind::String) return mismatch(f, "string", s.kind), std::string();
    return std::move(s.s);
  }
  std::optional<std::string> opt_str(std::size_t f) {
    Slot& s = slots_[f];
    if (s.kind == Kind::Null) return std::nullopt;
    if (s.kind != Kind::String) return mismatch(f, "string or null", s.kind), std::nullopt;
    return std::move(s.s);
  }
  std::int64_t integer(std::size_t f) {
    const Slot& s = slots_[f];
    if (s.kind == Kind::BigInt) return fail(f, "integer out of range"), 0;
    if (s.kind != Kind::Int) return mismatch(f, "integer", s.kind), 0;
    return s.i;
  }
  std::optional<std::int64_t> opt_integer(std::size_t f) {
    if (slots_[f].kind == Kind::Null) return std::nullopt;
    if (slots_[f].kind == Kind::Absent) return mismatch(f, "integer or null", Kind::Absent), 0;
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
    const Slot& s = slots_[f];
    if (s.kind == Kind::Float) return s.d;
    if (s.kind == Kind::Int) return static_cast<double>(s.i);
    if (s.kind == Kind::BigInt) return static_cast<double>(static_cast<std::uint64_t>(s.i));
    return mismatch(f, "number", s.kind), 0.0;
  }
  std::optional<double> opt_number(std::size_t f) {
    if (slots_[f].kind == Kind::Null) return std::nullopt;
    if (slots_[f].kind == Kind::Absent) return mismatch(f, "number or null", Kind::Absent), 0.0;
    return number(f);
  }
  bool boolean(std::size_t f) {
    const Slot& s = slots_[f];
    if (s.kind != Kind::Bool) return mismatch(f, "boolean", s.kind), false;
    return s.b;
  }
  std::optional<ArmJoints> opt_joints(std::size_t f) {
    const Slot& s = slots_[f];
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
  Slots& slots_;
  bool failed_ = false;
  std::string message_;
};

}  // namespace strokeviz::protocol::detail
