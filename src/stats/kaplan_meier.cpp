#include "cirrus/stats/kaplan_meier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "internal/distributions.hpp"
#include "internal/sorted.hpp"

namespace cirrus::stats {
namespace {

constexpr std::string_view kFunction = "stats::FitKaplanMeier";

void AddLimits(KaplanMeierPoint& p, ConfidenceType type, double z) {
  const double s = p.survival;
  const double se = p.std_err_log;
  switch (type) {
    case ConfidenceType::kLog:
      if (s > 0) {
        p.lower = std::exp(std::log(s) - z * se);
        p.upper = std::min(std::exp(std::log(s) + z * se), 1.0);
      }
      break;
    case ConfidenceType::kLogLog:
      if (s > 0 && s < 1) {
        const double shift = z * se / std::log(s);
        p.lower = std::exp(-std::exp(std::log(-std::log(s)) - shift));
        p.upper = std::exp(-std::exp(std::log(-std::log(s)) + shift));
      }
      break;
    case ConfidenceType::kPlain: {
      const double half = z * se * s;
      if (std::isfinite(half)) {
        p.lower = std::max(s - half, 0.0);
        p.upper = std::min(s + half, 1.0);
      }
      break;
    }
  }
}

// R's `minmin` (survival:::survmean): the first time the curve is at or below
// one half, with the midpoint rule for a curve that sits exactly on 0.5.
template <typename Get>
std::optional<double> MedianOf(const std::vector<KaplanMeierPoint>& points, Get value) {
  const double tolerance = std::sqrt(std::numeric_limits<double>::epsilon());
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::optional<double> y = value(points[i]);
    if (!y.has_value() || !(*y < 0.5 + tolerance)) continue;
    if (std::fabs(*y - 0.5) < tolerance) {
      for (std::size_t j = i + 1; j < points.size(); ++j) {
        const std::optional<double> later = value(points[j]);
        if (later.has_value() && *later < *y) return (points[i].time + points[j].time) / 2.0;
      }
    }
    return points[i].time;
  }
  return std::nullopt;
}

// The estimator over one group: times ascending (ties merged), events and
// weights in the same order, and the group's delayed entries as (entry,
// weight) sorted by entry (empty when there is no delayed entry).
KaplanMeierCurve Scan(std::span<const double> time, std::span<const std::uint8_t> event, std::span<const double> weight,
                      std::span<const std::pair<double, double>> entries, bool delayed, ConfidenceType confidence,
                      double z) {
  KaplanMeierCurve curve;
  const std::size_t n = time.size();
  curve.n = n;
  if (n == 0) return curve;
  auto w = [&](std::size_t i) { return weight.empty() ? 1.0 : weight[i]; };
  double total = 0;
  if (weight.empty()) {
    total = static_cast<double>(n);
  } else {
    for (double x : weight) total += x;
  }
  // At risk at t: entry < t <= time. Without delayed entry everyone entered
  // at 0; with it, entries are swept in order and entered_before(t) is the
  // weight with entry < t. n_risk(t) = entered_before(t) - weight ended before t.
  double entered_before = delayed ? 0.0 : total;
  std::size_t next_entry = 0;
  double ended_before = 0;
  double survival = 1;
  double greenwood = 0;
  curve.points.reserve(n);
  for (std::size_t start = 0; start < n;) {
    const double t = time[start];
    double d = 0;
    double c = 0;
    std::size_t end = start;
    for (; end < n && time[end] == t; ++end) (event[end] != 0 ? d : c) += w(end);
    while (next_entry < entries.size() && entries[next_entry].first < t) {
      entered_before += entries[next_entry].second;
      ++next_entry;
    }
    KaplanMeierPoint p;
    p.time = t;
    p.n_risk = entered_before - ended_before;
    p.n_event = d;
    p.n_censor = c;
    if (d > 0) {
      survival *= (p.n_risk - d) / p.n_risk;
      greenwood += p.n_risk > d ? d / (p.n_risk * (p.n_risk - d)) : std::numeric_limits<double>::infinity();
    }
    p.survival = survival;
    p.std_err_log = std::sqrt(greenwood);
    p.std_err = survival * p.std_err_log;
    AddLimits(p, confidence, z);
    curve.events += d;
    curve.points.push_back(p);
    ended_before += d + c;
    start = end;
  }
  curve.median = MedianOf(curve.points, [](const KaplanMeierPoint& p) { return std::optional<double>(p.survival); });
  curve.median_lower = MedianOf(curve.points, [](const KaplanMeierPoint& p) { return p.lower; });
  curve.median_upper = MedianOf(curve.points, [](const KaplanMeierPoint& p) { return p.upper; });
  return curve;
}

}  // namespace

