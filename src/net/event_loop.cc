#include "net/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace ccsec::net {

EventLoop::EventLoop()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)), wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // nullptr marks the wake-up eventfd
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &ev);
}

EventLoop::~EventLoop() = default;

core::Result<void> EventLoop::add(int fd, std::uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
    return core::runtimeError(std::string("epoll_ctl add: ") + std::strerror(errno));
  return {};
}

void EventLoop::modify(int fd, std::uint32_t events, IoHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::remove(int fd) { ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

EventLoop::TimerId EventLoop::runAfter(std::chrono::milliseconds delay, std::function<void()> fn) {
  TimerId id = next_timer_++;
  auto when = Clock::now() + delay;
  timers_.emplace(std::make_pair(when, id), Timer{std::move(fn), std::chrono::milliseconds(0)});
  timer_index_.emplace(id, when);
  return id;
}

EventLoop::TimerId EventLoop::runEvery(std::chrono::milliseconds period, std::function<void()> fn) {
  TimerId id = next_timer_++;
  auto when = Clock::now() + period;
  timers_.emplace(std::make_pair(when, id), Timer{std::move(fn), period});
  timer_index_.emplace(id, when);
  return id;
}

void EventLoop::cancel(TimerId id) {
  auto it = timer_index_.find(id);
  if (it == timer_index_.end()) return;
  timers_.erase(std::make_pair(it->second, id));
  timer_index_.erase(it);
}

void EventLoop::runAfterBatch(std::function<void()> fn) { after_batch_.push_back(std::move(fn)); }

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(post_mu_);
    posted_.push_back(std::move(fn));
  }
  wake();
}

void EventLoop::stop() {
  {
    std::lock_guard lock(post_mu_);
    stop_requested_ = true;
  }
  wake();
}

void EventLoop::wake() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

int EventLoop::nextTimeoutMs() const {
  if (timers_.empty()) return -1;
  auto delta = timers_.begin()->first.first - Clock::now();
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(delta).count();
  if (ms <= 0) return 0;
  return ms > 60000 ? 60000 : static_cast<int>(ms);
}

void EventLoop::runTimers() {
  auto now = Clock::now();
  while (!timers_.empty() && timers_.begin()->first.first <= now) {
    auto node = timers_.extract(timers_.begin());
    TimerId id = node.key().second;
    Timer& t = node.mapped();
    if (t.period.count() > 0) {
      auto when = now + t.period;
      timer_index_[id] = when;
      auto fn = t.fn;  // copy: the callback may cancel its own timer
      node.key() = std::make_pair(when, id);
      timers_.insert(std::move(node));
      fn();
    } else {
      timer_index_.erase(id);
      t.fn();
    }
  }
}

core::Result<void> EventLoop::run() {
  std::array<epoll_event, 256> events{};
  for (;;) {
    std::vector<std::function<void()>> posted;
    {
      std::lock_guard lock(post_mu_);
      if (stop_requested_) {
        stop_requested_ = false;
        return {};
      }
      posted.swap(posted_);
    }
    for (auto& fn : posted) fn();
    int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()),
                         posted.empty() ? nextTimeoutMs() : 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::runtimeError(std::string("epoll_wait: ") + std::strerror(errno));
    }
    for (int i = 0; i < n; ++i) {
      auto& ev = events[static_cast<std::size_t>(i)];
      if (ev.data.ptr == nullptr) {
        std::uint64_t v = 0;
        [[maybe_unused]] auto r = ::read(wake_fd_.get(), &v, sizeof v);
        continue;
      }
      static_cast<IoHandler*>(ev.data.ptr)->onIo(ev.events);
    }
    runTimers();
    while (!after_batch_.empty()) {
      auto batch = std::move(after_batch_);
      after_batch_.clear();
      for (auto& fn : batch) fn();
    }
  }
}

}  // namespace ccsec::net
