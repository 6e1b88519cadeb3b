// Where the robot's Redis state server is: host, port, password, db.
#pragma once

#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace strokeviz::sync {

struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      // ACL user; empty: the default user
  std::string password;  // never logged or shown
  int db = 0;

  // Defaults overridden by REDIS_HOST, REDIS_PORT, REDIS_PASSWORD (PROTOCOL.md).
  static Expected<RedisConfig> from_env();
  // "HOST:PORT" (or "HOST", or "[::1]:PORT") applied over this config.
  Expected<bool> set_address(std::string_view host_port);
  // "127.0.0.1:6379 db 0 (password set)": safe for logs and the UI.
  std::string describe() const;
};

}  // namespace strokeviz::sync
