#include "gateway/gateway.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/x509_info.h"
#include "gateway/ged188.h"
#include "gateway/peer_limiter.h"
#include "net/event_loop.h"
#include "tls/context.h"

namespace ccsec::gateway {
namespace {

using Clock = std::chrono::steady_clock;
// One relay step moves up to kBatchSize bytes: several TLS records (at most 16 KiB of plaintext
// each) decrypted into one buffer and written with one write(), so a bulk stream costs a quarter
// of the syscalls and socket wake-ups of a record-at-a-time relay.
constexpr std::size_t kBatchSize = 64 * 1024;
constexpr std::size_t kRecordPlain = 16 * 1024;  // TLS maximum plaintext per record
constexpr int kPumpBudget = 16;  // relay steps per wake-up per direction before yielding (1 MiB)

// SSL_get_error() needs an empty error queue before each TLS call. Every failure path clears
// it, so it is almost always empty already: peeking is cheaper than clearing 16 slots per record.
inline void clearErrorQueue() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

struct ListenerState {
  std::size_t index = 0;
  ListenerConfig config;
  std::unique_ptr<tls::ContextHolder> holder;
  net::Endpoint bound;  // actual address (port resolved)
};

class Worker;
class MetricsServer;

}  // namespace

struct Gateway::Impl {
  GatewayConfig config;
  unsigned worker_count = 1;
  std::vector<ListenerState> listeners;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<store::AuditLog> audit;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::int64_t> active{0};  // all connections, all workers
  std::unique_ptr<PeerLimiter> peer_limiter;  // limits.per_peer_rate, shared by all workers
  std::optional<net::Endpoint> metrics_bound;
  std::unique_ptr<net::EventLoop> control;
  std::unique_ptr<MetricsServer> metrics_server;
  std::thread control_thread;
  std::mutex reload_mu;
  bool started = false;
  bool stopped = false;

  void emit(const ListenerState* l, std::string kind, std::string peer, std::string identity,
            std::string reason, std::string detail = {}) {
    store::AuditEvent e;
    e.time_ms = store::nowMs();
    e.source = l != nullptr ? l->config.name : "gateway";
    e.kind = std::move(kind);
    e.peer_address = std::move(peer);
    e.peer_identity = std::move(identity);
    e.reason = std::move(reason);
    e.detail = std::move(detail);
    metrics->audit_events.fetch_add(1, std::memory_order_relaxed);
    audit->submit(std::move(e));
  }
};

namespace {

// ---------------------------------------------------------------------------------------------
// Buffers: per-worker free lists of fixed-size blocks: kBatchSize blocks taken only while a
// receiver lags, kMaxFrame blocks only while a GED-188 frame is incomplete.
class BufferPool {
 public:
  explicit BufferPool(std::size_t block) : block_(block) {}
  std::uint8_t* take() {
    if (free_.empty()) return new std::uint8_t[block_];
    std::uint8_t* b = free_.back();
    free_.pop_back();
    return b;
  }
  void give(std::uint8_t* b) {
    if (free_.size() < 64) free_.push_back(b);
    else delete[] b;
  }
  ~BufferPool() {
    for (auto* b : free_) delete[] b;
  }

 private:
  std::size_t block_;
  std::vector<std::uint8_t*> free_;
};

struct Direction {
  std::uint8_t* buf = nullptr;  // pooled, only while data is pending
  std::uint32_t off = 0;
  std::uint32_t len = 0;
  bool eof = false;
  std::optional<ged188::FrameParser> parser;
  // GED-188: the bytes of the frame in progress (inspected, not yet forwarded: a frame leaves
  // only once it is complete and valid). At most one frame, < kMaxFrame bytes; pooled, only
  // while a frame is incomplete.
  std::uint8_t* hold = nullptr;
  std::uint32_t hold_len = 0;
};

class Connection;

class Side final : public net::IoHandler {
 public:
  Side(Connection* c, bool tls) : conn_(c), tls_(tls) {}
  void onIo(std::uint32_t events) override;

 private:
  Connection* conn_;
  bool tls_;
};

class ListenerSocket final : public net::IoHandler {
 public:
  ListenerSocket(Worker* w, ListenerState* l, net::UniqueFd fd) : worker_(w), state_(l), fd_(std::move(fd)) {}
  void onIo(std::uint32_t events) override;
  int fd() const { return fd_.get(); }
  ListenerState* state() const { return state_; }
  void close() { fd_.reset(); }
  bool paused = false;

 private:
  Worker* worker_;
  ListenerState* state_;
  net::UniqueFd fd_;
};

class Worker {
 public:
  Worker(Gateway::Impl* gw, unsigned id) : gw_(gw), id_(id) {}
  core::Result<void> bind(ListenerState& l);
  void start();
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  void beginDrain();
  void stopNow() { loop_.stop(); }
  bool finished() const { return finished_.load(); }

  void accept(ListenerSocket& ls);
  void remove(Connection* c);
  void resumeAccepting();

  Gateway::Impl* gw() { return gw_; }
  net::EventLoop& loop() { return loop_; }
  BufferPool& pool() { return pool_; }
  BufferPool& framePool() { return frame_pool_; }
  std::uint8_t* scratch() { return scratch_.data(); }

 private:
  bool takeAcceptToken(Clock::time_point now);
  void sweep();

  Gateway::Impl* gw_;
  unsigned id_;
  net::EventLoop loop_;
  std::thread thread_;
  std::vector<std::unique_ptr<ListenerSocket>> listeners_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> conns_;
  BufferPool pool_{kBatchSize};
  BufferPool frame_pool_{ged188::kMaxFrame};
  std::array<std::uint8_t, kBatchSize> scratch_{};
  double accept_tokens_ = 0;
  Clock::time_point accept_refill_{};
  bool draining_ = false;
  bool resume_scheduled_ = false;
  std::atomic<bool> finished_{false};
};

// ---------------------------------------------------------------------------------------------
class Connection final : public ged188::FrameObserver {
 public:
  enum class State { kConnectingTls, kHandshake, kConnectingPlain, kRelay, kClosed };

