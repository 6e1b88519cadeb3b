// The SAX pass that collects a payload's top-level fields (json_fields.hpp).
#include "protocol/json_fields.hpp"

#include <exception>

#include <nlohmann/json.hpp>

#include "protocol/codec.hpp"

namespace strokeviz::protocol::detail {
namespace {

using json = nlohmann::json;

// The SAX handler. Tracks depth with a counter (nlohmann's SAX parser is
// itself iterative), refuses depth > kMaxDepth and a non-object root.
class Collector {
 public:
  Collector(std::span<const FieldSpec> spec, Slots& slots) : spec_(spec), slots_(slots) {}

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
  Slots& slots_;
  std::array<bool, kMaxDepth + 2> first_{};
  int depth_ = 0;
  int cur_ = -1;             // field of the next value at depth 1, -1: ignored
  Slot* raw_ = nullptr;      // Raw capture in progress
  Slot* array_ = nullptr;    // Array7 collection in progress
  bool after_key_ = false;   // Raw: a key was just written
  std::string error_;
};

}  // namespace

bool collect(std::string_view payload, std::span<const FieldSpec> spec, Slots& slots,
             std::string& error) {
  if (payload.size() > kMaxPayloadBytes) {
    error = "payload of " + std::to_string(payload.size()) + " bytes exceeds the limit of " +
            std::to_string(kMaxPayloadBytes);
    return false;
  }
  Collector c(spec, slots);
  try {
    if (json::sax_parse(payload.data(), payload.data() + payload.size(), &c)) return true;
    error = c.error().empty() ? std::string("not valid JSON") : c.error();
  } catch (const std::exception& ex) {
    error = clip(std::string("not valid JSON: ") + ex.what());
  }
  return false;
}

}  // namespace strokeviz::protocol::detail
