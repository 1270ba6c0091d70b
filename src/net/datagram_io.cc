#include "net/datagram_io.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <unordered_map>
#include <vector>

#include "net/event_loop.h"

namespace ccsec::net {

std::string_view packetPathName(PacketPath p) {
  switch (p) {
    case PacketPath::kAuto:
      return "auto";
    case PacketPath::kEpoll:
      return "epoll";
    case PacketPath::kUring:
      return "io_uring";
  }
  return "?";
}

core::Result<PacketPath> parsePacketPath(std::string_view text) {
  if (text == "auto") return PacketPath::kAuto;
  if (text == "epoll") return PacketPath::kEpoll;
  if (text == "io_uring" || text == "uring") return PacketPath::kUring;
  return core::makeError("packet path must be auto, epoll or io_uring, not '" + std::string(text) +
                         "'");
}

namespace {

// ---- epoll + recvmmsg/sendmmsg ------------------------------------------------------------------

class EpollDatagramIo final : public DatagramIo {
 public:
  static constexpr unsigned kBatch = 32;
  static constexpr int kRoundsPerWake = 4;  // fairness between sockets

  EpollDatagramIo(EventLoop& loop, DatagramHandler& h)
      : loop_(loop), handler_(h), buffers_(kBatch * kBufferSize) {
    for (std::size_t i = 0; i < kBatch; ++i) {
      inIov_[i].iov_base = buffers_.data() + i * kBufferSize;
      inIov_[i].iov_len = kBufferSize;
      in_[i].msg_hdr.msg_iov = &inIov_[i];
      in_[i].msg_hdr.msg_iovlen = 1;
      in_[i].msg_hdr.msg_name = &from_[i];
      out_[i].msg_hdr.msg_iov = &outIov_[i];
      out_[i].msg_hdr.msg_iovlen = 1;
    }
  }
  ~EpollDatagramIo() override {
    for (auto& [fd, s] : sockets_) loop_.remove(fd);
  }

  PacketPath path() const override { return PacketPath::kEpoll; }

  core::Result<void> add(int fd, void* tag) override {
    auto s = std::make_unique<Socket>(*this, fd, tag);
    if (auto r = loop_.add(fd, EPOLLIN, s.get()); !r) return r.error();
    sockets_[fd] = std::move(s);
    return {};
  }

  void remove(int fd) override {
    auto it = sockets_.find(fd);
    if (it == sockets_.end()) return;
    loop_.remove(fd);
    // The loop may still hold this handler in the current batch of events: free it after.
    it->second->tag = nullptr;
    loop_.runAfterBatch([s = std::shared_ptr<Socket>(std::move(it->second))] {});
    sockets_.erase(it);
  }

  void send(Datagram& d, int fd, const sockaddr* to, socklen_t toLen) override {
    if (fd != outFd_) {
      flush();
      outFd_ = fd;
    }
    outIov_[outCount_].iov_base = d.data;
    outIov_[outCount_].iov_len = d.len;
    out_[outCount_].msg_hdr.msg_name = const_cast<sockaddr*>(to);
    out_[outCount_].msg_hdr.msg_namelen = to ? toLen : 0;
    ++outCount_;
  }

 private:
  struct Socket final : IoHandler {
    Socket(EpollDatagramIo& owner, int f, void* t) : io(owner), fd(f), tag(t) {}
    void onIo(std::uint32_t) override {
      if (tag != nullptr) io.drain(*this);
    }
    EpollDatagramIo& io;
    int fd;
    void* tag;
  };

  void flush() {
    if (outCount_ == 0) return;
    unsigned sent = 0;
    while (sent < outCount_) {
      const int s = ::sendmmsg(outFd_, out_ + sent, outCount_ - sent, MSG_DONTWAIT);
      if (s <= 0) break;
      sent += static_cast<unsigned>(s);
    }
    if (sent < outCount_) handler_.onSendFailed(outCount_ - sent);
    outCount_ = 0;
  }

  void drain(Socket& s) {
    for (int round = 0; round < kRoundsPerWake; ++round) {
      for (std::size_t i = 0; i < kBatch; ++i)
        in_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      const int got = ::recvmmsg(s.fd, in_, kBatch, MSG_DONTWAIT, nullptr);
      if (got <= 0) return;
      outFd_ = -1;
      for (int i = 0; i < got; ++i) {
        if ((in_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) continue;  // larger than any RTP packet
        Datagram d;
        d.data = static_cast<std::uint8_t*>(inIov_[i].iov_base);
        d.len = in_[i].msg_len;
        d.capacity = kBufferSize;
        d.from = reinterpret_cast<const sockaddr*>(&from_[i]);
        d.fromLen = in_[i].msg_hdr.msg_namelen;
        handler_.onDatagram(s.tag, d);
      }
      flush();
      if (static_cast<unsigned>(got) < kBatch || s.tag == nullptr) return;
    }
  }

  EventLoop& loop_;
  DatagramHandler& handler_;
  std::unordered_map<int, std::unique_ptr<Socket>> sockets_;
  std::vector<std::uint8_t> buffers_;
  mmsghdr in_[kBatch]{};
  iovec inIov_[kBatch]{};
  sockaddr_storage from_[kBatch]{};
  mmsghdr out_[kBatch]{};
  iovec outIov_[kBatch]{};
  unsigned outCount_ = 0;
  int outFd_ = -1;
};

}  // namespace

core::Result<PacketPathChoice> choosePacketPath(PacketPath requested) {
  if (requested == PacketPath::kUring)
    return core::makeError("the io_uring packet path is not available in this build");
  return PacketPathChoice{PacketPath::kEpoll, "epoll + recvmmsg/sendmmsg"};
}

core::Result<std::unique_ptr<DatagramIo>> DatagramIo::create(EventLoop& loop, PacketPath path,
                                                             DatagramHandler& handler) {
  if (path != PacketPath::kEpoll)
    return core::makeError("DatagramIo: resolve the packet path first");
  return std::unique_ptr<DatagramIo>(new EpollDatagramIo(loop, handler));
}

}  // namespace ccsec::net
