// Fuzzes the incremental GED-188 frame parser: the input is fed whole and again in chunks whose
// sizes come from the first byte, and both runs must agree (chunking never changes the verdict,
// nor where the last complete frame ends: partialBytes()).
#include <cstdint>
#include <cstdlib>
#include <span>

#include "gateway/ged188.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  ccsec::gateway::ged188::FrameParser whole;
  bool ok_whole = whole.feed(in);
  ccsec::gateway::ged188::FrameParser chunked;
  std::size_t step = size > 0 ? (data[0] % 13) + 1 : 1;
  bool ok_chunked = true;
  for (std::size_t i = 0; i < size && ok_chunked; i += step)
    ok_chunked = chunked.feed(in.subspan(i, std::min(step, size - i)));
  if (ok_whole != ok_chunked || whole.frames() != chunked.frames() ||
      whole.clientId() != chunked.clientId())
    std::abort();
  if (ok_whole && (whole.partialBytes() != chunked.partialBytes() || whole.partialBytes() > size ||
                   (whole.partialBytes() == 0) != whole.atFrameBoundary()))
    std::abort();
  return 0;
}
