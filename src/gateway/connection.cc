#include "gateway/connection.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "gateway/ged188.h"
#include "gateway/session_audit.h"
#include "tls/session.h"

namespace ccsec::gateway {
namespace {

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

class RelayConnection;

class Side final : public net::IoHandler {
 public:
  Side(RelayConnection* c, bool tls) : conn_(c), tls_(tls) {}
  void onIo(std::uint32_t events) override;

 private:
  RelayConnection* conn_;
  bool tls_;
};

// ---------------------------------------------------------------------------------------------
class RelayConnection final : public Connection, public ged188::FrameObserver {
 public:
  enum class State { kConnectingTls, kHandshake, kConnectingPlain, kRelay, kClosed };

  RelayConnection(ConnectionEnv& env, ListenerState* l, ListenerMetrics& m, net::Endpoint peer)
      : env_(env),
        l_(l),
        m_(m),
        peer_(std::move(peer)),
        tls_side_(this, true),
        plain_side_(this, false),
        started_(Clock::now()) {
    if (l_->config.protocol == Protocol::kGed188) {
      up_.parser.emplace(this);
      down_.parser.emplace(this);
    }
    deadline_ = started_ + std::chrono::milliseconds(env_.limits.handshake_timeout_ms);
  }
  ~RelayConnection() override { releaseBuffers(); }

  // Server mode: the accepted socket is the TLS side.
  void startServer(net::UniqueFd fd) override {
    tls_fd_ = std::move(fd);
    auto tls = l_->holder->get()->newSession(tls_fd_.get());
    if (!tls) return fail("ssl_setup_failed", tls.error().message);
    tls_ = std::move(*tls);
    state_ = State::kHandshake;
    if (!env_.loop.add(tls_fd_.get(), EPOLLIN, &tls_side_))
      return fail("internal", "epoll add failed");
    tls_events_ = EPOLLIN;
    armTimer(deadline_);
  }

  // Client mode: the accepted socket is the plaintext side; dial the TLS peer.
  void startClient(net::UniqueFd fd) override {
    plain_fd_ = std::move(fd);
    if (!env_.loop.add(plain_fd_.get(), 0, &plain_side_))
      return fail("internal", "epoll add failed");
    auto out = net::connectTcp(l_->config.forward);
    if (!out) return fail("forward_failed", out.error().message);
    tls_fd_ = std::move(*out);
    state_ = State::kConnectingTls;
    if (!env_.loop.add(tls_fd_.get(), EPOLLOUT, &tls_side_))
      return fail("internal", "epoll add failed");
    tls_events_ = EPOLLOUT;
    armTimer(deadline_);
  }

  void onTls(std::uint32_t ev) {
    switch (state_) {
      case State::kConnectingTls: {
        int err = net::connectResult(tls_fd_.get());
        if (err != 0)
          return fail("forward_failed",
                      "cannot connect to " + l_->config.forward.str() + ": " + std::strerror(err));
        auto tls = l_->holder->get()->newSession(tls_fd_.get());
        if (!tls) return fail("ssl_setup_failed", tls.error().message);
        tls_ = std::move(*tls);
        state_ = State::kHandshake;
        return handshake();
      }
      case State::kHandshake:
        return handshake();
      case State::kConnectingPlain:
        if (ev & (EPOLLERR | EPOLLHUP))
          return close("peer closed before the forward connection was up");
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
        if (err != 0)
          return fail("forward_failed",
                      "cannot connect to " + l_->config.forward.str() + ": " + std::strerror(err));
        state_ = State::kRelay;
        last_activity_ = Clock::now();
        armIdleTimer();
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
        if (ev & (EPOLLERR | EPOLLHUP))
          return close("plaintext client closed before the TLS session was up");
        return;
      case State::kClosed:
        return;
    }
  }

