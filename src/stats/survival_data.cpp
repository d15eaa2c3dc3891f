#include "cirrus/stats/survival_data.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "cirrus/base/text.hpp"

namespace cirrus::stats {
namespace {

Status Bad(std::string_view function, std::string_view array, std::size_t index, double value, std::string_view must) {
  return Fail(ErrorCode::kInvalidArgument,
              std::string(function) + ": " + std::string(array) + "[" + std::to_string(index) + "] is " +
                  ShortestText(value) + ", must be " + std::string(must),
              std::string(array));
}

}  // namespace

Status CheckSurvivalData(std::string_view function, const SurvivalData& d) {
  const std::size_t n = d.time.size();
  if (d.event.size() != n || (!d.entry.empty() && d.entry.size() != n) || (!d.weight.empty() && d.weight.size() != n)) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(function) + ": time, event, entry and weight must have the same length");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(d.time[i]) || d.time[i] < 0) return Bad(function, "time", i, d.time[i], ">= 0");
    if (d.event[i] > 1) return Bad(function, "event", i, d.event[i], "0 or 1");
    if (!d.entry.empty()) {
      if (!std::isfinite(d.entry[i]) || d.entry[i] < 0) return Bad(function, "entry", i, d.entry[i], ">= 0");
      if (!(d.entry[i] < d.time[i])) {
        return Bad(function, "entry", i, d.entry[i], "< time[" + std::to_string(i) + "] = " + ShortestText(d.time[i]));
      }
    }
    if (!d.weight.empty() && (!std::isfinite(d.weight[i]) || d.weight[i] <= 0)) {
      return Bad(function, "weight", i, d.weight[i], "> 0");
    }
  }
  return {};
}

FixedTimes TimeFix(std::span<const double> time, std::span<const double> entry) {
  FixedTimes out{std::vector<double>(time.begin(), time.end()), std::vector<double>(entry.begin(), entry.end())};
  std::vector<double> values(time.begin(), time.end());
  values.insert(values.end(), entry.begin(), entry.end());
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (values.size() < 2) return out;

  const double tolerance = std::sqrt(std::numeric_limits<double>::epsilon());
  double mean_abs = 0;
  for (double v : values) mean_abs += std::fabs(v);
  mean_abs /= static_cast<double>(values.size());

  // cuts: the first value of each run of near-equal values.
  std::vector<double> cuts;
  cuts.reserve(values.size());
  cuts.push_back(values[0]);
  bool any_tied = false;
  for (std::size_t i = 1; i < values.size(); ++i) {
    const double gap = values[i] - values[i - 1];
    const bool tied = gap <= tolerance || gap / mean_abs <= tolerance;
    if (tied) {
      any_tied = true;
    } else {
      cuts.push_back(values[i]);
    }
  }
  if (!any_tied) return out;
  auto snap = [&](double v) {
    // findInterval: the last cut <= v.
    auto it = std::upper_bound(cuts.begin(), cuts.end(), v);
    return *(it - 1);
  };
  for (double& t : out.time) t = snap(t);
  for (double& e : out.entry) e = snap(e);
  return out;
}

}  // namespace cirrus::stats
