// URDF parsing (tinyxml for line numbers, urdfdom for the model) and assimp meshes, into model::RobotModel.
#include "load/urdf_loader.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>
#include <unordered_map>

#include <assimp/Importer.hpp>
#include <assimp/postprocess.h>
#include <assimp/scene.h>
#include <console_bridge/console.h>
#include <tinyxml.h>
#include <urdf_parser/urdf_parser.h>

namespace strokeviz::load {
namespace fs = std::filesystem;
using namespace model;

namespace {

// Lines of the elements we may need to point at, read from the XML itself
// (urdfdom keeps none).
struct LineIndex {
  std::vector<std::string> link_order;  // document order
  std::vector<std::string> joint_order;
  std::unordered_map<std::string, int> link_line;
  std::unordered_map<std::string, int> joint_line;
  // Per link: the line of each <visual>'s geometry child (<mesh>, <box>, …),
  // in document order, like urdf::Link::visual_array.
  std::unordered_map<std::string, std::vector<int>> visual_geom_line;
};

LineIndex index_lines(const TiXmlElement* robot) {
  LineIndex idx;
  for (const TiXmlElement* e = robot->FirstChildElement(); e; e = e->NextSiblingElement()) {
    const char* name = e->Attribute("name");
    if (!name) continue;
    const std::string tag = e->ValueStr();
    if (tag == "link") {
      idx.link_order.emplace_back(name);
      idx.link_line[name] = e->Row();
      auto& lines = idx.visual_geom_line[name];
      for (const TiXmlElement* v = e->FirstChildElement("visual"); v; v = v->NextSiblingElement("visual")) {
        const TiXmlElement* g = v->FirstChildElement("geometry");
        const TiXmlElement* shape = g ? g->FirstChildElement() : nullptr;
        lines.push_back(shape ? shape->Row() : v->Row());
      }
    } else if (tag == "joint") {
      idx.joint_order.emplace_back(name);
      idx.joint_line[name] = e->Row();
    }
  }
  return idx;
}

// Collects what urdfdom reports through console_bridge while it parses.
// console_bridge's handler is process-global, hence the lock.
class CaptureLog : public console_bridge::OutputHandler {
 public:
  CaptureLog() : lock_(mutex()), previous_(console_bridge::getOutputHandler()) {
    console_bridge::useOutputHandler(this);
  }
  ~CaptureLog() override { console_bridge::useOutputHandler(previous_); }
  CaptureLog(const CaptureLog&) = delete;
  CaptureLog& operator=(const CaptureLog&) = delete;