  Connection(Worker* w, ListenerState* l, net::Endpoint peer)
      : w_(w), l_(l), m_(w->gw()->metrics->listener(l->index)), peer_(std::move(peer)),
        tls_side_(this, true), plain_side_(this, false), started_(Clock::now()) {
    if (l_->config.protocol == Protocol::kGed188) {
      up_.parser.emplace(this);
      down_.parser.emplace(this);
    }
    deadline_ = started_ + std::chrono::milliseconds(w_->gw()->config.limits.handshake_timeout_ms);
  }
  ~Connection() override { releaseBuffers(); }

  // Server mode: the accepted socket is the TLS side.
  void startServer(net::UniqueFd fd) {
    tls_fd_ = std::move(fd);
    ctx_ = l_->holder->get();
    auto ssl = ctx_->newSsl(tls_fd_.get(), &info_);
    if (!ssl) return fail("ssl_setup_failed", ssl.error().message);
    ssl_ = std::move(*ssl);
    state_ = State::kHandshake;
    if (!w_->loop().add(tls_fd_.get(), EPOLLIN, &tls_side_)) return fail("internal", "epoll add failed");
    tls_events_ = EPOLLIN;
  }

  // Client mode: the accepted socket is the plaintext side; dial the TLS peer.
  void startClient(net::UniqueFd fd) {
    plain_fd_ = std::move(fd);
    if (!w_->loop().add(plain_fd_.get(), 0, &plain_side_)) return fail("internal", "epoll add failed");
    auto out = net::connectTcp(l_->config.forward);
    if (!out) return fail("forward_failed", out.error().message);
    tls_fd_ = std::move(*out);
    state_ = State::kConnectingTls;
    if (!w_->loop().add(tls_fd_.get(), EPOLLOUT, &tls_side_)) return fail("internal", "epoll add failed");
    tls_events_ = EPOLLOUT;
  }

  void onTls(std::uint32_t ev) {
    switch (state_) {
      case State::kConnectingTls: {
        int err = net::connectResult(tls_fd_.get());
        if (err != 0) return fail("forward_failed", "cannot connect to " + l_->config.forward.str() + ": " + std::strerror(err));
        ctx_ = l_->holder->get();
        auto ssl = ctx_->newSsl(tls_fd_.get(), &info_);
        if (!ssl) return fail("ssl_setup_failed", ssl.error().message);
        ssl_ = std::move(*ssl);
        state_ = State::kHandshake;
        return handshake();
      }
      case State::kHandshake:
        return handshake();
      case State::kConnectingPlain:
        if (ev & (EPOLLERR | EPOLLHUP)) return close("peer closed before the forward connection was up");
        return;
      case State::kRelay:
        last_activity_ = Clock::now();
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          if (!pumpDown()) return;
          if (up_wants_read_ && !pumpUp()) return;
        }
        if (ev & EPOLLOUT) {
          if (up_.len > 0 && !pumpUp()) return;
          if (down_wants_write_ && !pumpDown()) return;
        }
        return updateInterest();
      case State::kClosed:
        return;
    }
  }

  void onPlain(std::uint32_t ev) {
    switch (state_) {
      case State::kConnectingPlain: {
        int err = net::connectResult(plain_fd_.get());
        if (err != 0) return fail("forward_failed", "cannot connect to " + l_->config.forward.str() + ": " + std::strerror(err));
        state_ = State::kRelay;
        last_activity_ = Clock::now();
        if (!pumpDown() || !pumpUp()) return;
        return updateInterest();
      }
      case State::kRelay:
        last_activity_ = Clock::now();
        if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          if (!pumpUp()) return;
        }
        if ((ev & EPOLLOUT) && !pumpDown()) return;
        return updateInterest();
      case State::kConnectingTls:
      case State::kHandshake:
        // Client mode before the TLS side is up: nothing is read from the plaintext client;
        // only notice it going away.
        if (ev & (EPOLLERR | EPOLLHUP)) return close("plaintext client closed before the TLS session was up");
        return;
      case State::kClosed:
        return;
    }
  }

  // Periodic check from the worker; returns nothing, may close.
  void checkTimers(Clock::time_point now) {
    if (state_ == State::kClosed) return;
    if (state_ != State::kRelay) {
      if (now >= deadline_) {
        if (state_ == State::kHandshake || state_ == State::kConnectingTls) {
          m_.handshakes_timeout.fetch_add(1, std::memory_order_relaxed);
          w_->gw()->emit(l_, "handshake_failed", peer_.str(), info_.peer.empty() ? std::string() : info_.peer.str(),
                         "handshake timeout");
          return closeQuietly();
        }
        return fail("forward_failed", "timeout connecting to " + l_->config.forward.str());
      }
      return;
    }
    auto idle = w_->gw()->config.limits.idle_timeout_ms;
    if (idle > 0 && now - last_activity_ >= std::chrono::milliseconds(idle)) close("idle timeout");
  }

  void shutdownNow(const std::string& why) { close(why); }
  bool closed() const { return state_ == State::kClosed; }

  // Per run of same-type frames: a local count in a fixed-size table (known types + "other"),
  // so the cost does not depend on how many distinct types a peer makes up; shared metrics get
  // the deltas once per relay step (flushFrames).
  void onFrames(std::uint32_t type, std::uint64_t n) override {
    auto& fc = frame_counts_[ged188::typeBucket(type)];
    fc.total += n;
    fc.pending += n;
    frames_pending_ = true;
  }

