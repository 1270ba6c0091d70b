#include "gateway/metrics.h"

#include <fmt/format.h>

#include "gateway/ged188.h"

namespace ccsec::gateway {

Metrics::Metrics(const std::vector<std::string>& listener_names) {
  for (const auto& n : listener_names) {
    auto m = std::make_unique<ListenerMetrics>();
    m->name = n;
    listeners_.push_back(std::move(m));
  }
}

std::string Metrics::render() const {
  std::string out;
  auto counter = [&out](const char* name, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", name, help, name);
  };
  auto ld = [](std::uint64_t v) { return v; };
  counter("ccsec_gateway_connections_total", "Connections accepted.");
  for (const auto& l : listeners_)
    out += fmt::format("ccsec_gateway_connections_total{{listener=\"{}\"}} {}\n", l->name, ld(l->connections_total.load()));
  out += "# HELP ccsec_gateway_connections_active Connections open now.\n# TYPE ccsec_gateway_connections_active gauge\n";
  for (const auto& l : listeners_)
    out += fmt::format("ccsec_gateway_connections_active{{listener=\"{}\"}} {}\n", l->name, l->connections_active.load());
  counter("ccsec_gateway_handshakes_total", "TLS handshakes by result.");
  for (const auto& l : listeners_) {
    out += fmt::format("ccsec_gateway_handshakes_total{{listener=\"{}\",result=\"ok\"}} {}\n", l->name, ld(l->handshakes_ok.load()));
    out += fmt::format("ccsec_gateway_handshakes_total{{listener=\"{}\",result=\"failed\"}} {}\n", l->name, ld(l->handshakes_failed.load()));
    out += fmt::format("ccsec_gateway_handshakes_total{{listener=\"{}\",result=\"timeout\"}} {}\n", l->name, ld(l->handshakes_timeout.load()));
  }
  counter("ccsec_gateway_handshakes_resumed_total", "Successful handshakes that resumed a session.");
  for (const auto& l : listeners_)
    out += fmt::format("ccsec_gateway_handshakes_resumed_total{{listener=\"{}\"}} {}\n", l->name, ld(l->handshakes_resumed.load()));
  counter("ccsec_gateway_rejected_total", "Connections refused by limits (max_connections, per-peer rate).");
  for (const auto& l : listeners_)
    out += fmt::format("ccsec_gateway_rejected_total{{listener=\"{}\"}} {}\n", l->name, ld(l->rejected_limit.load()));
  counter("ccsec_gateway_bytes_total", "Plaintext bytes relayed, by direction.");
  for (const auto& l : listeners_) {
    out += fmt::format("ccsec_gateway_bytes_total{{listener=\"{}\",direction=\"from_tls\"}} {}\n", l->name, ld(l->bytes_from_tls.load()));
    out += fmt::format("ccsec_gateway_bytes_total{{listener=\"{}\",direction=\"to_tls\"}} {}\n", l->name, ld(l->bytes_to_tls.load()));
  }
  counter("ccsec_gateway_frames_total", "GED-188 frames relayed, by message type.");
  for (const auto& l : listeners_) {
    for (std::size_t b = 0; b < l->frames_by_type.size(); ++b) {
      auto v = l->frames_by_type[b].load();
      if (v != 0)
        out += fmt::format("ccsec_gateway_frames_total{{listener=\"{}\",type=\"{}\"}} {}\n", l->name,
                           ged188::bucketName(b), v);
    }
  }
  counter("ccsec_gateway_malformed_frames_total", "GED-188 streams closed on a malformed frame.");
  for (const auto& l : listeners_)
    out += fmt::format("ccsec_gateway_malformed_frames_total{{listener=\"{}\"}} {}\n", l->name, ld(l->malformed_frames.load()));
  counter("ccsec_gateway_reloads_total", "Certificate/CA/CRL reloads by result.");
  out += fmt::format("ccsec_gateway_reloads_total{{result=\"ok\"}} {}\n", reloads_ok.load());
  out += fmt::format("ccsec_gateway_reloads_total{{result=\"failed\"}} {}\n", reloads_failed.load());
  counter("ccsec_gateway_audit_events_total", "Audit events submitted to the store.");
  out += fmt::format("ccsec_gateway_audit_events_total {}\n", audit_events.load());
  counter("ccsec_gateway_audit_failures_total",
          "Audit store commits that failed (their events are kept and retried; see the log).");
  out += fmt::format("ccsec_gateway_audit_failures_total {}\n", audit_failures ? audit_failures() : 0);
  return out;
}

}  // namespace ccsec::gateway