  // One loop timer per connection, re-armed lazily: relay traffic only stamps last_activity_
  // (no timer work on the hot path); when the timer fires it closes the connection if its
  // deadline has passed, or arms itself again for the next possible expiry. A connection is
  // touched once per handshake deadline and once per idle period, not on a periodic sweep of all
  // connections (which cost 0.44 µs per connection every 100 ms: 4 % of a core at 9,000 idle).
  void armTimer(Clock::time_point at) {
    if (timer_ != 0) env_.loop.cancel(timer_);
    const auto delay = std::max(std::chrono::milliseconds(0),
                                std::chrono::ceil<std::chrono::milliseconds>(at - Clock::now()));
    timer_ = env_.loop.runAfter(delay, [this] {
      timer_ = 0;
      onTimer(Clock::now());
    });
  }

  // Entering the relay: the setup deadline no longer applies; the idle timeout does.
  void armIdleTimer() {
    const auto idle = std::chrono::milliseconds(env_.limits.idle_timeout_ms);
    if (idle.count() > 0) return armTimer(last_activity_ + idle);
    if (timer_ != 0) env_.loop.cancel(timer_);
    timer_ = 0;
  }

  void onTimer(Clock::time_point now) {
    if (state_ == State::kClosed) return;
    if (state_ != State::kRelay) {
      if (now < deadline_) return armTimer(deadline_);  // the deadline moved (forward connect)
      if (state_ == State::kHandshake || state_ == State::kConnectingTls) {
        m_.handshakes_timeout.fetch_add(1, std::memory_order_relaxed);
        env_.audit.emit(l_, "handshake_failed", peer_.str(), peerIdentity(), "handshake timeout");
        return closeQuietly();
      }
      return fail("forward_failed", "timeout connecting to " + l_->config.forward.str());
    }
    const auto idle = std::chrono::milliseconds(env_.limits.idle_timeout_ms);
    if (idle.count() <= 0) return;  // no idle limit: the timer is not armed again
    if (now - last_activity_ >= idle) return close("idle timeout");
    armTimer(last_activity_ + idle);
  }

  void shutdownNow(const std::string& why) override { close(why); }
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
    switch (tls_->handshake()) {
      case tls::Io::kOk:
        return handshakeDone();
      case tls::Io::kWantRead:
        return setTls(EPOLLIN);
      case tls::Io::kWantWrite:
        return setTls(EPOLLOUT);
      default:
        break;
    }
    const std::string& reason = tls_->failureReason();
    m_.handshakes_failed.fetch_add(1, std::memory_order_relaxed);
    env_.audit.emit(l_, "handshake_failed", peer_.str(), tls_->peer().str(), reason,
                    nlohmann::json{{"mode", isServer() ? "server" : "client"}}.dump());
    gatewayLog().info("{}: handshake with {} failed: {}", l_->config.name, peer_.str(), reason);
    closeQuietly();
  }

  // The session is established with a verified, allowed peer (tls::Session's contract).
  void handshakeDone() {
    m_.handshakes_ok.fetch_add(1, std::memory_order_relaxed);
    if (tls_->resumed()) m_.handshakes_resumed.fetch_add(1, std::memory_order_relaxed);
    established_ = true;
    env_.audit.emit(l_, "session_open", peer_.str(), tls_->peer().str(), "handshake ok",
                    sessionOpenDetail(*tls_));
    last_activity_ = Clock::now();
    if (isServer()) {
      auto out = net::connectTcp(l_->config.forward);
      if (!out) return fail("forward_failed", out.error().message);
      plain_fd_ = std::move(*out);
      state_ = State::kConnectingPlain;
      deadline_ = Clock::now() + std::chrono::milliseconds(env_.limits.handshake_timeout_ms);
      setTls(0);
      if (!env_.loop.add(plain_fd_.get(), EPOLLOUT, &plain_side_))
        return fail("internal", "epoll add failed");
      plain_events_ = EPOLLOUT;
      return;
    }
    state_ = State::kRelay;
    armIdleTimer();
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
      if (d.hold == nullptr) d.hold = env_.frame_pool.take();
      std::memcpy(d.hold, s + ready, partial);
    } else if (d.hold != nullptr) {
      env_.frame_pool.give(d.hold);
      d.hold = nullptr;
    }
    d.hold_len = static_cast<std::uint32_t>(partial);
    return static_cast<std::ptrdiff_t>(ready);
  }

