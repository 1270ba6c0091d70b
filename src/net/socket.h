#pragma once
// Sockets for the event loop: an owning file descriptor, endpoints ("127.0.0.1:42030",
// "[::1]:443"), non-blocking TCP listeners (optionally SO_REUSEPORT, one per worker) and
// non-blocking connects. Addresses are parsed with inet_pton (core::IpAddress), never by hand;
// host names are not resolved (listeners and forwards are addresses).

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.h"
#include "core/unique_fd.h"

namespace ccsec::net {

/// File-descriptor owner (core/unique_fd.h), re-exported for net users.
using core::UniqueFd;

class Endpoint {
 public:
  Endpoint() = default;
  /// "ADDR:PORT" for IPv4, "[ADDR]:PORT" for IPv6; port 0 allowed (listen on any free port).
  static core::Result<Endpoint> parse(std::string_view text);
  static Endpoint fromSockaddr(const sockaddr* sa, socklen_t len);
  /// An IP address (no brackets, "::1" or "127.0.0.1") and a port.
  static core::Result<Endpoint> of(std::string_view host, std::uint16_t port);
  bool valid() const { return len_ != 0; }
  /// Same family, address and port.
  bool operator==(const Endpoint& o) const;
  const sockaddr* addr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  socklen_t length() const { return len_; }
  std::uint16_t port() const;
  /// Address without port ("127.0.0.1", "::1").
  std::string host() const;
  std::string str() const;  // "127.0.0.1:42030", "[::1]:443"

 private:
  sockaddr_storage storage_{};
  socklen_t len_ = 0;
};

/// A non-blocking, close-on-exec listening TCP socket. With `reuseport` several workers can each
/// bind their own socket to the same endpoint and the kernel spreads connections across them.
core::Result<UniqueFd> listenTcp(const Endpoint& at, bool reuseport, int backlog = 1024);
/// Starts a non-blocking connect; completion is signalled by writability (check connectResult).
core::Result<UniqueFd> connectTcp(const Endpoint& to);
/// 0 when a non-blocking connect succeeded, else the errno (SO_ERROR).
int connectResult(int fd);
/// accept4(SOCK_NONBLOCK|SOCK_CLOEXEC); invalid fd when nothing is pending (EAGAIN) or on error.
UniqueFd acceptTcp(int listen_fd, Endpoint* peer);
core::Result<Endpoint> localEndpoint(int fd);
/// A non-blocking, close-on-exec UDP socket bound to `at` (port 0: any free port).
core::Result<UniqueFd> bindUdp(const Endpoint& at);
void setNoDelay(int fd);
/// Kernel receive and send buffers of `bytes` each (SO_*BUFFORCE beyond the sysctl maximum when
/// the process has CAP_NET_ADMIN, else capped by net.core.{r,w}mem_max).
void setSocketBuffers(int fd, int bytes);

}  // namespace ccsec::net
