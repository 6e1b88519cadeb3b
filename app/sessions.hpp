// Sessions on the command line: --replay sources, --list-sessions, --summary.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "app/cli.hpp"
#include "common/expected.hpp"
#include "session/recording.hpp"
#include "sync/redis_config.hpp"

namespace strokeviz::app {

// FILE, or redis://HOST:PORT/<session_id> (also redis://HOST:PORT for listings).
struct SessionSource {
  bool redis = false;
  std::filesystem::path file;
  sync::RedisConfig server;
  std::string session_id;
  std::string describe() const;  // for messages; never a password
};
Expected<SessionSource> parse_session_source(const std::string& text, bool need_session);

// Loads a recording. Redis sources are read on a loader thread (only the
// sync side touches sockets), joined before returning. Prints what was
// skipped in a damaged file to stderr.
Expected<session::Recording> load_recording(const SessionSource& source);

// --replay's argument parsed and loaded; errors printed to stderr (nullopt then).
struct OpenedReplay {
  SessionSource source;
  session::Recording recording;
};
std::optional<OpenedReplay> open_replay(const std::string& argument);

// The recordings folder: --record-dir, else session::default_sessions_dir().
std::filesystem::path sessions_dir(const Options& options);

int run_list_sessions(const Options& options);  // exit code
int run_summary(const Options& options);        // exit code

}  // namespace strokeviz::app
