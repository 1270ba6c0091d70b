#pragma once
// One epoll event loop per thread (level-triggered), with timers and a thread-safe post().
//
// Contract: an EventLoop is driven by exactly one thread (the one in run()); every method except
// post() and stop() must be called from that thread. Handlers registered with add() are borrowed:
// the caller keeps them alive until remove() and until the current batch of events is done —
// destroy closed objects with deferDelete()-style callbacks via runAfterBatch(), never inside a
// handler of the same batch. Timers have millisecond resolution (monotonic clock).

#include <sys/epoll.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "net/socket.h"

namespace ccsec::net {

class IoHandler {
 public:
  virtual ~IoHandler() = default;
  /// `events` is an EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP mask.
  virtual void onIo(std::uint32_t events) = 0;
};

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = std::uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Registers fd with an interest mask (EPOLLIN | EPOLLOUT, possibly 0).
  core::Result<void> add(int fd, std::uint32_t events, IoHandler* handler);
  void modify(int fd, std::uint32_t events, IoHandler* handler);
  void remove(int fd);

  TimerId runAfter(std::chrono::milliseconds delay, std::function<void()> fn);
  /// Repeats every `period` until cancelled.
  TimerId runEvery(std::chrono::milliseconds period, std::function<void()> fn);
  void cancel(TimerId id);

  /// Runs `fn` on this loop's thread after the current batch of I/O events. Loop thread only.
  void runAfterBatch(std::function<void()> fn);
  /// Thread-safe: queue `fn` to run on the loop thread (wakes the loop).
  void post(std::function<void()> fn);
  /// Thread-safe: run() returns after the current iteration.
  void stop();

  /// Dispatches until stop(). Returns an error only if epoll itself fails.
  core::Result<void> run();
  Clock::time_point now() const { return Clock::now(); }

 private:
  struct Timer {
    std::function<void()> fn;
    std::chrono::milliseconds period{0};
  };
  void wake();
  void runTimers();
  int nextTimeoutMs() const;

  UniqueFd epoll_;
  UniqueFd wake_fd_;
  std::map<std::pair<Clock::time_point, TimerId>, Timer> timers_;
  std::unordered_map<TimerId, Clock::time_point> timer_index_;
  TimerId next_timer_ = 1;
  std::vector<std::function<void()>> after_batch_;
  std::mutex post_mu_;
  std::vector<std::function<void()>> posted_;
  bool stop_requested_ = false;  // guarded by post_mu_
};

}  // namespace ccsec::net
