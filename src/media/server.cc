#include "media/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

namespace ccsec::media {

using core::makeError;

core::Result<std::pair<std::string, std::uint16_t>> parseHostPort(const std::string& s) {
  std::string host;
  std::string port;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find("]:");
    if (close == std::string::npos) return makeError("expected [address]:port, got '" + s + "'");
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos) return makeError("expected address:port, got '" + s + "'");
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  std::uint16_t p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size())
    return makeError("bad port in '" + s + "'");
  return std::make_pair(host, p);
}

namespace {

core::Result<int> bindSocket(const std::string& host, std::uint16_t port, int type,
                             std::uint16_t& bound) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    return makeError("'" + host + "' is not an IP address");
  }
  const int fd = ::socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return makeError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
      (type == SOCK_STREAM && ::listen(fd, 16) != 0)) {
    const int e = errno;
    ::close(fd);
    return makeError("cannot bind " + host + ":" + std::to_string(port) + ": " + std::strerror(e));
  }
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  bound = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
  return fd;
}

}  // namespace

core::Result<std::unique_ptr<MediaServer>> MediaServer::create(const ServerConfig& config) {
  std::unique_ptr<MediaServer> s(new MediaServer());
  auto relay = Relay::create(config.relay);
  if (!relay) return relay.error();
  s->relay_ = std::move(*relay);
  s->ng_ = std::make_unique<NgProcessor>(*s->relay_);
  auto ng = bindSocket(config.ngHost, config.ngPort, SOCK_DGRAM, s->ngPort_);
  if (!ng) return makeError("--listen-ng: " + ng.error().message);
  s->ngFd_ = *ng;
  if (!config.httpHost.empty()) {
    auto http = bindSocket(config.httpHost, config.httpPort, SOCK_STREAM, s->httpPort_);
    if (!http) return makeError("--listen-http: " + http.error().message);
    s->httpFd_ = *http;
  }
  return s;
}

MediaServer::~MediaServer() {
  relay_.reset();  // stops workers first
  if (ngFd_ >= 0) ::close(ngFd_);
  if (httpFd_ >= 0) ::close(httpFd_);
}

void MediaServer::run(const std::atomic<bool>& stop) {
  std::vector<char> buf(65536);
  while (!stop.load()) {
    pollfd fds[2] = {{ngFd_, POLLIN, 0}, {httpFd_, POLLIN, 0}};
    const int n = ::poll(fds, httpFd_ >= 0 ? 2 : 1, 200);
    if (n <= 0) continue;
    if (fds[0].revents & POLLIN) {
      sockaddr_storage from{};
      socklen_t fromLen = sizeof from;
      const ssize_t got = ::recvfrom(ngFd_, buf.data(), buf.size(), 0,
                                     reinterpret_cast<sockaddr*>(&from), &fromLen);
      if (got > 0) {
        const std::string reply =
            ng_->handleDatagram(std::string_view(buf.data(), static_cast<std::size_t>(got)));
        if (!reply.empty())
          ::sendto(ngFd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), fromLen);
      }
    }
    if (httpFd_ >= 0 && (fds[1].revents & POLLIN)) serveHttp();
  }
}

void MediaServer::serveHttp() {
  const int c = ::accept4(httpFd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (c < 0) return;
  timeval tv{1, 0};
  ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  std::string req;
  char b[1024];
  while (req.size() < 8192 && req.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(c, b, sizeof b, 0);
    if (n <= 0) break;
    req.append(b, static_cast<std::size_t>(n));
  }
  std::string body;
  std::string status = "200 OK";
  if (req.rfind("GET /metrics ", 0) == 0) {
    body = relay_->metrics();
  } else {
    status = "404 Not Found";
    body = "not found\n";
  }
  const std::string resp = "HTTP/1.1 " + status +
                           "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  std::size_t off = 0;
  while (off < resp.size()) {
    const ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  ::close(c);
}

}  // namespace ccsec::media

#include <yaml-cpp/yaml.h>

namespace ccsec::media {

core::Result<void> loadServerConfig(const std::string& path, ServerConfig& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return makeError(path + ": " + e.what());
  }
  if (!root.IsMap()) return makeError(path + ": expected a mapping of settings");
  try {
    for (const auto& kv : root) {
      const auto key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      const std::string where = path + ":" + std::to_string(kv.first.Mark().line + 1) + ": " + key;
      if (key == "interface") {
        config.relay.interface = v.as<std::string>();
      } else if (key == "listen-ng" || key == "listen-http") {
        auto hp = parseHostPort(v.as<std::string>());
        if (!hp) return makeError(where + ": " + hp.error().message);
        if (key == "listen-ng") std::tie(config.ngHost, config.ngPort) = *hp;
        else std::tie(config.httpHost, config.httpPort) = *hp;
      } else if (key == "port-min") {
        config.relay.portMin = v.as<std::uint16_t>();
      } else if (key == "port-max") {
        config.relay.portMax = v.as<std::uint16_t>();
      } else if (key == "num-threads") {
        config.relay.threads = v.as<unsigned>();
      } else if (key == "timeout") {
        config.relay.silentTimeout = std::chrono::seconds(v.as<unsigned>());
      } else if (key == "srtp-for" || key == "srtp_for") {
        config.relay.srtpFor = v.as<std::vector<std::string>>();
      } else {
        return makeError(where + ": unknown setting");
      }
    }
  } catch (const YAML::Exception& e) {
    return makeError(path + ": " + e.what());
  }
  return {};
}

}  // namespace ccsec::media
