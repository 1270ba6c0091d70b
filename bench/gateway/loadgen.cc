// gateway_loadgen: the client and the plaintext backend of bench/gateway/run.sh.
//   gateway_loadgen backend PORT echo|sink         plaintext backend (epoll, one thread)
//   gateway_loadgen bulk PKI PORT SECONDS          one mTLS connection, bytes pushed
//   gateway_loadgen handshakes PKI PORT SECONDS THREADS   full mTLS handshakes (no resumption)
//   gateway_loadgen rtt PKI PORT CONNS RATE SECONDS       200-byte round trips at a fixed rate
//   gateway_loadgen rtt-load PKI PORT CONNS SECONDS       200-byte round trips, one in flight per
//                                                         connection (closed loop, all CONNS busy)
// rtt and rtt-load print "ready=1" once their connections are up and start 0.5 s later, so that
// the caller can leave connection setup out of its CPU figures.
//   gateway_loadgen idle PKI PORT N SECONDS        hold N established connections
//   gateway_loadgen ged PKI PORT SECONDS           stream GED-188 CALL_DELIVERED_EVENT frames
//   gateway_loadgen resume PKI PORT SECONDS THREADS   TLS 1.3 resumptions (each client offers
//                                                  the ticket of its previous connection)
//   gateway_loadgen storm PKI PORT N TUNNEL_PID    reconnect storms: N clients connect and hold
//       their sessions; all are dropped at once (close_notify + close) and reconnect with their
//       tickets (up to 256 handshakes in flight), then dropped again and reconnect without tickets
//       (full handshakes). Per storm: seconds until all N are back (handshake + one echoed byte),
//       the CPU-seconds the tunnel process (TUNNEL_PID, /proc/PID/stat) spent meanwhile, how many
//       resumed.
// Results are printed as "key=value" lines. The client certificate is PKI/hosts/finesse-a.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/handles.h"
#include "ged188_builder.h"

namespace {

using Clock = std::chrono::steady_clock;

int tcpConnect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

ccsec::core::SslCtxPtr clientCtx(const std::string& pki) {
  ccsec::core::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION);
  SSL_CTX_use_certificate_chain_file(ctx.get(), (pki + "/hosts/finesse-a.pem").c_str());
  SSL_CTX_use_PrivateKey_file(ctx.get(), (pki + "/hosts/finesse-a.key").c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_load_verify_locations(ctx.get(), (pki + "/ca.pem").c_str(), nullptr);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  return ctx;
}

struct Conn {
  int fd = -1;
  ccsec::core::SslPtr ssl;
  bool open(SSL_CTX* ctx, int port) {
    fd = tcpConnect(port);
    if (fd < 0) return false;
    ssl.reset(SSL_new(ctx));
    SSL_set_fd(ssl.get(), fd);
    return SSL_connect(ssl.get()) == 1;
  }
  bool writeAll(const void* p, std::size_t n) {
    const auto* b = static_cast<const char*>(p);
    while (n > 0) {
      int w = SSL_write(ssl.get(), b, static_cast<int>(n));
      if (w <= 0) return false;
      b += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }
  bool readAll(void* p, std::size_t n) {
    auto* b = static_cast<char*>(p);
    while (n > 0) {
      int r = SSL_read(ssl.get(), b, static_cast<int>(n));
      if (r <= 0) return false;
      b += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }
  void close() {
    if (ssl) SSL_shutdown(ssl.get());
    ssl.reset();
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  ~Conn() { close(); }
};

int backend(int port, bool echo) {
  int lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(lfd, 4096) != 0) {
    std::perror("backend");
    return 1;
  }
  int ep = ::epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = lfd;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
  std::vector<char> buf(256 * 1024);
  std::vector<epoll_event> evs(512);
  for (;;) {
    int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), -1);
    for (int i = 0; i < n; ++i) {
      int fd = evs[static_cast<std::size_t>(i)].data.fd;
      if (fd == lfd) {
        int c;
        while ((c = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK)) >= 0) {
          ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event ce{};
          ce.events = EPOLLIN;
          ce.data.fd = c;
          ::epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
        }
        continue;
      }
      ssize_t r = ::read(fd, buf.data(), buf.size());
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        ::close(fd);
        continue;
      }
      if (echo) {
        std::size_t off = 0;
        while (off < static_cast<std::size_t>(r)) {  // small messages: a blocking-ish retry is fine
          ssize_t w = ::write(fd, buf.data() + off, static_cast<std::size_t>(r) - off);
          if (w < 0 && errno == EAGAIN) {
            std::this_thread::yield();
            continue;
          }
          if (w <= 0) break;
          off += static_cast<std::size_t>(w);
        }
      }
    }
  }
}

