// RedisConfig: environment, "HOST:PORT" forms, and a description that never shows the password.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sync/redis_config.hpp"

namespace strokeviz::sync {
namespace {

// Sets/unsets the three variables for one test and restores them after.
class RedisEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* n : kNames) {
      const char* v = std::getenv(n);
      saved_.emplace_back(n, v ? std::optional<std::string>(v) : std::nullopt);
      unsetenv(n);
    }
  }
  void TearDown() override {
    for (auto& [n, v] : saved_) {
      if (v) setenv(n, v->c_str(), 1);
      else unsetenv(n);
    }
  }
  static constexpr const char* kNames[] = {"REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD"};
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

TEST_F(RedisEnv, DefaultsWithoutEnvironment) {
  auto c = RedisConfig::from_env();
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->host, "127.0.0.1");
  EXPECT_EQ(c->port, 6379);
  EXPECT_EQ(c->password, "");
  EXPECT_EQ(c->db, 0);
  EXPECT_EQ(c->describe(), "127.0.0.1:6379 db 0");
}

TEST_F(RedisEnv, ReadsHostPortPassword) {
  setenv("REDIS_HOST", "eek.local", 1);
  setenv("REDIS_PORT", "6380", 1);
  setenv("REDIS_PASSWORD", "hunter2", 1);
  auto c = RedisConfig::from_env();
  ASSERT_TRUE(c.ok()) << c.error().str();
  EXPECT_EQ(c->host, "eek.local");
  EXPECT_EQ(c->port, 6380);
  EXPECT_EQ(c->password, "hunter2");
  EXPECT_EQ(c->describe(), "eek.local:6380 db 0 (password set)");
}

TEST_F(RedisEnv, RejectsBadPorts) {
  for (const char* bad : {"0", "65536", "-1", "http", "6379x", " 6379", "99999999999"}) {
    setenv("REDIS_PORT", bad, 1);
    auto c = RedisConfig::from_env();
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.error().str().find("REDIS_PORT"), std::string::npos) << c.error().str();
  }
  setenv("REDIS_PORT", "65535", 1);
  EXPECT_TRUE(RedisConfig::from_env().ok());
  setenv("REDIS_PORT", "1", 1);
  EXPECT_TRUE(RedisConfig::from_env().ok());
}

TEST(RedisConfig, SetAddressForms) {
  RedisConfig c;
  ASSERT_TRUE(c.set_address("hog:7000").ok());
  EXPECT_EQ(c.host, "hog");
  EXPECT_EQ(c.port, 7000);
  ASSERT_TRUE(c.set_address("eek").ok());  // host only keeps the port
  EXPECT_EQ(c.host, "eek");
  EXPECT_EQ(c.port, 7000);
  ASSERT_TRUE(c.set_address("[::1]:6390").ok());
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 6390);
  EXPECT_EQ(c.describe(), "[::1]:6390 db 0");
  ASSERT_TRUE(c.set_address("[fe80::2]").ok());
  EXPECT_EQ(c.host, "fe80::2");
  EXPECT_EQ(c.port, 6390);
  ASSERT_TRUE(c.set_address("10.0.0.5:1").ok());
  EXPECT_EQ(c.port, 1);
}

TEST(RedisConfig, SetAddressRejectsAndLeavesConfigAlone) {
  RedisConfig c;
  for (const char* bad : {"", ":6379", "host:", "host:0", "host:65536", "host:abc", "[::1", "[::1]6379",
                          "[::1]:", "::1:6379", "[]:6379"}) {
    auto r = c.set_address(bad);
    EXPECT_FALSE(r.ok()) << "'" << bad << "' accepted";
    EXPECT_EQ(c.host, "127.0.0.1") << bad;
    EXPECT_EQ(c.port, 6379) << bad;
  }
}

TEST(RedisConfig, DescribeNeverShowsThePassword) {
  RedisConfig c;
  c.password = "s3cr3t-pw";
  c.user = "viewer";
  c.db = 3;
  const std::string d = c.describe();
  EXPECT_EQ(d.find("s3cr3t"), std::string::npos) << d;
  EXPECT_NE(d.find("(password set)"), std::string::npos) << d;
  EXPECT_EQ(d, "127.0.0.1:6379 db 3 user viewer (password set)");
  // Errors quoting an address never quote the password either.
  auto r = c.set_address("host:notaport");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().str().find("s3cr3t"), std::string::npos);
}

}  // namespace
}  // namespace strokeviz::sync
