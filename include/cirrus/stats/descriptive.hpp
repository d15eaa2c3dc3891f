// cirrus/stats/descriptive.hpp: the summary of one sample that tables and
// trajectory plots show: mean with its t-based confidence interval, standard
// deviation, and the median and quartiles as R's quantile() (type 7) gives them.
//
// Example:
//   SampleSummary s = Summarise(albumin);
//   print(*s.median, *s.q1, *s.q3);
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace cirrus::stats {

struct SampleSummary {
  std::size_t n = 0;
  std::optional<double> mean;    ///< absent for an empty sample
  std::optional<double> sd;      ///< n - 1 denominator; absent below 2 values
  std::optional<double> median;  ///< absent for an empty sample
  std::optional<double> q1, q3;  ///< R's quantile(type = 7)
  /// mean -+ t(1 - (1 - level) / 2, n - 1) sd / sqrt(n), as t.test; absent below 2 values.
  std::optional<double> mean_lower, mean_upper;
};

/// Values must be finite (non-finite values are a bug of the caller).
SampleSummary Summarise(std::span<const double> values, double level = 0.95);

/// R's quantile(values, p, type = 7) of values sorted ascending; p in [0, 1].
double SortedQuantile(std::span<const double> sorted, double p);

}  // namespace cirrus::stats
