// tls_levers: the server-side cost of the gateway's TLS data path (the tls::Session seam, on
// whichever library this build uses: OpenSSL or GnuTLS) and, on OpenSSL builds, of one OpenSSL
// lever at a time, in one process (no kernel TCP, no other tunnel), for #17.1 and #17.3. The
// client is always plain OpenSSL. Client and server run on one thread over a non-blocking
// AF_UNIX socketpair; only the server's calls are timed (thread CPU time) and only the heap the
// server's calls keep is counted (mallinfo2 before/after each server call).
//   tls_levers PKI [ROUNDS] [N]
// prints, per lever and variant, the median over ROUNDS interleaved rounds of N handshakes:
//   full handshake µs (server) with OpenSSL's auto-chain vs the chain built once at load;
//   TLS 1.3 resumption µs (server) with stateless tickets vs the stateful session cache;
//   full handshake µs with X509_V_FLAG_CRL_CHECK_ALL on/off on a chain with an intermediate;
//   heap bytes the server keeps per idle established mutual-TLS connection (SSL object, session,
//   peer certificate, buffers released) and per cached session after the connection closed.
#include <malloc.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/handles.h"
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

// Times one server call and counts the heap it keeps.
template <typename F>
auto server(ServerCost& cost, F&& f) {
  long h0 = heapBytes();
  double t0 = threadCpuUs();
  auto r = f();
  cost.us += threadCpuUs() - t0;
  cost.heap += heapBytes() - h0;
  return r;
}

ccsec::core::SslCtxPtr clientCtx(const std::string& cert, const std::string& key,
                                 const std::string& ca, bool tickets) {
  ccsec::core::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  SSL_CTX_use_certificate_chain_file(ctx.get(), cert.c_str());
  SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_load_verify_locations(ctx.get(), ca.c_str(), nullptr);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_NO_AUTO_CHAIN);  // the client's cost is not measured
  SSL_CTX_set_session_cache_mode(
      ctx.get(),
      tickets ? SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE : SSL_SESS_CACHE_OFF);
  if (!tickets) SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
  return ctx;
}

// One connection: server session from the ccsec Context (the gateway's data path), client SSL
// from `cctx`.
struct Conn {
  int sv[2] = {-1, -1};
  std::unique_ptr<Session> s;
  ccsec::core::SslPtr c;
  ~Conn() {
    s.reset();
    c.reset();
    for (int fd : sv)
      if (fd >= 0) ::close(fd);
  }
};

// Handshake + one byte each way (so that the client has processed the ticket). Returns false on
// failure. `keep` leaves the connection open (idle) in `out`.
bool connectOnce(const Context& sctx, SSL_CTX* cctx, SSL_SESSION* offer, ServerCost& cost,
                 std::unique_ptr<Conn>* keep, SSL_SESSION** ticket, bool* resumed) {
  auto conn = std::make_unique<Conn>();
  ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, conn->sv);
  bool ok = server(cost, [&] {
    auto s = sctx.newSession(conn->sv[0]);
    if (!s) return false;
    conn->s = std::move(*s);
    return true;
  });
  if (!ok) return false;
  conn->c.reset(SSL_new(cctx));
  SSL_set_fd(conn->c.get(), conn->sv[1]);
  if (offer != nullptr) SSL_set_session(conn->c.get(), offer);
  SSL_set_connect_state(conn->c.get());
  bool sdone = false, cdone = false;
  for (int i = 0; i < 20 && !(sdone && cdone); ++i) {
    if (!cdone) {
      int r = SSL_do_handshake(conn->c.get());
      if (r == 1)
        cdone = true;
      else if (SSL_get_error(conn->c.get(), r) != SSL_ERROR_WANT_READ)
        return false;
    }
    if (!sdone) {
      const Io r = server(cost, [&] { return conn->s->handshake(); });
      if (r == Io::kOk)
        sdone = true;
      else if (r != Io::kWantRead)
        return false;
    }
  }
  if (!sdone || !cdone) return false;
  char b = 'x';
  std::uint8_t sb = 0;
  if (SSL_write(conn->c.get(), &b, 1) != 1) return false;
  if (server(cost, [&] { return conn->s->read(&sb, 1).bytes; }) != 1) return false;
  if (server(cost, [&] { return conn->s->write(&sb, 1).bytes; }) != 1) return false;
  if (SSL_read(conn->c.get(), &b, 1) != 1) return false;
  if (resumed != nullptr) *resumed = conn->s->resumed();
  if (ticket != nullptr) *ticket = SSL_get1_session(conn->c.get());
  if (keep != nullptr) {
    *keep = std::move(conn);
    return true;
  }
  // Clean close on both sides (as the gateway does), so that the session stays resumable.
  server(cost, [&] {
    conn->s->close();
    return 0;
  });
  SSL_shutdown(conn->c.get());
  server(cost, [&] {
    conn->s.reset();
    return 0;
  });
  return true;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

