// One sample's summary; see cirrus/stats/descriptive.hpp.
#include "cirrus/stats/descriptive.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "cirrus/base/check.hpp"
#include "internal/distributions.hpp"

namespace cirrus::stats {

double SortedQuantile(std::span<const double> sorted, double p) {
  CIRRUS_ASSERT(!sorted.empty() && p >= 0 && p <= 1, "a quantile of an empty sample or p outside [0, 1]");
  // Type 7: the (n - 1) p-th order statistic, interpolated linearly.
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

SampleSummary Summarise(std::span<const double> values, double level) {
  SampleSummary s;
  s.n = values.size();
  if (values.empty()) return s;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  s.median = SortedQuantile(sorted, 0.5);
  s.q1 = SortedQuantile(sorted, 0.25);
  s.q3 = SortedQuantile(sorted, 0.75);
  // Two passes (mean, then squared deviations) keep the variance accurate
  // when the values are large and close, as lab values are.
  double sum = 0;
  for (double v : values) sum += v;
  const double mean = sum / static_cast<double>(s.n);
  s.mean = mean;
  if (s.n < 2) return s;
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double sd = std::sqrt(squares / static_cast<double>(s.n - 1));
  s.sd = sd;
  const double t = internal::StudentTQuantile(1 - (1 - level) / 2, static_cast<double>(s.n - 1));
  const double half = t * sd / std::sqrt(static_cast<double>(s.n));
  s.mean_lower = mean - half;
  s.mean_upper = mean + half;
  return s;
}

}  // namespace cirrus::stats