int bulk(const std::string& pki, int port, double seconds) {
  auto ctx = clientCtx(pki);
  Conn c;
  if (!c.open(ctx.get(), port)) return 1;
  std::vector<char> chunk(16384, 'b');
  std::uint64_t bytes = 0;
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    if (!c.writeAll(chunk.data(), chunk.size())) return 1;
    bytes += chunk.size();
  }
  std::printf("bytes=%llu\n", static_cast<unsigned long long>(bytes));
  return 0;
}

int handshakes(const std::string& pki, int port, double seconds, int threads) {
  auto ctx = clientCtx(pki);
  std::atomic<std::uint64_t> ok{0}, failed{0};
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&] {
      while (Clock::now() < end) {
        Conn c;
        char b = 'h';
        if (c.open(ctx.get(), port) && c.writeAll(&b, 1) && c.readAll(&b, 1))
          ++ok;
        else
          ++failed;
      }
    });
  for (auto& t : ts) t.join();
  std::printf("handshakes=%llu\nfailed=%llu\n", static_cast<unsigned long long>(ok.load()),
              static_cast<unsigned long long>(failed.load()));
  return 0;
}

void announceReady() {
  std::printf("ready=1\n");
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

// `n` established mTLS connections, or none if any failed.
std::vector<std::unique_ptr<Conn>> openConnections(SSL_CTX* ctx, int port, int n) {
  std::vector<std::unique_ptr<Conn>> cs;
  for (int i = 0; i < n; ++i) {
    cs.push_back(std::make_unique<Conn>());
    if (!cs.back()->open(ctx, port)) return {};
  }
  return cs;
}

int rtt(const std::string& pki, int port, int conns, double rate, double seconds) {
  auto ctx = clientCtx(pki);
  auto cs = openConnections(ctx.get(), port, conns);
  if (cs.empty()) return 1;
  announceReady();
  std::vector<double> lat;
  char msg[200];
  std::memset(msg, 'r', sizeof msg);
  auto start = Clock::now();
  auto end = start + std::chrono::duration<double>(seconds);
  std::uint64_t i = 0;
  while (Clock::now() < end) {
    auto due = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(i) / rate));
    if (due > Clock::now()) std::this_thread::sleep_until(due);
    Conn& c = *cs[i % cs.size()];
    auto t0 = Clock::now();
    if (!c.writeAll(msg, sizeof msg) || !c.readAll(msg, sizeof msg)) return 1;
    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    ++i;
  }
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    return lat.empty()
               ? 0.0
               : lat[std::min(lat.size() - 1,
                              static_cast<std::size_t>(p * static_cast<double>(lat.size())))];
  };
  std::printf("round_trips=%zu\np50_us=%.1f\np99_us=%.1f\n", lat.size(), pct(0.50), pct(0.99));
  return 0;
}

// Closed loop: every connection has one 200-byte message in flight; a wave writes one message
// on each connection, then reads every echo back.
int rttLoad(const std::string& pki, int port, int conns, double seconds) {
  auto ctx = clientCtx(pki);
  auto cs = openConnections(ctx.get(), port, conns);
  if (cs.empty()) return 1;
  announceReady();
  char msg[200];
  std::memset(msg, 'r', sizeof msg);
  std::uint64_t done = 0;
  auto start = Clock::now();
  auto end = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    for (auto& c : cs)
      if (!c->writeAll(msg, sizeof msg)) return 1;
    for (auto& c : cs)
      if (!c->readAll(msg, sizeof msg)) return 1;
    done += cs.size();
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("round_trips=%llu\nper_second=%.1f\n", static_cast<unsigned long long>(done),
              static_cast<double>(done) / secs);
  return 0;
}

int idle(const std::string& pki, int port, int n, double seconds) {
  auto ctx = clientCtx(pki);
  std::vector<std::unique_ptr<Conn>> cs;
  char b = 'i';
  for (int i = 0; i < n; ++i) {
    cs.push_back(std::make_unique<Conn>());
    if (!cs.back()->open(ctx.get(), port) || !cs.back()->writeAll(&b, 1) ||
        !cs.back()->readAll(&b, 1)) {
      std::fprintf(stderr, "connection %d failed\n", i);
      return 1;
    }
  }
  std::printf("held=%d\n", n);
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  return 0;
}

int ged(const std::string& pki, int port, double seconds) {
  auto ctx = clientCtx(pki);
  Conn c;
  if (!c.open(ctx.get(), port)) return 1;
  auto frame = ccsec::gateway::testing::callDelivered("5551234567", "1234", "cv1", "value");
  std::vector<std::uint8_t> batch;
  constexpr int kPerBatch = 64;
  for (int i = 0; i < kPerBatch; ++i) batch.insert(batch.end(), frame.begin(), frame.end());
  std::uint64_t frames = 0;
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    if (!c.writeAll(batch.data(), batch.size())) return 1;
    frames += kPerBatch;
  }
  std::printf("frames=%llu\nframe_bytes=%zu\n", static_cast<unsigned long long>(frames),
              frame.size());
  return 0;
}

