#include "cirrus/stats/rmst.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "cirrus/base/check.hpp"
#include "cirrus/base/text.hpp"
#include "internal/distributions.hpp"

namespace cirrus::stats {
namespace {

constexpr std::string_view kFunction = "stats::ComputeRmst";

Status CheckLevel(std::string_view function, double level) {
  if (!(level > 0 && level < 1)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(function) + ": level must lie in (0, 1)", "level");
  }
  return {};
}

Status CheckTau(std::string_view function, double tau) {
  if (!std::isfinite(tau) || !(tau > 0)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(function) + ": tau is " + ShortestText(tau) + ", must be > 0",
                "tau");
  }
  return {};
}

double Z(double level) { return internal::NormalQuantile(1.0 - (1.0 - level) / 2.0); }

// Checks the data and the group codes, and counts subjects per group.
Result<std::vector<std::size_t>> CheckGroups(std::string_view function, const SurvivalData& data,
                                             std::span<const int> group, int group_count) {
  CIRRUS_RETURN_IF_ERROR(CheckSurvivalData(function, data));
  if (group.size() != data.time.size() || group_count < 1) {
    return Fail(ErrorCode::kInvalidArgument, std::string(function) + ": group must have one code per subject", "group");
  }
  std::vector<std::size_t> count(static_cast<std::size_t>(group_count), 0);
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (group[i] < 0 || group[i] >= group_count) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(function) + ": group[" + std::to_string(i) + "] is out of range", "group");
    }
    ++count[static_cast<std::size_t>(group[i])];
  }
  for (std::size_t g = 0; g < count.size(); ++g) {
    if (count[g] == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(function) + ": group " + std::to_string(g) + " has no subjects; its RMST is undefined",
                  "group");
    }
  }
  return count;
}

// survRM2's rule on checked data (RmstTauLimit).
RmstTauLimit TauLimitOf(const SurvivalData& data, std::span<const int> group, int group_count) {
  const auto groups = static_cast<std::size_t>(group_count);
  std::vector<double> last(groups, -1.0);
  // survRM2: min(status[time == max(time)]): an event only when all are.
  std::vector<std::uint8_t> last_is_event(groups, 1);
  for (std::size_t i = 0; i < data.time.size(); ++i) {
    const auto g = static_cast<std::size_t>(group[i]);
    const std::uint8_t is_event = data.event[i] != 0 ? 1 : 0;
    if (data.time[i] > last[g]) {
      last[g] = data.time[i];
      last_is_event[g] = is_event;
    } else if (data.time[i] == last[g]) {
      last_is_event[g] = std::min(last_is_event[g], is_event);
    }
  }
  RmstTauLimit limit;
  bool any_censored = false;
  for (std::size_t g = 0; g < groups; ++g) {
    if (last_is_event[g] == 0 && (!any_censored || last[g] < limit.tau)) {
      any_censored = true;
      limit.tau = last[g];
      limit.group = static_cast<int>(g);
    }
  }
  if (!any_censored) {
    limit.ends_in_event = true;
    for (std::size_t g = 0; g < groups; ++g) {
      if (g == 0 || last[g] > limit.tau) {
        limit.tau = last[g];
        limit.group = static_cast<int>(g);
      }
    }
  }
  return limit;
}

// survival:::survmean for one curve: the rectangles under the step function
// from 0 to tau, and sum over the points t_i <= tau of A_i^2 h_i with A_i the
// area from t_i to tau and h_i = d / (n (n - d)), 0 where n = d (or d = 0).
// The area is summed forwards and the A_i backwards, as R does.
RmstGroup Integrate(const KaplanMeierCurve& curve, double tau, double z) {
  const std::vector<KaplanMeierPoint>& points = curve.points;
  std::size_t kept = 0;
  while (kept < points.size() && points[kept].time <= tau) ++kept;
  RmstGroup out;
  out.n = curve.n;
  out.events = curve.events;
  double previous_time = 0;
  double previous_survival = 1;
  for (std::size_t i = 0; i < kept; ++i) {
    out.rmst += (points[i].time - previous_time) * previous_survival;
    previous_time = points[i].time;
    previous_survival = points[i].survival;
  }
  out.rmst += (tau - previous_time) * previous_survival;

  double tail = 0;  // A_i: the area from points[i].time to tau
  for (std::size_t i = kept; i-- > 0;) {
    const double next_time = i + 1 < kept ? points[i + 1].time : tau;
    tail += (next_time - points[i].time) * points[i].survival;
    const double n = points[i].n_risk;
    const double d = points[i].n_event;
    if (d > 0 && n - d != 0) out.variance += tail * tail * (d / (n * (n - d)));
  }
  out.se = std::sqrt(out.variance);
  out.lower = out.rmst - z * out.se;
  out.upper = out.rmst + z * out.se;
  return out;
}

