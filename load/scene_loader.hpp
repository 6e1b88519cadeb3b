// Scenes from disk: scene.json + one G-code file per pen, into model::Scene.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "model/scene.hpp"

namespace strokeviz::load {

using model::Scene;

// Loads `dir/scene.json` (or the scene.json path itself) and the G-code of
// every pen, and builds the stroke list. Errors name `file:line: what`.
Expected<Scene> load_scene(const std::filesystem::path& dir_or_json);

// Parses and validates scene.json text only (no G-code read, no strokes):
// fills every field but `strokes`, and `pens` from the pen lists and colours
// with `gcode` empty. `json_path` names the file in errors and anchors
// relative paths (its parent is the scene dir). Errors are
// `<json_path>:<line>: <field path>: what`.
Expected<Scene> parse_scene_json(std::string_view text, const std::filesystem::path& json_path);

// Scene folders (those holding a scene.json) in a scenes directory, sorted.
std::vector<std::string> list_scenes(const std::filesystem::path& scenes_dir);

}  // namespace strokeviz::load
