#pragma once
// A block of fixed UDP/TCP port numbers that no other test process uses at the same time.
//
// ctest runs the discovered tests of one binary as separate processes, two or more at once. Tests
// that give a relay a fixed port range must not share it with a concurrent process: a datagram
// one test sends to a port it has just released (to prove the port is closed) lands on the
// socket the other process has just bound to the same number, and a media leg latches onto that
// foreign source for good (symmetric RTP). A PortBlock holds an exclusive flock(2) on a lock file
// per block for its lifetime; the kernel drops the lock when the process dies, however it dies.
// Two PortBlocks in one process also exclude each other (flock is per open file description).
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>

namespace ccsec::testing {

class PortBlock {
 public:
  /// Takes one of `count` blocks of `size` ports starting at `first` (block k is
  /// [first + k*size, first + (k+1)*size)); waits up to `wait` while every block is held.
  /// ok() is false when none became free.
  PortBlock(std::uint16_t first, unsigned size, unsigned count,
            std::chrono::milliseconds wait = std::chrono::seconds(120))
      : size_(size) {
    const auto end = std::chrono::steady_clock::now() + wait;
    for (;;) {
      for (unsigned k = 0; k < count; ++k) {
        const auto path = std::filesystem::temp_directory_path() /
                          ("ccsec-ports-" + std::to_string(first) + "-" + std::to_string(size) +
                           "-" + std::to_string(k) + ".lock");
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0) continue;
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
          fd_ = fd;
          first_ = static_cast<std::uint16_t>(first + k * size);
          return;
        }
        ::close(fd);
      }
      if (std::chrono::steady_clock::now() >= end) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ~PortBlock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  PortBlock(const PortBlock&) = delete;
  PortBlock& operator=(const PortBlock&) = delete;

  bool ok() const { return fd_ >= 0; }
  /// The block's first port; first() + size - 1 is its last.
  std::uint16_t first() const { return first_; }
  std::uint16_t last() const { return static_cast<std::uint16_t>(first_ + size_ - 1U); }

 private:
  int fd_ = -1;
  std::uint16_t first_ = 0;
  unsigned size_ = 0;
};

}  // namespace ccsec::testing
