// Sessions on the command line: --replay sources, --list-sessions, --summary.
#include "app/sessions.hpp"

#include "sync/history.hpp"

#include <cstdio>
#include <future>
#include <iostream>

#include "follow/summary.hpp"

namespace strokeviz::app {
using namespace follow;

namespace fs = std::filesystem;

std::string SessionSource::describe() const {
  if (!redis) return file.string();
  return "redis://" + server.host + ":" + std::to_string(server.port) + "/" + session_id;
}

namespace {
// A redis:// source for --replay without a session id.
constexpr char kNeedsSessionId[] =
    "needs a session id: redis://HOST:PORT/<session_id> (see --list-sessions redis://HOST:PORT)";
}  // namespace

Expected<SessionSource> parse_session_source(const std::string& text, bool need_session) {
  SessionSource s;
  const std::string scheme = "redis://";
  if (text.rfind(scheme, 0) != 0) {
    s.file = text;
    return s;
  }
  s.redis = true;
  const std::string rest = text.substr(scheme.size());
  const auto slash = rest.find('/');
  auto cfg = sync::RedisConfig::from_env();
  if (!cfg) return cfg.error();
  s.server = *cfg;
  if (auto r = s.server.set_address(rest.substr(0, slash)); !r) return Error{text, 0, r.error().message};
  if (slash != std::string::npos) s.session_id = rest.substr(slash + 1);
  if (need_session && s.session_id.empty())
    return Error{text, 0, kNeedsSessionId};
  return s;
}

Expected<session::Recording> load_recording(const SessionSource& source) {
  if (source.redis) {
    auto loader = std::async(std::launch::async,
                             [&] { return sync::fetch_recording(source.server, source.session_id); });
    return loader.get();
  }
  session::LoadReport report;
  auto rec = session::Recording::load(source.file, &report);
  if (rec && report.skipped > 0)
    std::cerr << "strokeviz: " << source.file.string() << ": skipped " << report.skipped
              << " damaged line(s), the first at line " << report.first_bad_line << " (" << report.first_bad_reason
              << "); replaying the " << report.items << " valid ones\n";
  return rec;
}

fs::path sessions_dir(const Options& options) {
  return options.record_dir.empty() ? session::default_sessions_dir() : options.record_dir;
}

namespace {
void print_listing(const session::SessionListing& l) {
  const double minutes = l.end_us > l.header.start_us ? static_cast<double>(l.end_us - l.header.start_us) / 60e6 : 0.0;
  std::printf("%-34s %-12s %-8s %-26s %8.1f min %6lld items  strokes reached %d\n  %s\n",
              l.header.session_id.empty() ? "(outside sessions)" : l.header.session_id.c_str(), l.header.scene.c_str(),
              l.header.node.c_str(), l.header.start_time.c_str(), minutes, static_cast<long long>(l.items),
              l.max_stroke + 1, l.source.c_str());
}
}  // namespace

int run_list_sessions(const Options& options) {
  const fs::path dir = sessions_dir(options);
  const auto files = session::list_session_files(dir);
  std::printf("recorded sessions in %s: %zu\n", dir.string().c_str(), files.size());
  for (const auto& l : files) print_listing(l);
  if (options.list_sessions_redis.empty()) return kExitOk;
  auto src = parse_session_source(options.list_sessions_redis, false);
  if (!src) {
    std::cerr << "strokeviz: " << src.error().str() << "\n";
    return kExitUsage;
  }
  auto listing = std::async(std::launch::async, [&] { return sync::list_redis_sessions(src->server); }).get();
  if (!listing) {
    std::cerr << "strokeviz: " << listing.error().str() << "\n";
    return kExitFailure;
  }
  std::printf("sessions on %s: %zu\n", src->server.describe().c_str(), listing->size());
  for (const auto& l : *listing) print_listing(l);
  return kExitOk;
}

std::optional<OpenedReplay> open_replay(const std::string& argument) {
  auto src = parse_session_source(argument, true);
  if (!src) {
    std::cerr << "strokeviz: " << src.error().str() << "\n";
    return std::nullopt;
  }
  auto rec = load_recording(*src);
  if (!rec) {
    std::cerr << "strokeviz: " << rec.error().str() << "\n";
    return std::nullopt;
  }
  return OpenedReplay{std::move(*src), std::move(*rec)};
}

int run_summary(const Options& options) {
  auto opened = open_replay(options.replay);
  if (!opened) return kExitUsage;
  const SessionSource* src = &opened->source;
  const SessionSummary s = summarize(opened->recording);
  if (auto w = write_summary(s, options.summary); !w) {
    std::cerr << "strokeviz: " << w.error().str() << "\n";
    return kExitUsage;
  }
  std::printf("strokeviz: summary of %s (%zu strokes) written to %s\n", src->describe().c_str(), s.strokes.size(),
              options.summary.string().c_str());
  return kExitOk;
}

}  // namespace strokeviz::app
