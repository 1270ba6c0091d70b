// tls_seam_cost: the server-side cost of the TLS data path through the seam only (tls/context.h,
// tls/session.h), so the same program measures whichever backend the build selected
// (CCSEC_TLS_DATA_PATH) for #17.3. Client and server are both the backend, on one thread over
// non-blocking AF_UNIX socketpairs; only the server's calls are timed (thread CPU time) and only
// the heap the server's calls keep is counted (mallinfo2 before/after each server call), as in
// tls_levers.
//   tls_seam_cost PKI [ROUNDS] [N]
// prints the library, then medians over ROUNDS rounds of N connections each:
//   full_us / resumed_us   server CPU per mutual-TLS handshake (ECDSA P-256, CRL of make_certs.sh)
//   idle_full_bytes / idle_resumed_bytes   heap the server keeps per open idle connection after
//                                          one byte each way
#include <malloc.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tls/context.h"
#include "tls/session.h"

namespace {

using ccsec::tls::Context;
using ccsec::tls::ContextConfig;
using ccsec::tls::Io;
using ccsec::tls::Role;
using ccsec::tls::Session;

double threadCpuUs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}
long heapBytes() { return static_cast<long>(mallinfo2().uordblks); }

struct ServerCost {
  double us = 0;
  long heap = 0;
};

template <typename F>
auto server(ServerCost& cost, F&& f) {
  long h0 = heapBytes();
  double t0 = threadCpuUs();
  auto r = f();
  cost.us += threadCpuUs() - t0;
  cost.heap += heapBytes() - h0;
  return r;
}

struct Conn {
  int fds[2] = {-1, -1};
  std::unique_ptr<Session> s;
  std::unique_ptr<Session> c;
  ~Conn() {
    s.reset();
    c.reset();
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
};

bool pending(Io io) { return io == Io::kWantRead || io == Io::kWantWrite; }

// One connection: handshake, one byte each way (the client's read takes the server's ticket).
// Returns false on failure; `resumed` tells whether the server resumed.
bool connectOnce(const Context& sctx, const Context& cctx, ServerCost& cost,
                 std::unique_ptr<Conn>& out, bool* resumed) {
  auto conn = std::make_unique<Conn>();
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, conn->fds) != 0) return false;
  auto ss = server(cost, [&] { return sctx.newSession(conn->fds[0]); });
  auto cs = cctx.newSession(conn->fds[1]);
  if (!ss.ok() || !cs.ok()) return false;
  conn->s = std::move(*ss);
  conn->c = std::move(*cs);
  Io si = Io::kWantRead;
  Io ci = Io::kWantRead;
  for (int i = 0; i < 100 && (pending(si) || pending(ci)); ++i) {
    if (pending(ci)) ci = conn->c->handshake();
    if (pending(si)) si = server(cost, [&] { return conn->s->handshake(); });
  }
  if (si != Io::kOk || ci != Io::kOk) {
    std::fprintf(stderr, "handshake failed: %s / %s\n", conn->s->failureReason().c_str(),
                 conn->c->failureReason().c_str());
    return false;
  }
  *resumed = conn->s->resumed();
  const std::uint8_t x = 'x';
  std::uint8_t b = 0;
  server(cost, [&] { return conn->s->write(&x, 1); });
  for (int i = 0; i < 10 && conn->c->read(&b, 1).status != Io::kOk; ++i) {
  }
  conn->c->write(&x, 1);
  for (int i = 0; i < 10; ++i)
    if (server(cost, [&] { return conn->s->read(&b, 1); }).status == Io::kOk) break;
  out = std::move(conn);
  return true;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: tls_seam_cost PKI [ROUNDS] [N]\n");
    return 2;
  }
  const std::string pki = argv[1];
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  const int n = argc > 3 ? std::atoi(argv[3]) : 500;
  auto config = [&](Role role, const std::string& name, const std::string& peer) {
    ContextConfig c;
    c.role = role;
    c.cert_file = pki + "/hosts/" + name + ".pem";
    c.key_file = pki + "/hosts/" + name + ".key";
    c.ca_file = pki + "/ca.pem";
    c.crl_file = pki + "/crl.pem";
    c.allowed_peers = {peer};
    return c;
  };
  auto sctx = Context::build(config(Role::kServer, "gw", "finesse-a"));
  if (!sctx.ok()) {
    std::fprintf(stderr, "%s\n", sctx.error().message.c_str());
    return 1;
  }
  std::printf("library=%s\n", ccsec::tls::libraryVersion().c_str());
  std::map<std::string, std::vector<double>> m;
  for (int r = 0; r < rounds; ++r) {
    for (bool resume : {false, true}) {
      // A fresh client context per connection = no ticket; one shared = resumption.
      auto shared = Context::build(config(Role::kClient, "finesse-a", "gw"));
      std::unique_ptr<Conn> warm;
      ServerCost ignore;
      bool was = false;
      if (resume && !connectOnce(**sctx, **shared, ignore, warm, &was)) return 1;
      warm.reset();
      std::vector<std::unique_ptr<Conn>> held(static_cast<std::size_t>(n));
      ServerCost cost;
      int resumed = 0;
      for (auto& c : held) {
        auto fresh = resume ? *shared : *Context::build(config(Role::kClient, "finesse-a", "gw"));
        if (!connectOnce(**sctx, *fresh, cost, c, &was)) return 1;
        resumed += was ? 1 : 0;
      }
      const char* label = resume ? "resumed" : "full";
      if (resume && resumed != n) std::fprintf(stderr, "only %d of %d resumed\n", resumed, n);
      m[std::string(label) + "_us"].push_back(cost.us / n);
      m[std::string("idle_") + label + "_bytes"].push_back(static_cast<double>(cost.heap) / n);
    }
  }
  for (const auto& [k, v] : m) std::printf("%s=%.1f\n", k.c_str(), median(v));
  return 0;
}
