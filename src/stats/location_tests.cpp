#include "cirrus/stats/location_tests.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/check.hpp"
#include "cirrus/base/text.hpp"
#include "internal/distributions.hpp"

namespace cirrus::stats {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

// R's exact signed-rank p is used below 50 non-zero differences
// (wilcox.test: exact <- n < 50), so the counts need rank sums up to
// 49 x 50 / 2 = 1225 and stay below 2^49: exact in a double.
constexpr std::size_t kExactLimit = 50;

Status CheckLevel(std::string_view function, double level) {
  if (!(level > 0 && level < 1)) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(function) + ": level is " + ShortestText(level) + ", must lie in (0, 1)", "level");
  }
  return {};
}

Status CheckFinite(std::string_view function, std::string_view name, std::span<const double> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(function) + ": " + std::string(name) + "[" + std::to_string(i) + "] is " +
                      ShortestText(values[i]) + ", must be finite",
                  std::string(name));
    }
  }
  return {};
}

// The power of two that brings the largest |value| into [1, 2) when it lies
// so far from 1 that squares of the deviations, or se^4 in Welch's df, could
// overflow or underflow; 1 otherwise, so that data of ordinary size get R's
// arithmetic to the last bit. A power of two scales without rounding, and t,
// df and p do not depend on the scale.
double ScaleFor(std::span<const double> x, std::span<const double> y) {
  constexpr double kLargest = 0x1p200;
  constexpr double kSmallest = 0x1p-200;
  double largest = 0;
  for (const double v : x) largest = std::max(largest, std::fabs(v));
  for (const double v : y) largest = std::max(largest, std::fabs(v));
  if (largest == 0 || (largest >= kSmallest && largest <= kLargest)) return 1.0;
  return std::ldexp(1.0, -std::ilogb(largest));
}

// R's mean() and var() of scale * values. The mean is two-pass with a long
// double accumulator (summary.c: s = sum / n, then s += sum(x - s) / n); var
// takes that mean rounded to double and sums the squared deviations in long
// double (cov.c), dividing by n - 1.
struct Moments {
  double mean = 0;
  double variance = 0;
};

Moments MomentsOf(std::span<const double> values, double scale) {
  const auto n = static_cast<long double>(values.size());
  long double sum = 0;
  for (const double v : values) sum += v * scale;
  long double mean = sum / n;
  long double correction = 0;
  for (const double v : values) correction += v * scale - mean;
  mean += correction / n;
  Moments out;
  out.mean = static_cast<double>(mean);
  const long double rounded_mean = out.mean;
  long double squares = 0;
  for (const double v : values) {
    const long double deviation = v * scale - rounded_mean;
    squares += deviation * deviation;
  }
  out.variance = static_cast<double>(squares / (n - 1));
  return out;
}

// R's two-sided p and interval from t.test.default, on scaled data: p =
// 2 pt(-|t|, df), q = qt(1 - alpha/2, df), interval (t -+ q) se. Leaves t, p
// and the interval absent when se is negligible against `magnitude` (R:
// stderr < 10 eps max |mean|, "data are essentially constant") or 0.
void FillT(TTestResult& out, double difference, double se, double magnitude, double level, double scale) {
  if (!(se > 0) || se < 10 * kEpsilon * magnitude) return;
  const double t = difference / se;
  const double alpha = 1 - level;
  const double q = internal::StudentTQuantile(1 - alpha / 2, out.df);
  out.t = t;
  out.p = internal::StudentTTwoSided(t, out.df);
  out.lower = (t - q) * se / scale;
  out.upper = (t + q) * se / scale;
}

// Welch-Satterthwaite df as R writes it, stderr^4 / (stderrx^4 / (nx - 1) +
// stderry^4 / (ny - 1)), where stderr^4 is a normal double; otherwise the
// same ratio divided through by stderr^4 first, which cannot underflow.
double WelchDf(double se_x, double se_y, double se, double nx, double ny) {
  const double se4 = std::pow(se, 4.0);
  if (std::isnormal(se4)) return se4 / (std::pow(se_x, 4.0) / (nx - 1) + std::pow(se_y, 4.0) / (ny - 1));
  if (!(se > 0)) return 0;
  return 1 / (std::pow(se_x / se, 4.0) / (nx - 1) + std::pow(se_y / se, 4.0) / (ny - 1));
}

