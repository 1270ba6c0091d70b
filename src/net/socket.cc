#include "net/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/ip.h"

namespace ccsec::net {

core::Result<Endpoint> Endpoint::parse(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with("[")) {
    auto close = text.find("]:");
    if (close == std::string_view::npos)
      return core::makeError("bad endpoint '" + std::string(text) + "' (expected [ADDR]:PORT)");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return core::makeError("bad endpoint '" + std::string(text) + "' (expected ADDR:PORT)");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned long p = 0;
  if (port.empty() || port.size() > 5)
    return core::makeError("bad port in '" + std::string(text) + "'");
  for (char ch : port) {
    if (ch < '0' || ch > '9') return core::makeError("bad port in '" + std::string(text) + "'");
    p = p * 10 + static_cast<unsigned long>(ch - '0');
  }
  if (p > 65535) return core::makeError("port out of range in '" + std::string(text) + "'");
  auto ip = core::IpAddress::parse(host);
  if (!ip)
    return core::makeError("bad address '" + std::string(host) + "' in '" + std::string(text) +
                           "' (an IP address is required)");
  Endpoint e;
  if (ip->isV6()) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(static_cast<std::uint16_t>(p));
    std::memcpy(&sa.sin6_addr, ip->bytes().data(), 16);
    std::memcpy(&e.storage_, &sa, sizeof sa);
    e.len_ = sizeof sa;
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<std::uint16_t>(p));
    std::memcpy(&sa.sin_addr, ip->bytes().data(), 4);
    std::memcpy(&e.storage_, &sa, sizeof sa);
    e.len_ = sizeof sa;
  }
  return e;
}

Endpoint Endpoint::fromSockaddr(const sockaddr* sa, socklen_t len) {
  Endpoint e;
  if (len > sizeof e.storage_) len = sizeof e.storage_;
  std::memcpy(&e.storage_, sa, len);
  e.len_ = len;
  return e;
}

core::Result<Endpoint> Endpoint::of(std::string_view host, std::uint16_t port) {
  const std::string h(host);
  return parse((h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(port));
}

bool Endpoint::operator==(const Endpoint& o) const {
  if (storage_.ss_family != o.storage_.ss_family) return false;
  if (storage_.ss_family == AF_INET) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(storage_);
    const auto& y = reinterpret_cast<const sockaddr_in&>(o.storage_);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  if (storage_.ss_family == AF_INET6) {
    const auto& x = reinterpret_cast<const sockaddr_in6&>(storage_);
    const auto& y = reinterpret_cast<const sockaddr_in6&>(o.storage_);
    return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, 16) == 0;
  }
  return len_ == o.len_ && std::memcmp(&storage_, &o.storage_, len_) == 0;
}

std::uint16_t Endpoint::port() const {
  if (storage_.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
}

std::string Endpoint::host() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (storage_.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf,
              sizeof buf);
  else
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof buf);
  return buf;
}

std::string Endpoint::str() const {
  if (storage_.ss_family == AF_INET6) return "[" + host() + "]:" + std::to_string(port());
  return host() + ":" + std::to_string(port());
}

core::Result<UniqueFd> listenTcp(const Endpoint& at, bool reuseport, int backlog) {
  UniqueFd fd(::socket(at.addr()->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return core::runtimeError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuseport && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    return core::runtimeError(std::string("SO_REUSEPORT: ") + std::strerror(errno));
  if (::bind(fd.get(), at.addr(), at.length()) != 0)
    return core::runtimeError("cannot bind " + at.str() + ": " + std::strerror(errno));
  if (::listen(fd.get(), backlog) != 0)
    return core::runtimeError("cannot listen on " + at.str() + ": " + std::strerror(errno));
  return fd;
}

core::Result<UniqueFd> connectTcp(const Endpoint& to) {
  UniqueFd fd(::socket(to.addr()->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return core::runtimeError(std::string("socket: ") + std::strerror(errno));
  if (::connect(fd.get(), to.addr(), to.length()) != 0 && errno != EINPROGRESS)
    return core::runtimeError("cannot connect to " + to.str() + ": " + std::strerror(errno));
  setNoDelay(fd.get());
  return fd;
}

int connectResult(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

UniqueFd acceptTcp(int listen_fd, Endpoint* peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int fd =
      ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return UniqueFd();
  if (peer != nullptr) *peer = Endpoint::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  setNoDelay(fd);
  return UniqueFd(fd);
}

core::Result<Endpoint> localEndpoint(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    return core::runtimeError(std::string("getsockname: ") + std::strerror(errno));
  return Endpoint::fromSockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

core::Result<UniqueFd> bindUdp(const Endpoint& at) {
  UniqueFd fd(::socket(at.addr()->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return core::runtimeError(std::string("socket: ") + std::strerror(errno));
  if (::bind(fd.get(), at.addr(), at.length()) != 0)
    return core::runtimeError("cannot bind " + at.str() + ": " + std::strerror(errno));
  return fd;
}

void setSocketBuffers(int fd, int bytes) {
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof bytes) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
}

void setNoDelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace ccsec::net