  void log(const std::string& text, console_bridge::LogLevel level, const char*, int) override {
    if (level >= console_bridge::CONSOLE_BRIDGE_LOG_ERROR) errors.push_back(text);
  }
  std::vector<std::string> errors;

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  std::lock_guard<std::mutex> lock_;
  console_bridge::OutputHandler* previous_;
};

// The line of the first link or joint named in `[name]` or `'name'` form in
// an urdfdom message; 0 if none.
int line_of_message(const std::string& msg, const LineIndex& idx) {
  for (size_t open = msg.find_first_of("['"); open != std::string::npos;
       open = msg.find_first_of("['", open + 1)) {
    const char close = msg[open] == '[' ? ']' : '\'';
    const size_t end = msg.find(close, open + 1);
    if (end == std::string::npos) break;
    const std::string name = msg.substr(open + 1, end - open - 1);
    if (auto it = idx.link_line.find(name); it != idx.link_line.end()) return it->second;
    if (auto it = idx.joint_line.find(name); it != idx.joint_line.end()) return it->second;
  }
  return 0;
}

Eigen::Isometry3d to_isometry(const urdf::Pose& p) {
  Eigen::Isometry3d t = Eigen::Isometry3d::Identity();
  Eigen::Quaterniond q(p.rotation.w, p.rotation.x, p.rotation.y, p.rotation.z);
  t.linear() = q.normalized().toRotationMatrix();
  t.translation() = Eigen::Vector3d(p.position.x, p.position.y, p.position.z);
  return t;
}

// Candidate files for a URDF mesh filename, best first.
std::vector<fs::path> mesh_candidates(const std::string& filename, const fs::path& urdf_dir) {
  constexpr std::string_view kPackage = "package://";
  constexpr std::string_view kFile = "file://";
  if (filename.starts_with(kFile)) return {fs::path(filename.substr(kFile.size()))};
  if (filename.starts_with(kPackage)) {
    // package://<pkg>/<rest>: no ROS here, so look beside the URDF.
    const std::string rest = filename.substr(kPackage.size());
    const size_t slash = rest.find('/');
    const std::string pkg = rest.substr(0, slash);
    const std::string in_pkg = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
    return {urdf_dir / in_pkg, urdf_dir.parent_path() / in_pkg, urdf_dir.parent_path() / pkg / in_pkg,
            urdf_dir / pkg / in_pkg};
  }
  const fs::path p(filename);
  if (p.is_absolute()) return {p};
  return {urdf_dir / p};
}

// The first candidate that is a regular file, absolute and normalised; empty if none.
fs::path first_existing(const std::vector<fs::path>& candidates) {
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return fs::absolute(c, ec).lexically_normal();
  }
  return {};
}

// The candidates as absolute paths, for a "not found" message.
std::string looked_in(const std::vector<fs::path>& candidates) {
  std::string looked;
  for (const auto& c : candidates) {
    std::error_code ec;
    looked += (looked.empty() ? "" : ", ") + fs::absolute(c, ec).lexically_normal().string();
  }
  return looked;
}

// Reads every triangle of a mesh file into one MeshData, scale applied.
Expected<MeshData> read_mesh(const fs::path& file, const Eigen::Vector3d& scale, const std::string& urdf, int line) {
  Assimp::Importer importer;
  const unsigned flags = aiProcess_Triangulate | aiProcess_JoinIdenticalVertices | aiProcess_GenNormals |
                         aiProcess_PreTransformVertices | aiProcess_SortByPType;
  const aiScene* scene = importer.ReadFile(file.string(), flags);
  if (!scene || !scene->mRootNode || (scene->mFlags & AI_SCENE_FLAGS_INCOMPLETE)) {
    return Error{urdf, line, "mesh '" + file.string() + "' unreadable: " + importer.GetErrorString()};
  }
  MeshData out;
  out.source = file.string();
  const bool mirrored = scale.x() * scale.y() * scale.z() < 0.0;
  const Eigen::Vector3d nscale(1.0 / scale.x(), 1.0 / scale.y(), 1.0 / scale.z());
  for (unsigned m = 0; m < scene->mNumMeshes; ++m) {
    const aiMesh* mesh = scene->mMeshes[m];
    if (!(mesh->mPrimitiveTypes & aiPrimitiveType_TRIANGLE)) continue;
    const auto base = static_cast<unsigned>(out.positions.size() / 3);
    for (unsigned v = 0; v < mesh->mNumVertices; ++v) {
      const aiVector3D& p = mesh->mVertices[v];
      out.positions.insert(out.positions.end(), {float(p.x * scale.x()), float(p.y * scale.y()),
                                                 float(p.z * scale.z())});
      Eigen::Vector3d n = Eigen::Vector3d::UnitZ();
      if (mesh->mNormals) {
        const aiVector3D& a = mesh->mNormals[v];
        n = Eigen::Vector3d(a.x, a.y, a.z).cwiseProduct(nscale);
        if (n.squaredNorm() > 0.0) n.normalize();
      }
      out.normals.insert(out.normals.end(), {float(n.x()), float(n.y()), float(n.z())});
    }
    for (unsigned f = 0; f < mesh->mNumFaces; ++f) {
      const aiFace& face = mesh->mFaces[f];
      if (face.mNumIndices != 3) continue;
      out.indices.push_back(base + face.mIndices[0]);
      out.indices.push_back(base + face.mIndices[mirrored ? 2 : 1]);
      out.indices.push_back(base + face.mIndices[mirrored ? 1 : 2]);
    }
  }
  if (out.indices.empty()) return Error{urdf, line, "mesh '" + file.string() + "' has no triangles"};
  return out;
}

Eigen::Vector4f color_of(const urdf::Visual& v, const urdf::ModelInterface& model) {
  // urdfdom already points a visual naming a robot-level material at it.
  const urdf::Material* mat = v.material.get();
  if (!mat && !v.material_name.empty()) mat = model.getMaterial(v.material_name).get();
  if (!mat) return Visual{}.rgba;
  return {mat->color.r, mat->color.g, mat->color.b, mat->color.a};
}

JointType joint_type(int urdf_type) {
  switch (urdf_type) {
    case urdf::Joint::REVOLUTE: return JointType::Revolute;
    case urdf::Joint::CONTINUOUS: return JointType::Continuous;
    case urdf::Joint::PRISMATIC: return JointType::Prismatic;
    default: return JointType::Fixed;  // fixed; floating/planar are drawn at their origin
  }
}

// A mesh file at one scale: each is read once per load_urdf() call.
struct MeshCacheKey {
  std::string path;
  std::array<double, 3> scale;
  auto operator<=>(const MeshCacheKey&) const = default;
};

// The URDF's text and its XML line index.
struct UrdfText {
  std::string text;
  LineIndex lines;
};

// Reads the file and indexes its lines; errors as `file:line: what`.
Expected<UrdfText> read_urdf(const fs::path& urdf_path) {
  const std::string file = urdf_path.string();
  std::ifstream in(urdf_path, std::ios::binary);
  if (!in) return Error{file, 0, "cannot open the URDF"};
  std::stringstream buf;
  buf << in.rdbuf();
  UrdfText out{buf.str(), {}};

  TiXmlDocument doc;
  doc.Parse(out.text.c_str(), nullptr, TIXML_ENCODING_UTF8);
  if (doc.Error()) return Error{file, doc.ErrorRow(), std::string("XML error: ") + doc.ErrorDesc()};
  const TiXmlElement* robot_el = doc.FirstChildElement("robot");
  if (!robot_el) return Error{file, doc.RootElement() ? doc.RootElement()->Row() : 0, "no <robot> element"};
  out.lines = index_lines(robot_el);
  return out;
}

// urdfdom's model; on failure its first message that names a link or joint
// we can point at (else its first message).
Expected<urdf::ModelInterfaceSharedPtr> parse_with_urdfdom(const std::string& file, const UrdfText& urdf) {
  urdf::ModelInterfaceSharedPtr urdf_model;
  std::vector<std::string> errors;
  {
    CaptureLog capture;
    try {
      urdf_model = urdf::parseURDF(urdf.text);
    } catch (const std::exception& e) {
      capture.errors.emplace_back(e.what());
    }
    errors = std::move(capture.errors);
  }
  if (urdf_model) return urdf_model;
  std::string msg = errors.empty() ? std::string("urdfdom could not parse the model") : errors.front();
  int line = 0;
  for (const auto& e : errors) {
    if ((line = line_of_message(e, urdf.lines)) > 0) {
      msg = e;
      break;
    }
  }
  return Error{file, line, msg};
}

}  // namespace

