// G-code parsing and arc-length resampling, matching tatbot gen/gcode.py.
#include "load/gcode.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace strokeviz::load {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> split_ws(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// A finite decimal number as Python's float() reads it (no inf/nan/hex).
std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != 'e' &&
        c != 'E' && c != '+')
      return std::nullopt;
  }
  double v = 0.0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Where a word stands: the robot splits a line on white space and reads
// every word that starts with X or Y, comments included.
struct WordScan {
  bool in_comment = false;  // after `;`, or inside `( … )`
  bool paren = false;
  // Updates the state for `tok`; returns whether `tok` is (partly) comment.
  bool step(std::string_view tok) {
    bool comment = in_comment;
    if (!in_comment && (tok.front() == ';' || tok.front() == '(')) {
      comment = in_comment = true;
      paren = tok.front() == '(';
    }
    if (in_comment && paren && tok.find(')') != std::string_view::npos) in_comment = false;
    return comment;
  }
};

bool is_motion_the_robot_skips(const std::string& cmd) {
  return cmd == "G00" || cmd == "G01" || cmd == "G2" || cmd == "G3" || cmd == "G02" || cmd == "G03";
}

// A line the robot skips that still moves: G0X1Y2, or X/Y words outside comments.
bool carries_xy(const std::vector<std::string_view>& tokens) {
  if (tokens[0][0] == 'G' || tokens[0][0] == 'g')
    if (tokens[0].find_first_of("XYxy") != std::string_view::npos) return true;
  WordScan scan;
  for (size_t i = 1; i < tokens.size(); ++i) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(tokens[i][0])));
    if (!scan.step(tokens[i]) && (c == 'X' || c == 'Y')) return true;
  }
  return false;
}

// Parser state for one file; one method per kind of line.
class GcodeParser {
 public:
  explicit GcodeParser(std::string file) : file_(std::move(file)) {}

  std::optional<Error> line(std::string_view raw, int line_no);
  GcodeParse finish();

 private:
  std::optional<Error> motion(const std::vector<std::string_view>& tokens, bool draw);
  std::optional<Error> word(std::string_view tok, bool comment, const std::string& cmd, std::optional<double>& x,
                            std::optional<double>& y);
  void ignored(const std::string& cmd);
  void flush();
  void warn(std::string msg) { out_.warnings.push_back(Error{file_, line_no_, std::move(msg)}); }
  Error error(std::string msg) const { return Error{file_, line_no_, std::move(msg)}; }

  std::string file_;
  int line_no_ = 0;
  GcodeParse out_;
  GcodePath cur_;
  bool pen_down_ = false;
  // Ignored commands: one warning each (at its first line), counting the rest.
  std::map<std::string, std::pair<size_t, int>> ignored_;  // command -> (warning index, more lines)
};

GcodeParse GcodeParser::finish() {
  flush();
  for (const auto& [cmd, at] : ignored_)
    if (at.second > 0)
      out_.warnings[at.first].message += " (and " + std::to_string(at.second) + " more line" +
                                         (at.second > 1 ? "s" : "") + " like it)";
  return std::move(out_);
}

void GcodeParser::ignored(const std::string& cmd) {
  if (auto it = ignored_.find(cmd); it != ignored_.end()) {
    ++it->second.second;
    return;
  }
  ignored_[cmd] = {out_.warnings.size(), 0};
  warn("ignored '" + cmd + "': the robot skips this line");
}

void GcodeParser::flush() {
  if (pen_down_ && !cur_.points_mm.empty()) {
    out_.paths.push_back(std::move(cur_));
  } else if (pen_down_) {
    out_.warnings.push_back(Error{file_, line_no_, "pen-down path without points ignored"});
  }
  cur_ = GcodePath{};
}

// One word of a G0/G1 line, read as tatbot reads it: X/Y (upper case only)
// anywhere on the line, the last one winning; everything else unread.
std::optional<Error> GcodeParser::word(std::string_view tok, bool comment, const std::string& cmd,
                                       std::optional<double>& x, std::optional<double>& y) {
  const char c = tok[0];
  if (c == 'X' || c == 'Y') {
    if (comment)
      return error("the robot reads '" + std::string(tok) + "' in this comment as a coordinate");
    const auto v = parse_number(tok.substr(1));
    if (!v) return error("bad number '" + std::string(tok) + "' in " + cmd);
    (c == 'X' ? x : y) = v;
  } else if (!comment && (c == 'x' || c == 'y')) {
    return error("lower-case '" + std::string(tok) + "' in " + cmd +
                 ": the robot reads only upper-case X and Y and would skip it");
  } else if (!comment && c != 'Z' && c != 'F' && c != 'z' && c != 'f') {
    warn("ignored parameter '" + std::string(tok) + "' in " + cmd);
  }
  return std::nullopt;
}

