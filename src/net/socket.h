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

namespace ccsec::net {

/// Owns one file descriptor; closes it on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) reset(std::exchange(o.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1);
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

class Endpoint {
 public:
  Endpoint() = default;
  /// "ADDR:PORT" for IPv4, "[ADDR]:PORT" for IPv6; port 0 allowed (listen on any free port).
  static core::Result<Endpoint> parse(std::string_view text);
  static Endpoint fromSockaddr(const sockaddr* sa, socklen_t len);
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
void setNoDelay(int fd);

}  // namespace ccsec::net
