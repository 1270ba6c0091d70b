#include "net/event_loop.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

namespace ccsec::net {
namespace {

using namespace std::chrono_literals;

TEST(Endpoint, ParsesV4AndV6) {
  auto a = Endpoint::parse("127.0.0.1:42030");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->port(), 42030);
  EXPECT_EQ(a->str(), "127.0.0.1:42030");
  auto b = Endpoint::parse("[::1]:443");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->str(), "[::1]:443");
  for (const char* bad : {"127.0.0.1", "host:80", "127.0.0.1:99999", "127.0.0.1:8a"})
    EXPECT_FALSE(Endpoint::parse(bad).ok()) << bad;
}

TEST(EventLoop, TimersFireInOrderAndCancel) {
  EventLoop loop;
  std::vector<int> order;
  loop.runAfter(30ms, [&] { order.push_back(2); });
  loop.runAfter(10ms, [&] { order.push_back(1); });
  auto id = loop.runAfter(20ms, [&] { order.push_back(99); });
  loop.cancel(id);
  int ticks = 0;
  EventLoop::TimerId every = 0;
  every = loop.runEvery(5ms, [&] {
    if (++ticks == 3) loop.cancel(every);
  });
  loop.runAfter(60ms, [&] { loop.stop(); });
  ASSERT_TRUE(loop.run().ok());
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(ticks, 3);
}

TEST(EventLoop, PostFromAnotherThreadWakesTheLoop) {
  EventLoop loop;
  std::atomic<int> ran{0};
  std::thread t([&] {
    std::this_thread::sleep_for(20ms);
    loop.post([&] {
      ++ran;
      loop.stop();
    });
  });
  ASSERT_TRUE(loop.run().ok());
  t.join();
  EXPECT_EQ(ran.load(), 1);
}

struct Acceptor : IoHandler {
  int listen_fd = -1;
  EventLoop* loop = nullptr;
  int accepted = 0;
  void onIo(std::uint32_t) override {
    while (acceptTcp(listen_fd, nullptr).valid()) ++accepted;
    if (accepted == 2) loop->stop();
  }
};

TEST(Sockets, ReusePortListenersShareAnEndpoint) {
  auto a = listenTcp(*Endpoint::parse("127.0.0.1:0"), true);
  ASSERT_TRUE(a.ok());
  auto at = localEndpoint(a->get());
  ASSERT_TRUE(at.ok());
  auto b = listenTcp(*at, true);
  ASSERT_TRUE(b.ok()) << b.error().message;
  EventLoop loop;
  Acceptor acc;
  acc.loop = &loop;
  // Close b so that both connects land on a.
  b->reset();
  acc.listen_fd = a->get();
  ASSERT_TRUE(loop.add(a->get(), EPOLLIN, &acc).ok());
  auto c1 = connectTcp(*at);
  auto c2 = connectTcp(*at);
  ASSERT_TRUE(c1.ok() && c2.ok());
  loop.runAfter(2000ms, [&] { loop.stop(); });
  ASSERT_TRUE(loop.run().ok());
  EXPECT_EQ(acc.accepted, 2);
}

}  // namespace
}  // namespace ccsec::net
