// Everything the viewer loads from disk and the environment before a window opens.
#include "app/loading.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "load/scene_loader.hpp"
#include "load/urdf_loader.hpp"

namespace strokeviz::app {
namespace {
namespace fs = std::filesystem;

std::string scene_list_message(const Options& options) {
  std::string out = "unknown scene '" + options.scene + "'. Available scenes:";
  bool any = false;
  for (const fs::path& dir : scene_search_dirs(options)) {
    for (const std::string& name : load::list_scenes(dir)) {
      out += "\n  " + name + "    (" + (dir / name).string() + ")";
      any = true;
    }
  }
  if (!any) out += "\n  (none found; use --scenes-dir DIR or --scene PATH)";
  return out;
}

Expected<sync::RedisConfig> resolve_redis(const Options& o) {
  auto cfg = sync::RedisConfig::from_env();
  if (!cfg) return cfg.error();
  if (!o.redis.empty())
    if (auto r = cfg->set_address(o.redis); !r) return Error{"--redis", 0, r.error().message};
  if (!o.redis_password.empty()) cfg->password = o.redis_password;
  if (o.redis_db) cfg->db = *o.redis_db;
  return cfg;
}

}  // namespace

Expected<Loaded> load_inputs(const Options& options) {
  const auto scene_path = resolve_scene(options);
  if (!scene_path) return Error{"", 0, scene_list_message(options)};
  auto sc = load::load_scene(*scene_path);
  if (!sc) return sc.error();
  for (const Error& w : sc->warnings) spdlog::warn("{}", w.str());
  const fs::path urdf = options.urdf.empty() ? sc->urdf : options.urdf;
  auto model = load::load_urdf(urdf);
  if (!model) return model.error();
  auto redis = resolve_redis(options);
  if (!redis) return redis.error();
  Loaded out{std::move(*sc), std::move(*model), {}, std::move(*redis)};
  if (auto arms = out.model.set_arms(out.scene.ee_links); !arms) {
    out.robot_note = "arms not posed: " + arms.error().str();
    spdlog::warn("{}", out.robot_note);
  }
  return out;
}

}  // namespace strokeviz::app
