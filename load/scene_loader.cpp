// Scene loading: scene.json validation, pen G-code discovery, stroke list.
//
// scene.json, format "strokeviz-scene" version 1. Relative paths are
// relative to the folder holding scene.json. Unknown keys are ignored.
//
//   format          "strokeviz-scene"                          required
//   version         1                                           required
//   name            string, the scene name                      required
//   design          string, the G-code prefix <design>_pen<k>_<pen>.gcode
//   description     string                                      optional
//   notes           string                                      optional
//   stroke_length   integer 2..4096, poses per stroke           required
//   offset_num      integer 1..1024, needle depth offsets       required
//   offset_range    [lo, hi] metres along the skin normal       required
//   goal_time_fast  seconds > 0                                 required
//   goal_time_slow  seconds > 0                                 required
//   hover_offset    [x,y,z] metres, added to first/last pose    required
//   ee_offset       {"left":[x,y,z], "right":[x,y,z]} metres    required
//   ee_rot_wxyz     {"left":[w,x,y,z], "right":[...]} unit      required
//   skin            {"width_m" > 0, "height_m" > 0,
//                    "design_pos": [x,y,z] world metres of the design centre,
//                    "design_wxyz": [w,x,y,z] design frame -> world}
//   pens            {"left": [pen names], "right": [pen names]}; a pen may be
//                   on both arms. Every listed pen needs a colour, an inkcap
//                   of its arm holding its ink, and a G-code file.
//   pen_colors      {"<pen>": [r,g,b]} integers 0..255
//   inkcaps         [{"name", "arm": "left"|"right", "ink": pen name or null,
//                     "pos": [x,y,z] world metres, "diameter_m" > 0,
//                     "depth_m" > 0}, ...]
//   poses           {"ready": {"left": [7 numbers], "right": [7]},
//                    "sleep": {"left": [7], "right": [7]}} radians (+ gripper)
//   robot           {"urdf": path (made absolute, need not exist yet),
//                    "ee_links": ["left link", "right link"] (optional)}
//
// Pens: every *.gcode in the scene folder must match `.*_pen(\d+)_(\w+)\.gcode`.
// The robot walks os.listdir() order; we sort pens by k (then name) so the
// stroke list is deterministic: the same order the robot gets from a folder
// listed in k order. A G-code pen on neither arm is warned about and ignored.
#include "load/scene_loader.hpp"
#include "model/scene.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "load/gcode.hpp"

namespace strokeviz::load {
using namespace model;
namespace {

using nlohmann::json;

// Thrown inside this file only: a scene.json field that is wrong.
struct FieldError {
  std::string path;  // e.g. "skin.design_wxyz", "inkcaps[3].pos"
  std::string what;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw FieldError{path, what};
}

int line_of_offset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

// Finds where a field path sits in (syntactically valid) JSON text, to name
// its line. Walks keys and indices; stops at the deepest one found.
class JsonLocator {
 public:
  explicit JsonLocator(std::string_view s) : s_(s) {}

  size_t locate(const std::string& path) {
    size_t best = 0;
    ws();
    for (const auto& seg : split_path(path)) {
      const bool found = seg.is_index ? enter_index(seg.index, &best) : enter_key(seg.key, &best);
      if (!found) break;
    }
    return best;
  }

 private:
  struct Seg {
    bool is_index = false;
    std::string key;
    size_t index = 0;
  };