RmstDifference Contrast(const RmstResult& result, int first, int second, double z) {
  const RmstGroup& a = result.groups[static_cast<std::size_t>(first)];
  const RmstGroup& b = result.groups[static_cast<std::size_t>(second)];
  RmstDifference d;
  d.first = first;
  d.second = second;
  d.difference = a.rmst - b.rmst;
  d.se = std::sqrt(a.variance + b.variance);
  d.lower = d.difference - z * d.se;
  d.upper = d.difference + z * d.se;
  if (d.se > 0) {
    d.p = internal::NormalTwoSided(d.difference / d.se);
  } else if (d.difference != 0) {
    d.p = 0.0;  // R: 2 pnorm(-Inf)
  }
  return d;
}

}  // namespace

Result<RmstTauLimit> FindRmstTauLimit(const SurvivalData& data, std::span<const int> group, int group_count) {
  CIRRUS_RETURN_IF_ERROR(CheckGroups("stats::FindRmstTauLimit", data, group, group_count));
  return TauLimitOf(data, group, group_count);
}

Result<RmstGroup> RmstOfCurve(const KaplanMeierCurve& curve, double tau, double level) {
  constexpr std::string_view kCurveFunction = "stats::RmstOfCurve";
  CIRRUS_RETURN_IF_ERROR(CheckTau(kCurveFunction, tau));
  CIRRUS_RETURN_IF_ERROR(CheckLevel(kCurveFunction, level));
  if (curve.points.empty()) {
    return Fail(ErrorCode::kInvalidArgument, std::string(kCurveFunction) + ": the curve has no points", "curve");
  }
  return Integrate(curve, tau, Z(level));
}

Result<RmstResult> ComputeRmst(const SurvivalData& data, std::span<const int> group, int group_count,
                               const RmstOptions& options) {
  CIRRUS_RETURN_IF_ERROR(CheckLevel(kFunction, options.level));
  if (options.tau) CIRRUS_RETURN_IF_ERROR(CheckTau(kFunction, *options.tau));
  CIRRUS_RETURN_IF_ERROR(CheckGroups(kFunction, data, group, group_count));

  RmstResult result;
  result.level = options.level;
  result.limit = TauLimitOf(data, group, group_count);
  result.tau = options.tau.value_or(result.limit.tau);
  result.tau_source = options.tau ? TauSource::kGiven : TauSource::kDefault;
  if (result.tau > result.limit.tau && options.beyond_follow_up == TauBeyondFollowUp::kError) {
    const std::string why =
        result.limit.ends_in_event
            ? "the last observation of every group is an event and the latest is at " + ShortestText(result.limit.tau) +
                  " (group " + std::to_string(result.limit.group) + ")"
            : "group " + std::to_string(result.limit.group) + "'s last observation, at " +
                  ShortestText(result.limit.tau) + ", is censored, so its curve is not estimated past it";
    return Fail(ErrorCode::kOutOfRange,
                std::string(kFunction) + ": tau " + ShortestText(result.tau) + " is beyond the follow-up: " + why,
                "tau");
  }
  // A default tau must be > 0 too: it is 0 only when every time is 0.
  CIRRUS_RETURN_IF_ERROR(CheckTau(kFunction, result.tau));

  KaplanMeierOptions km_options;
  km_options.level = options.level;
  // survmean's variance comes from the weighted counts, whatever the weights.
  km_options.variance = KaplanMeierVariance::kGreenwood;
  CIRRUS_ASSIGN_OR_RETURN(const std::vector<KaplanMeierCurve> curves,
                          FitKaplanMeierByGroup(data, group, group_count, km_options));
  const double z = Z(options.level);
  result.groups.reserve(curves.size());
  for (const KaplanMeierCurve& curve : curves) {
    CIRRUS_ASSERT(!curve.points.empty(), "CheckGroups refuses empty groups");
    result.groups.push_back(Integrate(curve, result.tau, z));
  }
  for (int g = 1; g < group_count; ++g) result.differences.push_back(Contrast(result, 0, g, z));
  return result;
}

Result<RmstDifference> CompareRmst(const RmstResult& result, int first, int second, double level) {
  constexpr std::string_view kCompareFunction = "stats::CompareRmst";
  CIRRUS_RETURN_IF_ERROR(CheckLevel(kCompareFunction, level));
  const int count = static_cast<int>(result.groups.size());
  for (const int g : {first, second}) {
    if (g < 0 || g >= count) {
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(kCompareFunction) + ": group " + std::to_string(g) + " is out of range (" +
                      std::to_string(count) + " groups)",
                  "group");
    }
  }
  if (first == second) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(kCompareFunction) + ": compares group " + std::to_string(first) + " with itself", "group");
  }
  return Contrast(result, first, second, Z(level));
}

}  // namespace cirrus::stats
