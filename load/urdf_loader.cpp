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

}  // namespace

// The mesh cache and the model under construction, for one load() call.
struct MeshCacheKey {
  std::string path;
  std::array<double, 3> scale;
  auto operator<=>(const MeshCacheKey&) const = default;
};

Expected<RobotModel> load_urdf(const fs::path& urdf_path) {
  const std::string file = urdf_path.string();
  std::ifstream in(urdf_path, std::ios::binary);
  if (!in) return Error{file, 0, "cannot open the URDF"};
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();

  TiXmlDocument doc;
  doc.Parse(text.c_str(), nullptr, TIXML_ENCODING_UTF8);
  if (doc.Error()) return Error{file, doc.ErrorRow(), std::string("XML error: ") + doc.ErrorDesc()};
  const TiXmlElement* robot_el = doc.FirstChildElement("robot");
  if (!robot_el) return Error{file, doc.RootElement() ? doc.RootElement()->Row() : 0, "no <robot> element"};
  const LineIndex lines = index_lines(robot_el);

  urdf::ModelInterfaceSharedPtr urdf_model;
  std::vector<std::string> errors;
  {
    CaptureLog capture;
    try {
      urdf_model = urdf::parseURDF(text);
    } catch (const std::exception& e) {
      capture.errors.emplace_back(e.what());
    }
    errors = std::move(capture.errors);
  }
  if (!urdf_model) {
    std::string msg = errors.empty() ? std::string("urdfdom could not parse the model") : errors.front();
    int line = 0;
    for (const auto& e : errors) {
      if ((line = line_of_message(e, lines)) > 0) {
        msg = e;
        break;
      }
    }
    return Error{file, line, msg};
  }

  RobotModel model;
  model.name_ = urdf_model->getName();
  model.path_ = urdf_path;

  // Links in document order.
  std::unordered_map<std::string, int> link_ids;
  std::vector<urdf::LinkConstSharedPtr> ulinks;
  auto add_link = [&](const std::string& name) {
    if (link_ids.count(name)) return;
    auto l = urdf_model->getLink(name);
    if (!l) return;
    link_ids[name] = int(model.links_.size());
    model.links_.push_back(Link{name, -1, {}});
    auto it = lines.link_line.find(name);
    model.link_lines_.push_back(it == lines.link_line.end() ? 0 : it->second);
    ulinks.push_back(l);
  };
  for (const auto& n : lines.link_order) add_link(n);
  for (const auto& [n, l] : urdf_model->links_) add_link(n);

  // Joints in document order.
  std::vector<std::string> joint_names = lines.joint_order;
  for (const auto& [n, j] : urdf_model->joints_) {
    if (std::find(joint_names.begin(), joint_names.end(), n) == joint_names.end()) joint_names.push_back(n);
  }
  std::vector<std::vector<int>> child_joints(model.links_.size());
  for (const auto& n : joint_names) {
    auto uj = urdf_model->getJoint(n);
    if (!uj) continue;
    const int line = lines.joint_line.count(n) ? lines.joint_line.at(n) : 0;
    Joint j;
    j.name = n;
    j.type = joint_type(uj->type);
    j.parent_link = link_ids.count(uj->parent_link_name) ? link_ids[uj->parent_link_name] : -1;
    j.child_link = link_ids.count(uj->child_link_name) ? link_ids[uj->child_link_name] : -1;
    if (j.parent_link < 0 || j.child_link < 0) return Error{file, line, "joint '" + n + "' names an unknown link"};
    j.origin = to_isometry(uj->parent_to_joint_origin_transform);
    j.axis = Eigen::Vector3d(uj->axis.x, uj->axis.y, uj->axis.z);
    if (j.movable()) {
      if (j.axis.norm() < 1e-12) return Error{file, line, "joint '" + n + "' has a zero axis"};
      j.axis.normalize();
    }
    if (j.type == JointType::Continuous || !uj->limits) {
      j.lower = -std::numeric_limits<double>::infinity();
      j.upper = std::numeric_limits<double>::infinity();
    } else {
      j.lower = uj->limits->lower;
      j.upper = uj->limits->upper;
    }
    const int id = int(model.joints_.size());
    model.links_[j.child_link].parent_joint = id;
    child_joints[j.parent_link].push_back(id);
    model.joints_.push_back(std::move(j));
  }
  model.joint_slot_.assign(model.joints_.size(), -1);

  // Root and parent-before-child joint order.
  model.root_ = link_ids.at(urdf_model->getRoot()->name);
  std::vector<int> stack{model.root_};
  while (!stack.empty()) {
    const int l = stack.back();
    stack.pop_back();
    for (auto it = child_joints[l].rbegin(); it != child_joints[l].rend(); ++it) {
      model.topo_joints_.push_back(*it);
      stack.push_back(model.joints_[*it].child_link);
    }
  }
  // The DFS above emits a joint when its parent is popped, so parents precede children.

  // Visuals and meshes.
  std::map<MeshCacheKey, int> cache;
  const fs::path urdf_dir = urdf_path.parent_path().empty() ? fs::path(".") : urdf_path.parent_path();
  for (size_t li = 0; li < ulinks.size(); ++li) {
    const auto& ul = *ulinks[li];
    const auto geom_lines = lines.visual_geom_line.count(ul.name) ? lines.visual_geom_line.at(ul.name)
                                                                  : std::vector<int>{};
    for (size_t vi = 0; vi < ul.visual_array.size(); ++vi) {
      const urdf::Visual& uv = *ul.visual_array[vi];
      if (!uv.geometry) continue;
      const int line = vi < geom_lines.size() ? geom_lines[vi] : model.link_lines_[li];
      Visual v;
      v.origin = to_isometry(uv.origin);
      v.rgba = color_of(uv, *urdf_model);
      switch (uv.geometry->type) {
        case urdf::Geometry::BOX: {
          const auto& b = static_cast<const urdf::Box&>(*uv.geometry);
          v.type = GeomType::Box;
          v.size = Eigen::Vector3d(b.dim.x, b.dim.y, b.dim.z);
          break;
        }
        case urdf::Geometry::CYLINDER: {
          const auto& c = static_cast<const urdf::Cylinder&>(*uv.geometry);
          v.type = GeomType::Cylinder;
          v.size = Eigen::Vector3d(c.radius, c.length, 0.0);
          break;
        }
        case urdf::Geometry::SPHERE: {
          const auto& s = static_cast<const urdf::Sphere&>(*uv.geometry);
          v.type = GeomType::Sphere;
          v.size = Eigen::Vector3d(s.radius, 0.0, 0.0);
          break;
        }
        case urdf::Geometry::MESH: {
          const auto& m = static_cast<const urdf::Mesh&>(*uv.geometry);
          const Eigen::Vector3d scale(m.scale.x, m.scale.y, m.scale.z);
          const auto candidates = mesh_candidates(m.filename, urdf_dir);
          fs::path found;
          for (const auto& c : candidates) {
            std::error_code ec;
            if (fs::is_regular_file(c, ec)) {
              found = fs::absolute(c, ec).lexically_normal();
              break;
            }
          }
          if (found.empty()) {
            std::string looked;
            for (const auto& c : candidates) {
              std::error_code ec;
              looked += (looked.empty() ? "" : ", ") + fs::absolute(c, ec).lexically_normal().string();
            }
            return Error{file, line, "mesh '" + m.filename + "' not found (looked in " + looked + ")"};
          }
          const MeshCacheKey key{found.string(), {scale.x(), scale.y(), scale.z()}};
          auto it = cache.find(key);
          if (it == cache.end()) {
            auto mesh = read_mesh(found, scale, file, line);
            if (!mesh) return mesh.error();
            it = cache.emplace(key, int(model.meshes_.size())).first;
            model.meshes_.push_back(std::move(mesh).value());
          }
          v.type = GeomType::Mesh;
          v.mesh = it->second;
          v.size = scale;  // informational: the URDF scale, already applied to the mesh
          break;
        }
        default: continue;
      }
      model.links_[li].visuals.push_back(std::move(v));
    }
  }
  return model;
}

}  // namespace strokeviz::load