  void flushFrames() {
    if (!frames_pending_) return;
    frames_pending_ = false;
    for (std::size_t b = 0; b < frame_counts_.size(); ++b) {
      auto& fc = frame_counts_[b];
      if (fc.pending == 0) continue;
      m_.frames_by_type[b].fetch_add(fc.pending, std::memory_order_relaxed);
      fc.pending = 0;
    }
  }

 private:
  bool isServer() const { return l_->config.mode == Mode::kServer; }

  void handshake() {
    ERR_clear_error();
    int r = SSL_do_handshake(ssl_.get());
    if (r == 1) return handshakeDone();
    int err = SSL_get_error(ssl_.get(), r);
    if (err == SSL_ERROR_WANT_READ) return setTls(EPOLLIN);
    if (err == SSL_ERROR_WANT_WRITE) return setTls(EPOLLOUT);
    std::string reason = tls::handshakeFailureReason(err, info_);
    m_.handshakes_failed.fetch_add(1, std::memory_order_relaxed);
    w_->gw()->emit(l_, "handshake_failed", peer_.str(), info_.peer.str(), reason,
                   nlohmann::json{{"mode", isServer() ? "server" : "client"}}.dump());
    spdlog::info("gateway {}: handshake with {} failed: {}", l_->config.name, peer_.str(), reason);
    closeQuietly();
  }

  void handshakeDone() {
    // Defense in depth: the name was checked during verification already.
    X509* cert = SSL_get0_peer_certificate(ssl_.get());
    if (cert != nullptr && info_.peer.empty())  // resumed session: verification callback did not run
      info_.peer = tls::identityOf(cert);
    if (cert == nullptr || SSL_get_verify_result(ssl_.get()) != X509_V_OK ||
        !tls::peerNameAllowed(info_.peer, ctx_->config().allowed_peers)) {
      m_.handshakes_failed.fetch_add(1, std::memory_order_relaxed);
      w_->gw()->emit(l_, "handshake_failed", peer_.str(), info_.peer.str(), "peer name not allowed");
      return closeQuietly();
    }
    m_.handshakes_ok.fetch_add(1, std::memory_order_relaxed);
    if (SSL_session_reused(ssl_.get())) m_.handshakes_resumed.fetch_add(1, std::memory_order_relaxed);
    established_ = true;
    w_->gw()->emit(l_, "session_open", peer_.str(), info_.peer.str(), "handshake ok",
                   nlohmann::json{{"tls", tls::describeSession(ssl_.get())},
                                  {"resumed", SSL_session_reused(ssl_.get()) == 1},
                                  {"ktls_tx", BIO_get_ktls_send(SSL_get_wbio(ssl_.get())) == 1},
                                  {"ktls_rx", BIO_get_ktls_recv(SSL_get_rbio(ssl_.get())) == 1}}
                       .dump());
    last_activity_ = Clock::now();
    if (isServer()) {
      auto out = net::connectTcp(l_->config.forward);
      if (!out) return fail("forward_failed", out.error().message);
      plain_fd_ = std::move(*out);
      state_ = State::kConnectingPlain;
      deadline_ = Clock::now() + std::chrono::milliseconds(w_->gw()->config.limits.handshake_timeout_ms);
      setTls(0);
      if (!w_->loop().add(plain_fd_.get(), EPOLLOUT, &plain_side_)) return fail("internal", "epoll add failed");
      plain_events_ = EPOLLOUT;
      return;
    }
    state_ = State::kRelay;
    if (!pumpDown() || !pumpUp()) return;
    updateInterest();
  }

  // `s` holds d.hold_len bytes held back from earlier steps (already inspected) followed by
  // new bytes, n in all. Inspects the new bytes; returns how many bytes from `s` may be forwarded
  // (complete, valid frames only) and holds back the incomplete frame at the end. Returns -1
  // when the connection was closed on a malformed frame.
  std::ptrdiff_t inspect(Direction& d, const std::uint8_t* s, std::size_t n) {
    if (!d.parser) return static_cast<std::ptrdiff_t>(n);
    bool ok = d.parser->feed({s + d.hold_len, n - d.hold_len});
    flushFrames();
    if (!ok) {
      malformed(d, d.parser->error());
      return -1;
    }
    const std::size_t partial = d.parser->partialBytes();
    const std::size_t ready = n - partial;
    if (partial != 0) {
      if (d.hold == nullptr) d.hold = w_->framePool().take();
      std::memcpy(d.hold, s + ready, partial);
    } else if (d.hold != nullptr) {
      w_->framePool().give(d.hold);
      d.hold = nullptr;
    }
    d.hold_len = static_cast<std::uint32_t>(partial);
    return static_cast<std::ptrdiff_t>(ready);
  }

  void malformed(Direction& d, const std::string& reason) {
    m_.malformed_frames.fetch_add(1, std::memory_order_relaxed);
    const char* dir = &d == &down_ ? (isServer() ? "client->server" : "server->client")
                                   : (isServer() ? "server->client" : "client->server");
    w_->gw()->emit(l_, "malformed_frame", peer_.str(), info_.peer.str(), reason,
                   nlohmann::json{{"direction", dir}}.dump());
    close("malformed GED-188 frame");
  }

  // The stream of `d` ended: a frame still incomplete was cut short (never forwarded).
  // Returns false (and closes) in that case.
  bool endOfStream(Direction& d) {
    if (!d.parser || d.parser->partialBytes() == 0) return true;
    malformed(d, "frame truncated by the end of the stream");
    return false;
  }

  std::uint8_t* takeBuffer(Direction& d) {
    if (d.buf == nullptr) d.buf = w_->pool().take();
    return d.buf;
  }

