#pragma once
// AuditLog: a background writer in front of an AuditStore. submit() is cheap and thread-safe
// (event-loop threads never wait for a disk); the writer thread commits whatever has queued in
// one transaction (group commit), and an event counts as acknowledged once that commit returned.
// flush() blocks until everything submitted before it is committed. If the store fails, the
// error is logged and the events of that batch are retried on the next round (never dropped
// silently); the failure count is exposed for metrics.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/audit_store.h"

namespace ccsec::store {

class AuditLog {
 public:
  explicit AuditLog(std::unique_ptr<AuditStore> store);
  ~AuditLog();  // flushes and joins the writer
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  void submit(AuditEvent event);
  void flush();
  std::uint64_t committed() const { return committed_.load(std::memory_order_relaxed); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  AuditStore& store() { return *store_; }

 private:
  void writerLoop();

  std::unique_ptr<AuditStore> store_;
  std::mutex mu_;
  std::condition_variable cv_;       // wakes the writer
  std::condition_variable done_cv_;  // wakes flush()
  std::vector<AuditEvent> queue_;
  std::uint64_t submitted_seq_ = 0;
  std::uint64_t committed_seq_ = 0;
  bool stopping_ = false;
  std::atomic<std::uint64_t> committed_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::thread writer_;
};

}  // namespace ccsec::store