// Client context that keeps sessions (TLS 1.3 tickets) for resumption.
ccsec::core::SslCtxPtr resumingCtx(const std::string& pki) {
  auto ctx = clientCtx(pki);
  SSL_CTX_clear_options(ctx.get(), SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx.get(),
                                 SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  return ctx;
}

int resume(const std::string& pki, int port, double seconds, int threads) {
  auto ctx = resumingCtx(pki);
  std::atomic<std::uint64_t> resumed{0}, full{0}, failed{0};
  auto end = Clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t)
    ts.emplace_back([&] {
      SSL_SESSION* session = nullptr;
      while (Clock::now() < end) {
        Conn c;
        c.fd = tcpConnect(port);
        if (c.fd < 0) {
          ++failed;
          continue;
        }
        c.ssl.reset(SSL_new(ctx.get()));
        SSL_set_fd(c.ssl.get(), c.fd);
        if (session != nullptr) SSL_set_session(c.ssl.get(), session);
        char b = 'h';
        if (SSL_connect(c.ssl.get()) == 1 && c.writeAll(&b, 1) && c.readAll(&b, 1)) {
          ++(SSL_session_reused(c.ssl.get()) ? resumed : full);
          if (session != nullptr) SSL_SESSION_free(session);
          session = SSL_get1_session(c.ssl.get());  // the ticket that came with this one
        } else {
          ++failed;
        }
      }
      if (session != nullptr) SSL_SESSION_free(session);
    });
  for (auto& t : ts) t.join();
  std::printf("handshakes=%llu\nresumed=%llu\nfull=%llu\nfailed=%llu\n",
              static_cast<unsigned long long>(resumed + full),
              static_cast<unsigned long long>(resumed.load()),
              static_cast<unsigned long long>(full.load()),
              static_cast<unsigned long long>(failed.load()));
  return 0;
}

double processCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto rp = stat.rfind(')');
  if (rp == std::string::npos) return 0;
  std::istringstream rest(stat.substr(rp + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {  // fields 14 and 15: utime, stime
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// One client of a storm: its socket, TLS session and the ticket it holds between connections.
struct StormClient {
  int fd = -1;
  ccsec::core::SslPtr ssl;
  SSL_SESSION* ticket = nullptr;
  enum { kIdle, kConnecting, kHandshake, kEcho, kBack } state = kIdle;
  int attempts = 0;
  // The session ends with close_notify and the socket closes at once (the client does not wait
  // for the tunnel's close_notify). OpenSSL discards sessions that end without close_notify,
  // on both sides (see docs/gateway.md, reconnect storms).
  void drop() {
    if (ssl && state == kBack) SSL_shutdown(ssl.get());
    ssl.reset();
    if (fd >= 0) ::close(fd);
    fd = -1;
    state = kIdle;
  }
  ~StormClient() {
    drop();
    if (ticket != nullptr) SSL_SESSION_free(ticket);
  }
};

struct StormResult {
  double seconds = 0;
  std::size_t back = 0, resumed = 0, retries = 0;
};

// Brings every client back (connect, handshake, one echoed byte), at most `inflight` at a time,
// offering each client's ticket when `with_tickets`. Clients stay connected afterwards.
StormResult reconnectAll(SSL_CTX* ctx, int port, std::vector<StormClient>& cs, bool with_tickets,
                         std::size_t inflight) {
  StormResult res;
  auto t0 = Clock::now();
  int ep = ::epoll_create1(EPOLL_CLOEXEC);
  std::size_t next = 0, active = 0;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  auto watch = [&](std::size_t i, std::uint32_t events, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = i;
    ::epoll_ctl(ep, op, cs[i].fd, &ev);
  };
  auto start = [&](std::size_t i) {
    StormClient& c = cs[i];
    ++c.attempts;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c.state = StormClient::kConnecting;
    ::connect(c.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    watch(i, EPOLLOUT, EPOLL_CTL_ADD);
    ++active;
  };
  auto retry = [&](std::size_t i) {
    ::epoll_ctl(ep, EPOLL_CTL_DEL, cs[i].fd, nullptr);
    cs[i].drop();
    --active;
    ++res.retries;
    if (cs[i].attempts < 5) start(i);
  };
  auto step = [&](std::size_t i) {
    StormClient& c = cs[i];
    if (c.state == StormClient::kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return retry(i);
      c.ssl.reset(SSL_new(ctx));
      SSL_set_fd(c.ssl.get(), c.fd);
      if (with_tickets && c.ticket != nullptr) SSL_set_session(c.ssl.get(), c.ticket);
      c.state = StormClient::kHandshake;
    }
    if (c.state == StormClient::kHandshake) {
      int r = SSL_connect(c.ssl.get());
      if (r != 1) {
        int e = SSL_get_error(c.ssl.get(), r);
        if (e == SSL_ERROR_WANT_READ) return watch(i, EPOLLIN, EPOLL_CTL_MOD);
        if (e == SSL_ERROR_WANT_WRITE) return watch(i, EPOLLOUT, EPOLL_CTL_MOD);
        return retry(i);
      }
      char b = 's';
      if (SSL_write(c.ssl.get(), &b, 1) != 1) return retry(i);
      c.state = StormClient::kEcho;
    }
    char b;
    int r = SSL_read(c.ssl.get(), &b, 1);
    if (r != 1) {
      int e = SSL_get_error(c.ssl.get(), r);
      if (e == SSL_ERROR_WANT_READ) return watch(i, EPOLLIN, EPOLL_CTL_MOD);
      return retry(i);
    }
    if (SSL_session_reused(c.ssl.get())) ++res.resumed;
    if (c.ticket != nullptr) SSL_SESSION_free(c.ticket);
    c.ticket = SSL_get1_session(c.ssl.get());
    c.state = StormClient::kBack;
    ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
    --active;
    ++res.back;
  };
  std::vector<epoll_event> evs(512);
  for (;;) {
    while (active < inflight && next < cs.size()) start(next++);
    if (active == 0) break;
    int n = ::epoll_wait(ep, evs.data(), static_cast<int>(evs.size()), 5000);
    if (n == 0) break;  // stuck for 5 s: report what came back
    for (int k = 0; k < n; ++k) step(evs[static_cast<std::size_t>(k)].data.u64);
  }
  ::close(ep);
  res.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return res;
}

int storm(const std::string& pki, int port, int n, int tunnel_pid) {
  auto ctx = resumingCtx(pki);
  std::vector<StormClient> cs(static_cast<std::size_t>(n));
  constexpr std::size_t kInflight = 256;
  StormResult setup = reconnectAll(ctx.get(), port, cs, false, kInflight);
  if (setup.back != cs.size()) {
    std::fprintf(stderr, "storm: only %zu of %d clients connected\n", setup.back, n);
    return 1;
  }
  std::printf("held=%d\nsetup_s=%.3f\n", n, setup.seconds);
  for (bool tickets : {true, false}) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // sessions held, tunnel idle
    double cpu0 = processCpuSeconds(tunnel_pid);
    for (auto& c : cs) c.drop();
    StormResult r = reconnectAll(ctx.get(), port, cs, tickets, kInflight);
    double cpu = processCpuSeconds(tunnel_pid) - cpu0;
    const char* k = tickets ? "resume" : "full";
    std::printf("%s_back=%zu\n%s_s=%.3f\n%s_cpu_s=%.3f\n%s_resumed=%zu\n%s_retries=%zu\n", k,
                r.back, k, r.seconds, k, cpu, k, r.resumed, k, r.retries);
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 3 && a[0] == "backend") return backend(std::stoi(a[1]), a[2] == "echo");
  if (a.size() == 4 && a[0] == "bulk") return bulk(a[1], std::stoi(a[2]), std::stod(a[3]));
  if (a.size() == 5 && a[0] == "handshakes")
    return handshakes(a[1], std::stoi(a[2]), std::stod(a[3]), std::stoi(a[4]));
  if (a.size() == 6 && a[0] == "rtt")
    return rtt(a[1], std::stoi(a[2]), std::stoi(a[3]), std::stod(a[4]), std::stod(a[5]));
  if (a.size() == 5 && a[0] == "rtt-load")
    return rttLoad(a[1], std::stoi(a[2]), std::stoi(a[3]), std::stod(a[4]));
  if (a.size() == 5 && a[0] == "idle")
    return idle(a[1], std::stoi(a[2]), std::stoi(a[3]), std::stod(a[4]));
  if (a.size() == 5 && a[0] == "resume")
    return resume(a[1], std::stoi(a[2]), std::stod(a[3]), std::stoi(a[4]));
  if (a.size() == 5 && a[0] == "storm")
    return storm(a[1], std::stoi(a[2]), std::stoi(a[3]), std::stoi(a[4]));
  if (a.size() == 4 && a[0] == "ged") return ged(a[1], std::stoi(a[2]), std::stod(a[3]));
  std::fprintf(stderr, "usage: see the header of bench/gateway/loadgen.cc\n");
  return 2;
}
