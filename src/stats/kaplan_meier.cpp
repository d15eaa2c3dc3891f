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
// The infinitesimal-jackknife variance of S at every point (R's survfit
// with robust = TRUE). Subject i, at risk on (E_i, T_i] with weight w_i,
// moves S(t) by w_i S(t) (A(min(t, T_i)) - A(E_i) - e_i(t)), where
// A(t) = sum over event times t_j <= t of d_j / (n_j (n_j - d_j)) and
// e_i(t) = 1 / (n_j - d_j) once t has reached the subject's own death at t_j.
// The variance is the sum of the squares. One sweep over the points keeps
// the finished subjects' fixed terms in one sum and the at-risk subjects'
// terms as three sums (of w^2, w^2 A(E), w^2 A(E)^2), so it is linear after
// the sort. `entry` is each subject's entry in the order of `time` (empty:
// everyone from 0).
void AddJackknife(KaplanMeierCurve& curve, std::span<const double> time, std::span<const std::uint8_t> event,
                  std::span<const double> weight, std::span<const double> entry, ConfidenceType confidence, double z) {
  std::vector<KaplanMeierPoint>& points = curve.points;
  const std::size_t k_count = points.size();
  std::vector<double> cumulative(k_count);  // A at each point
  double a = 0;
  for (std::size_t k = 0; k < k_count; ++k) {
    const KaplanMeierPoint& p = points[k];
    if (p.n_event > 0) {
      a += p.n_risk > p.n_event ? p.n_event / (p.n_risk * (p.n_risk - p.n_event))
                                : std::numeric_limits<double>::infinity();
    }
    cumulative[k] = a;
  }
  auto cumulative_at = [&](double x) {  // A(x): the last point at or before x
    const auto after = std::upper_bound(points.begin(), points.end(), x,
                                        [](double t, const KaplanMeierPoint& p) { return t < p.time; });
    return after == points.begin() ? 0.0 : cumulative[static_cast<std::size_t>(after - points.begin()) - 1];
  };
  const std::size_t n = time.size();
  auto w = [&](std::size_t i) { return weight.empty() ? 1.0 : weight[i]; };
  // Subjects by entry, for entering them as the sweep passes their entry.
  std::vector<std::size_t> by_entry;
  std::vector<double> entry_a(n, 0.0);
  if (!entry.empty()) {
    by_entry.resize(n);
    std::iota(by_entry.begin(), by_entry.end(), std::size_t{0});
    std::stable_sort(by_entry.begin(), by_entry.end(),
                     [&](std::size_t x, std::size_t y) { return entry[x] < entry[y]; });
    for (std::size_t i = 0; i < n; ++i) entry_a[i] = cumulative_at(entry[i]);
  }
  double w2 = 0;    // at risk: sum of w^2
  double w2a = 0;   //          sum of w^2 A(E)
  double w2aa = 0;  //          sum of w^2 A(E)^2
  double done = 0;  // finished subjects' fixed terms
  if (entry.empty()) {
    for (std::size_t i = 0; i < n; ++i) w2 += w(i) * w(i);
  }
  std::size_t next_entry = 0;
  std::size_t subject = 0;
  for (std::size_t k = 0; k < k_count; ++k) {
    KaplanMeierPoint& p = points[k];
    while (next_entry < by_entry.size() && entry[by_entry[next_entry]] < p.time) {
      const std::size_t i = by_entry[next_entry++];
      const double ww = w(i) * w(i);
      w2 += ww;
      w2a += ww * entry_a[i];
      w2aa += ww * entry_a[i] * entry_a[i];
    }
    const double own = p.n_risk > p.n_event ? 1.0 / (p.n_risk - p.n_event) : 0.0;
    for (; subject < n && time[subject] == p.time; ++subject) {
      const double ww = w(subject) * w(subject);
      const double ea = entry_a[subject];
      w2 -= ww;
      w2a -= ww * ea;
      w2aa -= ww * ea * ea;
      const double term = cumulative[k] - ea - (event[subject] != 0 ? own : 0.0);
      done += ww * term * term;
    }
    const double ak = cumulative[k];
    const double at_risk = std::max(ak * ak * w2 - 2 * ak * w2a + w2aa, 0.0);
    if (p.survival > 0) {
      p.std_err = p.survival * std::sqrt(done + at_risk);
      p.std_err_log = p.std_err / p.survival;
    } else {
      p.std_err = 0;  // as R: the curve has reached 0
      p.std_err_log = std::numeric_limits<double>::quiet_NaN();
    }
    p.lower.reset();
    p.upper.reset();
    AddLimits(p, confidence, z);
  }
  curve.jackknife = true;
}

