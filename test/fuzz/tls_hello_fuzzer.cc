// Fuzzes the probe's reader of a server's first TLS flight (ServerHello, HelloRetryRequest,
// alerts, ServerKeyExchange): hostile bytes from any listener the probe dials. Every prefix is
// read too, as the probe reads the reply as it arrives.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "probe/hello.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace ccsec::probe::hello;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (bool kx : {false, true}) {
    ServerReply r = parseServerReply(in, kx);
    // A decision on a prefix stands once more bytes arrive (the probe stops reading there).
    if (r.kind != ReplyKind::kIncomplete && size > 0) {
      ServerReply p = parseServerReply(in.substr(0, size - 1), kx);
      if (p.kind != ReplyKind::kIncomplete && p.kind != r.kind && r.kind != ReplyKind::kMalformed &&
          p.kind != ReplyKind::kMalformed)
        __builtin_trap();
    }
    (void)groupName(r.group);
    (void)toString(r.kind);
  }
  return 0;
}
