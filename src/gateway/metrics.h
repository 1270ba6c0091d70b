#pragma once
// Gateway counters, exported as Prometheus text (exposition format 0.0.4) on metrics.listen.
// Labels are listener names, handshake results and GED-188 message type names: never field
// values, peer names or addresses. Threading: counters are relaxed atomics, written by every
// worker; render() may run concurrently on any thread (values are a near-consistent snapshot).

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/ged188.h"

namespace ccsec::gateway {

struct ListenerMetrics {
  std::string name;
  std::atomic<std::uint64_t> connections_total{0};
  std::atomic<std::int64_t> connections_active{0};
  std::atomic<std::uint64_t> handshakes_ok{0};
  std::atomic<std::uint64_t> handshakes_failed{0};
  std::atomic<std::uint64_t> handshakes_timeout{0};
  std::atomic<std::uint64_t> handshakes_resumed{0};
  std::atomic<std::uint64_t> rejected_limit{0};  // max_connections or per-peer rate
  std::atomic<std::uint64_t> bytes_from_tls{0};  // plaintext bytes decrypted from the TLS side
  std::atomic<std::uint64_t> bytes_to_tls{0};    // plaintext bytes encrypted to the TLS side
  std::atomic<std::uint64_t> malformed_frames{0};
  std::array<std::atomic<std::uint64_t>, ged188::kTypeBuckets> frames_by_type{};  // by typeBucket()
};

class Metrics {
 public:
  explicit Metrics(const std::vector<std::string>& listener_names);
  ListenerMetrics& listener(std::size_t i) { return *listeners_[i]; }
  std::size_t listenerCount() const { return listeners_.size(); }

  std::atomic<std::uint64_t> reloads_ok{0};
  std::atomic<std::uint64_t> reloads_failed{0};
  std::atomic<std::uint64_t> audit_events{0};
  /// Failed audit store commits (AuditLog::failures(); the events are kept and retried). Set
  /// once before any render().
  std::function<std::uint64_t()> audit_failures;
  /// Audit events acknowledged: their group commit returned (AuditLog::committed()). Set once
  /// before any render().
  std::function<std::uint64_t()> audit_committed;

  std::string render() const;

 private:
  std::vector<std::unique_ptr<ListenerMetrics>> listeners_;
};

}  // namespace ccsec::gateway