// The number of subsets of {1, ..., n} with each rank sum 0 .. n(n+1)/2: the
// exact null distribution of V times 2^n. Adding rank j to the subsets of
// {1, ..., j - 1} shifts their sums by j (a knapsack count, downwards so
// each rank is used once).
std::vector<double> SignedRankCounts(std::size_t n) {
  const std::size_t total = n * (n + 1) / 2;
  std::vector<double> counts(total + 1, 0.0);
  counts[0] = 1;
  for (std::size_t j = 1; j <= n; ++j) {
    for (std::size_t s = j * (j + 1) / 2; s >= j; --s) counts[s] += counts[s - j];
  }
  return counts;
}

// R's psignrank(x, n, lower.tail) for an integer x, summed as
// nmath/signrank.c does: from the nearer end of the distribution, each count
// times exp(-n log 2), and 1 - p only when the requested tail is the far one.
double SignedRankCdf(const std::vector<double>& counts, double x, std::size_t n, bool lower_tail) {
  const double nd = static_cast<double>(n);
  if (x < 0) return lower_tail ? 0.0 : 1.0;
  if (x >= nd * (nd + 1) / 2) return lower_tail ? 1.0 : 0.0;
  const double f = std::exp(-nd * std::numbers::ln2);
  double p = 0;
  if (x <= nd * (nd + 1) / 4) {
    for (std::size_t i = 0; static_cast<double>(i) <= x; ++i) p += counts[i] * f;
  } else {
    const double upper = nd * (nd + 1) / 2 - x;
    for (std::size_t i = 0; static_cast<double>(i) < upper; ++i) p += counts[i] * f;
    lower_tail = !lower_tail;
  }
  return lower_tail ? p : 0.5 - p + 0.5;
}

}  // namespace

Result<TTestResult> PairedTTest(std::span<const double> x, std::span<const double> y, double level) {
  constexpr std::string_view kFunction = "stats::PairedTTest";
  if (x.size() != y.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": x has " + std::to_string(x.size()) + " values and y " +
                    std::to_string(y.size()) + "; paired samples must have the same size",
                "y");
  }
  if (x.size() < 2) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kFunction) + ": " + std::to_string(x.size()) + " pairs, needs at least 2", "x");
  }
  CIRRUS_RETURN_IF_ERROR(CheckFinite(kFunction, "x", x));
  CIRRUS_RETURN_IF_ERROR(CheckFinite(kFunction, "y", y));
  CIRRUS_RETURN_IF_ERROR(CheckLevel(kFunction, level));

  // R: x - y in double. Two finite values can differ by more than the
  // largest double; then both are halved first (exact at that size) and the
  // factor goes into the scale.
  std::vector<double> d(x.size());
  bool overflow = false;
  for (std::size_t i = 0; i < d.size(); ++i) {
    d[i] = x[i] - y[i];
    overflow = overflow || !std::isfinite(d[i]);
  }
  double halving = 1;
  if (overflow) {
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = x[i] / 2 - y[i] / 2;
    halving = 0.5;
  }
  const double scale = ScaleFor(d, {});
  const Moments m = MomentsOf(d, scale);
  const double n = static_cast<double>(d.size());
  const double se = std::sqrt(m.variance / n);

  TTestResult out;
  out.n = d.size();
  out.df = n - 1;
  const double unscale = scale * halving;
  out.estimate = m.mean / unscale;
  out.sd = std::sqrt(m.variance) / unscale;
  out.se = se / unscale;
  FillT(out, m.mean, se, std::fabs(m.mean), level, unscale);
  return out;
}

