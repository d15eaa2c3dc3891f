#include "cirrus/stats/kaplan_meier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "internal/distributions.hpp"

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

// The estimator over one group's rows, given their indices.
KaplanMeierCurve FitRows(std::span<const std::size_t> rows, const std::vector<double>& time,
                         std::span<const std::uint8_t> event, const std::vector<double>& entry,
                         std::span<const double> weight, ConfidenceType confidence, double z) {
  KaplanMeierCurve curve;
  curve.n = rows.size();
  if (rows.empty()) return curve;
  auto w = [&](std::size_t i) { return weight.empty() ? 1.0 : weight[i]; };

  std::vector<std::size_t> by_time(rows.begin(), rows.end());
  std::sort(by_time.begin(), by_time.end(), [&](std::size_t a, std::size_t b) { return time[a] < time[b]; });
  double total = 0;
  for (std::size_t i : by_time) total += w(i);

  // At risk at t: entry < t <= time. Without delayed entry everyone entered
  // at 0; with it, entries are swept in order and entered_before(t) is the
  // weight with entry < t. n_risk(t) = entered_before(t) - weight ended before t.
  std::vector<std::pair<double, double>> entries;  // (entry, weight), sorted
  if (!entry.empty()) {
    entries.reserve(rows.size());
    for (std::size_t i : rows) entries.emplace_back(entry[i], w(i));
    std::sort(entries.begin(), entries.end());
  }
  double entered_before = entry.empty() ? total : 0.0;
  std::size_t next_entry = 0;
  double ended_before = 0;
  double survival = 1;
  double greenwood = 0;
  for (std::size_t start = 0; start < by_time.size();) {
    const double t = time[by_time[start]];
    double d = 0;
    double c = 0;
    std::size_t end = start;
    for (; end < by_time.size() && time[by_time[end]] == t; ++end) {
      const std::size_t i = by_time[end];
      (event[i] != 0 ? d : c) += w(i);
    }
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
  const FixedTimes fixed = TimeFix(data.time, data.entry);
  for (std::size_t i = 0; i < fixed.entry.size(); ++i) {
    if (!(fixed.entry[i] < fixed.time[i])) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(kFunction) + ": entry[" + std::to_string(i) + "] and time[" + std::to_string(i) +
                      "] are equal after merging near-equal times",
                  "entry");
    }
  }
  std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(group_count));
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (group[i] < 0 || group[i] >= group_count) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(kFunction) + ": group[" + std::to_string(i) + "] is out of range", "group");
    }
    members[static_cast<std::size_t>(group[i])].push_back(i);
  }
  const double z = internal::NormalQuantile(1.0 - (1.0 - options.level) / 2.0);
  std::vector<KaplanMeierCurve> curves;
  curves.reserve(members.size());
  for (const auto& rows : members) {
    curves.push_back(FitRows(rows, fixed.time, data.event, fixed.entry, data.weight, options.confidence, z));
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
