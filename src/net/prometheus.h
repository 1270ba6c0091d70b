#pragma once
// Prometheus text exposition format 0.0.4 (the format every scraper accepts): one writer for the
// gateway's and the media anchor's /metrics. A family is announced once (# HELP, # TYPE) and
// followed by its samples; label values and help texts are escaped as the format requires
// (backslash, double quote, line feed), so a label value can never break a line. Metric and
// label names are the caller's constants (checked in debug builds against the format's alphabet).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ccsec::net {

enum class MetricType { kCounter, kGauge, kUntyped };

class PromWriter {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  /// "# HELP name help" and "# TYPE name type".
  PromWriter& family(std::string_view name, MetricType type, std::string_view help);
  PromWriter& sample(std::string_view name, Labels labels, std::uint64_t value);
  PromWriter& sample(std::string_view name, Labels labels, std::int64_t value);
  PromWriter& sample(std::string_view name, Labels labels, double value);
  PromWriter& sample(std::string_view name, std::uint64_t value) { return sample(name, {}, value); }
  /// family() plus one unlabelled sample.
  PromWriter& single(std::string_view name, MetricType type, std::string_view help,
                     std::uint64_t value) {
    return family(name, type, help).sample(name, {}, value);
  }

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  void head(std::string_view name, Labels labels);
  std::string out_;
};

}  // namespace ccsec::net