KaplanMeierCurve Scan(std::span<const double> time, std::span<const std::uint8_t> event, std::span<const double> weight,
                      std::span<const std::pair<double, double>> entries, bool delayed, ConfidenceType confidence,
                      double z, bool jackknife, std::span<const double> entry_in_time_order) {
  KaplanMeierCurve curve;
  const std::size_t n = time.size();
  curve.n = n;
  if (n == 0) return curve;
  auto w = [&](std::size_t i) { return weight.empty() ? 1.0 : weight[i]; };
  // The points (distinct times) with their weighted events and censorings.
  curve.points.reserve(n);
  std::vector<std::size_t> first_row;
  for (std::size_t start = 0; start < n;) {
    KaplanMeierPoint p;
    p.time = time[start];
    std::size_t end = start;
    for (; end < n && time[end] == p.time; ++end) (event[end] != 0 ? p.n_event : p.n_censor) += w(end);
    first_row.push_back(start);
    curve.points.push_back(p);
    start = end;
  }
  // At risk at t: entry < t <= time. As R, the number at risk is summed
  // from the end: the weight of the rows with time >= t, less (with delayed
  // entry) that of the rows entering at or after t. Summed backwards, the
  // last point's number at risk is exactly its own weight, so a curve whose
  // last subjects all die reaches exactly 0 whatever the fractional weights.
  double stop_weight = 0;
  double later_entries = 0;
  std::size_t entry_index = entries.size();
  std::size_t row = n;
  for (std::size_t k = curve.points.size(); k-- > 0;) {
    for (; row > first_row[k]; --row) stop_weight += w(row - 1);
    if (delayed) {
      while (entry_index > 0 && entries[entry_index - 1].first >= curve.points[k].time) {
        later_entries += entries[--entry_index].second;
      }
    }
    curve.points[k].n_risk = stop_weight - later_entries;
  }
  double survival = 1;
  double greenwood = 0;
  for (KaplanMeierPoint& p : curve.points) {
    const double d = p.n_event;
    if (d > 0) {
      survival *= (p.n_risk - d) / p.n_risk;
      greenwood += p.n_risk > d ? d / (p.n_risk * (p.n_risk - d)) : std::numeric_limits<double>::infinity();
    }
    p.survival = survival;
    p.std_err_log = std::sqrt(greenwood);
    p.std_err = survival * p.std_err_log;
    AddLimits(p, confidence, z);
    curve.events += d;
  }
  if (jackknife) AddJackknife(curve, time, event, weight, entry_in_time_order, confidence, z);
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
  bool jackknife = options.variance == KaplanMeierVariance::kInfinitesimalJackknife;
  if (options.variance == KaplanMeierVariance::kAutomatic) {
    for (double w : data.weight) jackknife = jackknife || w != std::floor(w);
  }
  // The jackknife pairs each subject's entry with its stop time.
  std::vector<double> entry_sorted;
  if (jackknife && delayed) {
    entry_sorted.reserve(sorted.order.size());
    for (const std::size_t row : sorted.order) entry_sorted.push_back(fixed.entry[row]);
  }
  std::vector<KaplanMeierCurve> curves;
  curves.reserve(static_cast<std::size_t>(group_count));
  for (std::size_t g = 0; g < static_cast<std::size_t>(group_count); ++g) {
    const std::size_t begin = sorted.block_start[g];
    const std::size_t count = sorted.block_start[g + 1] - begin;
    const std::span<const double> weight = sorted.weight.empty()
                                               ? std::span<const double>()
                                               : std::span<const double>(sorted.weight).subspan(begin, count);
    const std::span<const double> entry_in_order =
        entry_sorted.empty() ? std::span<const double>() : std::span<const double>(entry_sorted).subspan(begin, count);
    curves.push_back(Scan(std::span<const double>(sorted.time).subspan(begin, count),
                          std::span<const std::uint8_t>(sorted.event).subspan(begin, count), weight, entries[g],
                          delayed, options.confidence, z, jackknife, entry_in_order));
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
