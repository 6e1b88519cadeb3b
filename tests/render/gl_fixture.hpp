// Shared set-up for the render GL tests: a hidden window, a hand-made scene and a primitive robot.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <Eigen/Core>

#include "model/robot_model.hpp"
#include "model/scene.hpp"
#include "render/camera.hpp"
#include "render/renderer.hpp"

namespace strokeviz::render::testing {

// Two strokes on a 20 x 15 cm skin in front of the robot: stroke 0 is a
// blue line drawn by the left arm, stroke 1 a red line by the right arm
// (the other arm rests). 40 poses each, 8 depth offsets.
model::Scene two_stroke_scene();

// An RGB image, top row first, with pixel counting helpers.
struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;
  int count(const std::function<bool(int r, int g, int b)>& pred) const;
  // Is there a pixel matching pred within `radius` of (x, y)?
  bool any_near(int x, int y, int radius, const std::function<bool(int, int, int)>& pred) const;
};

bool is_blue(int r, int g, int b);
bool is_red(int r, int g, int b);
bool is_orange(int r, int g, int b);
bool is_greyish(int r, int g, int b);  // neutral and clearly brighter than the background

// Pixel (x right, y down from the top) of a world point, for a frame's view.
Eigen::Vector2f project(const FrameInput& in, const Eigen::Vector3d& world);

}  // namespace strokeviz::render::testing
