// Robots from disk: a URDF and the meshes it names, into model::RobotModel.
#pragma once

#include <filesystem>

#include "common/expected.hpp"
#include "model/robot_model.hpp"

namespace strokeviz::load {

// Parses the URDF and loads every mesh it names (relative to the URDF's
// folder, or package:// / file:// forms). Failures return
// `file:line: what`: an XML error, a broken element, a missing mesh (the
// line of its <mesh> element) or an unreadable mesh.
Expected<model::RobotModel> load_urdf(const std::filesystem::path& urdf_path);

}  // namespace strokeviz::load