  void releaseBuffers() {
    for (Direction* d : {&up_, &down_}) {
      if (d->buf != nullptr) {
        w_->pool().give(d->buf);
        d->buf = nullptr;
      }
      if (d->hold != nullptr) {
        w_->framePool().give(d->hold);
        d->hold = nullptr;
      }
      d->off = d->len = d->hold_len = 0;
    }
  }

  // TLS → plaintext. Returns false when the connection was closed.
  bool pumpDown() {
    down_wants_write_ = false;
    for (int budget = kPumpBudget; budget > 0; --budget) {
      if (down_.len > 0) {
        ssize_t n = ::write(plain_fd_.get(), down_.buf + down_.off, down_.len);
        if (n < 0) {
          if (errno == EAGAIN || errno == EINTR) return true;
          close("plaintext side write error");
          return false;
        }
        down_.off += static_cast<std::uint32_t>(n);
        down_.len -= static_cast<std::uint32_t>(n);
        if (down_.len > 0) return true;
        w_->pool().give(down_.buf);
        down_.buf = nullptr;
        down_.off = 0;
        continue;
      }
      if (down_.eof) {
        if (endOfStream(down_)) close("TLS peer closed");
        return false;
      }
      // Decrypt records into the scratch buffer until it is full or the socket is drained; the
      // bytes of a frame held back from the last step go in front of them.
      std::uint8_t* s = w_->scratch();
      const std::size_t held = down_.hold_len;
      std::size_t filled = held;
      bool drained = false;
      int fatal = 0;
      std::string fatal_reason;
      while (filled < kBatchSize) {
        clearErrorQueue();
        int r = SSL_read(ssl_.get(), s + filled, static_cast<int>(kBatchSize - filled));
        if (r > 0) {
          filled += static_cast<std::size_t>(r);
          // Less than a full record and nothing buffered inside OpenSSL: the last recv() most
          // likely emptied the socket, so skip the read that would only return EAGAIN.
          if (static_cast<std::size_t>(r) < kRecordPlain && SSL_has_pending(ssl_.get()) == 0) {
            drained = true;
            break;
          }
          continue;
        }
        int err = SSL_get_error(ssl_.get(), r);
        if (err == SSL_ERROR_WANT_READ) {
          drained = true;
        } else if (err == SSL_ERROR_WANT_WRITE) {
          down_wants_write_ = true;
          drained = true;
        } else if (err == SSL_ERROR_ZERO_RETURN) {
          down_.eof = true;
        } else {
          // A TCP close without close_notify is the peer going away (OpenSSL 3 reports it as an
          // SSL error "unexpected eof"): like a lost connection, it may cut a frame short.
          const bool lost = err == SSL_ERROR_SYSCALL ||
                            ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
          fatal = lost ? SSL_ERROR_SYSCALL : err;
          if (!lost) fatal_reason = tls::sessionErrorReason(err, info_);
          ERR_clear_error();
        }
        break;
      }
      if (filled > held) {
        if (held != 0) std::memcpy(s, down_.hold, held);
        if (!forwardDown(s, filled)) return false;
      }
      if (fatal == SSL_ERROR_SYSCALL) {
        if (endOfStream(down_)) close("TLS peer connection lost");
        return false;
      }
      if (fatal != 0 || info_.renegotiation_attempt) {
        close(fatal != 0 ? fatal_reason : tls::sessionErrorReason(0, info_));
        return false;
      }
      if (down_.len > 0 || down_.eof) continue;  // retry the stalled write / report the close
      if (drained) return true;
    }
    rescheduleIfPending();
    return true;
  }

  // Inspects and writes `n` decrypted bytes to the plaintext side; what the socket does not take
  // is kept in a pooled buffer. Returns false when the connection was closed.
  bool forwardDown(const std::uint8_t* s, std::size_t filled) {
    const std::ptrdiff_t ready = inspect(down_, s, filled);
    if (ready < 0) return false;
    const auto n = static_cast<std::size_t>(ready);
    if (n == 0) return true;
    bytes_from_tls_ += n;
    m_.bytes_from_tls.fetch_add(n, std::memory_order_relaxed);
    ssize_t w = ::write(plain_fd_.get(), s, n);
    if (w < 0) {
      if (errno != EAGAIN && errno != EINTR) {
        close("plaintext side write error");
        return false;
      }
      w = 0;
    }
    if (static_cast<std::size_t>(w) < n) {
      std::uint8_t* b = takeBuffer(down_);
      std::memcpy(b, s + w, n - static_cast<std::size_t>(w));
      down_.off = 0;
      down_.len = static_cast<std::uint32_t>(n - static_cast<std::size_t>(w));
    }
    return true;
  }