namespace detail {

// Builds one RobotModel from urdfdom's model, step by step; a friend of
// RobotModel. Which thread: the one calling load_urdf().
class UrdfBuilder {
 public:
  UrdfBuilder(const fs::path& urdf_path, const LineIndex& lines, const urdf::ModelInterface& urdf)
      : file_(urdf_path.string()), lines_(lines), urdf_(urdf) {
    model_.name_ = urdf.getName();
    model_.path_ = urdf_path;
    urdf_dir_ = urdf_path.parent_path().empty() ? fs::path(".") : urdf_path.parent_path();
  }

  Expected<RobotModel> build() && {
    add_links();
    if (auto r = add_joints(); !r) return r.error();
    order_joints();
    if (auto r = add_visuals(); !r) return r.error();
    return std::move(model_);
  }

 private:
  void add_links();
  void add_link(const std::string& name);
  Expected<void> add_joints();
  Expected<Joint> make_joint(const std::string& name, const urdf::Joint& uj);
  void order_joints();
  Expected<void> add_visuals();
  Expected<bool> set_geometry(Visual& v, const urdf::Geometry& g, int line);
  Expected<int> mesh_index(const urdf::Mesh& m, int line);

  const std::string file_;
  const LineIndex& lines_;
  const urdf::ModelInterface& urdf_;
  fs::path urdf_dir_;
  RobotModel model_;
  std::unordered_map<std::string, int> link_ids_;
  std::vector<urdf::LinkConstSharedPtr> ulinks_;  // like model_.links_
  std::vector<std::vector<int>> child_joints_;    // per link
  std::map<MeshCacheKey, int> mesh_cache_;        // -> index into model_.meshes_
};

// Links in document order (then any urdfdom knows that the index missed).
void UrdfBuilder::add_links() {
  for (const auto& n : lines_.link_order) add_link(n);
  for (const auto& [n, l] : urdf_.links_) add_link(n);
}

void UrdfBuilder::add_link(const std::string& name) {
  if (link_ids_.count(name)) return;
  auto l = urdf_.getLink(name);
  if (!l) return;
  link_ids_[name] = int(model_.links_.size());
  model_.links_.push_back(Link{name, -1, {}});
  auto it = lines_.link_line.find(name);
  model_.link_lines_.push_back(it == lines_.link_line.end() ? 0 : it->second);
  ulinks_.push_back(l);
}

// Joints in document order (then any urdfdom knows that the index missed).
Expected<void> UrdfBuilder::add_joints() {
  std::vector<std::string> joint_names = lines_.joint_order;
  for (const auto& [n, j] : urdf_.joints_) {
    if (std::find(joint_names.begin(), joint_names.end(), n) == joint_names.end()) joint_names.push_back(n);
  }
  child_joints_.assign(model_.links_.size(), {});
  for (const auto& n : joint_names) {
    auto uj = urdf_.getJoint(n);
    if (!uj) continue;
    auto j = make_joint(n, *uj);
    if (!j) return j.error();
    const int id = int(model_.joints_.size());
    model_.links_[j->child_link].parent_joint = id;
    child_joints_[j->parent_link].push_back(id);
    model_.joints_.push_back(std::move(*j));
  }
  model_.joint_slot_.assign(model_.joints_.size(), -1);
  return {};
}

Expected<Joint> UrdfBuilder::make_joint(const std::string& name, const urdf::Joint& uj) {
  const int line = lines_.joint_line.count(name) ? lines_.joint_line.at(name) : 0;
  Joint j;
  j.name = name;
  j.type = joint_type(uj.type);
  j.parent_link = link_ids_.count(uj.parent_link_name) ? link_ids_[uj.parent_link_name] : -1;
  j.child_link = link_ids_.count(uj.child_link_name) ? link_ids_[uj.child_link_name] : -1;
  if (j.parent_link < 0 || j.child_link < 0) return Error{file_, line, "joint '" + name + "' names an unknown link"};
  j.origin = to_isometry(uj.parent_to_joint_origin_transform);
  j.axis = Eigen::Vector3d(uj.axis.x, uj.axis.y, uj.axis.z);
  if (j.movable()) {
    if (j.axis.norm() < 1e-12) return Error{file_, line, "joint '" + name + "' has a zero axis"};
    j.axis.normalize();
  }
  if (j.type == JointType::Continuous || !uj.limits) {
    j.lower = -std::numeric_limits<double>::infinity();
    j.upper = std::numeric_limits<double>::infinity();
  } else {
    j.lower = uj.limits->lower;
    j.upper = uj.limits->upper;
  }
  return j;
}

// Root and parent-before-child joint order: the DFS emits a joint when its
// parent link is popped, so parents precede children.
void UrdfBuilder::order_joints() {
  model_.root_ = link_ids_.at(urdf_.getRoot()->name);
  std::vector<int> stack{model_.root_};
  while (!stack.empty()) {
    const int l = stack.back();
    stack.pop_back();
    for (auto it = child_joints_[l].rbegin(); it != child_joints_[l].rend(); ++it) {
      model_.topo_joints_.push_back(*it);
      stack.push_back(model_.joints_[*it].child_link);
    }
  }
}

// Each link's visuals; errors point at the visual's geometry element.
Expected<void> UrdfBuilder::add_visuals() {
  for (size_t li = 0; li < ulinks_.size(); ++li) {
    const auto& ul = *ulinks_[li];
    const auto geom_lines = lines_.visual_geom_line.count(ul.name) ? lines_.visual_geom_line.at(ul.name)
                                                                   : std::vector<int>{};
    for (size_t vi = 0; vi < ul.visual_array.size(); ++vi) {
      const urdf::Visual& uv = *ul.visual_array[vi];
      if (!uv.geometry) continue;
      const int line = vi < geom_lines.size() ? geom_lines[vi] : model_.link_lines_[li];
      Visual v;
      v.origin = to_isometry(uv.origin);
      v.rgba = color_of(uv, urdf_);
      auto known = set_geometry(v, *uv.geometry, line);
      if (!known) return known.error();
      if (*known) model_.links_[li].visuals.push_back(std::move(v));
    }
  }
  return {};
}

// Fills v's type and size (and mesh); false for a geometry we do not draw.
Expected<bool> UrdfBuilder::set_geometry(Visual& v, const urdf::Geometry& g, int line) {
  switch (g.type) {
    case urdf::Geometry::BOX: {
      const auto& b = static_cast<const urdf::Box&>(g);
      v.type = GeomType::Box;
      v.size = Eigen::Vector3d(b.dim.x, b.dim.y, b.dim.z);
      return true;
    }
    case urdf::Geometry::CYLINDER: {
      const auto& c = static_cast<const urdf::Cylinder&>(g);
      v.type = GeomType::Cylinder;
      v.size = Eigen::Vector3d(c.radius, c.length, 0.0);
      return true;
    }
    case urdf::Geometry::SPHERE: {
      const auto& s = static_cast<const urdf::Sphere&>(g);
      v.type = GeomType::Sphere;
      v.size = Eigen::Vector3d(s.radius, 0.0, 0.0);
      return true;
    }
    case urdf::Geometry::MESH: {
      const auto& m = static_cast<const urdf::Mesh&>(g);
      auto mesh = mesh_index(m, line);
      if (!mesh) return mesh.error();
      v.type = GeomType::Mesh;
      v.mesh = *mesh;
      v.size = Eigen::Vector3d(m.scale.x, m.scale.y, m.scale.z);  // informational: already applied to the mesh
      return true;
    }
    default: return false;
  }
}

// The mesh a <mesh> element names, read once per file and scale.
Expected<int> UrdfBuilder::mesh_index(const urdf::Mesh& m, int line) {
  const Eigen::Vector3d scale(m.scale.x, m.scale.y, m.scale.z);
  const auto candidates = mesh_candidates(m.filename, urdf_dir_);
  const fs::path found = first_existing(candidates);
  if (found.empty()) {
    return Error{file_, line, "mesh '" + m.filename + "' not found (looked in " + looked_in(candidates) + ")"};
  }
  const MeshCacheKey key{found.string(), {scale.x(), scale.y(), scale.z()}};
  auto it = mesh_cache_.find(key);
  if (it == mesh_cache_.end()) {
    auto mesh = read_mesh(found, scale, file_, line);
    if (!mesh) return mesh.error();
    it = mesh_cache_.emplace(key, int(model_.meshes_.size())).first;
    model_.meshes_.push_back(std::move(mesh).value());
  }
  return it->second;
}

}  // namespace detail

Expected<RobotModel> load_urdf(const fs::path& urdf_path) {
  auto urdf = read_urdf(urdf_path);
  if (!urdf) return urdf.error();
  auto urdf_model = parse_with_urdfdom(urdf_path.string(), *urdf);
  if (!urdf_model) return urdf_model.error();
  return detail::UrdfBuilder(urdf_path, urdf->lines, **urdf_model).build();
}

}  // namespace strokeviz::load
