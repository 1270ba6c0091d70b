#pragma once
// AuditLog: a background writer in front of an AuditStore. submit() is cheap and thread-safe
// (event-loop threads never wait for a disk); the writer thread commits whatever has queued in
// one transaction (group commit), and an event counts as acknowledged once that commit returned.
// After the first event of a round arrives the writer lingers up to kGroupCommitLinger (or until
// kGroupCommitMax events are queued, or flush()/shutdown asks) so that a burst of events costs one
// fsync instead of one each: at most ~200 commits per second, acknowledgement within a few ms.
// flush() blocks until everything submitted before it is committed. If the store fails, the
// error is logged and the events of that batch are retried on the next round (never dropped
// silently); the failure count is exposed for metrics.

#include <atomic>
#include <chrono>
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
  static constexpr std::chrono::milliseconds kGroupCommitLinger{5};
  static constexpr std::size_t kGroupCommitMax = 512;

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
  int flush_waiters_ = 0;  // flush() calls waiting: the writer commits without lingering
  bool stopping_ = false;
  std::atomic<std::uint64_t> committed_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::thread writer_;
};

}  // namespace ccsec::store