  void malformed(Direction& d, const std::string& reason) {
    m_.malformed_frames.fetch_add(1, std::memory_order_relaxed);
    const char* dir = &d == &down_ ? (isServer() ? "client->server" : "server->client")
                                   : (isServer() ? "server->client" : "client->server");
    env_.audit.emit(l_, "malformed_frame", peer_.str(), tls_->peer().str(), reason,
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
    if (d.buf == nullptr) d.buf = env_.pool.take();
    return d.buf;
  }

  void releaseBuffers() {
    for (Direction* d : {&up_, &down_}) {
      if (d->buf != nullptr) {
        env_.pool.give(d->buf);
        d->buf = nullptr;
      }
      if (d->hold != nullptr) {
        env_.frame_pool.give(d->hold);
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
        env_.pool.give(down_.buf);
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
      std::uint8_t* s = env_.scratch;
      const std::size_t held = down_.hold_len;
      std::size_t filled = held;
      bool drained = false;
      tls::Io fatal = tls::Io::kOk;  // kLost or kFailed
      while (filled < kBatchSize) {
        const tls::IoResult r = tls_->read(s + filled, kBatchSize - filled);
        filled += r.bytes;
        if (r.status == tls::Io::kOk) {
          // Less than a full record and nothing buffered inside the library: the last recv()
          // most likely emptied the socket, so skip the read that would only return EAGAIN.
          if (r.bytes < kRecordPlain && !tls_->hasPending()) {
            drained = true;
            break;
          }
          continue;
        }
        if (r.status == tls::Io::kWantRead) {
          drained = true;
        } else if (r.status == tls::Io::kWantWrite) {
          down_wants_write_ = true;
          drained = true;
        } else if (r.status == tls::Io::kClosed) {
          down_.eof = true;
        } else {
          // kLost: a TCP close without close_notify is the peer going away; like a lost
          // connection, it may cut a frame short. kFailed: a TLS error.
          fatal = r.status;
        }
        break;
      }
      if (filled > held) {
        if (held != 0) std::memcpy(s, down_.hold, held);
        if (!forwardDown(s, filled)) return false;
      }
      if (fatal == tls::Io::kLost) {
        if (endOfStream(down_)) close("TLS peer connection lost");
        return false;
      }
      if (fatal == tls::Io::kFailed) {
        close(tls_->failureReason());
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
        const tls::IoResult r = tls_->write(up_.buf + up_.off, up_.len);
        if (r.status != tls::Io::kOk) {
          if (r.status == tls::Io::kWantWrite) {
            up_wants_write_ = true;
            return true;
          }
          if (r.status == tls::Io::kWantRead) {
            up_wants_read_ = true;
            return true;
          }
          close(writeFailure(r.status));
          return false;
        }
        up_.off += static_cast<std::uint32_t>(r.bytes);
        up_.len -= static_cast<std::uint32_t>(r.bytes);
        if (up_.len > 0) continue;
        env_.pool.give(up_.buf);
        up_.buf = nullptr;
        up_.off = 0;
        continue;
      }
      if (up_.eof) {
        if (endOfStream(up_)) close("plaintext side closed");
        return false;
      }
      std::uint8_t* s = env_.scratch;
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
      const tls::IoResult r = tls_->write(s, len);
      const std::size_t done = r.bytes;
      if (r.status == tls::Io::kWantWrite) {
        up_wants_write_ = true;
      } else if (r.status == tls::Io::kWantRead) {
        up_wants_read_ = true;
      } else if (r.status != tls::Io::kOk) {
        close(writeFailure(r.status));
        return false;
      }
      if (done < len) {
        std::uint8_t* b = takeBuffer(up_);
        std::memcpy(b, s + done, len - done);
        up_.off = 0;
        up_.len = static_cast<std::uint32_t>(len - done);
        if (up_wants_write_ || up_wants_read_) return true;
        continue;
      }
      if (got < kBatchSize - held)
        return true;  // short read: the socket is drained (level-triggered epoll)
    }
    rescheduleIfPending();
    return true;
  }

  // The budget ran out with work possibly pending inside the TLS library or the sockets: come back
  // after this batch instead of starving other connections.
  void rescheduleIfPending() {
    if (rescheduled_) return;
    rescheduled_ = true;
    env_.loop.runAfterBatch([this] {
      rescheduled_ = false;
      if (state_ != State::kRelay) return;
      if (pumpDown() && pumpUp()) updateInterest();
    });
  }

  void setTls(std::uint32_t ev) {
    if (ev != tls_events_ && tls_fd_.valid()) {
      env_.loop.modify(tls_fd_.get(), ev, &tls_side_);
      tls_events_ = ev;
    }
  }
  void setPlain(std::uint32_t ev) {
    if (ev != plain_events_ && plain_fd_.valid()) {
      env_.loop.modify(plain_fd_.get(), ev, &plain_side_);
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

  // The peer's identity for audit, empty before its certificate was seen.
  std::string peerIdentity() const {
    return tls_ && !tls_->peer().empty() ? tls_->peer().str() : std::string();
  }
  // Why a write to the TLS side failed (kLost or kFailed).
  std::string writeFailure(tls::Io status) const {
    return status == tls::Io::kFailed ? tls_->failureReason() : "TLS error: connection lost";
  }

  void fail(const std::string& kind, const std::string& reason) {
    env_.audit.emit(l_, kind, peer_.str(), peerIdentity(), reason);
    if (kind == "forward_failed") gatewayLog().warn("{}: {}", l_->config.name, reason);
    closeQuietly();
  }

  void close(const std::string& why) {
    if (state_ == State::kClosed) return;
    if (established_) {
      SessionSummary sum;
      sum.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
      sum.bytes_from_tls = bytes_from_tls_;
      sum.bytes_to_tls = bytes_to_tls_;
      sum.tls = tls_->describe();
      if (l_->config.protocol == Protocol::kGed188) {
        const auto& c2s = isServer() ? down_.parser : up_.parser;
        sum.ged188 = true;
        sum.client_id = c2s ? c2s->clientId() : std::string();
        for (std::size_t b = 0; b < frame_counts_.size(); ++b)
          sum.frames[b] = frame_counts_[b].total;
        sum.sensitive_fields = (up_.parser ? up_.parser->sensitiveFields() : 0) +
                               (down_.parser ? down_.parser->sensitiveFields() : 0);
      }
      env_.audit.emit(l_, "session_close", peer_.str(), tls_->peer().str(), why,
                      sessionCloseDetail(sum));
      tls_->close();  // best-effort close_notify; keeps the session resumable
    }
    closeQuietly();
  }

  void closeQuietly() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    if (timer_ != 0) env_.loop.cancel(timer_);
    timer_ = 0;
    m_.connections_active.fetch_sub(1, std::memory_order_relaxed);
    if (tls_fd_.valid()) env_.loop.remove(tls_fd_.get());
    if (plain_fd_.valid()) env_.loop.remove(plain_fd_.get());
    tls_.reset();
    tls_fd_.reset();
    plain_fd_.reset();
    releaseBuffers();
    env_.owner.remove(this);
  }

  ConnectionEnv& env_;
  ListenerState* l_;
  ListenerMetrics& m_;
  net::Endpoint peer_;
  Side tls_side_;
  Side plain_side_;
  net::UniqueFd tls_fd_;
  net::UniqueFd plain_fd_;
  std::unique_ptr<tls::Session> tls_;  // from the listener's context current at the start
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
  net::EventLoop::TimerId timer_ = 0;  // armed while open (see armTimer)
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
  if (tls_)
    conn_->onTls(events);
  else
    conn_->onPlain(events);
}

}  // namespace

std::unique_ptr<Connection> Connection::create(ConnectionEnv& env, ListenerState* l,
                                               ListenerMetrics& m, net::Endpoint peer) {
  return std::make_unique<RelayConnection>(env, l, m, std::move(peer));
}

}  // namespace ccsec::gateway
