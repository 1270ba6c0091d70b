#include "gateway/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace ccsec::gateway {

void ListenerSocket::onIo(std::uint32_t) { worker_->accept(*this); }

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
    if (auto r = loop_.add(ls->fd(), EPOLLIN, ls.get()); !r)
      gatewayLog().error("{}", r.error().message);
  accept_refill_ = Clock::now();
  thread_ = std::thread([this] {
    auto r = loop_.run();
    if (!r) gatewayLog().error("worker {}: {}", id_, r.error().message);
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
  std::uint32_t rate = env_.limits.accept_rate;
  if (rate == 0) return true;
  double per_worker = static_cast<double>(rate) / env_.worker_count;
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
  auto& m = env_.metrics.listener(l->index);
  for (std::size_t i = 0; i < kAcceptBurst && !draining_; ++i) {
    auto now = Clock::now();
    if (!takeAcceptToken(now)) {
      // Pace: leave the rest in the kernel backlog and come back when a token is due.
      ls.paused = true;
      loop_.modify(ls.fd(), 0, &ls);
      if (!resume_scheduled_) {
        resume_scheduled_ = true;
        double per_worker = static_cast<double>(env_.limits.accept_rate) / env_.worker_count;
        auto wait = std::chrono::milliseconds(static_cast<long>(1000.0 / per_worker) + 1);
        loop_.runAfter(wait, [this] { resumeAccepting(); });
      }
      return;
    }
    net::Endpoint peer;
    net::UniqueFd fd = net::acceptTcp(ls.fd(), &peer);
    if (!fd.valid()) return;
    m.connections_total.fetch_add(1, std::memory_order_relaxed);
    if (env_.active.load(std::memory_order_relaxed) >=
        static_cast<std::int64_t>(env_.limits.max_connections)) {
      m.rejected_limit.fetch_add(1, std::memory_order_relaxed);
      env_.audit.emit(l, "rejected", peer.str(), {}, "max_connections reached");
      continue;  // fd closes: no byte is sent
    }
    if (!env_.peers.allow(peer, now)) {
      m.rejected_limit.fetch_add(1, std::memory_order_relaxed);
      env_.audit.emit(l, "rejected", peer.str(), {}, "per-peer connection rate exceeded");
      continue;
    }
    env_.active.fetch_add(1, std::memory_order_relaxed);
    m.connections_active.fetch_add(1, std::memory_order_relaxed);
    auto conn = Connection::create(conn_env_, l, m, peer);
    Connection* raw = conn.get();
    conns_.emplace(raw, std::move(conn));
    if (l->config.mode == Mode::kServer)
      raw->startServer(std::move(fd));
    else
      raw->startClient(std::move(fd));
  }
}

void Worker::remove(Connection* c) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  // Defer destruction: events for this connection may still be in the current batch.
  auto owned = std::make_shared<std::unique_ptr<Connection>>(std::move(it->second));
  conns_.erase(it);
  env_.active.fetch_sub(1, std::memory_order_relaxed);
  loop_.runAfterBatch([owned] { owned->reset(); });
  (void)c;
  if (draining_ && conns_.empty()) loop_.stop();
}

}  // namespace ccsec::gateway