Result<std::vector<KaplanMeierCurve>> FitKaplanMeierByGroup(const SurvivalData& data, std::span<const int> group,
                                                            int group_count, const KaplanMeierOptions& options) {
  CIRRUS_RETURN_IF_ERROR(CheckSurvivalData(kFunction, data));
  if (!(options.level > 0 && options.level < 1)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": level must lie in (0, 1)", "level");
  }
  if (group.size() != data.time.size() || group_count < 1) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kFunction) + ": group must have one code per subject");
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (group[i] < 0 || group[i] >= group_count) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(kFunction) + ": group[" + std::to_string(i) + "] is out of range", "group");
    }
  }
  const double z = internal::NormalQuantile(1.0 - (1.0 - options.level) / 2.0);
  const bool delayed = !data.entry.empty();

  // Delayed entry: entry and stop times are merged together (as R does for a
  // (start, stop] Surv object) before sorting; otherwise the sort applies timefix.
  FixedTimes fixed;
  if (delayed) {
    fixed = TimeFix(data.time, data.entry);
    for (std::size_t i = 0; i < fixed.entry.size(); ++i) {
      if (!(fixed.entry[i] < fixed.time[i])) {
        return Fail(ErrorCode::kInvalidArgument,
                    std::string(kFunction) + ": entry[" + std::to_string(i) + "] and time[" + std::to_string(i) +
                        "] are equal after merging near-equal times",
                    "entry");
      }
    }
  }
  const std::span<const double> stop = delayed ? std::span<const double>(fixed.time) : data.time;
  const internal::SortedByTime sorted =
      internal::SortByBlockAndTime(stop, data.event, data.weight, group, group_count, {}, !delayed);

  std::vector<std::vector<std::pair<double, double>>> entries(static_cast<std::size_t>(group_count));
  if (delayed) {
    for (std::size_t i = 0; i < group.size(); ++i) {
      entries[static_cast<std::size_t>(group[i])].emplace_back(fixed.entry[i],
                                                               data.weight.empty() ? 1.0 : data.weight[i]);
    }
    for (auto& e : entries) std::sort(e.begin(), e.end());
  }
  std::vector<KaplanMeierCurve> curves;
  curves.reserve(static_cast<std::size_t>(group_count));
  for (std::size_t g = 0; g < static_cast<std::size_t>(group_count); ++g) {
    const std::size_t begin = sorted.block_start[g];
    const std::size_t count = sorted.block_start[g + 1] - begin;
    const std::span<const double> weight = sorted.weight.empty()
                                               ? std::span<const double>()
                                               : std::span<const double>(sorted.weight).subspan(begin, count);
    curves.push_back(Scan(std::span<const double>(sorted.time).subspan(begin, count),
                          std::span<const std::uint8_t>(sorted.event).subspan(begin, count), weight, entries[g],
                          delayed, options.confidence, z));
  }
  return curves;
}

Result<KaplanMeierCurve> FitKaplanMeier(const SurvivalData& data, const KaplanMeierOptions& options) {
  const std::vector<int> one_group(data.time.size(), 0);
  CIRRUS_ASSIGN_OR_RETURN(std::vector<KaplanMeierCurve> curves, FitKaplanMeierByGroup(data, one_group, 1, options));
  return std::move(curves.front());
}

SurvivalAtTime SurvivalAt(const KaplanMeierCurve& curve, double time) {
  SurvivalAtTime at;
  at.time = time;
  at.lower = 1.0;
  at.upper = 1.0;
  const auto& pts = curve.points;
  // First point strictly after `time`, and the first at or after it.
  const auto after =
      std::upper_bound(pts.begin(), pts.end(), time, [](double t, const KaplanMeierPoint& p) { return t < p.time; });
  const auto at_or_after =
      std::lower_bound(pts.begin(), pts.end(), time, [](const KaplanMeierPoint& p, double t) { return p.time < t; });
  at.n_risk = at_or_after == pts.end() ? 0.0 : at_or_after->n_risk;
  if (after != pts.begin()) {
    const KaplanMeierPoint& last = *(after - 1);
    at.survival = last.survival;
    at.std_err = last.std_err;
    at.lower = last.lower;
    at.upper = last.upper;
  }
  return at;
}

}  // namespace cirrus::stats
