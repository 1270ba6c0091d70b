#pragma once
// Test-only GED-188 frame builder (big-endian, v24 layouts as checked by gateway/ged188.cc).
// Used by the unit tests, the end-to-end simulator and the fuzzer seed generator.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ccsec::gateway::testing {

class FrameBuilder {
 public:
  explicit FrameBuilder(std::uint32_t type) : type_(type) {}
  FrameBuilder& u32(std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) body_.push_back(static_cast<std::uint8_t>(v >> s));
    return *this;
  }
  FrameBuilder& u16(std::uint16_t v) {
    body_.push_back(static_cast<std::uint8_t>(v >> 8));
    body_.push_back(static_cast<std::uint8_t>(v));
    return *this;
  }
  FrameBuilder& zeros(std::size_t n) {
    body_.insert(body_.end(), n, 0);
    return *this;
  }
  /// Floating field; STRING fields carry their NUL terminator.
  FrameBuilder& field(std::uint16_t tag, std::string_view value, bool nul = true) {
    u16(tag);
    u16(static_cast<std::uint16_t>(value.size() + (nul ? 1 : 0)));
    body_.insert(body_.end(), value.begin(), value.end());
    if (nul) body_.push_back(0);
    return *this;
  }
  std::vector<std::uint8_t> bytes() const {
    std::vector<std::uint8_t> out;
    auto len = static_cast<std::uint32_t>(body_.size());
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(len >> s));
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(type_ >> s));
    out.insert(out.end(), body_.begin(), body_.end());
    return out;
  }

 private:
  std::uint32_t type_;
  std::vector<std::uint8_t> body_;
};

inline std::vector<std::uint8_t> openReq(std::string_view client_id, std::string_view password) {
  return FrameBuilder(3)
      .u32(1)
      .u32(24)
      .u32(60)
      .u32(0xFFFFFFFF)
      .u32(0x10)
      .u32(0xFFFFFFFF)
      .u32(0)
      .u32(0)
      .u32(0)
      .u32(0)
      .u32(0)
      .field(1, client_id)
      .field(2, password, false)
      .bytes();
}
inline std::vector<std::uint8_t> openConf() {
  return FrameBuilder(4)
      .u32(1)
      .u32(0x10)
      .u32(0)
      .u32(0)
      .u32(1700000000)
      .u16(1)
      .u16(17)
      .u16(0)
      .bytes();
}
inline std::vector<std::uint8_t> heartbeatReq(std::uint32_t id) {
  return FrameBuilder(5).u32(id).bytes();
}
inline std::vector<std::uint8_t> heartbeatConf(std::uint32_t id) {
  return FrameBuilder(6).u32(id).bytes();
}
inline std::vector<std::uint8_t> closeReq() { return FrameBuilder(7).u32(9).u32(0).bytes(); }
inline std::vector<std::uint8_t> closeConf() { return FrameBuilder(8).u32(9).bytes(); }
/// CALL_DELIVERED_EVENT with ANI (8), DNIS (10), CED (12), CallVariable1 (13), an ECC variable.
inline std::vector<std::uint8_t> callDelivered(std::string_view ani, std::string_view ced,
                                               std::string_view cv1, std::string_view ecc_value) {
  std::string ecc = std::string("user.card") + '\0' + std::string(ecc_value);
  return FrameBuilder(9)
      .u32(1)
      .u32(5000)
      .u16(17)
      .u16(0)
      .u32(42)
      .u16(0)
      .u16(0)
      .u32(1)
      .u32(2)
      .u32(3)
      .u32(4)
      .u16(0)
      .u16(0)
      .u16(0)
      .u16(0)
      .u16(0)
      .u16(0)
      .u16(0)
      .u16(1)
      .u16(0)
      .field(8, ani)
      .field(10, "8005551000")
      .field(12, ced)
      .field(13, cv1)
      .field(82, ecc)
      .bytes();
}
/// CALL_DATA_UPDATE_EVENT with CallVariable2 (14) and the customer account number (96).
inline std::vector<std::uint8_t> callDataUpdate(std::string_view cv2, std::string_view account) {
  return FrameBuilder(25)
      .u32(1)
      .u32(5000)
      .u16(17)
      .u16(1)
      .u16(0)
      .u16(0)
      .u16(1)
      .u16(0)
      .u32(42)
      .u16(0)
      .u32(0)
      .u16(0)
      .u32(0)
      .u32(0)
      .field(14, cv2)
      .field(96, account)
      .bytes();
}

}  // namespace ccsec::gateway::testing
