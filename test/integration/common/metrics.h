#pragma once
// Reading a service's Prometheus /metrics endpoint from an integration test: one GET over
// loopback and the value of one unlabelled sample.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace ccsec::testing {

/// The whole HTTP response (head and body) of GET /metrics on 127.0.0.1:`port`; "" when
/// nothing answered. Waits up to `ms` for each read.
inline std::string scrapeMetrics(std::uint16_t port, int ms = 2000) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    const std::string req = "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    char b[4096];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, ms) > 0) {
      const ssize_t n = ::recv(fd, b, sizeof b, 0);
      if (n <= 0) break;
      out.append(b, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

/// The value of the unlabelled sample `name` in a Prometheus text exposition, -1 if absent.
inline long metricValue(const std::string& metrics, const std::string& name) {
  const auto at = metrics.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stol(metrics.substr(at + 2 + name.size()));
}

}  // namespace ccsec::testing
