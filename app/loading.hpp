// Everything the viewer loads from disk and the environment before a window opens.
#pragma once

#include <string>

#include "app/cli.hpp"
#include "common/expected.hpp"
#include "model/robot_model.hpp"
#include "model/scene.hpp"
#include "sync/redis_config.hpp"

namespace strokeviz::app {

struct Loaded {
  model::Scene scene;
  model::RobotModel model;
  std::string robot_note;  // why the arms are not posed, if they are not
  sync::RedisConfig redis;
};

// The scene (unknown: the message lists the available ones), the robot
// model, the state server (environment, then the command line). Any error
// is a usage error (exit 2) whose message is ready to print.
Expected<Loaded> load_inputs(const Options& options);

}  // namespace strokeviz::app
