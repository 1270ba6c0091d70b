#pragma once
// Bencode values (the encoding of rtpengine's "ng" control protocol). decode() parses untrusted
// bytes: bounded nesting depth, lengths checked before use, no exceptions; encode() is
// deterministic (dictionary keys sorted bytewise, as bencode requires).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace ccsec::media {

class BValue {
 public:
  enum class Type : std::uint8_t { kString, kInteger, kList, kDict };
  using List = std::vector<BValue>;
  using Dict = std::map<std::string, BValue, std::less<>>;

  BValue() = default;
  BValue(std::string s) : type_(Type::kString), str_(std::move(s)) {}  // NOLINT
  BValue(const char* s) : type_(Type::kString), str_(s) {}             // NOLINT
  BValue(std::int64_t i) : type_(Type::kInteger), int_(i) {}           // NOLINT
  BValue(List l) : type_(Type::kList), list_(std::move(l)) {}          // NOLINT
  BValue(Dict d) : type_(Type::kDict), dict_(std::move(d)) {}          // NOLINT

  Type type() const { return type_; }
  bool isString() const { return type_ == Type::kString; }
  bool isInteger() const { return type_ == Type::kInteger; }
  bool isList() const { return type_ == Type::kList; }
  bool isDict() const { return type_ == Type::kDict; }
  const std::string& str() const { return str_; }
  std::int64_t integer() const { return int_; }
  const List& list() const { return list_; }
  List& list() { return list_; }
  const Dict& dict() const { return dict_; }
  Dict& dict() { return dict_; }

  /// Dictionary lookup; nullptr if not a dict or key absent.
  const BValue* find(std::string_view key) const;
  /// String value of a dict key ("" if absent or not a string).
  std::string_view getString(std::string_view key) const;
  BValue& operator[](const std::string& key) { return dict_[key]; }

 private:
  Type type_ = Type::kString;
  std::string str_;
  std::int64_t int_ = 0;
  List list_;
  Dict dict_;
};

inline constexpr int kMaxBencodeDepth = 32;

/// Decodes exactly one value spanning all of `in`.
core::Result<BValue> bdecode(std::string_view in);
std::string bencode(const BValue& v);

}  // namespace ccsec::media
