// --dump-plan: the scene's stroke list as JSON, target for target, no window.
#pragma once

#include <filesystem>
#include <string>

#include "common/expected.hpp"
#include "model/scene.hpp"

namespace strokeviz::app {

// {"scene", "stroke_length" L, "offset_num" O, "steps": [{"left": arm,
// "right": arm}, …]} with arm = {"kind": "draw"|"inkdip"|"rest",
// "description", "inkcap" (or null), "pen" (or null), "targets": L × O ×
// [x, y, z] needle targets, world metres (null for a rest arm)}.
std::string plan_to_json(const model::Scene& scene);

// Writes plan_to_json(scene) to `path`; an error names the file.
Expected<void> write_plan(const std::filesystem::path& path, const model::Scene& scene);

}  // namespace strokeviz::app
