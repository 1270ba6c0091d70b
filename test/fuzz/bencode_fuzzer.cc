// Fuzzes the ng bencode decoder and the ng command path that follows it (without a relay).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "media/bencode.h"
#include "media/ng.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto v = ccsec::media::bdecode(in);
  if (v.ok()) {
    const std::string again = ccsec::media::bencode(*v);
    auto w = ccsec::media::bdecode(again);
    if (!w.ok() || ccsec::media::bencode(*w) != again) __builtin_trap();
    if (v->isDict()) (void)ccsec::media::signalRequestFrom(*v);
  }
  return 0;
}