  static std::vector<Seg> split_path(const std::string& path) {
    std::vector<Seg> segs;
    size_t i = 0;
    while (i < path.size()) {
      if (path[i] == '.') { ++i; continue; }
      if (path[i] == '[') {  // "[12]"; anything else ends the walk
        size_t index = 0, j = i + 1;
        for (; j < path.size() && j < i + 10 && std::isdigit(static_cast<unsigned char>(path[j])); ++j)
          index = index * 10 + static_cast<size_t>(path[j] - '0');
        if (j == i + 1 || j >= path.size() || path[j] != ']') break;
        segs.push_back(Seg{true, "", index});
        i = j + 1;
        continue;
      }
      const size_t end = path.find_first_of(".[", i);
      segs.push_back(Seg{false, path.substr(i, end - i), 0});
      i = end == std::string::npos ? path.size() : end;
    }
    return segs;
  }

  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  void ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  std::string_view string() {  // at '"'; returns the raw contents
    const size_t start = ++i_;
    while (i_ < s_.size() && s_[i_] != '"') i_ += (s_[i_] == '\\') ? 2 : 1;
    const size_t end = std::min(i_, s_.size());
    ++i_;
    return s_.substr(start, end - start);
  }
  void skip_value() {
    if (at('"')) { string(); return; }
    if (at('{') || at('[')) {
      int depth = 0;
      do {
        if (at('"')) { string(); continue; }
        if (at('{') || at('[')) ++depth;
        if (at('}') || at(']')) --depth;
        ++i_;
      } while (i_ < s_.size() && depth > 0);
      return;
    }
    while (i_ < s_.size() && !at(',') && !at('}') && !at(']')) ++i_;
  }
  bool enter_key(const std::string& key, size_t* best) {
    if (!at('{')) return false;
    ++i_;
    for (ws(); at('"'); ws()) {
      const size_t key_pos = i_;
      const bool match = string() == key;
      ws(); ++i_; ws();  // ':'
      if (match) { *best = key_pos; return true; }
      skip_value(); ws();
      if (at(',')) ++i_;
    }
    return false;
  }
  bool enter_index(size_t index, size_t* best) {
    if (!at('[')) return false;
    ++i_;
    ws();
    for (size_t k = 0; i_ < s_.size() && !at(']'); ++k) {
      if (k == index) { *best = i_; return true; }
      skip_value(); ws();
      if (at(',')) ++i_;
      ws();
    }
    return false;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// ---- typed field readers (throw FieldError) --------------------------------

const json& need(const json& obj, const std::string& path, const char* key) {
  const std::string sub = path.empty() ? key : path + "." + key;
  if (!obj.is_object()) fail(path, "expected an object");
  const auto it = obj.find(key);
  if (it == obj.end()) fail(sub, "missing");
  return *it;
}

std::string join(const std::string& path, const char* key) {
  return path.empty() ? key : path + "." + key;
}

double number(const json& j, const std::string& path) {
  if (!j.is_number()) fail(path, "expected a number, got " + std::string(j.type_name()));
  return j.get<double>();
}

double positive(const json& j, const std::string& path) {
  const double v = number(j, path);
  if (!(v > 0.0)) fail(path, "must be > 0");
  return v;
}

int integer(const json& j, const std::string& path, int lo, int hi) {
  if (!j.is_number_integer()) fail(path, "expected an integer, got " + std::string(j.type_name()));
  const auto v = j.get<long long>();
  if (v < lo || v > hi)
    fail(path, "must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(v));
  return static_cast<int>(v);
}

std::string str_of(const json& j, const std::string& path) {
  if (!j.is_string()) fail(path, "expected a string, got " + std::string(j.type_name()));
  return j.get<std::string>();
}

std::vector<double> numbers(const json& j, const std::string& path, size_t n) {
  if (!j.is_array() || j.size() != n)
    fail(path, "expected an array of " + std::to_string(n) + " numbers");
  std::vector<double> v;
  for (size_t i = 0; i < n; ++i) v.push_back(number(j[i], path + "[" + std::to_string(i) + "]"));
  return v;
}

Eigen::Vector3d vec3(const json& j, const std::string& path) {
  const auto v = numbers(j, path, 3);
  return {v[0], v[1], v[2]};
}

Eigen::Quaterniond wxyz(const json& j, const std::string& path) {
  const auto v = numbers(j, path, 4);
  Eigen::Quaterniond q(v[0], v[1], v[2], v[3]);
  if (std::abs(q.norm() - 1.0) > 1e-3) fail(path, "quaternion is not normalised (|q| = " + std::to_string(q.norm()) + ")");
  return q.normalized();
}

std::array<double, kJointsPerArm> joints(const json& j, const std::string& path) {
  const auto v = numbers(j, path, kJointsPerArm);
  std::array<double, kJointsPerArm> out{};
  std::copy(v.begin(), v.end(), out.begin());
  return out;
}

template <class F>
auto per_arm(const json& obj, const std::string& path, F&& read) {
  std::array<decltype(read(obj, path)), kArmCount> out{};
  for (Arm a : {Arm::Left, Arm::Right}) {
    const char* key = arm_name(a);
    out[static_cast<int>(a)] = read(need(obj, path, key), join(path, key));
  }
  return out;
}

Arm arm_of(const json& j, const std::string& path) {
  const std::string s = str_of(j, path);
  if (s == "left") return Arm::Left;
  if (s == "right") return Arm::Right;
  fail(path, "expected \"left\" or \"right\", got \"" + s + "\"");
}

// ---- scene.json sections ---------------------------------------------------

void read_header(const json& root, Scene& s) {
  if (str_of(need(root, "", "format"), "format") != "strokeviz-scene")
    fail("format", "expected \"strokeviz-scene\"");
  if (integer(need(root, "", "version"), "version", 0, 1 << 30) != 1) fail("version", "only version 1 is supported");
  s.name = str_of(need(root, "", "name"), "name");
  s.design = str_of(need(root, "", "design"), "design");
  if (s.name.empty()) fail("name", "must not be empty");
  if (s.design.empty()) fail("design", "must not be empty");
  for (const char* key : {"description", "notes"})
    if (root.contains(key)) str_of(root[key], key);
}

void read_motion(const json& root, Scene& s) {
  s.stroke_length = integer(need(root, "", "stroke_length"), "stroke_length", 2, 4096);
  s.offset_num = integer(need(root, "", "offset_num"), "offset_num", 1, 1024);
  const auto range = numbers(need(root, "", "offset_range"), "offset_range", 2);
  s.offset_range = {range[0], range[1]};
  s.goal_time_fast = positive(need(root, "", "goal_time_fast"), "goal_time_fast");
  s.goal_time_slow = positive(need(root, "", "goal_time_slow"), "goal_time_slow");
  s.hover_offset = vec3(need(root, "", "hover_offset"), "hover_offset");
  s.ee_offset = per_arm(need(root, "", "ee_offset"), "ee_offset", vec3);
  s.ee_rot = per_arm(need(root, "", "ee_rot_wxyz"), "ee_rot_wxyz", wxyz);
}

void read_skin(const json& root, Scene& s) {
  const json& skin = need(root, "", "skin");
  s.skin_width_m = positive(need(skin, "skin", "width_m"), "skin.width_m");
  s.skin_height_m = positive(need(skin, "skin", "height_m"), "skin.height_m");
  s.design_pose = Eigen::Isometry3d::Identity();
  s.design_pose.translation() = vec3(need(skin, "skin", "design_pos"), "skin.design_pos");
  s.design_pose.linear() = wxyz(need(skin, "skin", "design_wxyz"), "skin.design_wxyz").toRotationMatrix();
}

std::array<float, 3> color(const json& j, const std::string& path) {
  if (!j.is_array() || j.size() != 3) fail(path, "expected [r, g, b] with integers 0..255");
  std::array<float, 3> rgb{};
  for (size_t i = 0; i < 3; ++i)
    rgb[i] = static_cast<float>(integer(j[i], path + "[" + std::to_string(i) + "]", 0, 255)) / 255.0f;
  return rgb;
}

InkCap inkcap(const json& j, const std::string& path) {
  InkCap c;
  c.name = str_of(need(j, path, "name"), path + ".name");
  c.arm = arm_of(need(j, path, "arm"), path + ".arm");
  const json& ink = need(j, path, "ink");
  if (!ink.is_null()) c.ink = str_of(ink, path + ".ink");
  c.pos = vec3(need(j, path, "pos"), path + ".pos");
  c.diameter_m = positive(need(j, path, "diameter_m"), path + ".diameter_m");
  c.depth_m = positive(need(j, path, "depth_m"), path + ".depth_m");
  return c;
}

void read_inkcaps(const json& root, Scene& s) {
  const json& caps = need(root, "", "inkcaps");
  if (!caps.is_array()) fail("inkcaps", "expected an array");
  for (size_t i = 0; i < caps.size(); ++i) s.inkcaps.push_back(inkcap(caps[i], "inkcaps[" + std::to_string(i) + "]"));
}

bool has_inkcap(const Scene& s, Arm arm, const std::string& ink) {
  return std::any_of(s.inkcaps.begin(), s.inkcaps.end(),
                     [&](const InkCap& c) { return c.arm == arm && c.ink == ink; });
}

void read_pens(const json& root, Scene& s) {
  const json& pens = need(root, "", "pens");
  const json& colors = need(root, "", "pen_colors");
  if (!colors.is_object()) fail("pen_colors", "expected an object");
  for (Arm a : {Arm::Left, Arm::Right}) {
    const std::string path = std::string("pens.") + arm_name(a);
    const json& list = need(pens, "pens", arm_name(a));
    if (!list.is_array()) fail(path, "expected an array of pen names");
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string item = path + "[" + std::to_string(i) + "]";
      Pen pen;
      pen.name = str_of(list[i], item);
      pen.arm = a;
      if (std::any_of(s.pens.begin(), s.pens.end(), [&](const Pen& p) { return p.name == pen.name && p.arm == a; }))
        fail(item, "pen '" + pen.name + "' is listed twice");
      if (!colors.contains(pen.name)) fail(item, "no colour for '" + pen.name + "' in pen_colors");
      pen.rgb = color(colors[pen.name], "pen_colors." + pen.name);
      if (!has_inkcap(s, a, pen.name))
        fail(item, std::string("no ") + arm_name(a) + " inkcap holds ink '" + pen.name + "'");
      s.pens.push_back(pen);
    }
  }
}

void read_poses(const json& root, Scene& s) {
  const json& poses = need(root, "", "poses");
  s.ready_pose = per_arm(need(poses, "poses", "ready"), "poses.ready", joints);
  s.sleep_pose = per_arm(need(poses, "poses", "sleep"), "poses.sleep", joints);
}

void read_robot(const json& root, Scene& s) {
  const json& robot = need(root, "", "robot");
  const std::filesystem::path urdf = str_of(need(robot, "robot", "urdf"), "robot.urdf");
  if (urdf.empty()) fail("robot.urdf", "must not be empty");
  s.urdf = std::filesystem::absolute(s.dir / urdf).lexically_normal();
  if (!robot.contains("ee_links")) return;
  const json& links = robot["ee_links"];
  if (!links.is_array() || links.size() != 2) fail("robot.ee_links", "expected [left link, right link]");
  for (size_t i = 0; i < 2; ++i) s.ee_links[i] = str_of(links[i], "robot.ee_links[" + std::to_string(i) + "]");
}

// "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error …"
// -> "syntax error …"
std::string syntax_message(const std::string& what) {
  const size_t col = what.find("column ");
  const size_t colon = what.find(": ", col == std::string::npos ? 0 : col);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

// ---- G-code pens -----------------------------------------------------------

struct PenFile {
  int k = 0;
  std::string pen;
  std::filesystem::path path;
};

bool is_word(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Python's re.match(r".*_pen(\d+)_(\w+)\.gcode$", name): the greedy `.*`
// takes the last "_pen<digits>_<word>.gcode" split that fits.
std::optional<PenFile> match_pen_file(const std::string& name) {
  const std::string_view ext = ".gcode";
  if (name.size() < ext.size() || name.compare(name.size() - ext.size(), ext.size(), ext) != 0) return std::nullopt;
  const std::string_view stem = std::string_view(name).substr(0, name.size() - ext.size());
  for (size_t at = stem.rfind("_pen"); at != std::string_view::npos; at = at == 0 ? std::string_view::npos : stem.rfind("_pen", at - 1)) {
    size_t j = at + 4;
    while (j < stem.size() && std::isdigit(static_cast<unsigned char>(stem[j]))) ++j;
    if (j == at + 4 || j >= stem.size() || stem[j] != '_' || !is_word(stem.substr(j + 1))) continue;
    const std::string digits(stem.substr(at + 4, std::min<size_t>(j - at - 4, 9)));
    return PenFile{std::stoi(digits), std::string(stem.substr(j + 1)), {}};
  }
  return std::nullopt;
}

Expected<std::vector<PenFile>> find_pen_files(const Scene& s) {
  std::vector<PenFile> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(s.dir, ec)) {
    const std::string fname = e.path().filename().string();
    if (e.path().extension() != ".gcode") continue;
    auto match = match_pen_file(fname);
    if (!match) return Error{e.path().string(), 0, "G-code file name is not <design>_pen<k>_<pen>.gcode"};
    match->path = e.path();
    files.push_back(*match);
  }
  if (ec) return Error{s.dir.string(), 0, "cannot list scene folder: " + ec.message()};
  std::sort(files.begin(), files.end(),
            [](const PenFile& a, const PenFile& b) { return std::tie(a.k, a.pen) < std::tie(b.k, b.pen); });
  for (size_t i = 1; i < files.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (files[i].pen == files[j].pen)
        return Error{files[i].path.string(), 0, "pen '" + files[i].pen + "' has more than one G-code file"};
  return files;
}

std::vector<ArmPath> to_arm_paths(const GcodeParse& parse, const std::string& pen, int n) {
  std::vector<ArmPath> out;
  for (const auto& path : parse.paths) {
    if (path.points_mm.empty()) continue;  // the robot skips paths with no points
    std::vector<Eigen::Vector3d> pts;
    for (const auto& p : path.points_mm) pts.emplace_back(p.x() / 1000.0, p.y() / 1000.0, 0.0);
    out.push_back(ArmPath{pen, resample_by_arc_length(pts, n)});
  }
  return out;
}

int json_line(const std::string& text, const std::string& field) {
  return line_of_offset(text, JsonLocator(text).locate(field));
}

// Attaches each pen's G-code file and splits its paths per arm.
Expected<std::array<std::vector<ArmPath>, kArmCount>> load_pen_paths(Scene& s, const std::string& json_file,
                                                                     const std::string& text) {
  auto files = find_pen_files(s);
  if (!files) return files.error();
  std::array<std::vector<ArmPath>, kArmCount> paths;
  std::vector<Pen> ordered;
  for (const auto& f : *files) {
    auto parse = parse_gcode_file(f.path);
    if (!parse) return parse.error();
    s.warnings.insert(s.warnings.end(), parse->warnings.begin(), parse->warnings.end());
    bool used = false;
    for (Pen& pen : s.pens) {
      if (pen.name != f.pen) continue;
      pen.gcode = f.path;
      pen.pen_index = f.k;
      ordered.push_back(pen);
      auto arm_paths = to_arm_paths(*parse, f.pen, s.stroke_length);
      auto& dst = paths[static_cast<int>(pen.arm)];
      dst.insert(dst.end(), arm_paths.begin(), arm_paths.end());
      used = true;
    }
    if (!used) s.warnings.push_back(Error{f.path.string(), 0, "pen '" + f.pen + "' is on neither arm in scene.json: ignored"});
  }
  for (Arm a : {Arm::Left, Arm::Right}) {
    int i = 0;
    for (const Pen& pen : s.pens) {
      if (pen.arm != a) continue;
      const std::string field = std::string("pens.") + arm_name(a) + "[" + std::to_string(i++) + "]";
      if (pen.gcode.empty())
        return Error{json_file, json_line(text, field),
                     field + ": no G-code file " + s.design + "_pen<k>_" + pen.name + ".gcode in " + s.dir.string()};
    }
  }
  s.pens = std::move(ordered);
  return paths;
}

}  // namespace

Expected<Scene> parse_scene_json(std::string_view text, const std::filesystem::path& json_path) {
  const std::string file = json_path.string();
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    return Error{file, line_of_offset(text, e.byte > 0 ? e.byte - 1 : 0), "JSON syntax error: " + syntax_message(e.what())};
  } catch (const json::exception& e) {
    return Error{file, 0, std::string("JSON error: ") + e.what()};
  }
  Scene s;
  s.dir = json_path.has_parent_path() ? json_path.parent_path() : std::filesystem::path(".");
  try {
    if (!root.is_object()) fail("", "expected a JSON object");
    read_header(root, s);
    read_motion(root, s);
    read_skin(root, s);
    read_inkcaps(root, s);
    read_pens(root, s);
    read_poses(root, s);
    read_robot(root, s);
  } catch (const FieldError& e) {
    const std::string t(text);
    const std::string where = e.path.empty() ? "" : e.path + ": ";
    return Error{file, line_of_offset(t, JsonLocator(t).locate(e.path)), where + e.what};
  } catch (const json::exception& e) {
    return Error{file, 0, std::string("unexpected JSON error: ") + e.what()};
  }
  return s;
}

Expected<Scene> load_scene(const std::filesystem::path& dir_or_json) {
  std::error_code ec;
  const bool is_file = std::filesystem::is_regular_file(dir_or_json, ec);
  const std::filesystem::path json_path = is_file ? dir_or_json : dir_or_json / "scene.json";
  std::ifstream in(json_path, std::ios::binary);
  if (!in) return Error{json_path.string(), 0, "cannot open scene file"};
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  auto scene = parse_scene_json(text, json_path);
  if (!scene) return scene;
  auto paths = load_pen_paths(*scene, json_path.string(), text);
  if (!paths) return paths.error();
  auto strokes = try_build_strokes(*scene, *paths, &scene->warnings);
  if (!strokes) return strokes.error();
  scene->strokes = std::move(*strokes);
  return scene;
}

std::vector<std::string> list_scenes(const std::filesystem::path& scenes_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(scenes_dir, ec)) {
    std::error_code ec2;
    if (e.is_directory(ec2) && std::filesystem::is_regular_file(e.path() / "scene.json", ec2))
      names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace strokeviz::load
