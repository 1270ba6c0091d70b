#include "gateway/metrics.h"

#include "gateway/ged188.h"
#include "net/prometheus.h"

namespace ccsec::gateway {

Metrics::Metrics(const std::vector<std::string>& listener_names) {
  for (const auto& n : listener_names) {
    auto m = std::make_unique<ListenerMetrics>();
    m->name = n;
    listeners_.push_back(std::move(m));
  }
}

std::string Metrics::render() const {
  using net::MetricType;
  net::PromWriter w;
  // One family with one sample per listener.
  auto per_listener = [&](const char* name, MetricType type, const char* help, auto value) {
    w.family(name, type, help);
    for (const auto& l : listeners_) w.sample(name, {{"listener", l->name}}, value(*l));
  };
  auto u = [](const std::atomic<std::uint64_t>& a) { return a.load(); };
  per_listener("ccsec_gateway_connections_total", MetricType::kCounter, "Connections accepted.",
               [&](const ListenerMetrics& l) { return u(l.connections_total); });
  per_listener("ccsec_gateway_connections_active", MetricType::kGauge, "Connections open now.",
               [](const ListenerMetrics& l) { return l.connections_active.load(); });
  w.family("ccsec_gateway_handshakes_total", MetricType::kCounter, "TLS handshakes by result.");
  for (const auto& l : listeners_) {
    w.sample("ccsec_gateway_handshakes_total", {{"listener", l->name}, {"result", "ok"}},
             u(l->handshakes_ok));
    w.sample("ccsec_gateway_handshakes_total", {{"listener", l->name}, {"result", "failed"}},
             u(l->handshakes_failed));
    w.sample("ccsec_gateway_handshakes_total", {{"listener", l->name}, {"result", "timeout"}},
             u(l->handshakes_timeout));
  }
  per_listener("ccsec_gateway_handshakes_resumed_total", MetricType::kCounter,
               "Successful handshakes that resumed a session.",
               [&](const ListenerMetrics& l) { return u(l.handshakes_resumed); });
  per_listener("ccsec_gateway_rejected_total", MetricType::kCounter,
               "Connections refused by limits (max_connections, per-peer rate).",
               [&](const ListenerMetrics& l) { return u(l.rejected_limit); });
  w.family("ccsec_gateway_bytes_total", MetricType::kCounter,
           "Plaintext bytes relayed, by direction.");
  for (const auto& l : listeners_) {
    w.sample("ccsec_gateway_bytes_total", {{"listener", l->name}, {"direction", "from_tls"}},
             u(l->bytes_from_tls));
    w.sample("ccsec_gateway_bytes_total", {{"listener", l->name}, {"direction", "to_tls"}},
             u(l->bytes_to_tls));
  }
  w.family("ccsec_gateway_frames_total", MetricType::kCounter,
           "GED-188 frames relayed, by message type (known types; everything else is 'other').");
  for (const auto& l : listeners_)
    for (std::size_t b = 0; b < l->frames_by_type.size(); ++b)
      if (auto v = l->frames_by_type[b].load(); v != 0)
        w.sample("ccsec_gateway_frames_total",
                 {{"listener", l->name}, {"type", ged188::bucketName(b)}}, v);
  per_listener("ccsec_gateway_malformed_frames_total", MetricType::kCounter,
               "GED-188 streams closed on a malformed frame.",
               [&](const ListenerMetrics& l) { return u(l.malformed_frames); });
  w.family("ccsec_gateway_reloads_total", MetricType::kCounter,
           "Certificate/CA/CRL reloads by result.")
      .sample("ccsec_gateway_reloads_total", {{"result", "ok"}}, reloads_ok.load())
      .sample("ccsec_gateway_reloads_total", {{"result", "failed"}}, reloads_failed.load());
  w.single("ccsec_gateway_audit_events_total", MetricType::kCounter,
           "Audit events submitted to the store.", audit_events.load());
  w.single("ccsec_gateway_audit_committed_total", MetricType::kCounter,
           "Audit events acknowledged (committed to the store; they survive kill -9).",
           audit_committed ? audit_committed() : 0);
  w.single("ccsec_gateway_audit_failures_total", MetricType::kCounter,
           "Audit store commits that failed (their events are kept and retried; see the log).",
           audit_failures ? audit_failures() : 0);
  return w.take();
}

}  // namespace ccsec::gateway