  // plaintext → TLS. Returns false when the connection was closed.
  bool pumpUp() {
    up_wants_read_ = false;
    up_wants_write_ = false;
    for (int budget = kPumpBudget; budget > 0; --budget) {
      if (up_.len > 0) {
        clearErrorQueue();
        int r = SSL_write(ssl_.get(), up_.buf + up_.off, static_cast<int>(up_.len));
        if (r <= 0) {
          int err = SSL_get_error(ssl_.get(), r);
          if (err == SSL_ERROR_WANT_WRITE) { up_wants_write_ = true; return true; }
          if (err == SSL_ERROR_WANT_READ) { up_wants_read_ = true; return true; }
          close(tls::sessionErrorReason(err, info_));
          return false;
        }
        up_.off += static_cast<std::uint32_t>(r);
        up_.len -= static_cast<std::uint32_t>(r);
        if (up_.len > 0) continue;
        w_->pool().give(up_.buf);
        up_.buf = nullptr;
        up_.off = 0;
        continue;
      }
      if (up_.eof) {
        if (endOfStream(up_)) close("plaintext side closed");
        return false;
      }
      std::uint8_t* s = w_->scratch();
      const std::size_t held = up_.hold_len;
      ssize_t n = ::read(plain_fd_.get(), s + held, kBatchSize - held);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return true;
        close("plaintext side read error");
        return false;
      }
      if (n == 0) {
        up_.eof = true;
        continue;
      }
      const auto got = static_cast<std::size_t>(n);
      if (held != 0) std::memcpy(s, up_.hold, held);
      const std::ptrdiff_t ready = inspect(up_, s, held + got);
      if (ready < 0) return false;
      const auto len = static_cast<std::size_t>(ready);
      if (len == 0) {
        if (got < kBatchSize - held) return true;  // drained
        continue;
      }
      bytes_to_tls_ += len;
      m_.bytes_to_tls.fetch_add(len, std::memory_order_relaxed);
      clearErrorQueue();
      int r = SSL_write(ssl_.get(), s, static_cast<int>(len));
      std::size_t done = 0;
      if (r > 0) {
        done = static_cast<std::size_t>(r);
      } else {
        int err = SSL_get_error(ssl_.get(), r);
        if (err == SSL_ERROR_WANT_WRITE) up_wants_write_ = true;
        else if (err == SSL_ERROR_WANT_READ) up_wants_read_ = true;
        else {
          close(tls::sessionErrorReason(err, info_));
          return false;
        }
      }
      if (done < len) {
        std::uint8_t* b = takeBuffer(up_);
        std::memcpy(b, s + done, len - done);
        up_.off = 0;
        up_.len = static_cast<std::uint32_t>(len - done);
        if (up_wants_write_ || up_wants_read_) return true;
        continue;
      }
      if (got < kBatchSize - held) return true;  // short read: the socket is drained (level-triggered epoll)
    }
    rescheduleIfPending();
    return true;
  }

  // The budget ran out with work possibly pending inside OpenSSL or the sockets: come back
  // after this batch instead of starving other connections.
  void rescheduleIfPending() {
    if (rescheduled_) return;
    rescheduled_ = true;
    w_->loop().runAfterBatch([this] {
      rescheduled_ = false;
      if (state_ != State::kRelay) return;
      if (pumpDown() && pumpUp()) updateInterest();
    });
  }

  void setTls(std::uint32_t ev) {
    if (ev != tls_events_ && tls_fd_.valid()) {
      w_->loop().modify(tls_fd_.get(), ev, &tls_side_);
      tls_events_ = ev;
    }
  }
  void setPlain(std::uint32_t ev) {
    if (ev != plain_events_ && plain_fd_.valid()) {
      w_->loop().modify(plain_fd_.get(), ev, &plain_side_);
      plain_events_ = ev;
    }
  }

  void updateInterest() {
    if (state_ != State::kRelay) return;
    std::uint32_t t = 0;
    if ((down_.len == 0 && !down_.eof) || up_wants_read_) t |= EPOLLIN;
    if ((up_.len > 0 && !up_wants_read_) || down_wants_write_) t |= EPOLLOUT;
    std::uint32_t p = 0;
    if (up_.len == 0 && !up_.eof) p |= EPOLLIN;
    if (down_.len > 0) p |= EPOLLOUT;
    setTls(t);
    setPlain(p);
  }

  void fail(const std::string& kind, const std::string& reason) {
    w_->gw()->emit(l_, kind, peer_.str(), info_.peer.empty() ? std::string() : info_.peer.str(), reason);
    if (kind == "forward_failed") spdlog::warn("gateway {}: {}", l_->config.name, reason);
    closeQuietly();
  }

  void close(const std::string& why) {
    if (state_ == State::kClosed) return;
    if (established_) {
      nlohmann::json frames = nlohmann::json::object();
      for (std::size_t b = 0; b < frame_counts_.size(); ++b)
        if (frame_counts_[b].total != 0) frames[ged188::bucketName(b)] = frame_counts_[b].total;
      nlohmann::json d{{"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count()},
                       {"bytes_from_tls", bytes_from_tls_},
                       {"bytes_to_tls", bytes_to_tls_},
                       {"tls", ssl_ ? tls::describeSession(ssl_.get()) : std::string()}};
      if (l_->config.protocol == Protocol::kGed188) {
        const auto& c2s = isServer() ? down_.parser : up_.parser;
        d["client_id"] = c2s ? c2s->clientId() : std::string();
        d["frames"] = frames;
        d["sensitive_fields"] = (up_.parser ? up_.parser->sensitiveFields() : 0) +
                                (down_.parser ? down_.parser->sensitiveFields() : 0);
      }
      w_->gw()->emit(l_, "session_close", peer_.str(), info_.peer.str(), why, d.dump());
      if (ssl_) {
        // Best-effort close_notify (never blocks: non-blocking socket). It also keeps the
        // session resumable: OpenSSL drops sessions of SSL objects freed without it.
        ERR_clear_error();
        SSL_shutdown(ssl_.get());
        ERR_clear_error();
      }
    }
    closeQuietly();
  }

  void closeQuietly() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    m_.connections_active.fetch_sub(1, std::memory_order_relaxed);
    if (tls_fd_.valid()) w_->loop().remove(tls_fd_.get());
    if (plain_fd_.valid()) w_->loop().remove(plain_fd_.get());
    ssl_.reset();
    tls_fd_.reset();
    plain_fd_.reset();
    releaseBuffers();
    w_->remove(this);
  }

  Worker* w_;
  ListenerState* l_;
  ListenerMetrics& m_;
  net::Endpoint peer_;
  Side tls_side_;
  Side plain_side_;
  net::UniqueFd tls_fd_;
  net::UniqueFd plain_fd_;
  std::shared_ptr<const tls::Context> ctx_;
  tls::HandshakeInfo info_;
  core::SslPtr ssl_;
  State state_ = State::kHandshake;
  std::uint32_t tls_events_ = 0;
  std::uint32_t plain_events_ = 0;
  Direction up_;    // plaintext → TLS
  Direction down_;  // TLS → plaintext
  bool up_wants_read_ = false;
  bool up_wants_write_ = false;
  bool down_wants_write_ = false;
  bool rescheduled_ = false;
  bool established_ = false;
  Clock::time_point started_;
  Clock::time_point deadline_;
  Clock::time_point last_activity_;
  std::uint64_t bytes_from_tls_ = 0;
  std::uint64_t bytes_to_tls_ = 0;
  struct FrameCount {
    std::uint64_t total = 0;
    std::uint64_t pending = 0;  // not yet added to the shared metrics
  };
  std::array<FrameCount, ged188::kTypeBuckets> frame_counts_{};
  bool frames_pending_ = false;
};

