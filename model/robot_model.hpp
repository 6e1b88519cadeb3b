// The robot's kinematic tree from a URDF (urdfdom), with visual geometry (assimp meshes).
#pragma once

#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Geometry>

#include "common/expected.hpp"

namespace strokeviz::load::detail {
class UrdfBuilder;  // load/urdf_loader.cpp
}

namespace strokeviz::model {

// Triangle mesh in its link's visual frame, URDF scale applied.
struct MeshData {
  std::string source;              // file it came from
  std::vector<float> positions;    // xyz per vertex
  std::vector<float> normals;      // xyz per vertex
  std::vector<unsigned> indices;   // 3 per triangle
};

enum class GeomType { Mesh, Box, Cylinder, Sphere };

struct Visual {
  GeomType type = GeomType::Box;
  Eigen::Isometry3d origin = Eigen::Isometry3d::Identity();  // in the link frame
  Eigen::Vector3d size = Eigen::Vector3d::Zero();  // box: xyz; cylinder: (radius, length, 0); sphere: (radius, 0, 0)
  int mesh = -1;                                   // GeomType::Mesh: index into RobotModel::meshes()
  Eigen::Vector4f rgba{0.6f, 0.6f, 0.6f, 1.0f};
};

struct Link {
  std::string name;
  int parent_joint = -1;  // -1 for the root link
  std::vector<Visual> visuals;
};

enum class JointType { Fixed, Revolute, Continuous, Prismatic };

struct Joint {
  std::string name;
  JointType type = JointType::Fixed;
  int parent_link = -1;
  int child_link = -1;
  Eigen::Isometry3d origin = Eigen::Isometry3d::Identity();  // parent link -> joint frame
  Eigen::Vector3d axis = Eigen::Vector3d::UnitX();
  double lower = 0.0, upper = 0.0;  // limits (Continuous: unbounded)
  bool movable() const { return type != JointType::Fixed; }
};

// The transform a joint adds at value q (parent link -> child link):
// origin * AngleAxis(q, axis) (revolute/continuous), origin *
// Translation(q * axis) (prismatic), origin (fixed).
inline Eigen::Isometry3d joint_transform(const Joint& j, double q) {
  Eigen::Isometry3d t = j.origin;
  if (j.type == JointType::Revolute || j.type == JointType::Continuous) {
    t.linear() = j.origin.linear() * Eigen::AngleAxisd(q, j.axis).toRotationMatrix();
  } else if (j.type == JointType::Prismatic) {
    t.translation() += j.origin.linear() * (q * j.axis);
  }
  return t;
}

inline constexpr int kArmJoints = 7;
inline constexpr int kAllArmJoints = 14;
using JointVector = std::array<double, kAllArmJoints>;  // left arm first

// Which thread: built once at start-up, then read-only (any thread).
class RobotModel {
 public:
  // Built by load::load_urdf().

  // Declares the two arms by their end-effector links (e.g.
  // "left/tattoo_needle"): each arm's joints are the movable joints on the
  // path from the root to that link, which must be exactly kArmJoints.
  // Returns an error naming the link if not; the model stays usable for
  // drawing without arms.
  Expected<bool> set_arms(const std::array<std::string, 2>& ee_links);
  bool has_arms() const { return has_arms_; }

  const std::string& name() const { return name_; }
  const std::filesystem::path& path() const { return path_; }
  const std::vector<Link>& links() const { return links_; }
  const std::vector<Joint>& joints() const { return joints_; }
  const std::vector<MeshData>& meshes() const { return meshes_; }
  int root_link() const { return root_; }
  int link_index(const std::string& name) const;   // -1 if absent
  int joint_index(const std::string& name) const;  // -1 if absent
  int ee_link(int arm) const { return ee_link_[arm]; }
  // The 14 arm joints (indices into joints()), left arm first.
  const std::array<int, kAllArmJoints>& arm_joints() const { return arm_joints_; }
  std::array<std::string, kAllArmJoints> arm_joint_names() const;

  // World transform of every link (indexed like links()) for the 14 arm
  // joint values; all other movable joints sit at 0.
  void forward_kinematics(const JointVector& q, std::vector<Eigen::Isometry3d>& link_world) const;
  Eigen::Isometry3d link_pose(int link, const JointVector& q) const;

  // Same, with one value per joint (indexed like joints(); fixed joints'
  // values are ignored). For models without arms, e.g. test fixtures.
  void forward_kinematics_joints(std::span<const double> joint_values,
                                 std::vector<Eigen::Isometry3d>& link_world) const;

  // Arm joint values (7, root to tip) of `arm` in a JointVector.
  static constexpr int arm_offset(int arm) { return arm * kArmJoints; }
  // URDF line of a link's element (0 if unknown): for error messages.
  int link_line(int link) const;

 private:
  friend class load::detail::UrdfBuilder;
  std::string name_;
  std::filesystem::path path_;
  std::vector<Link> links_;
  std::vector<Joint> joints_;
  std::vector<MeshData> meshes_;
  std::vector<int> topo_joints_;  // joints in parent-before-child order
  int root_ = -1;
  bool has_arms_ = false;
  std::array<int, 2> ee_link_{-1, -1};
  std::array<int, kAllArmJoints> arm_joints_{};
  std::vector<int> joint_slot_;   // per joint: index into JointVector, or -1
  std::vector<int> link_lines_;   // per link: line of its <link> element
};

}  // namespace strokeviz::model
