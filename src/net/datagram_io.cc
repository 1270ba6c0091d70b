#include "net/datagram_io.h"

#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <unordered_map>
#include <utility>
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

// ---- io_uring: multishot recvmsg + provided buffer ring, sendmsg SQEs ---------------------------

constexpr unsigned kSqEntries = 1024;
constexpr unsigned kCqEntries = 8192;
constexpr unsigned kRingBuffers = 4096;  // provided buffers per worker (power of two)
constexpr unsigned short kBufferGroup = 0;
// Cooperative task work: a received packet does not interrupt the worker (no IPI per packet);
// its completion is produced at the worker's next io_uring_enter. (DEFER_TASKRUN batches even
// more, but then the ring fd does not signal epoll when a packet arrives: the worker would need
// to wait in io_uring_enter instead of its event loop.)
constexpr unsigned kRingFlags =
    IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG | IORING_SETUP_SUBMIT_ALL;

// user_data: kind in bits 0-1, index (socket slot or buffer id) in bits 2-31, generation above.
enum : std::uint64_t { kKindRecv = 1, kKindSend = 2, kKindIgnore = 3 };
std::uint64_t userData(std::uint64_t kind, std::uint32_t index, std::uint32_t gen) {
  return kind | (static_cast<std::uint64_t>(index) << 2) | (static_cast<std::uint64_t>(gen) << 32);
}

core::Result<void> initRing(io_uring& ring) {
  io_uring_params p{};
  p.flags = kRingFlags | IORING_SETUP_CQSIZE;
  p.cq_entries = kCqEntries;
  const int r = io_uring_queue_init_params(kSqEntries, &ring, &p);
  if (r < 0) return core::runtimeError(std::string("io_uring_setup: ") + std::strerror(-r));
  return {};
}

class UringDatagramIo final : public DatagramIo, private IoHandler {
 public:
  UringDatagramIo(EventLoop& loop, DatagramHandler& h) : loop_(loop), handler_(h) {}

  ~UringDatagramIo() override {
    if (!ringUp_) return;
    loop_.remove(ring_.ring_fd);
    io_uring_queue_exit(&ring_);  // cancels the multishot receives, drops the sockets' refs
    if (bufRing_ != nullptr) ::munmap(bufRing_, bufRingBytes());
  }

