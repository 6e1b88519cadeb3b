// A scene small enough to reason about in follower and source tests: 5 strokes
// of 20 poses, 8 depth offsets, a pose every 0.2 s, the first one 1.0 s.
#pragma once

#include "model/scene.hpp"

namespace strokeviz::test {

inline model::Scene small_scene() {
  model::Scene s;
  s.name = "small";
  s.stroke_length = 20;
  s.offset_num = 8;
  s.goal_time_fast = 0.2;
  s.goal_time_slow = 1.0;
  s.strokes.resize(5);
  return s;
}

}  // namespace strokeviz::test
