// RobotModel: the kinematic tree, arms and forward kinematics (loading: load/urdf_loader.cpp).
#include "model/robot_model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>
#include <unordered_map>


namespace strokeviz::model {
namespace fs = std::filesystem;

Expected<bool> RobotModel::set_arms(const std::array<std::string, 2>& ee_links) {
  has_arms_ = false;
  std::fill(joint_slot_.begin(), joint_slot_.end(), -1);
  std::array<int, kAllArmJoints> found{};
  for (int arm = 0; arm < 2; ++arm) {
    const int ee = link_index(ee_links[arm]);
    if (ee < 0) return Error{path_.string(), 0, "set_arms(): no link '" + ee_links[arm] + "'"};
    std::vector<int> chain;  // tip to root
    for (int l = ee; links_[l].parent_joint >= 0; l = joints_[links_[l].parent_joint].parent_link) {
      if (joints_[links_[l].parent_joint].movable()) chain.push_back(links_[l].parent_joint);
    }
    if (int(chain.size()) != kArmJoints) {
      return Error{path_.string(), link_lines_[ee],
                   "set_arms(): link '" + ee_links[arm] + "' has " + std::to_string(chain.size()) +
                       " movable joints between it and the root, expected " + std::to_string(kArmJoints)};
    }
    std::reverse(chain.begin(), chain.end());
    for (int k = 0; k < kArmJoints; ++k) {
      const int j = chain[k];
      if (joint_slot_[j] >= 0) {
        std::fill(joint_slot_.begin(), joint_slot_.end(), -1);
        return Error{path_.string(), link_lines_[ee],
                     "set_arms(): joint '" + joints_[j].name + "' is shared by both arms"};
      }
      found[arm_offset(arm) + k] = j;
      joint_slot_[j] = arm_offset(arm) + k;
    }
    ee_link_[arm] = ee;
  }
  arm_joints_ = found;
  has_arms_ = true;
  return true;
}

int RobotModel::link_index(const std::string& name) const {
  for (size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].name == name) return int(i);
  }
  return -1;
}

int RobotModel::joint_index(const std::string& name) const {
  for (size_t i = 0; i < joints_.size(); ++i) {
    if (joints_[i].name == name) return int(i);
  }
  return -1;
}

int RobotModel::link_line(int link) const {
  return link >= 0 && link < int(link_lines_.size()) ? link_lines_[link] : 0;
}

std::array<std::string, kAllArmJoints> RobotModel::arm_joint_names() const {
  std::array<std::string, kAllArmJoints> names;
  if (!has_arms_) return names;
  for (int i = 0; i < kAllArmJoints; ++i) names[i] = joints_[arm_joints_[i]].name;
  return names;
}

void RobotModel::forward_kinematics(const JointVector& q, std::vector<Eigen::Isometry3d>& link_world) const {
  link_world.resize(links_.size());
  if (root_ < 0) return;
  link_world[root_].setIdentity();
  for (int j : topo_joints_) {
    const Joint& jt = joints_[j];
    const int slot = joint_slot_[j];
    link_world[jt.child_link] = link_world[jt.parent_link] * joint_transform(jt, slot >= 0 ? q[slot] : 0.0);
  }
}

void RobotModel::forward_kinematics_joints(std::span<const double> joint_values,
                                           std::vector<Eigen::Isometry3d>& link_world) const {
  link_world.resize(links_.size());
  if (root_ < 0) return;
  link_world[root_].setIdentity();
  for (int j : topo_joints_) {
    const Joint& jt = joints_[j];
    const double v = size_t(j) < joint_values.size() ? joint_values[j] : 0.0;
    link_world[jt.child_link] = link_world[jt.parent_link] * joint_transform(jt, v);
  }
}

Eigen::Isometry3d RobotModel::link_pose(int link, const JointVector& q) const {
  Eigen::Isometry3d t = Eigen::Isometry3d::Identity();
  if (link < 0 || link >= int(links_.size())) return t;
  for (int l = link; links_[l].parent_joint >= 0;) {
    const int j = links_[l].parent_joint;
    const int slot = joint_slot_[j];
    t = joint_transform(joints_[j], slot >= 0 ? q[slot] : 0.0) * t;
    l = joints_[j].parent_link;
  }
  return t;
}

}  // namespace strokeviz::model
