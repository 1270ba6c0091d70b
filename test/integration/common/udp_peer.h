#pragma once
// The tests' UDP peer: one IPv4 datagram socket bound on a loopback address, sending to
// loopback ports and receiving with a deadline (RTP legs, ng clients, SIP probes). One class for
// the media unit tests and the media integration tests.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ccsec::testing {

class UdpPeer {
 public:
  /// Binds `address`:`port` (port 0: any free port; port() tells which).
  explicit UdpPeer(std::uint16_t port = 0, const std::string& address = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ok_ = ::inet_pton(AF_INET, address.c_str(), &a.sin_addr) == 1 &&
          ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    socklen_t len = sizeof a;
    if (ok_ && ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0)
      port_ = ntohs(a.sin_port);
  }
  ~UdpPeer() { ::close(fd_); }
  UdpPeer(const UdpPeer&) = delete;
  UdpPeer& operator=(const UdpPeer&) = delete;

  bool ok() const { return ok_; }
  std::uint16_t port() const { return port_; }

  void sendTo(std::uint16_t port, const void* data, std::size_t len,
              const std::string& host = "127.0.0.1") {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, host.c_str(), &a.sin_addr);
    ::sendto(fd_, data, len, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  void sendTo(std::uint16_t port, std::string_view s, const std::string& host = "127.0.0.1") {
    sendTo(port, s.data(), s.size(), host);
  }

  /// One datagram (up to 64 KiB) within `ms`, or an empty vector.
  std::vector<std::uint8_t> recv(int ms = 1000) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return {};
    std::vector<std::uint8_t> b(65536);
    const ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
    b.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return b;
  }
  /// recv() as text.
  std::string recvText(int ms = 1000) {
    auto b = recv(ms);
    return std::string(b.begin(), b.end());
  }
  /// Discards whatever is queued.
  void drain() {
    while (!recv(0).empty()) {
    }
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::uint16_t port_ = 0;
};

}  // namespace ccsec::testing
