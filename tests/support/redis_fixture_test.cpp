// The private redis-server fixture itself: start, answer, restart on the same port, stop.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/support/redis_server.hpp"

namespace strokeviz::test {
namespace {

TEST(RedisFixture, StartsOnAFreeLoopbackPortAndStopsByPid) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  EXPECT_GT(redis.port(), 0);
  EXPECT_EQ(redis.cli({"PING"}), "PONG");
  EXPECT_EQ(redis.cli({"SET", "k", "v"}), "OK");
  EXPECT_EQ(redis.cli({"GET", "k"}), "v");
  const pid_t pid = redis.pid();
  redis.stop();
  EXPECT_FALSE(redis.ok());
  EXPECT_NE(kill(pid, 0), 0) << "the server process is gone";
  EXPECT_EQ(redis.cli({"PING"}), "");
}

TEST(RedisFixture, RestartsOnTheSamePortWithoutData) {
  RedisServer redis;
  ASSERT_TRUE(redis.ok()) << redis.error();
  const int port = redis.port();
  redis.cli({"SET", "k", "v"});
  ASSERT_TRUE(redis.restart()) << redis.error();
  EXPECT_EQ(redis.port(), port);
  EXPECT_EQ(redis.cli({"PING"}), "PONG");
  EXPECT_EQ(redis.cli({"EXISTS", "k"}), "0") << "--save '' keeps nothing across a restart";
}

TEST(RedisFixture, PassesExtraArguments) {
  RedisServer redis({"--requirepass", "s3cret"});
  ASSERT_TRUE(redis.ok()) << redis.error();
  EXPECT_EQ(redis.cli({"-a", "s3cret", "--no-auth-warning", "PING"}), "PONG");
}

}  // namespace
}  // namespace strokeviz::test
