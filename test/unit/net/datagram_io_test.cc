// net::DatagramIo on both packet paths: datagrams from several sockets reach the handler with
// their tag and source, are rewritten in place and sent back; removed sockets stay silent.
#include "net/datagram_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/event_loop.h"
#include "net/socket.h"

namespace ccsec::net {
namespace {

TEST(Endpoint, OfHostAndPortAndEquality) {
  auto a = Endpoint::of("127.0.0.1", 5004);
  auto b = Endpoint::of("::1", 5004);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->str(), "127.0.0.1:5004");
  EXPECT_EQ(b->str(), "[::1]:5004");
  EXPECT_TRUE(*a == *Endpoint::of("127.0.0.1", 5004));
  EXPECT_FALSE(*a == *Endpoint::of("127.0.0.1", 5006));
  EXPECT_FALSE(*a == *b);
  EXPECT_FALSE(Endpoint::of("example.org", 1).ok());
}

TEST(PacketPath, ParseAndForcedEpoll) {
  EXPECT_EQ(*parsePacketPath("auto"), PacketPath::kAuto);
  EXPECT_EQ(*parsePacketPath("epoll"), PacketPath::kEpoll);
  EXPECT_EQ(*parsePacketPath("io_uring"), PacketPath::kUring);
  EXPECT_FALSE(parsePacketPath("poll").ok());
  auto c = choosePacketPath(PacketPath::kEpoll);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->path, PacketPath::kEpoll);
  auto a = choosePacketPath(PacketPath::kAuto);
  ASSERT_TRUE(a.ok());
  EXPECT_NE(a->path, PacketPath::kAuto);
  EXPECT_FALSE(a->reason.empty());
}

// Echoes every datagram to its source, upper-cased and with one byte appended (in place).
class Echo : public DatagramHandler {
 public:
  void onDatagram(void* tag, Datagram& d) override {
    tags.push_back(tag);
    for (std::size_t i = 0; i < d.len; ++i)
      d.data[i] = static_cast<std::uint8_t>(std::toupper(d.data[i]));
    d.data[d.len++] = '!';
    io->send(d, *static_cast<int*>(tag), d.from, d.fromLen);
  }
  void onSendFailed(unsigned n) override { failed += n; }
  DatagramIo* io = nullptr;
  std::vector<void*> tags;  // loop thread only
  unsigned failed = 0;
};

std::string recvFrom(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, ms) <= 0) return {};
  char b[256];
  const ssize_t n = ::recv(fd, b, sizeof b, 0);
  return n > 0 ? std::string(b, static_cast<std::size_t>(n)) : std::string();
}

// The packet I/O of `path` on its own event-loop thread (an io_uring ring is single-issuer: it
// is created, used and destroyed on that thread). io() is null when creation failed (reported).
// The destructor stops the loop and joins.
class IoThread {
 public:
  IoThread(PacketPath path, Echo& handler) {
    std::promise<void> started;
    thread_ = std::thread([&, path] {
      auto r = DatagramIo::create(loop_, path, handler);
      if (r.ok()) {
        io_ = std::move(*r);
        handler.io = io_.get();
      } else {
        ADD_FAILURE() << r.error().message;
      }
      started.set_value();
      if (!io_) return;
      (void)loop_.run();
      io_.reset();
    });
    started.get_future().wait();
  }
  ~IoThread() { stop(); }
  /// Stops the loop (the I/O is destroyed on its thread) and joins; idempotent.
  void stop() {
    if (!thread_.joinable()) return;
    if (io_ != nullptr) loop_.stop();
    thread_.join();
  }
  EventLoop& loop() { return loop_; }
  DatagramIo* io() { return io_.get(); }

 private:
  EventLoop loop_;
  std::unique_ptr<DatagramIo> io_;
  std::thread thread_;
};