ContextConfig serverConfig(const std::string& pki, const std::string& dir, const std::string& name,
                           const std::string& peer) {
  ContextConfig c;
  c.role = Role::kServer;
  c.cert_file = pki + "/" + dir + "/" + name + ".pem";
  c.key_file = pki + "/" + dir + "/" + name + ".key";
  c.ca_file = pki + (dir == "chain" ? "/chain/ca.pem" : "/ca.pem");
  c.crl_file = pki + (dir == "chain" ? "/chain/crl.pem" : "/crl.pem");
  c.allowed_peers = {peer};
  c.policy.min_version = ccsec::tls::Version::kTls13;
  c.ktls = false;
  return c;
}

std::shared_ptr<Context> build(const ContextConfig& c) {
  auto r = Context::build(c);
  if (!r) {
    std::fprintf(stderr, "context: %s\n", r.error().message.c_str());
    std::exit(1);
  }
  return *r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: tls_levers PKI [ROUNDS] [N]\n");
    return 2;
  }
  const std::string pki = argv[1];
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
  const int n = argc > 3 ? std::atoi(argv[3]) : 200;

  std::printf("library=%s\n", ccsec::tls::libraryVersion().c_str());
  // Variants. "auto-chain": the same context with OpenSSL's default (chain rebuilt per handshake).
  auto cfg = serverConfig(pki, "hosts", "gw", "finesse-a");
  auto tuned = build(cfg);
  auto stateless_cfg = cfg;
  stateless_cfg.session_cache = 0;
  auto chain_cfg = serverConfig(pki, "chain", "gw", "finesse-a");
#if CCSEC_TLS_OPENSSL
  auto autochain = build(cfg);
  SSL_CTX_clear_mode(autochain->raw(), SSL_MODE_NO_AUTO_CHAIN);
  SSL_CTX_clear_chain_certs(autochain->raw());
  auto stateless = build(stateless_cfg);
  auto checkall = build(chain_cfg);
  auto leafonly = build(chain_cfg);
  X509_VERIFY_PARAM_clear_flags(X509_STORE_get0_param(SSL_CTX_get_cert_store(leafonly->raw())),
                                X509_V_FLAG_CRL_CHECK_ALL);
