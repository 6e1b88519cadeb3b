// RedisConfig: the environment, "HOST:PORT" parsing and a password-free description.
#include "sync/redis_config.hpp"

#include <charconv>
#include <cstdlib>

namespace strokeviz::sync {

namespace {

Expected<int> parse_port(std::string_view text, std::string_view where) {
  int port = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (text.empty() || ec != std::errc() || ptr != end || port < 1 || port > 65535)
    return Error{std::string(where), 0,
                 "port '" + std::string(text) + "' is not a number in 1..65535"};
  return port;
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

}  // namespace

Expected<RedisConfig> RedisConfig::from_env() {
  RedisConfig c;
  if (const char* host = env("REDIS_HOST")) c.host = host;
  if (const char* port = env("REDIS_PORT")) {
    auto p = parse_port(port, "REDIS_PORT");
    if (!p) return p.error();
    c.port = *p;
  }
  if (const char* pw = env("REDIS_PASSWORD")) c.password = pw;
  return c;
}

Expected<bool> RedisConfig::set_address(std::string_view host_port) {
  const std::string where = "--redis";
  if (host_port.empty()) return Error{where, 0, "empty address (expected HOST:PORT)"};
  std::string_view host = host_port;
  std::string_view port;
  if (host_port.front() == '[') {  // [v6]:port or [v6]
    const auto close = host_port.find(']');
    if (close == std::string_view::npos)
      return Error{where, 0, "'" + std::string(host_port) + "': missing ']'"};
    host = host_port.substr(1, close - 1);
    const auto rest = host_port.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        return Error{where, 0, "'" + std::string(host_port) + "': expected ':' after ']'"};
      port = rest.substr(1);
      if (port.empty()) return Error{where, 0, "'" + std::string(host_port) + "': empty port"};
    }
  } else {
    const auto colon = host_port.rfind(':');
    if (colon != std::string_view::npos) {
      if (host_port.find(':') != colon)
        return Error{where, 0,
                     "'" + std::string(host_port) + "': write an IPv6 address as [ADDR]:PORT"};
      host = host_port.substr(0, colon);
      port = host_port.substr(colon + 1);
      if (port.empty()) return Error{where, 0, "'" + std::string(host_port) + "': empty port"};
    }
  }
  if (host.empty()) return Error{where, 0, "'" + std::string(host_port) + "': empty host"};
  int p = this->port;
  if (!port.empty()) {
    auto parsed = parse_port(port, where);
    if (!parsed) return parsed.error();
    p = *parsed;
  }
  this->host = std::string(host);
  this->port = p;
  return true;
}

std::string RedisConfig::describe() const {
  std::string s;
  if (host.find(':') != std::string::npos)
    s = "[" + host + "]";
  else
    s = host;
  s += ":" + std::to_string(port) + " db " + std::to_string(db);
  if (!user.empty()) s += " user " + user;
  if (!password.empty()) s += " (password set)";
  return s;
}

}  // namespace strokeviz::sync
