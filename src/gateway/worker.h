#pragma once
// A worker: one thread with its own epoll loop, one SO_REUSEPORT socket per listener, its
// connections, buffer pools and scratch buffer, and its share of the accept-rate token bucket
// (limits.accept_rate / workers: the listener is paused, not refused, when it runs dry). The
// per-peer limit is the process-wide PeerLimiter in WorkerEnv.

#include <atomic>
#include <memory>
#include <thread>
#include <unordered_map>
#include <vector>

#include "gateway/connection.h"
#include "gateway/peer_limiter.h"
#include "net/event_loop.h"

namespace ccsec::gateway {

/// What the gateway shares with its workers.
struct WorkerEnv {
  const Limits& limits;
  unsigned worker_count;
  Metrics& metrics;
  const AuditSink& audit;
  std::atomic<std::int64_t>& active;  // connections of all workers (max_connections)
  PeerLimiter& peers;
};

class Worker;

class ListenerSocket final : public net::IoHandler {
 public:
  ListenerSocket(Worker* w, ListenerState* l, net::UniqueFd fd)
      : worker_(w), state_(l), fd_(std::move(fd)) {}
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

class Worker final : public ConnectionOwner {
 public:
  Worker(const WorkerEnv& env, unsigned id)
      : env_(env), id_(id), conn_env_{loop_,      pool_,     frame_pool_, scratch_.data(),
                                      env.limits, env.audit, *this} {}
  /// Binds this worker's socket for `l` (port 0: the first worker picks, l.bound is updated).
  core::Result<void> bind(ListenerState& l);
  void start();
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  /// Closes the listeners; the loop stops once the last connection closed.
  void beginDrain();
  void stopNow() { loop_.stop(); }
  bool finished() const { return finished_.load(); }

  void accept(ListenerSocket& ls);
  void remove(Connection* c) override;

 private:
  bool takeAcceptToken(Clock::time_point now);
  void resumeAccepting();

  WorkerEnv env_;
  unsigned id_;
  net::EventLoop loop_;
  std::thread thread_;
  std::vector<std::unique_ptr<ListenerSocket>> listeners_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> conns_;
  BufferPool pool_{kBatchSize};
  BufferPool frame_pool_{ged188::kMaxFrame};
  std::array<std::uint8_t, kBatchSize> scratch_{};
  ConnectionEnv conn_env_;
  double accept_tokens_ = 0;
  Clock::time_point accept_refill_{};
  bool draining_ = false;
  bool resume_scheduled_ = false;
  std::atomic<bool> finished_{false};
};

}  // namespace ccsec::gateway