  core::Result<void> init() {
    if (auto r = initRing(ring_); !r) return r;
    ringUp_ = true;
    void* mem =
        ::mmap(nullptr, bufRingBytes(), PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
    if (mem == MAP_FAILED) return core::runtimeError("mmap for the io_uring buffer ring failed");
    bufRing_ = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(bufRing_);
    reg.ring_entries = kRingBuffers;
    reg.bgid = kBufferGroup;
    if (const int r = io_uring_register_buf_ring(&ring_, &reg, 0); r < 0)
      return core::runtimeError(std::string("io_uring buffer ring: ") + std::strerror(-r));
    io_uring_buf_ring_init(bufRing_);
    buffers_.resize(static_cast<std::size_t>(kRingBuffers) * kBufferSize);
    sends_.resize(kRingBuffers);
    for (unsigned i = 0; i < kRingBuffers; ++i)
      io_uring_buf_ring_add(bufRing_, buffer(i), kBufferSize, static_cast<unsigned short>(i),
                            io_uring_buf_ring_mask(kRingBuffers), static_cast<int>(i));
    io_uring_buf_ring_advance(bufRing_, static_cast<int>(kRingBuffers));
    // Receive template: room for an IPv6 source address, no control data.
    recvMsg_.msg_namelen = sizeof(sockaddr_in6);
    for (auto& sl : sends_) {
      sl.msg.msg_iov = &sl.iov;
      sl.msg.msg_iovlen = 1;
    }
    return loop_.add(ring_.ring_fd, EPOLLIN, this);
  }

  PacketPath path() const override { return PacketPath::kUring; }

  core::Result<void> add(int fd, void* tag) override {
    std::uint32_t idx = 0;
    if (!free_.empty()) {
      idx = free_.back();
      free_.pop_back();
    } else {
      idx = static_cast<std::uint32_t>(slots_.size());
      slots_.push_back({});
    }
    Slot& sl = slots_[idx];
    sl.fd = fd;
    sl.tag = tag;
    sl.live = true;
    bySocket_[fd] = idx;
    // Armed now, not at the next completion: on an idle ring there may be none for a long time.
    const int r = arm(idx) ? submit() : -EBUSY;
    if (r >= 0) return {};
    remove(fd);  // the entry, if queued, is cancelled and its completions ignored
    return core::runtimeError(std::string("io_uring: cannot arm the receive: ") +
                              std::strerror(-r));
  }

  void remove(int fd) override {
    auto it = bySocket_.find(fd);
    if (it == bySocket_.end()) return;
    const std::uint32_t idx = it->second;
    bySocket_.erase(it);
    Slot& sl = slots_[idx];
    const std::uint64_t armed = userData(kKindRecv, idx, sl.gen);
    sl.live = false;
    sl.tag = nullptr;
    ++sl.gen;  // completions still in flight for the old generation are ignored
    free_.push_back(idx);
    io_uring_sqe* sqe = sqe_();
    if (sqe == nullptr) return;  // the ring's teardown cancels it at the latest
    io_uring_prep_cancel64(sqe, armed, 0);
    io_uring_sqe_set_data64(sqe, kKindIgnore);
    // Release the socket now, not at the next packet. On failure the entry stays queued for the
    // next submission; the ring's teardown cancels the receive at the latest.
    (void)submit();
  }

  void send(Datagram& d, int fd, const sockaddr* to, socklen_t toLen) override {
    if (current_ < 0 || sent_) {
      handler_.onSendFailed(1);
      return;
    }
    io_uring_sqe* sqe = sqe_();
    if (sqe == nullptr) {
      handler_.onSendFailed(1);
      return;
    }
    const auto bid = static_cast<std::uint32_t>(current_);
    SendSlot& sl = sends_[bid];
    sl.iov.iov_base = d.data;
    sl.iov.iov_len = d.len;
    if (to != nullptr) {
      std::memcpy(&sl.to, to, toLen);
      sl.msg.msg_name = &sl.to;
      sl.msg.msg_namelen = toLen;
    } else {
      sl.msg.msg_name = nullptr;
      sl.msg.msg_namelen = 0;
    }
    io_uring_prep_sendmsg(sqe, fd, &sl.msg, MSG_DONTWAIT);
    io_uring_sqe_set_data64(sqe, userData(kKindSend, bid, 0));
    sent_ = true;  // the buffer now belongs to the send until its completion
  }

 private:
  struct Slot {
    int fd = -1;
    void* tag = nullptr;
    std::uint32_t gen = 0;
    bool live = false;
  };
  struct SendSlot {
    msghdr msg{};
    iovec iov{};
    sockaddr_storage to{};
  };

  static std::size_t bufRingBytes() { return kRingBuffers * sizeof(io_uring_buf); }
  std::uint8_t* buffer(unsigned bid) {
    return buffers_.data() + static_cast<std::size_t>(bid) * kBufferSize;
  }

  // io_uring_submit, retried while the kernel reports a passing condition. Entries it could not
  // take stay in the submission queue for the next io_uring_enter. Returns the submit result.
  int submit() {
    int r = 0;
    for (int attempt = 0; attempt < 3; ++attempt) {
      r = io_uring_submit(&ring_);
      if (r != -EINTR && r != -EAGAIN && r != -EBUSY) break;
    }
    return r;
  }

  io_uring_sqe* sqe_() {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {  // full: submit what is queued and take a fresh entry
      (void)submit();
      sqe = io_uring_get_sqe(&ring_);
    }
    return sqe;
  }

  /// Queues the multishot receive of slot `idx`; false when no submission entry is free.
  bool arm(std::uint32_t idx) {
    io_uring_sqe* sqe = sqe_();
    if (sqe == nullptr) return false;
    io_uring_prep_recvmsg_multishot(sqe, slots_[idx].fd, &recvMsg_, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufferGroup;
    io_uring_sqe_set_data64(sqe, userData(kKindRecv, idx, slots_[idx].gen));
    return true;
  }

  // Errors after which a receive on the fd can never succeed: re-arming would only spin.
  static bool fatalReceiveError(int err) {
    return err == EBADF || err == ENOTSOCK || err == EINVAL || err == EOPNOTSUPP || err == EFAULT;
  }

  // Receives that ended and could not be re-armed at once (no free entry): armed again after
  // the next submission.
  void armPending() {
    std::vector<std::uint32_t> pending;
    pending.swap(unarmed_);
    for (const std::uint32_t idx : pending) {
      if (!slots_[idx].live) continue;
      if (!arm(idx)) unarmed_.push_back(idx);
    }
  }

  void giveBack(unsigned bid) {
    io_uring_buf_ring_add(bufRing_, buffer(bid), kBufferSize, static_cast<unsigned short>(bid),
                          io_uring_buf_ring_mask(kRingBuffers), 0);
    io_uring_buf_ring_advance(bufRing_, 1);
  }

  void onIo(std::uint32_t) override {
    // Each round: one io_uring_enter submits the sends of the previous round and runs the
    // deferred receives, then every completion is handled. Bounded for the loop's timers.
    for (int round = 0; round < 16; ++round) {
      io_uring_submit_and_get_events(&ring_);
      if (!unarmed_.empty()) armPending();
      if (reap() == 0) break;
    }
    if (!unarmed_.empty()) armPending();
    if (io_uring_sq_ready(&ring_) > 0) (void)submit();
  }

  unsigned reap() {
    unsigned head = 0, seen = 0;
    unsigned failed = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      ++seen;
      const std::uint64_t ud = cqe->user_data;
      const std::uint64_t kind = ud & 3U;
      const auto index = static_cast<std::uint32_t>((ud >> 2) & 0x3fffffffU);
      if (kind == kKindSend) {
        if (cqe->res < 0) ++failed;
        giveBack(index);
        continue;
      }
      if (kind != kKindRecv) continue;
      const auto gen = static_cast<std::uint32_t>(ud >> 32);
      const bool live = index < slots_.size() && slots_[index].live && slots_[index].gen == gen;
      if ((cqe->flags & IORING_CQE_F_BUFFER) != 0) {
        const unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
        if (live && cqe->res > 0)
          deliver(slots_[index], bid, cqe->res);
        else
          giveBack(bid);
      }
      // A multishot receive ends on error (ENOBUFS when every buffer is in flight, ECONNREFUSED
      // on a connected socket after an ICMP unreachable): re-arm, unless the fd can never
      // receive (reported, never left silently dead).
      if ((cqe->flags & IORING_CQE_F_MORE) == 0 && live) {
        if (cqe->res < 0 && fatalReceiveError(-cqe->res))
          deadTags_.push_back({slots_[index].tag, -cqe->res});
        else if (!arm(index))
          unarmed_.push_back(index);
      }
    }
    io_uring_cq_advance(&ring_, seen);
    if (failed > 0) handler_.onSendFailed(failed);
    if (!deadTags_.empty()) {
      std::vector<std::pair<void*, int>> dead;
      dead.swap(deadTags_);
      for (const auto& [tag, err] : dead) handler_.onReceiveFailed(tag, err);
    }
    return seen;
  }

  void deliver(Slot& sl, unsigned bid, int res) {
    std::uint8_t* base = buffer(bid);
    io_uring_recvmsg_out* o = io_uring_recvmsg_validate(base, res, &recvMsg_);
    if (o == nullptr || (o->flags & MSG_TRUNC) != 0 || o->namelen > recvMsg_.msg_namelen) {
      giveBack(bid);
      return;
    }
    auto* payload = static_cast<std::uint8_t*>(io_uring_recvmsg_payload(o, &recvMsg_));
    Datagram d;
    d.data = payload;
    d.len = io_uring_recvmsg_payload_length(o, res, &recvMsg_);
    d.capacity = static_cast<std::size_t>(base + kBufferSize - payload);
    d.from = static_cast<const sockaddr*>(io_uring_recvmsg_name(o));
    d.fromLen = o->namelen;
    current_ = static_cast<int>(bid);
    sent_ = false;
    handler_.onDatagram(sl.tag, d);
    current_ = -1;
    if (!sent_) giveBack(bid);
  }

  EventLoop& loop_;
  DatagramHandler& handler_;
  io_uring ring_{};
  bool ringUp_ = false;
  io_uring_buf_ring* bufRing_ = nullptr;
  std::vector<std::uint8_t> buffers_;
  std::vector<SendSlot> sends_;
  msghdr recvMsg_{};
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<int, std::uint32_t> bySocket_;
  std::vector<std::uint32_t> unarmed_;           // see armPending
  std::vector<std::pair<void*, int>> deadTags_;  // reported after the completion batch
  int current_ = -1;                             // buffer id of the datagram being handled
  bool sent_ = false;
};

// Can this process run the io_uring path? Sets up a ring as the workers do and proves that a
// multishot recvmsg with a provided buffer delivers a datagram over loopback.
std::string uringUnavailable() {
  {
    std::ifstream f("/proc/sys/kernel/io_uring_disabled");
    int v = 0;
    if (f >> v && v == 2) return "io_uring is disabled (kernel.io_uring_disabled = 2)";
  }
  io_uring ring{};
  if (auto r = initRing(ring); !r) return r.error().message;
  std::string why;
  io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  if (probe == nullptr || !io_uring_opcode_supported(probe, IORING_OP_RECVMSG) ||
      !io_uring_opcode_supported(probe, IORING_OP_SENDMSG))
    why = "io_uring lacks recvmsg/sendmsg";
  if (probe != nullptr) io_uring_free_probe(probe);
  const std::size_t ringBytes = 8 * sizeof(io_uring_buf);
  void* mem =
      ::mmap(nullptr, ringBytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t atLen = sizeof at;
  std::vector<std::uint8_t> buf(8 * 256);
  msghdr tmpl{};
  tmpl.msg_namelen = sizeof(sockaddr_in6);
  if (why.empty() && (mem == MAP_FAILED || sock < 0 ||
                      ::bind(sock, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 ||
                      ::getsockname(sock, reinterpret_cast<sockaddr*>(&at), &atLen) != 0))
    why = "cannot set up the io_uring probe socket";
  if (why.empty()) {
    auto* br = static_cast<io_uring_buf_ring*>(mem);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uint64_t>(br);
    reg.ring_entries = 8;
    reg.bgid = kBufferGroup;
    if (const int r = io_uring_register_buf_ring(&ring, &reg, 0); r < 0) {
      why = std::string("io_uring provided-buffer ring: ") + std::strerror(-r);
    } else {
      io_uring_buf_ring_init(br);
      for (unsigned i = 0; i < 8; ++i)
        io_uring_buf_ring_add(br, buf.data() + i * 256, 256, static_cast<unsigned short>(i), 7,
                              static_cast<int>(i));
      io_uring_buf_ring_advance(br, 8);
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      io_uring_prep_recvmsg_multishot(sqe, sock, &tmpl, 0);
      sqe->flags |= IOSQE_BUFFER_SELECT;
      sqe->buf_group = kBufferGroup;
      io_uring_submit(&ring);
      const char ping[] = "probe";
      ::sendto(sock, ping, sizeof ping, 0, reinterpret_cast<sockaddr*>(&at), atLen);
      io_uring_cqe* cqe = nullptr;
      __kernel_timespec ts{1, 0};
      const int r2 = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
      if (r2 < 0 || cqe == nullptr)
        why = "io_uring multishot recvmsg delivered nothing";
      else if (cqe->res < 0)
        why = std::string("io_uring multishot recvmsg: ") + std::strerror(-cqe->res);
      else if ((cqe->flags & IORING_CQE_F_BUFFER) == 0 || (cqe->flags & IORING_CQE_F_MORE) == 0)
        why = "io_uring multishot recvmsg is not supported by this kernel";
    }
  }
  io_uring_queue_exit(&ring);
  if (sock >= 0) ::close(sock);
  if (mem != MAP_FAILED) ::munmap(mem, ringBytes);
  return why;
}

}  // namespace

core::Result<PacketPathChoice> choosePacketPath(PacketPath requested) {
  if (requested == PacketPath::kEpoll)
    return PacketPathChoice{PacketPath::kEpoll, "epoll + recvmmsg/sendmmsg (forced)"};
  const std::string why = uringUnavailable();
  if (requested == PacketPath::kUring) {
    if (!why.empty()) return core::makeError("the io_uring packet path is unavailable: " + why);
    return PacketPathChoice{
        PacketPath::kUring,
        "io_uring: multishot recvmsg, provided buffers, batched sendmsg (forced)"};
  }
  if (!why.empty())
    return PacketPathChoice{PacketPath::kEpoll, "epoll + recvmmsg/sendmmsg (" + why + ")"};
  return PacketPathChoice{PacketPath::kUring,
                          "io_uring: multishot recvmsg, provided buffers, batched sendmsg"};
}

core::Result<std::unique_ptr<DatagramIo>> DatagramIo::create(EventLoop& loop, PacketPath path,
                                                             DatagramHandler& handler) {
  if (path == PacketPath::kUring) {
    auto io = std::make_unique<UringDatagramIo>(loop, handler);
    if (auto r = io->init(); !r) return r.error();
    return std::unique_ptr<DatagramIo>(std::move(io));
  }
  if (path != PacketPath::kEpoll)
    return core::makeError("DatagramIo: resolve the packet path first");
  return std::unique_ptr<DatagramIo>(new EpollDatagramIo(loop, handler));
}

}  // namespace ccsec::net
