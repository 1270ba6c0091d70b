#include "gateway/gateway.h"

// Lifecycle of the gateway: contexts and listeners (create/start), the workers (worker.h), the
// /metrics endpoint (net::HttpServer on the control loop), reload, drain and stop, and the
// signal loop of run(). Connections and their relay live in connection.h.

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "gateway/peer_limiter.h"
#include "gateway/runtime.h"
#include "gateway/worker.h"
#include "net/event_loop.h"
#include "net/http_server.h"
#include "net/prometheus.h"
#include "tls/context.h"

namespace ccsec::gateway {

void AuditSink::emit(const ListenerState* l, std::string kind, std::string peer,
                     std::string identity, std::string reason, std::string detail) const {
  store::AuditEvent e;
  e.time_ms = store::nowMs();
  e.source = l != nullptr ? l->config.name : "gateway";
  e.kind = std::move(kind);
  e.peer_address = std::move(peer);
  e.peer_identity = std::move(identity);
  e.reason = std::move(reason);
  e.detail = std::move(detail);
  metrics_.audit_events.fetch_add(1, std::memory_order_relaxed);
  log_.submit(std::move(e));
}

struct Gateway::Impl {
  GatewayConfig config;
  unsigned worker_count = 1;
  std::vector<ListenerState> listeners;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<store::AuditLog> audit;
  std::unique_ptr<AuditSink> sink;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::int64_t> active{0};        // all connections, all workers
  std::unique_ptr<PeerLimiter> peer_limiter;  // limits.per_peer_rate, shared by all workers
  std::optional<net::Endpoint> metrics_bound;
  std::unique_ptr<net::EventLoop> control;
  std::unique_ptr<net::HttpServer> metrics_server;  // destroyed after the control loop stopped
  std::thread control_thread;
  std::mutex reload_mu;
  bool started = false;
  bool stopped = false;
};

// -----------------------------------------------------------------------------------------------
namespace {

// SO_REUSEPORT lets any socket of the same user join a port, so before this process's workers
// form their group on `at`, a socket without SO_REUSEPORT claims the address for a moment: if
// anything already listens there (e.g. a second gateway), that bind fails and so does start().
core::Result<void> checkAddressFree(const net::Endpoint& at) {
  if (at.port() == 0) return {};  // a fresh port
  net::UniqueFd fd(::socket(at.addr()->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return core::runtimeError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // TIME_WAIT is no conflict
  if (::bind(fd.get(), at.addr(), at.length()) != 0) {
    const int err = errno;
    if (err == EADDRINUSE)
      return core::runtimeError(
          at.str() +
          " is already in use by another socket or process (a gateway shares a "
          "port only among its own workers)");
    return core::runtimeError("cannot bind " + at.str() + ": " + std::strerror(err));
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
    if (!ctx) return core::withContext("listener " + l.config.name + ": ", ctx.error());
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
  impl->metrics->audit_committed = [log = impl->audit.get()] { return log->committed(); };
  impl->sink = std::make_unique<AuditSink>(*impl->metrics, *impl->audit);
  return std::unique_ptr<Gateway>(new Gateway(std::move(impl)));
}

core::Result<void> Gateway::start() {
  auto& d = *impl_;
  if (d.started) return core::makeError("gateway already started");
  // A peer that vanishes must not kill the process: a TLS library's socket writes may go
  // without MSG_NOSIGNAL (OpenSSL's socket BIO does), so SIGPIPE is ignored process-wide while a
  // gateway runs (EPIPE is handled).
  ::signal(SIGPIPE, SIG_IGN);
  const WorkerEnv env{d.config.limits, d.worker_count, *d.metrics,
                      *d.sink,         d.active,       *d.peer_limiter};
  for (unsigned i = 0; i < d.worker_count; ++i)
    d.workers.push_back(std::make_unique<Worker>(env, i));
  for (auto& l : d.listeners) {
    if (auto r = checkAddressFree(l.bound); !r)
      return core::withContext("listener " + l.config.name + ": ", r.error());
    for (auto& w : d.workers)
      if (auto r = w->bind(l); !r)
        return core::withContext("listener " + l.config.name + ": ", r.error());
  }
  d.control = std::make_unique<net::EventLoop>();
  if (d.config.metrics_listen) {
    // /metrics through the shared HTTP endpoint (deadline, connection caps, bounded requests) on
    // the control loop, never on a worker.
    auto http = net::HttpServer::listen(*d.control, *d.config.metrics_listen);
    if (!http) return core::withContext("metrics: ", http.error());
    d.metrics_server = std::move(*http);
    d.metrics_bound = d.metrics_server->local();
    Metrics* m = d.metrics.get();
    d.metrics_server->route("/metrics", [m](const net::HttpRequest&, net::HttpReply reply) {
      net::HttpResponse r;
      r.contentType = std::string(net::PromWriter::kContentType);
      r.body = m->render();
      reply.send(std::move(r));
    });
  }
  for (auto& w : d.workers) w->start();
  d.control_thread = std::thread([&d] { (void)d.control->run(); });
  d.started = true;
  std::string where;
  for (auto& l : d.listeners) where += " " + l.config.name + "=" + l.bound.str();
  d.sink->emit(nullptr, "start", {}, {}, "listening:" + where,
               nlohmann::json{{"tls_library", tls::libraryVersion()}}.dump());
  gatewayLog().info("listening:{} (TLS data path: {})", where, tls::libraryVersion());
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
      d.sink->emit(&l, "reload_failed", {}, {}, msg);
      return core::makeError("reload failed, keeping the running certificates: " + msg,
                             ctx.error().detail);
    }
    fresh.push_back(std::move(*ctx));
  }
  std::string fps;
  for (std::size_t i = 0; i < d.listeners.size(); ++i) {
    fps += (i ? " " : "") + d.listeners[i].config.name + "=" + fresh[i]->ownFingerprint();
    d.listeners[i].holder->set(std::move(fresh[i]));
  }
  d.metrics->reloads_ok.fetch_add(1);
  d.sink->emit(nullptr, "reload", {}, {}, "certificates, CA and CRL reloaded",
               nlohmann::json{{"certificates", fps}}.dump());
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
  d.sink->emit(nullptr, "stop", {}, {}, "gateway stopped");
  d.audit->flush();
}

core::Result<void> Gateway::run(const std::function<void()>& on_ready,
                                core::ServiceNotifier* notifier) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  if (auto r = start(); !r) return r;
  if (on_ready) on_ready();
  if (notifier != nullptr) {
    notifier->ready("ccsec gateway ready");
    // The watchdog proves the control loop turns (it serves /metrics and owns the timers).
    if (notifier->watchdogInterval().count() > 0)
      impl_->control->post([this, notifier] {
        impl_->control->runEvery(std::chrono::milliseconds(100),
                                 [notifier] { notifier->watchdogTick(); });
      });
  }
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      if (notifier != nullptr) notifier->reloading();
      auto r = reload();
      if (notifier != nullptr)
        notifier->ready(r ? "ccsec gateway reloaded"
                          : "ccsec gateway reload failed, old certificates kept");
      if (r)
        gatewayLog().warn("reloaded certificates, CA and CRL");
      else
        gatewayLog().error("{}", r.error().message);
      continue;
    }
    if (notifier != nullptr) notifier->stopping();
    gatewayLog().warn("draining (signal {})", sig);
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