// Each test runs on both packet paths; the io_uring run is skipped where io_uring is unavailable.
class DatagramIoPaths : public ::testing::TestWithParam<PacketPath> {
 protected:
  void SetUp() override {
    if (GetParam() == PacketPath::kUring && !choosePacketPath(PacketPath::kUring).ok())
      GTEST_SKIP() << "io_uring unavailable here";
  }
};

TEST_P(DatagramIoPaths, EchoesOnEverySocketAndRemoveSilences) {
  Echo echo;
  IoThread worker(GetParam(), echo);
  if (worker.io() == nullptr) return;
  EventLoop& loop = worker.loop();
  DatagramIo* io = worker.io();
  auto at = Endpoint::of("127.0.0.1", 0);
  auto udp = [&at] {
    auto r = bindUdp(*at);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(*r) : UniqueFd();
  };
  std::vector<UniqueFd> socks;
  std::vector<int> fds(3);
  std::vector<Endpoint> where;
  for (int i = 0; i < 3; ++i) {
    socks.push_back(udp());
    fds[static_cast<std::size_t>(i)] = socks.back().get();
    where.push_back(*localEndpoint(socks.back().get()));
  }
  auto onLoop = [&](auto fn) {
    std::promise<void> done;
    loop.post([&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  };
  onLoop([&] {
    for (auto& fd : fds) ASSERT_TRUE(io->add(fd, &fd).ok());
  });
  UniqueFd client = udp();
  for (int round = 0; round < 3; ++round)
    for (std::size_t i = 0; i < 3; ++i) {
      const std::string msg = "hello" + std::to_string(i);
      ::sendto(client.get(), msg.data(), msg.size(), 0, where[i].addr(), where[i].length());
      EXPECT_EQ(recvFrom(client.get(), 2000), "HELLO" + std::to_string(i) + "!");
    }
  onLoop([&] {
    EXPECT_EQ(echo.tags.size(), 9U);
    for (std::size_t i = 0; i < echo.tags.size(); ++i) EXPECT_EQ(echo.tags[i], &fds[i % 3]);
    io->remove(fds[1]);
  });
  ::sendto(client.get(), "x", 1, 0, where[1].addr(), where[1].length());
  EXPECT_TRUE(recvFrom(client.get(), 300).empty()) << "removed socket still served";
  ::sendto(client.get(), "y", 1, 0, where[2].addr(), where[2].length());
  EXPECT_EQ(recvFrom(client.get(), 2000), "Y!");
  worker.stop();
  EXPECT_EQ(echo.failed, 0U);
}

// Deleting a call removes and closes its sockets while the worker goes on: the port must be
// free again at once (io_uring: the receive is cancelled and the socket's registered-file slot
// cleared, else the ring would hold the socket open), and a socket added later, which may take
// the freed slot, is served as itself: datagrams come with its tag, replies leave from it.
TEST_P(DatagramIoPaths, RemovedSocketReleasesItsPortAndItsSlotServesOnlyTheNext) {
  Echo echo;
  IoThread worker(GetParam(), echo);
  if (worker.io() == nullptr) return;
  EventLoop& loop = worker.loop();
  DatagramIo* io = worker.io();
  auto onLoop = [&](auto fn) {
    std::promise<void> done;
    loop.post([&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  };
  auto client = bindUdp(*Endpoint::of("127.0.0.1", 0));
  ASSERT_TRUE(client.ok());
  for (int round = 0; round < 3; ++round) {
    auto sock = bindUdp(*Endpoint::of("127.0.0.1", 0));
    ASSERT_TRUE(sock.ok());
    const Endpoint where = *localEndpoint(sock->get());
    int fd = sock->get();
    onLoop([&] { ASSERT_TRUE(io->add(fd, &fd).ok()); });
    const std::string msg = "round" + std::to_string(round);
    ::sendto(client->get(), msg.data(), msg.size(), 0, where.addr(), where.length());
    sockaddr_storage from{};
    socklen_t fromLen = sizeof from;
    pollfd p{client->get(), POLLIN, 0};
    ASSERT_GT(::poll(&p, 1, 2000), 0) << "round " << round;
    char b[64];
    const ssize_t n =
        ::recvfrom(client->get(), b, sizeof b, 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(b, static_cast<std::size_t>(n)), "ROUND" + std::to_string(round) + "!");
    EXPECT_EQ(Endpoint::fromSockaddr(reinterpret_cast<const sockaddr*>(&from), fromLen), where)
        << "the reply left from another socket";
    onLoop([&] {
      ASSERT_FALSE(echo.tags.empty());
      EXPECT_EQ(echo.tags.back(), &fd);
      io->remove(fd);
    });
    *sock = UniqueFd();  // the call is gone: its socket is closed
    bool rebound = false;
    for (int i = 0; i < 100 && !rebound; ++i) {
      rebound = bindUdp(where).ok();
      if (!rebound) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(rebound) << "port " << where.port() << " still held after remove and close";
  }
  worker.stop();
  EXPECT_EQ(echo.failed, 0U);
}

// io_uring: a receive that ends with an error after which the fd can never receive (here: the fd
// is a pipe, ENOTSOCK) is reported once and not re-armed (which spun the worker at full speed,
// an endless arm-fail-rearm cycle); the other sockets go on.
class Unreceivable : public Echo {
 public:
  void onReceiveFailed(void* tag, int error) override {
    std::lock_guard lock(mu);
    dead.emplace_back(tag, error);
  }
  std::mutex mu;
  std::vector<std::pair<void*, int>> dead;
};

TEST(UringDatagramIo, AnFdThatCannotReceiveIsReportedOnceAndOthersGoOn) {
  if (!choosePacketPath(PacketPath::kUring).ok()) GTEST_SKIP() << "io_uring unavailable here";
  Unreceivable h;
  IoThread worker(PacketPath::kUring, h);
  if (worker.io() == nullptr) return;
  EventLoop& loop = worker.loop();
  DatagramIo* io = worker.io();
  int pipeFds[2] = {-1, -1};
  ASSERT_EQ(::pipe2(pipeFds, O_NONBLOCK | O_CLOEXEC), 0);
  UniqueFd pipeIn(pipeFds[0]), pipeOut(pipeFds[1]);
  auto sock = bindUdp(*Endpoint::of("127.0.0.1", 0));
  ASSERT_TRUE(sock.ok());
  const Endpoint where = *localEndpoint(sock->get());
  int sockFd = sock->get(), badFd = pipeIn.get();
  std::promise<void> added;
  loop.post([&] {
    EXPECT_TRUE(io->add(badFd, &badFd).ok());  // the kernel refuses it asynchronously
    EXPECT_TRUE(io->add(sockFd, &sockFd).ok());
    added.set_value();
  });
  added.get_future().wait();
  auto reported = [&h] {
    std::lock_guard lock(h.mu);
    return h.dead.size();
  };
  for (int i = 0; i < 200 && reported() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto client = bindUdp(*Endpoint::of("127.0.0.1", 0));
  ASSERT_TRUE(client.ok());
  ::sendto(client->get(), "ok", 2, 0, where.addr(), where.length());
  EXPECT_EQ(recvFrom(client->get(), 2000), "OK!");
  std::promise<void> removed;
  loop.post([&] {
    io->remove(badFd);
    io->remove(sockFd);
    removed.set_value();
  });
  removed.get_future().wait();
  worker.stop();
  std::lock_guard lock(h.mu);
  ASSERT_EQ(h.dead.size(), 1U) << "reported once, not re-armed";
  EXPECT_EQ(h.dead[0].first, &badFd);
  EXPECT_EQ(h.dead[0].second, ENOTSOCK);
}

INSTANTIATE_TEST_SUITE_P(Paths, DatagramIoPaths,
                         ::testing::Values(PacketPath::kEpoll, PacketPath::kUring),
                         [](const auto& pinfo) {
                           return pinfo.param == PacketPath::kEpoll ? std::string("epoll")
                                                                    : std::string("uring");
                         });

}  // namespace
}  // namespace ccsec::net