Result<TTestResult> WelchTTest(std::span<const double> x, std::span<const double> y, double level) {
  constexpr std::string_view kFunction = "stats::WelchTTest";
  for (const auto& [name, sample] : {std::pair{"x", x}, std::pair{"y", y}}) {
    if (sample.size() < 2) {
      return Fail(
          ErrorCode::kInvalidArgument,
          std::string(kFunction) + ": " + name + " has " + std::to_string(sample.size()) + " values, needs at least 2",
          name);
    }
  }
  CIRRUS_RETURN_IF_ERROR(CheckFinite(kFunction, "x", x));
  CIRRUS_RETURN_IF_ERROR(CheckFinite(kFunction, "y", y));
  CIRRUS_RETURN_IF_ERROR(CheckLevel(kFunction, level));

  const double scale = ScaleFor(x, y);
  const Moments mx = MomentsOf(x, scale);
  const Moments my = MomentsOf(y, scale);
  const double nx = static_cast<double>(x.size());
  const double ny = static_cast<double>(y.size());
  // R: stderrx <- sqrt(vx/nx); stderr <- sqrt(stderrx^2 + stderry^2).
  const double se_x = std::sqrt(mx.variance / nx);
  const double se_y = std::sqrt(my.variance / ny);
  const double se = std::sqrt(se_x * se_x + se_y * se_y);
  const double difference = mx.mean - my.mean;

  TTestResult out;
  out.n = x.size() + y.size();
  out.estimate = difference / scale;
  out.se = se / scale;
  out.df = WelchDf(se_x, se_y, se, nx, ny);
  FillT(out, difference, se, std::max(std::fabs(mx.mean), std::fabs(my.mean)), level, scale);
  return out;
}

Result<SignedRankResult> WilcoxonSignedRank(std::span<const double> differences) {
  constexpr std::string_view kFunction = "stats::WilcoxonSignedRank";
  if (differences.empty()) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": no differences", "differences");
  }
  CIRRUS_RETURN_IF_ERROR(CheckFinite(kFunction, "differences", differences));

  // R drops the zeros first, then ranks |d| with ties at their mean rank.
  struct Item {
    double magnitude;
    bool positive;
  };
  std::vector<Item> items;
  items.reserve(differences.size());
  for (const double d : differences) {
    if (d != 0) items.push_back({std::fabs(d), d > 0});
  }
  const bool zeros = items.size() < differences.size();
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.magnitude < b.magnitude; });

  const std::size_t n = items.size();
  double v = 0;
  double tie_sum = 0;  // sum of t^3 - t over the tie groups
  bool ties = false;
  for (std::size_t first = 0; first < n;) {
    std::size_t last = first + 1;
    while (last < n && items[last].magnitude == items[first].magnitude) ++last;
    // Positions first+1 .. last share rank (first + 1 + last) / 2, a
    // multiple of 1/2, so every sum below is exact.
    const double rank = static_cast<double>(first + 1 + last) / 2;
    for (std::size_t i = first; i < last; ++i) {
      if (items[i].positive) v += rank;
    }
    const double t = static_cast<double>(last - first);
    if (last - first > 1) ties = true;
    tie_sum += t * t * t - t;
    first = last;
  }

  SignedRankResult out;
  out.v = v;
  const double nd = static_cast<double>(n);
  if (n < kExactLimit && !ties && !zeros) {
    out.method = SignedRankMethod::kExact;
    const std::vector<double> counts = SignedRankCounts(n);
    // R: if (V > n(n+1)/4) psignrank(V - 1, n, lower = FALSE) else
    // psignrank(V, n); then min(2p, 1).
    const double p = v > nd * (nd + 1) / 4 ? SignedRankCdf(counts, v - 1, n, false) : SignedRankCdf(counts, v, n, true);
    out.p = std::min(2 * p, 1.0);
    return out;
  }
  out.method = SignedRankMethod::kNormalCorrected;
  // R gives NaN when every difference is 0: z and sigma are both 0.
  if (n == 0) return out;
  const double centred = v - nd * (nd + 1) / 4;
  const double correction = centred > 0 ? 0.5 : (centred < 0 ? -0.5 : 0.0);
  const double sigma = std::sqrt(nd * (nd + 1) * (2 * nd + 1) / 24 - tie_sum / 48);
  CIRRUS_ASSERT(sigma > 0, "with n >= 1 the tie term is below n(n+1)(2n+1)/24");
  out.p = internal::NormalTwoSided((centred - correction) / sigma);
  return out;
}

}  // namespace cirrus::stats