void Side::onIo(std::uint32_t events) {
  if (tls_) conn_->onTls(events);
  else conn_->onPlain(events);
}

void ListenerSocket::onIo(std::uint32_t) { worker_->accept(*this); }

// ---------------------------------------------------------------------------------------------
core::Result<void> Worker::bind(ListenerState& l) {
  auto fd = net::listenTcp(l.bound, /*reuseport=*/true);
  if (!fd) return fd.error();
  if (l.bound.port() == 0) {
    auto local = net::localEndpoint(fd->get());
    if (!local) return local.error();
    l.bound = *local;
  }
  listeners_.push_back(std::make_unique<ListenerSocket>(this, &l, std::move(*fd)));
  return {};
}

void Worker::start() {
  for (auto& ls : listeners_)
    if (auto r = loop_.add(ls->fd(), EPOLLIN, ls.get()); !r) spdlog::error("gateway: {}", r.error().message);
  loop_.runEvery(std::chrono::milliseconds(100), [this] { sweep(); });
  accept_refill_ = Clock::now();
  thread_ = std::thread([this] {
    auto r = loop_.run();
    if (!r) spdlog::error("gateway worker {}: {}", id_, r.error().message);
    std::vector<Connection*> open;
    for (auto& [p, c] : conns_) open.push_back(p);
    for (auto* c : open) c->shutdownNow("gateway shutdown");
    conns_.clear();
    finished_.store(true);
  });
}

void Worker::beginDrain() {
  loop_.post([this] {
    draining_ = true;
    for (auto& ls : listeners_) {
      loop_.remove(ls->fd());
      ls->close();
    }
    if (conns_.empty()) loop_.stop();
  });
}

bool Worker::takeAcceptToken(Clock::time_point now) {
  std::uint32_t rate = gw_->config.limits.accept_rate;
  if (rate == 0) return true;
  double per_worker = static_cast<double>(rate) / gw_->worker_count;
  double elapsed = std::chrono::duration<double>(now - accept_refill_).count();
  accept_refill_ = now;
  accept_tokens_ = std::min(per_worker, accept_tokens_ + elapsed * per_worker);
  if (per_worker < 1) accept_tokens_ = std::max(accept_tokens_, 0.0);
  if (accept_tokens_ >= 1) {
    accept_tokens_ -= 1;
    return true;
  }
  return false;
}

void Worker::resumeAccepting() {
  resume_scheduled_ = false;
  if (draining_) return;
  for (auto& ls : listeners_) {
    if (ls->paused && ls->fd() >= 0) {
      ls->paused = false;
      loop_.modify(ls->fd(), EPOLLIN, ls.get());
    }
  }
}

void Worker::accept(ListenerSocket& ls) {
  ListenerState* l = ls.state();
  auto& m = gw_->metrics->listener(l->index);
  for (int i = 0; i < 64 && !draining_; ++i) {
    auto now = Clock::now();
    if (!takeAcceptToken(now)) {
      // Pace: leave the rest in the kernel backlog and come back when a token is due.
      ls.paused = true;
      loop_.modify(ls.fd(), 0, &ls);
      if (!resume_scheduled_) {
        resume_scheduled_ = true;
        double per_worker = static_cast<double>(gw_->config.limits.accept_rate) / gw_->worker_count;
        auto wait = std::chrono::milliseconds(static_cast<long>(1000.0 / per_worker) + 1);
        loop_.runAfter(wait, [this] { resumeAccepting(); });
      }
      return;
    }
    net::Endpoint peer;
    net::UniqueFd fd = net::acceptTcp(ls.fd(), &peer);
    if (!fd.valid()) return;
    m.connections_total.fetch_add(1, std::memory_order_relaxed);
    if (gw_->active.load(std::memory_order_relaxed) >= static_cast<std::int64_t>(gw_->config.limits.max_connections)) {
      m.rejected_limit.fetch_add(1, std::memory_order_relaxed);
      gw_->emit(l, "rejected", peer.str(), {}, "max_connections reached");
      continue;  // fd closes: no byte is sent
    }
    if (!gw_->peer_limiter->allow(peer, now)) {
      m.rejected_limit.fetch_add(1, std::memory_order_relaxed);
      gw_->emit(l, "rejected", peer.str(), {}, "per-peer connection rate exceeded");
      continue;
    }
    gw_->active.fetch_add(1, std::memory_order_relaxed);
    m.connections_active.fetch_add(1, std::memory_order_relaxed);
    auto conn = std::make_unique<Connection>(this, l, peer);
    Connection* raw = conn.get();
    conns_.emplace(raw, std::move(conn));
    if (l->config.mode == Mode::kServer) raw->startServer(std::move(fd));
    else raw->startClient(std::move(fd));
  }
}

