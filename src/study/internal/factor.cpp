#include "internal/factor.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "cirrus/base/text.hpp"

namespace cirrus::study::internal {

std::optional<double> AsNumber(std::string_view text) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Distinct values are found with a hash map first, so only they are
// sorted, not a million copies.
Levels Factor(const std::vector<std::string_view>& values) {
  std::unordered_set<std::string_view> distinct(values.begin(), values.end());
  const bool numeric =
      std::all_of(distinct.begin(), distinct.end(), [](std::string_view v) { return AsNumber(v).has_value(); });
  Levels levels;
  std::unordered_map<std::string_view, int> code;
  if (numeric) {
    std::vector<double> numbers;
    for (std::string_view v : distinct) numbers.push_back(*AsNumber(v));
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    for (double x : numbers) levels.labels.push_back(ShortestText(x));
    for (std::string_view v : distinct) {
      const double x = *AsNumber(v);
      code.emplace(v, static_cast<int>(std::lower_bound(numbers.begin(), numbers.end(), x) - numbers.begin()));
    }
  } else {
    std::vector<std::string_view> texts(distinct.begin(), distinct.end());
    std::sort(texts.begin(), texts.end());
    for (std::size_t i = 0; i < texts.size(); ++i) {
      levels.labels.emplace_back(texts[i]);
      code.emplace(texts[i], static_cast<int>(i));
    }
  }
  levels.codes.reserve(values.size());
  for (std::string_view v : values) levels.codes.push_back(code.at(v));
  return levels;
}

}  // namespace cirrus::study::internal