#endif

  const std::string h = pki + "/hosts/";
  auto cfull = clientCtx(h + "finesse-a.pem", h + "finesse-a.key", pki + "/ca.pem", false);
  auto ctick = clientCtx(h + "finesse-a.pem", h + "finesse-a.key", pki + "/ca.pem", true);
  const std::string ch = pki + "/chain/";
  auto cchain = clientCtx(ch + "finesse-a.pem", ch + "finesse-a.key", pki + "/ca.pem", false);

  std::map<std::string, std::vector<double>> us;
  auto full = [&](const char* label, const Context& s, SSL_CTX* c) {
    ServerCost cost;
    for (int i = 0; i < n; ++i)
      if (!connectOnce(s, c, nullptr, cost, nullptr, nullptr, nullptr)) {
        std::fprintf(stderr, "%s: handshake failed\n", label);
        ERR_print_errors_fp(stderr);
        std::exit(1);
      }
    us[label].push_back(cost.us / n);
  };
  auto resume = [&](const char* label, const Context& s) {
    SSL_SESSION* ticket = nullptr;
    ServerCost warm;
    connectOnce(s, ctick.get(), nullptr, warm, nullptr, &ticket, nullptr);
    ServerCost cost;
    int resumed = 0;
    for (int i = 0; i < n; ++i) {
      SSL_SESSION* next = nullptr;
      bool r = false;
      if (!connectOnce(s, ctick.get(), ticket, cost, nullptr, &next, &r)) std::exit(1);
      resumed += r ? 1 : 0;
      SSL_SESSION_free(ticket);
      ticket = next;
    }
    SSL_SESSION_free(ticket);
    if (resumed != n) std::fprintf(stderr, "%s: only %d of %d resumed\n", label, resumed, n);
    us[label].push_back(cost.us / n);
  };
  for (int r = 0; r < rounds; ++r) {  // interleaved: every variant in every round
    full("full_nochain", *tuned, cfull.get());
    resume("resume_stateful", *tuned);
#if CCSEC_TLS_OPENSSL
    full("full_autochain", *autochain, cfull.get());
    resume("resume_stateless", *stateless);
    full("full_chain_crl_leaf_only", *leafonly, cchain.get());
    full("full_chain_crl_check_all", *checkall, cchain.get());
#else
    full("full_chain_crl_check_all", *build(chain_cfg), cchain.get());
#endif
  }
  for (const auto& [k, v] : us) std::printf("%s_us=%.1f\n", k.c_str(), median(v));
  std::printf("resume_vs_full=%.2f\n", median(us["resume_stateful"]) / median(us["full_nochain"]));
#if CCSEC_TLS_OPENSSL
  std::printf("autochain_vs_nochain=%.2f\n",
              median(us["full_autochain"]) / median(us["full_nochain"]));
  std::printf("resume_stateless_vs_full=%.2f\nresume_stateful_vs_full=%.2f\n",
              median(us["resume_stateless"]) / median(us["full_nochain"]),
              median(us["resume_stateful"]) / median(us["full_nochain"]));
  std::printf("check_all_vs_leaf_only=%.2f\n",
              median(us["full_chain_crl_check_all"]) / median(us["full_chain_crl_leaf_only"]));
#endif

  // Idle memory: the heap the server keeps per open, idle connection (after one byte each way,
  // buffers released), for a full handshake and a resumed one, stateless and stateful.
  constexpr int kIdle = 500;
  auto idle = [&](const char* label, const Context& s, bool resumed_conns) {
    SSL_SESSION* ticket = nullptr;
    ServerCost warm;
    if (resumed_conns) connectOnce(s, ctick.get(), nullptr, warm, nullptr, &ticket, nullptr);
    std::vector<std::unique_ptr<Conn>> held(kIdle);
    ServerCost cost;
    for (auto& c : held) {
      SSL_SESSION* next = nullptr;
      connectOnce(s, resumed_conns ? ctick.get() : cfull.get(), ticket, cost, &c,
                  resumed_conns ? &next : nullptr, nullptr);
      if (next != nullptr) {
        SSL_SESSION_free(ticket);
        ticket = next;
      }
    }
    std::printf("idle_%s_bytes=%ld\n", label, cost.heap / kIdle);
    // After the connections close (cleanly), what stays in the server's session cache.
    ServerCost after;
    for (auto& c : held) {
      server(after, [&] {
        c->s->close();
        return 0;
      });
      server(after, [&] {
        c->s.reset();
        return 0;
      });
    }
    std::printf("idle_%s_cached_after_close_bytes=%ld\n", label, (cost.heap + after.heap) / kIdle);
    if (ticket != nullptr) SSL_SESSION_free(ticket);
  };
  idle("full_stateless", *build(stateless_cfg), false);
  idle("full_stateful", *build(cfg), false);
  idle("resumed_stateless", *build(stateless_cfg), true);
  idle("resumed_stateful", *build(cfg), true);
  return 0;
}