void Worker::remove(Connection* c) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  // Defer destruction: events for this connection may still be in the current batch.
  auto owned = std::make_shared<std::unique_ptr<Connection>>(std::move(it->second));
  conns_.erase(it);
  gw_->active.fetch_sub(1, std::memory_order_relaxed);
  loop_.runAfterBatch([owned] { owned->reset(); });
  (void)c;
  if (draining_ && conns_.empty()) loop_.stop();
}

void Worker::sweep() {
  auto now = Clock::now();
  std::vector<Connection*> all;
  all.reserve(conns_.size());
  for (auto& [p, c] : conns_) all.push_back(p);
  for (auto* c : all) c->checkTimers(now);
}

}  // namespace

// -----------------------------------------------------------------------------------------------
// Metrics over HTTP/1.0 on the control loop.
namespace {

class MetricsClient final : public net::IoHandler {
 public:
  MetricsClient(net::EventLoop& loop, Metrics& m, net::UniqueFd fd,
                std::unordered_map<MetricsClient*, std::unique_ptr<MetricsClient>>& owner)
      : loop_(loop), metrics_(m), fd_(std::move(fd)), owner_(owner) {}
  int fd() const { return fd_.get(); }
  void onIo(std::uint32_t ev) override {
    if (!reading_done_) {
      char buf[2048];
      ssize_t n = ::read(fd_.get(), buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && errno == EAGAIN) return;
        return finish();
      }
      req_.append(buf, static_cast<std::size_t>(n));
      if (req_.size() > 8192) return finish();
      if (req_.find("\r\n\r\n") == std::string::npos && req_.find("\n\n") == std::string::npos) return;
      reading_done_ = true;
      std::string body;
      std::string status = "200 OK";
      if (req_.starts_with("GET /metrics ") || req_.starts_with("GET /metrics?")) {
        body = metrics_.render();
      } else {
        status = "404 Not Found";
        body = "not found: GET /metrics\n";
      }
      out_ = "HTTP/1.0 " + status + "\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
      loop_.modify(fd_.get(), EPOLLOUT, this);
      return;
    }
    if (ev & EPOLLOUT) {
      ssize_t n = ::write(fd_.get(), out_.data() + sent_, out_.size() - sent_);
      if (n < 0 && errno == EAGAIN) return;
      if (n <= 0) return finish();
      sent_ += static_cast<std::size_t>(n);
      if (sent_ == out_.size()) finish();
    }
  }

 private:
  void finish() {
    loop_.remove(fd_.get());
    fd_.reset();
    auto it = owner_.find(this);
    if (it == owner_.end()) return;
    auto owned = std::make_shared<std::unique_ptr<MetricsClient>>(std::move(it->second));
    owner_.erase(it);
    loop_.runAfterBatch([owned] { owned->reset(); });
  }
  net::EventLoop& loop_;
  Metrics& metrics_;
  net::UniqueFd fd_;
  std::unordered_map<MetricsClient*, std::unique_ptr<MetricsClient>>& owner_;
  std::string req_;
  std::string out_;
  std::size_t sent_ = 0;
  bool reading_done_ = false;
};

class MetricsServer final : public net::IoHandler {
 public:
  MetricsServer(net::EventLoop& loop, Metrics& m, net::UniqueFd fd) : loop_(loop), metrics_(m), fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }
  void onIo(std::uint32_t) override {
    for (int i = 0; i < 16; ++i) {
      net::UniqueFd c = net::acceptTcp(fd_.get(), nullptr);
      if (!c.valid()) return;
      if (clients_.size() >= 64) continue;
      int cfd = c.get();
      auto client = std::make_unique<MetricsClient>(loop_, metrics_, std::move(c), clients_);
      MetricsClient* raw = client.get();
      clients_.emplace(raw, std::move(client));
      if (!loop_.add(cfd, EPOLLIN, raw)) clients_.erase(raw);
    }
  }

 private:
  net::EventLoop& loop_;
  Metrics& metrics_;
  net::UniqueFd fd_;
  std::unordered_map<MetricsClient*, std::unique_ptr<MetricsClient>> clients_;
};

}  // namespace

