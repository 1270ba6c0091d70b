#pragma once
// Internal to the gateway module: what the lifecycle (gateway.cc), the workers (worker.h) and the
// connections (connection.h) share: relay constants, listener state, the buffer pools and the
// audit sink. Not part of the module's interface.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/log.h"
#include "gateway/config.h"
#include "gateway/metrics.h"
#include "net/socket.h"
#include "store/audit_log.h"
#include "tls/context.h"

namespace ccsec::gateway {

/// The gateway's component logger ("component": "gateway" in JSON, CCSEC_COMPONENT in journald).
inline spdlog::logger& gatewayLog() {
  static const std::shared_ptr<spdlog::logger> log = core::logger("gateway");
  return *log;
}

using Clock = std::chrono::steady_clock;
// One relay step moves up to kBatchSize bytes: several TLS records (at most 16 KiB of plaintext
// each) decrypted into one buffer and written with one write(), so a bulk stream costs a quarter
// of the syscalls and socket wake-ups of a record-at-a-time relay.
inline constexpr std::size_t kBatchSize = 64 * 1024;
inline constexpr std::size_t kRecordPlain = 16 * 1024;  // TLS maximum plaintext per record
inline constexpr int kPumpBudget =
    16;  // relay steps per wake-up per direction before yielding (1 MiB)
inline constexpr std::size_t kPooledBlocks = 64;  // free blocks a pool keeps
inline constexpr std::size_t kAcceptBurst = 64;   // accepts per listener wake-up

struct ListenerState {
  std::size_t index = 0;
  ListenerConfig config;
  std::unique_ptr<tls::ContextHolder> holder;
  net::Endpoint bound;  // actual address (port resolved)
};

// Buffers: per-worker free lists of fixed-size blocks: kBatchSize blocks taken only while a
// receiver lags, kMaxFrame blocks only while a GED-188 frame is incomplete. One thread.
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
    if (free_.size() < kPooledBlocks)
      free_.push_back(b);
    else
      delete[] b;
  }
  ~BufferPool() {
    for (auto* b : free_) delete[] b;
  }

 private:
  std::size_t block_;
  std::vector<std::uint8_t*> free_;
};

/// Writes audit events (and counts them). Thread-safe.
class AuditSink {
 public:
  AuditSink(Metrics& metrics, store::AuditLog& log) : metrics_(metrics), log_(log) {}
  /// `l` null: a gateway-wide event (source "gateway").
  void emit(const ListenerState* l, std::string kind, std::string peer, std::string identity,
            std::string reason, std::string detail = {}) const;

 private:
  Metrics& metrics_;
  store::AuditLog& log_;
};

}  // namespace ccsec::gateway
