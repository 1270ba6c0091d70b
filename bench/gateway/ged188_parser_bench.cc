// GED-188 inspection cost in isolation: the frame parser over 64 KiB relay steps of
// CALL_DELIVERED_EVENT frames (ANI, caller-entered digits, a call variable, a named variable),
// as the gateway feeds it, whole frames only and with frames split across steps.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "gateway/ged188.h"
#include "ged188_builder.h"

namespace {

class CountingObserver final : public ccsec::gateway::ged188::FrameObserver {
 public:
  void onFrames(std::uint32_t, std::uint64_t n) override { frames += n; }
  std::uint64_t frames = 0;
};

std::vector<std::uint8_t> stream(std::size_t bytes) {
  auto frame = ccsec::gateway::testing::callDelivered("5551234567", "1234", "cv1", "value");
  std::vector<std::uint8_t> out;
  while (out.size() + frame.size() <= bytes) out.insert(out.end(), frame.begin(), frame.end());
  return out;
}

// step = bytes handed to feed() at a time (65,536 = one relay step; 1,000 splits frames).
void parse(benchmark::State& state) {
  const auto step = static_cast<std::size_t>(state.range(0));
  const auto data = stream(64 * 1024);
  CountingObserver observer;
  ccsec::gateway::ged188::FrameParser parser(&observer);
  for (auto _ : state) {
    for (std::size_t off = 0; off < data.size(); off += step) {
      std::size_t n = std::min(step, data.size() - off);
      if (!parser.feed({data.data() + off, n})) state.SkipWithError("parser rejected the stream");
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(data.size()));
  state.counters["frames/s"] =
      benchmark::Counter(static_cast<double>(observer.frames), benchmark::Counter::kIsRate);
}
BENCHMARK(parse)->Arg(65536)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