// -----------------------------------------------------------------------------------------------
namespace {

// SO_REUSEPORT lets any socket of the same user join a port, so before this process's workers
// form their group on `at`, a socket without SO_REUSEPORT claims the address for a moment: if
// anything already listens there (e.g. a second gateway), that bind fails and so does start().
core::Result<void> checkAddressFree(const net::Endpoint& at) {
  if (at.port() == 0) return {};  // a fresh port
  net::UniqueFd fd(::socket(at.addr()->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return core::makeError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // TIME_WAIT is no conflict
  if (::bind(fd.get(), at.addr(), at.length()) != 0) {
    const int err = errno;
    if (err == EADDRINUSE)
      return core::makeError(at.str() + " is already in use by another socket or process (a gateway shares a "
                             "port only among its own workers)");
    return core::makeError("cannot bind " + at.str() + ": " + std::strerror(err));
  }
  return {};
}

}  // namespace

Gateway::Gateway(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Gateway::~Gateway() { stop(); }

core::Result<std::unique_ptr<Gateway>> Gateway::create(GatewayConfig config, unsigned workers,
                                                       std::unique_ptr<store::AuditStore> store) {
  auto impl = std::make_unique<Impl>();
  impl->worker_count = workers == 0 ? 1 : workers;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < config.listeners.size(); ++i) {
    ListenerState l;
    l.index = i;
    l.config = config.listeners[i];
    l.bound = l.config.listen;
    auto ctx = tls::Context::build(l.config.tls);
    if (!ctx) return core::makeError("listener " + l.config.name + ": " + ctx.error().message, ctx.error().detail);
    l.holder = std::make_unique<tls::ContextHolder>(std::move(*ctx));
    names.push_back(l.config.name);
    impl->listeners.push_back(std::move(l));
  }
  impl->config = std::move(config);
  impl->metrics = std::make_unique<Metrics>(names);
  impl->peer_limiter = std::make_unique<PeerLimiter>(impl->config.limits.per_peer_rate);
  {
    // The audit writer thread must not take the signals run() waits for (SIGHUP would kill the
    // process through it): it inherits the mask it is created with.
    sigset_t set, old;
    sigemptyset(&set);
    for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    impl->audit = std::make_unique<store::AuditLog>(std::move(store));
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
  }
  impl->metrics->audit_failures = [log = impl->audit.get()] { return log->failures(); };
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}


core::Result<void> Gateway::start() {
  auto& d = *impl_;
  if (d.started) return core::makeError("gateway already started");
  // A peer that vanishes must not kill the process: OpenSSL's socket BIO writes without
  // MSG_NOSIGNAL, so SIGPIPE is ignored process-wide while a gateway runs (EPIPE is handled).
  ::signal(SIGPIPE, SIG_IGN);
  for (unsigned i = 0; i < d.worker_count; ++i) d.workers.push_back(std::make_unique<Worker>(&d, i));
  for (auto& l : d.listeners) {
    if (auto r = checkAddressFree(l.bound); !r) return core::makeError("listener " + l.config.name + ": " + r.error().message);
    for (auto& w : d.workers)
      if (auto r = w->bind(l); !r) return core::makeError("listener " + l.config.name + ": " + r.error().message);
  }
  d.control = std::make_unique<net::EventLoop>();
  if (d.config.metrics_listen) {
    auto fd = net::listenTcp(*d.config.metrics_listen, false, 64);
    if (!fd) return core::makeError("metrics: " + fd.error().message);
    auto local = net::localEndpoint(fd->get());
    if (local) d.metrics_bound = *local;
    auto& slot = d.metrics_server;
    int mfd = fd->get();
    slot = std::make_unique<MetricsServer>(*d.control, *d.metrics, std::move(*fd));
    if (auto r = d.control->add(mfd, EPOLLIN, slot.get()); !r) return r;
  }
  for (auto& w : d.workers) w->start();
  d.control_thread = std::thread([&d] { (void)d.control->run(); });
  d.started = true;
  std::string where;
  for (auto& l : d.listeners) where += " " + l.config.name + "=" + l.bound.str();
  d.emit(nullptr, "start", {}, {}, "listening:" + where);
  return {};
}

core::Result<void> Gateway::reload() {
  auto& d = *impl_;
  std::lock_guard lock(d.reload_mu);
  std::vector<std::shared_ptr<tls::Context>> fresh;
  for (auto& l : d.listeners) {
    auto ctx = tls::Context::build(l.config.tls);
    if (!ctx) {
      d.metrics->reloads_failed.fetch_add(1);
      std::string msg = "listener " + l.config.name + ": " + ctx.error().message;
      d.emit(&l, "reload_failed", {}, {}, msg);
      return core::makeError("reload failed, keeping the running certificates: " + msg, ctx.error().detail);
    }
    fresh.push_back(std::move(*ctx));
  }
  std::string fps;
  for (std::size_t i = 0; i < d.listeners.size(); ++i) {
    fps += (i ? " " : "") + d.listeners[i].config.name + "=" + fresh[i]->ownFingerprint();
    d.listeners[i].holder->set(std::move(fresh[i]));
  }
  d.metrics->reloads_ok.fetch_add(1);
  d.emit(nullptr, "reload", {}, {}, "certificates, CA and CRL reloaded", nlohmann::json{{"certificates", fps}}.dump());
  return {};
}

void Gateway::drain() {
  auto& d = *impl_;
  if (!d.started || d.stopped) return;
  for (auto& w : d.workers) w->beginDrain();
  auto deadline = Clock::now() + std::chrono::milliseconds(d.config.limits.drain_timeout_ms);
  for (;;) {
    bool all = true;
    for (auto& w : d.workers) all = all && w->finished();
    if (all || Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop();
}

void Gateway::stop() {
  auto& d = *impl_;
  if (!d.started || d.stopped) return;
  d.stopped = true;
  for (auto& w : d.workers) w->stopNow();
  for (auto& w : d.workers) w->join();
  d.control->stop();
  if (d.control_thread.joinable()) d.control_thread.join();
  d.metrics_server.reset();
  d.emit(nullptr, "stop", {}, {}, "gateway stopped");
  d.audit->flush();
}

core::Result<void> Gateway::run(const std::function<void()>& on_ready) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (auto r = start(); !r) return r;
  if (on_ready) on_ready();
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      auto r = reload();
      if (r) spdlog::warn("gateway: reloaded certificates, CA and CRL");
      else spdlog::error("gateway: {}", r.error().message);
      continue;
    }
    spdlog::warn("gateway: draining (signal {})", sig);
    drain();
    return {};
  }
}

std::vector<net::Endpoint> Gateway::listenEndpoints() const {
  std::vector<net::Endpoint> out;
  for (const auto& l : impl_->listeners) out.push_back(l.bound);
  return out;
}
std::optional<net::Endpoint> Gateway::metricsEndpoint() const { return impl_->metrics_bound; }
Metrics& Gateway::metrics() { return *impl_->metrics; }
store::AuditLog& Gateway::audit() { return *impl_->audit; }
const GatewayConfig& Gateway::config() const { return impl_->config; }
unsigned Gateway::workers() const { return impl_->worker_count; }

}  // namespace ccsec::gateway