std::optional<Error> GcodeParser::motion(const std::vector<std::string_view>& tokens, bool draw) {
  const std::string cmd = draw ? "G1" : "G0";
  std::optional<double> x, y;
  WordScan scan;
  for (size_t i = 1; i < tokens.size(); ++i)
    if (auto err = word(tokens[i], scan.step(tokens[i]), cmd, x, y)) return err;
  if (x.has_value() != y.has_value())
    return error(cmd + " with " + (x ? "X" : "Y") + " but no " + (x ? "Y" : "X") +
                 ": the robot keeps a point only from a line with both, so it would skip this move");
  if (!draw) {
    flush();
    pen_down_ = false;
  } else {
    pen_down_ = true;
  }
  if (x && y) {
    if (cur_.points_mm.empty()) cur_.first_line = line_no_;
    cur_.last_line = line_no_;
    cur_.points_mm.emplace_back(*x, *y);
  }
  return std::nullopt;
}

std::optional<Error> GcodeParser::line(std::string_view raw, int line_no) {
  line_no_ = line_no;
  const std::string_view text = trim(raw);
  if (text.empty() || text.front() == ';' || text.front() == '(') return std::nullopt;  // comments
  const auto tokens = split_ws(text);
  const std::string cmd = upper(tokens[0]);
  if (cmd == "G0") return motion(tokens, false);
  if (cmd == "G1") return motion(tokens, true);
  if (cmd == "G20") return error("G20 (inches) is not supported: the robot reads every number as millimetres");
  if (cmd == "G91") return error("G91 (relative coordinates) is not supported: the robot reads every point as absolute");
  if (cmd == "G00" || cmd == "G01")
    return error("'" + std::string(tokens[0]) + "': the robot reads only '" + cmd.substr(0, 1) + cmd.substr(2) +
                 "' and would skip this line");
  if (is_motion_the_robot_skips(cmd) || carries_xy(tokens))
    return error("'" + std::string(tokens[0]) + "' moves, but the robot reads only G0 and G1 and would skip it");
  if (cmd == "G21" || cmd == "G90") return std::nullopt;  // the modes the robot assumes: mm, absolute
  ignored(cmd);
  return std::nullopt;
}

}  // namespace

Expected<GcodeParse> parse_gcode(std::string_view text, const std::string& file_name) {
  GcodeParser parser(file_name);
  int line_no = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (auto err = parser.line(text.substr(start, end - start), ++line_no)) return *err;
    start = end + 1;
  }
  return parser.finish();
}

Expected<GcodeParse> parse_gcode_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path.string(), 0, "cannot open G-code file"};
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_gcode(ss.str(), path.string());
}

std::vector<Eigen::Vector3d> resample_by_arc_length(std::span<const Eigen::Vector3d> points,
                                                    int n) {
  if (points.empty() || n < 1) return {};
  if (points.size() == 1) return std::vector<Eigen::Vector3d>(static_cast<size_t>(n), points[0]);
  std::vector<double> cum(points.size(), 0.0);
  for (size_t i = 1; i < points.size(); ++i) cum[i] = cum[i - 1] + (points[i] - points[i - 1]).norm();
  const double total = cum.back();
  std::vector<Eigen::Vector3d> out(static_cast<size_t>(n));
  size_t seg = 0;
  for (int i = 0; i < n; ++i) {
    // numpy.linspace(0, total, n): i * step, with the last value exactly `total`.
    const double t = (n == 1) ? 0.0 : (i == n - 1 ? total : i * (total / (n - 1)));
    while (seg < cum.size() - 2 && t > cum[seg + 1]) ++seg;
    const double t0 = cum[seg], t1 = cum[seg + 1];
    if (t1 == t0) {
      out[static_cast<size_t>(i)] = points[seg];
    } else {
      const double alpha = (t - t0) / (t1 - t0);
      out[static_cast<size_t>(i)] = (1.0 - alpha) * points[seg] + alpha * points[seg + 1];
    }
  }
  return out;
}

}  // namespace strokeviz::load
