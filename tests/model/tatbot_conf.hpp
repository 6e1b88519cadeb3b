// Figures from the real tatbot configuration (../shared/tatbot/conf), shared by the robot tests.
#pragma once

#include <array>
#include <string>

#include <Eigen/Core>
#include <Eigen/Geometry>

#include "model/robot_model.hpp"
#include "load/urdf_loader.hpp"
#include "load/scene_loader.hpp"

namespace strokeviz::model::test {

inline const std::string kOwnUrdf = STROKEVIZ_SOURCE_DIR "/assets/tatbot.urdf";
inline const std::string kRealUrdf = STROKEVIZ_SHARED_DIR "/tatbot/urdf/tatbot.urdf";
inline const std::string kFixtures = STROKEVIZ_SOURCE_DIR "/tests/data/urdf/";
inline const std::array<std::string, 2> kNeedles{"left/tattoo_needle", "right/tattoo_needle"};

// conf/poses/{left,right}/ready.yaml
inline JointVector ready_pose() {
  return {-0.333, 0.639, 0.667, -1.034, 0.541, 2.240, 0.04,  //
          0.333,  0.639, 0.667, -1.034, -0.541, -2.240, 0.04};
}
// conf/arms/default.yaml: ee_rot_l / ee_rot_r (wxyz), ee_offset_l / ee_offset_r, hover_offset
inline Eigen::Quaterniond ee_rot(int arm) {
  return arm == 0 ? Eigen::Quaterniond(0.7071, 0, 0, -0.7071) : Eigen::Quaterniond(0.7071, 0, 0, 0.7071);
}
inline Eigen::Vector3d ee_offset(int arm) {
  return arm == 0 ? Eigen::Vector3d(-0.0032011130459314863, -0.006146244846220735, 0.0)
                  : Eigen::Vector3d(0.0003607626669337727, 0.011764407112841976, 0.00529831437515331);
}
inline const Eigen::Vector3d kHover(0.0, 0.0, 0.005);
// The URDF lasercross link: where the 100 mm x 100 mm design sits.
inline const Eigen::Vector3d kLasercross(0.25045, 0.0, 0.102);

}  // namespace strokeviz::model::test
