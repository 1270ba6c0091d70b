#include "media/bencode.h"

#include <charconv>

namespace ccsec::media {

const BValue* BValue::find(std::string_view key) const {
  if (type_ != Type::kDict) return nullptr;
  auto it = dict_.find(key);
  return it == dict_.end() ? nullptr : &it->second;
}

std::string_view BValue::getString(std::string_view key) const {
  const BValue* v = find(key);
  return v && v->isString() ? std::string_view(v->str()) : std::string_view();
}

namespace {

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  bool value(BValue& out, int depth) {
    if (depth > kMaxBencodeDepth || pos_ >= in_.size()) return fail("truncated or too deep");
    const char c = in_[pos_];
    if (c == 'i') {
      ++pos_;
      std::int64_t v = 0;
      if (!number('e', v)) return false;
      out = BValue(v);
      return true;
    }
    if (c == 'l') {
      ++pos_;
      BValue::List list;
      while (true) {
        if (pos_ >= in_.size()) return fail("unterminated list");
        if (in_[pos_] == 'e') {
          ++pos_;
          break;
        }
        BValue item;
        if (!value(item, depth + 1)) return false;
        list.push_back(std::move(item));
      }
      out = BValue(std::move(list));
      return true;
    }
    if (c == 'd') {
      ++pos_;
      BValue::Dict dict;
      while (true) {
        if (pos_ >= in_.size()) return fail("unterminated dictionary");
        if (in_[pos_] == 'e') {
          ++pos_;
          break;
        }
        std::string key;
        if (!string(key)) return false;
        BValue item;
        if (!value(item, depth + 1)) return false;
        dict.insert_or_assign(std::move(key), std::move(item));
      }
      out = BValue(std::move(dict));
      return true;
    }
    std::string s;
    if (!string(s)) return false;
    out = BValue(std::move(s));
    return true;
  }

  bool string(std::string& out) {
    std::int64_t len = 0;
    if (pos_ >= in_.size() || in_[pos_] < '0' || in_[pos_] > '9') return fail("expected string");
    if (!number(':', len)) return false;
    if (len < 0 || static_cast<std::uint64_t>(len) > in_.size() - pos_)
      return fail("string length beyond end of message");
    out.assign(in_.substr(pos_, static_cast<std::size_t>(len)));
    pos_ += static_cast<std::size_t>(len);
    return true;
  }

  bool number(char terminator, std::int64_t& out) {
    const std::size_t end = in_.find(terminator, pos_);
    if (end == std::string_view::npos || end == pos_ || end - pos_ > 20)
      return fail("malformed integer");
    const char* first = in_.data() + pos_;
    const char* last = in_.data() + end;
    auto [p, ec] = std::from_chars(first, last, out);
    if (ec != std::errc() || p != last) return fail("malformed integer");
    pos_ = end + 1;
    return true;
  }

  bool fail(const char* why) {
    if (error_.empty()) error_ = std::string(why) + " at offset " + std::to_string(pos_);
    return false;
  }

  std::size_t pos() const { return pos_; }
  const std::string& error() const { return error_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  std::string error_;
};

void encodeTo(const BValue& v, std::string& out) {
  switch (v.type()) {
    case BValue::Type::kString:
      out += std::to_string(v.str().size());
      out += ':';
      out += v.str();
      break;
    case BValue::Type::kInteger:
      out += 'i';
      out += std::to_string(v.integer());
      out += 'e';
      break;
    case BValue::Type::kList:
      out += 'l';
      for (const auto& i : v.list()) encodeTo(i, out);
      out += 'e';
      break;
    case BValue::Type::kDict:
      out += 'd';
      for (const auto& [k, i] : v.dict()) {
        out += std::to_string(k.size());
        out += ':';
        out += k;
        encodeTo(i, out);
      }
      out += 'e';
      break;
  }
}

}  // namespace

core::Result<BValue> bdecode(std::string_view in) {
  Decoder d(in);
  BValue v;
  if (!d.value(v, 0)) return core::makeError("bencode: " + d.error());
  if (d.pos() != in.size()) return core::makeError("bencode: trailing bytes after value");
  return v;
}

std::string bencode(const BValue& v) {
  std::string out;
  encodeTo(v, out);
  return out;
}

}  // namespace ccsec::media
