// G-code parsing and arc-length resampling, matching tatbot gen/gcode.py.
#include "load/gcode.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
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

// Removes `( … )` and trailing `;` comments. Sets *unclosed on a `(` without `)`.
std::string strip_comments(std::string_view line, bool* unclosed) {
  std::string out;
  *unclosed = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ';') break;
    if (line[i] == '(') {
      size_t close = line.find(')', i);
      if (close == std::string_view::npos) {
        *unclosed = true;
        break;
      }
      out += ' ';
      i = close;
      continue;
    }
    out += line[i];
  }
  return out;
}

bool is_mcode(const std::string& cmd) {
  if (cmd.size() < 2 || cmd[0] != 'M') return false;
  for (size_t i = 1; i < cmd.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(cmd[i]))) return false;
  return true;
}

// Parser state for one file; one method per kind of line.
class GcodeParser {
 public:
  explicit GcodeParser(std::string file) : file_(std::move(file)) {}

  std::optional<Error> line(std::string_view raw, int line_no);
  GcodeParse finish() {
    flush();
    return std::move(out_);
  }

 private:
  std::optional<Error> motion(const std::vector<std::string_view>& tokens, bool draw);
  void flush();
  void warn(std::string msg) { out_.warnings.push_back(Error{file_, line_no_, std::move(msg)}); }
  Error error(std::string msg) const { return Error{file_, line_no_, std::move(msg)}; }

  std::string file_;
  int line_no_ = 0;
  GcodeParse out_;
  GcodePath cur_;
  bool pen_down_ = false;
};

void GcodeParser::flush() {
  if (pen_down_ && !cur_.points_mm.empty()) {
    out_.paths.push_back(std::move(cur_));
  } else if (pen_down_) {
    out_.warnings.push_back(Error{file_, line_no_, "pen-down path without points ignored"});
  }
  cur_ = GcodePath{};
}

std::optional<Error> GcodeParser::motion(const std::vector<std::string_view>& tokens, bool draw) {
  const std::string cmd = draw ? "G1" : "G0";
  std::optional<double> x, y;
  for (size_t i = 1; i < tokens.size(); ++i) {
    const std::string_view tok = tokens[i];
    const char letter = static_cast<char>(std::toupper(static_cast<unsigned char>(tok[0])));
    const auto v = parse_number(tok.substr(1));
    if (!std::isalpha(static_cast<unsigned char>(tok[0])) || !v)
      return error("bad number '" + std::string(tok) + "' in " + cmd);
    if (letter == 'X') x = v;
    else if (letter == 'Y') y = v;
    else if (letter != 'Z' && letter != 'F') warn("ignored parameter '" + std::string(tok) + "' in " + cmd);
  }
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
  bool unclosed = false;
  const std::string text = strip_comments(trim(raw), &unclosed);
  if (unclosed) return error("unclosed '(' comment");
  const auto tokens = split_ws(text);
  if (tokens.empty()) return std::nullopt;
  const std::string cmd = upper(tokens[0]);
  if (cmd == "G0" || cmd == "G00") return motion(tokens, false);
  if (cmd == "G1" || cmd == "G01") return motion(tokens, true);
  if (cmd == "G20") return error("G20 (inches) is not supported: use millimetres (G21)");
  if (cmd == "G91") return error("G91 (relative coordinates) is not supported: use G90");
  if (cmd == "G21" || cmd == "G90") return std::nullopt;  // the modes assumed anyway: mm, absolute
  if (is_mcode(cmd)) {
    warn("ignored command '" + cmd + "'");
    return std::nullopt;
  }
  if (cmd[0] == 'F' && tokens.size() == 1 && parse_number(std::string_view(cmd).substr(1))) {
    warn("ignored feed rate '" + std::string(tokens[0]) + "'");
    return std::nullopt;
  }
  return error("unsupported command '" + std::string(tokens[0]) + "'");
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
