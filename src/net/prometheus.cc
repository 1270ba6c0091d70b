#include "net/prometheus.h"

#include <cassert>
#include <charconv>
#include <cmath>

namespace ccsec::net {

namespace {

[[maybe_unused]] bool validName(std::string_view n) {
  if (n.empty()) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void escape(std::string& out, std::string_view v, bool quotes) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (quotes && c == '"')
      out += "\\\"";
    else
      out += c;
  }
}

const char* typeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kUntyped:
      break;
  }
  return "untyped";
}

template <class T>
void number(std::string& out, T v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, ec == std::errc() ? end : buf);
}

}  // namespace

PromWriter& PromWriter::family(std::string_view name, MetricType type, std::string_view help) {
  assert(validName(name));
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  escape(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += typeName(type);
  out_ += '\n';
  return *this;
}

void PromWriter::head(std::string_view name, Labels labels) {
  assert(validName(name));
  out_ += name;
  if (labels.size() != 0) {
    out_ += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      assert(validName(k));
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      escape(out_, v, true);
      out_ += '"';
    }
    out_ += '}';
  }
  out_ += ' ';
}

PromWriter& PromWriter::sample(std::string_view name, Labels labels, std::uint64_t value) {
  head(name, labels);
  number(out_, value);
  out_ += '\n';
  return *this;
}

PromWriter& PromWriter::sample(std::string_view name, Labels labels, std::int64_t value) {
  head(name, labels);
  number(out_, value);
  out_ += '\n';
  return *this;
}

PromWriter& PromWriter::sample(std::string_view name, Labels labels, double value) {
  head(name, labels);
  if (std::isnan(value))
    out_ += "NaN";
  else if (std::isinf(value))
    out_ += value > 0 ? "+Inf" : "-Inf";
  else
    number(out_, value);
  out_ += '\n';
  return *this;
}

}  // namespace ccsec::net
