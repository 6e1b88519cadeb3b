// strokeviz: the tatbot stroke viewer's entry point.
#include <chrono>
#include <exception>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/cli.hpp"
#include "app/viewer.hpp"

int main(int argc, char** argv) {
  const auto start = std::chrono::steady_clock::now();
  auto parsed = strokeviz::app::parse_command_line(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  // Logs go to stderr; stdout carries results (screenshot path, reports).
  spdlog::set_default_logger(spdlog::stderr_color_mt("strokeviz"));
  spdlog::set_level(spdlog::level::from_str(parsed.options->log_level));
  try {
    return strokeviz::app::run_viewer(*parsed.options, start);
  } catch (const std::exception& e) {
    std::cerr << "strokeviz: internal error: " << e.what() << "\n";
    return strokeviz::app::kExitFailure;
  }
}
