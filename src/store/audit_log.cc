#include "store/audit_log.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace ccsec::store {

AuditLog::AuditLog(std::unique_ptr<AuditStore> store)
    : store_(std::move(store)), writer_([this] { writerLoop(); }) {}

AuditLog::~AuditLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

void AuditLog::submit(AuditEvent event) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(event));
    ++submitted_seq_;
    // The writer waits for the first event of a round, then lingers until the batch is full:
    // only those two moments change what it waits for. Waking it for every event while it
    // lingers costs a context switch each and commits nothing sooner.
    wake = queue_.size() == 1 || queue_.size() == kGroupCommitMax;
  }
  if (wake) cv_.notify_one();
}

void AuditLog::flush() {
  std::unique_lock lock(mu_);
  std::uint64_t target = submitted_seq_;
  ++flush_waiters_;
  cv_.notify_one();  // cut a linger short: someone is waiting for this commit
  done_cv_.wait(lock, [&] { return committed_seq_ >= target || (stopping_ && queue_.empty()); });
  --flush_waiters_;
}

void AuditLog::writerLoop() {
  std::vector<AuditEvent> batch;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) break;
    cv_.wait_for(lock, kGroupCommitLinger, [&] {
      return stopping_ || flush_waiters_ > 0 || queue_.size() >= kGroupCommitMax;
    });
    batch.swap(queue_);
    std::uint64_t seq = submitted_seq_;
    lock.unlock();
    auto r = store_->append(batch);
    lock.lock();
    if (r) {
      committed_.fetch_add(batch.size(), std::memory_order_relaxed);
      committed_seq_ = seq;
      batch.clear();
      done_cv_.notify_all();
    } else {
      failures_.fetch_add(1, std::memory_order_relaxed);
      spdlog::error("audit: {} ({} events kept for retry)", r.error().message, batch.size());
      // Put the batch back in front of newer events and retry after a pause.
      batch.insert(batch.end(), std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.end()));
      queue_.swap(batch);
      batch.clear();
      if (stopping_) break;
      cv_.wait_for(lock, std::chrono::milliseconds(200));
    }
  }
  done_cv_.notify_all();
}

}  // namespace ccsec::store
