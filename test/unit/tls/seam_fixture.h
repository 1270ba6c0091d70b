#pragma once
// The fixture of the TLS seam's unit tests (context_test on every backend, gnutls_backend_test):
// the test PKI (make_certs.sh, made once per suite), context configs for its hosts and chain,
// and a handshake of two sessions of the backend over a non-blocking socketpair.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "test_peers.h"
#include "tls/context.h"
#include "tls/session.h"

namespace ccsec::tls {

inline void setNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Drives a handshake on a non-blocking fd to its end (kOk or a failure).
inline Io drive(Session& s, int fd) {
  for (;;) {
    Io io = s.handshake();
    if (io != Io::kWantRead && io != Io::kWantWrite) return io;
    pollfd p{fd, static_cast<short>(io == Io::kWantRead ? POLLIN : POLLOUT), 0};
    if (::poll(&p, 1, 5000) <= 0) return Io::kLost;
  }
}

// Reads until `n` bytes, a close or a failure.
inline IoResult readSome(Session& s, int fd, std::string* out, std::size_t n) {
  IoResult last{};
  while (out->size() < n) {
    std::uint8_t buf[4096];
    last = s.read(buf, sizeof buf);
    out->append(reinterpret_cast<char*>(buf), last.bytes);
    if (last.status == Io::kWantRead || last.status == Io::kWantWrite) {
      pollfd p{fd, static_cast<short>(last.status == Io::kWantRead ? POLLIN : POLLOUT), 0};
      if (::poll(&p, 1, 5000) <= 0) return {Io::kLost, 0};
      continue;
    }
    if (last.status != Io::kOk) return last;
  }
  return last;
}

class SeamTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ::signal(SIGPIPE, SIG_IGN);
    pki_ = new std::string(testing::makeTempDir("tlspki"));
    ASSERT_TRUE(testing::makeTestPki(*pki_));
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*pki_);
    delete pki_;
  }
  static const std::string& pki() { return *pki_; }
  static ContextConfig config(Role role, const std::string& name,
                              std::vector<std::string> allowed) {
    ContextConfig c;
    c.role = role;
    c.cert_file = pki() + "/hosts/" + name + ".pem";
    c.key_file = pki() + "/hosts/" + name + ".key";
    c.ca_file = pki() + "/ca.pem";
    c.crl_file = pki() + "/crl.pem";
    c.allowed_peers = std::move(allowed);
    return c;
  }
  static ContextConfig chainConfig(Role role, const std::string& name,
                                   std::vector<std::string> allowed) {
    ContextConfig c = config(role, name, std::move(allowed));
    c.cert_file = pki() + "/chain/" + name + ".pem";
    c.key_file = pki() + "/chain/" + name + ".key";
    c.ca_file = pki() + "/chain/ca.pem";
    c.crl_file = pki() + "/chain/crl.pem";
    return c;
  }
  struct Outcome {
    Io server = Io::kFailed;
    Io client = Io::kFailed;
    std::string server_reason;
    std::string client_reason;
    PeerIdentity server_peer;  // what the server saw of the client
    bool server_resumed = false;
    bool client_resumed = false;
    std::string describe;
  };
  // Both roles of the backend over a socketpair; the client reads one byte so that the server's
  // ticket arrives (and is remembered) before the close.
  static Outcome handshake(const Context& server, const Context& client) {
    int sv[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    setNonBlocking(sv[0]);
    setNonBlocking(sv[1]);
    Outcome o;
    auto s = server.newSession(sv[0]);
    auto c = client.newSession(sv[1]);
    EXPECT_TRUE(s.ok() && c.ok());
    std::thread t([&] {
      o.client = drive(**c, sv[1]);
      o.client_reason = (*c)->failureReason();
      if (o.client == Io::kOk) {
        o.client_resumed = (*c)->resumed();
        std::string got;
        readSome(**c, sv[1], &got, 1);
        (*c)->close();
      }
      ::shutdown(sv[1], SHUT_RDWR);
    });
    o.server = drive(**s, sv[0]);
    o.server_reason = (*s)->failureReason();
    o.server_peer = (*s)->peer();
    if (o.server == Io::kOk) {
      o.server_resumed = (*s)->resumed();
      o.describe = (*s)->describe();
      const std::uint8_t x = 'x';
      (*s)->write(&x, 1);
      (*s)->close();
    }
    ::shutdown(sv[0], SHUT_RDWR);
    t.join();
    ::close(sv[0]);
    ::close(sv[1]);
    return o;
  }
  static inline std::string* pki_ = nullptr;
};

}  // namespace ccsec::tls
