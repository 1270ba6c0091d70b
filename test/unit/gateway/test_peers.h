#pragma once
// Test-only peers on loopback: a plaintext echo/record backend, blocking TCP helpers, a blocking
// mTLS client, and the openssl-CLI test PKI (test/integration/gateway/make_certs.sh).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ccsec/paths.h"
#include "core/handles.h"

namespace ccsec::testing {

inline std::string makeTempDir(const char* tag) {
  std::string t = std::string("/tmp/ccsec-") + tag + "-XXXXXX";
  std::vector<char> buf(t.begin(), t.end());
  buf.push_back('\0');
  return mkdtemp(buf.data());
}

/// Runs make_certs.sh into dir; returns true on success.
inline bool makeTestPki(const std::string& dir) {
  std::string cmd =
      std::string("sh ") + CCSEC_SOURCE_DIR + "/test/integration/gateway/make_certs.sh " + dir;
  return std::system(cmd.c_str()) == 0;
}

inline int connectTo(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

inline bool sendAll(int fd, const void* data, std::size_t n) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

/// Reads exactly n bytes within timeout_ms; returns what arrived (shorter on EOF/timeout).
inline std::string recvExactly(int fd, std::size_t n, int timeout_ms = 5000) {
  std::string out;
  while (out.size() < n) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) break;
    char buf[16384];
    ssize_t r = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
    if (r <= 0) break;
    out.append(buf, static_cast<std::size_t>(r));
  }
  return out;
}

/// A TCP listener on 127.0.0.1 with a kernel-chosen port (written to *port); returns the fd.
inline int listenLoopback(int backlog, std::uint16_t* port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  ::listen(fd, backlog);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  *port = ntohs(sa.sin_port);
  return fd;
}

/// True when the peer closes (EOF or reset) within timeout_ms; `got` receives any bytes seen.
inline bool waitClosed(int fd, std::string* got = nullptr, int timeout_ms = 5000) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r <= 0) return true;
    if (got != nullptr) got->append(buf, static_cast<std::size_t>(r));
  }
}

/// Plaintext backend: echoes every byte back and records everything received.
class EchoServer {
 public:
  EchoServer() {
    fd_ = listenLoopback(512, &port_);
    thread_ = std::thread([this] { loop(); });
  }
  ~EchoServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
    std::lock_guard lock(mu_);
    for (int c : clients_) ::shutdown(c, SHUT_RDWR);
    for (auto& t : workers_) t.join();
    for (int c : clients_) ::close(c);
  }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  std::string received() {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  void loop() {
    while (!stop_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (stop_) return;
        continue;
      }
      ++accepted_;
      int one = 1;
      ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // echo at once, no Nagle wait
      std::lock_guard lock(mu_);
      clients_.push_back(c);
      workers_.emplace_back([this, c] {
        char buf[16384];
        for (;;) {
          ssize_t r = ::recv(c, buf, sizeof buf, 0);
          if (r <= 0) break;
          {
            std::lock_guard l2(mu_);
            if (received_.size() < (1u << 20)) received_.append(buf, static_cast<std::size_t>(r));
          }
          if (!sendAll(c, buf, static_cast<std::size_t>(r))) break;
        }
        ::shutdown(c, SHUT_WR);
      });
    }
  }
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::mutex mu_;
  std::vector<int> clients_;
  std::vector<std::thread> workers_;
  std::string received_;
};

/// Blocking mTLS client (OpenSSL) for tests; not the code under test.
class TlsClient {
 public:
  /// `max_version` (e.g. TLS1_2_VERSION) caps the protocol version; 0 = library default.
  TlsClient(const std::string& pki, const std::string& name, std::uint16_t port,
            int max_version = 0) {
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (max_version != 0) SSL_CTX_set_max_proto_version(ctx_.get(), max_version);
    SSL_CTX_use_certificate_chain_file(ctx_.get(), (pki + "/hosts/" + name + ".pem").c_str());
    SSL_CTX_use_PrivateKey_file(ctx_.get(), (pki + "/hosts/" + name + ".key").c_str(),
                                SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(ctx_.get(), (pki + "/ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
    fd_ = connectTo(port);
    ssl_.reset(SSL_new(ctx_.get()));
    SSL_set_fd(ssl_.get(), fd_);
    ok_ = fd_ >= 0 && SSL_connect(ssl_.get()) == 1;
    ERR_clear_error();
  }
  ~TlsClient() {
    ssl_.reset();
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }
  int fd() const { return fd_; }
  SSL* ssl() const { return ssl_.get(); }
  /// Sends close_notify (a clean TLS close).
  void closeNotify() {
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
  }
  bool write(const std::string& s) {
    return SSL_write(ssl_.get(), s.data(), static_cast<int>(s.size())) ==
           static_cast<int>(s.size());
  }
  std::string read(std::size_t n) {
    std::string out;
    while (out.size() < n) {
      char buf[16384];
      int r = SSL_read(ssl_.get(), buf, static_cast<int>(std::min(sizeof buf, n - out.size())));
      if (r <= 0) break;
      out.append(buf, static_cast<std::size_t>(r));
    }
    return out;
  }
  /// CN of the server certificate.
  std::string serverCertSubjectCn() {
    X509* c = SSL_get0_peer_certificate(ssl_.get());
    if (c == nullptr) return {};
    char buf[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(c), NID_commonName, buf, sizeof buf);
    return buf;
  }

 private:
  core::SslCtxPtr ctx_;
  core::SslPtr ssl_;
  int fd_ = -1;
  bool ok_ = false;
};

}  // namespace ccsec::testing
