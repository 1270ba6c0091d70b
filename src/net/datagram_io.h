#pragma once
// Batched UDP datagram I/O for packet relays (the media workers): receive from many sockets, hand
// each datagram to a handler that may rewrite it in place and send it on another socket.
//
// One DatagramIo belongs to one net::EventLoop and is used only from that loop's thread. Two
// packet paths behind the one interface:
//  * epoll (the fallback): every socket is registered with the loop; a readable socket is
//    drained with recvmmsg (batches of kBatch, up to 4 per wake-up) into buffers preallocated
//    once, and the sends of a batch go out with one sendmmsg per run of the same socket.
//  * io_uring: one ring per loop, whose fd the loop polls; a multishot recvmsg is armed on every
//    socket and takes its buffers from a provided-buffer ring, so one io_uring_enter serves the
//    packets of every socket at once; a send is a sendmsg submission entry from the very buffer
//    the packet arrived in (no copy), all entries of a completion batch submitted together; the
//    buffer goes back to the ring when its send completes.
// Which one runs is chosen by choosePacketPath(): io_uring when the kernel allows it, else epoll,
// with the reason (a log line at start says which).

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ccsec::net {

class EventLoop;

enum class PacketPath { kAuto, kEpoll, kUring };

std::string_view packetPathName(PacketPath p);  // "auto", "epoll", "io_uring"
/// "auto", "epoll" or "io_uring" (also "uring").
core::Result<PacketPath> parsePacketPath(std::string_view text);

struct PacketPathChoice {
  PacketPath path = PacketPath::kEpoll;  // never kAuto
  std::string reason;                    // why this path (for the start-up log line)
};

/// Resolves kAuto: io_uring when /proc/sys/kernel/io_uring_disabled allows it and a ring with a
/// provided-buffer ring and multishot recvmsg can be set up here, else epoll. A forced kUring
/// that cannot be set up is an error; a forced kEpoll is always granted.
core::Result<PacketPathChoice> choosePacketPath(PacketPath requested);

/// A received datagram; the handler may rewrite it in place, growing `len` up to `capacity`.
struct Datagram {
  std::uint8_t* data = nullptr;
  std::size_t len = 0;
  std::size_t capacity = 0;
  const sockaddr* from = nullptr;
  socklen_t fromLen = 0;
};

class DatagramHandler {
 public:
  virtual ~DatagramHandler() = default;
  /// A datagram arrived on the socket registered with `tag`; may pass it to DatagramIo::send.
  virtual void onDatagram(void* tag, Datagram& d) = 0;
  /// `n` datagrams handed to send() could not be sent (socket buffer full, error).
  virtual void onSendFailed(unsigned n) = 0;
  /// The socket registered with `tag` can no longer receive (`error` is an errno: the fd is not a
  /// usable socket); nothing arrives on it until it is removed and added again.
  virtual void onReceiveFailed(void* tag, int error) {
    (void)tag;
    (void)error;
  }
};

class DatagramIo {
 public:
  static constexpr std::size_t kBufferSize = 2048;  // per datagram, headroom included

  /// `path` must be kEpoll or kUring (see choosePacketPath). Create on the loop's thread.
  static core::Result<std::unique_ptr<DatagramIo>> create(EventLoop& loop, PacketPath path,
                                                          DatagramHandler& handler);
  virtual ~DatagramIo() = default;
  virtual PacketPath path() const = 0;
  /// Starts receiving on the non-blocking UDP socket `fd`; datagrams are reported with `tag`.
  /// An error means the socket is not receiving (and not registered).
  virtual core::Result<void> add(int fd, void* tag) = 0;
  /// Stops receiving on `fd`: its tag is never reported again. Call before closing the socket.
  virtual void remove(int fd) = 0;
  /// Inside onDatagram only: sends `d` (as rewritten) on `fd` to `to` (nullptr: the socket's
  /// connected peer). Sends are batched and leave at the end of the current batch.
  virtual void send(Datagram& d, int fd, const sockaddr* to, socklen_t toLen) = 0;
};

}  // namespace ccsec::net
