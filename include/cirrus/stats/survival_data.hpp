// cirrus/stats/survival_data.hpp: survival data as plain arrays, the input of
// every survival method, and R's `timefix` rule for near-equal times.
//
// The arrays are borrowed, not copied: the caller keeps them alive for the
// duration of the call. Methods validate them at entry (CheckSurvivalData).
//
// Example:
//   std::vector<double> time = {5, 8, 8, 12};
//   std::vector<std::uint8_t> event = {1, 0, 1, 1};
//   cirrus::stats::SurvivalData data{time, event};
//   auto curve = cirrus::stats::FitKaplanMeier(data);
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"

namespace cirrus::stats {

/// Right-censored data, optionally with delayed entry (left truncation) and
/// case weights. Subject i is at risk on (entry[i], time[i]] and has the
/// event at time[i] when event[i] != 0.
struct SurvivalData {
  std::span<const double> time;         ///< event or censoring time (the stop time)
  std::span<const std::uint8_t> event;  ///< 1 = event, 0 = censored
  std::span<const double> entry = {};   ///< empty: everyone at risk from time 0
  std::span<const double> weight = {};  ///< empty: every weight 1
};

/// Checks lengths, finite non-negative times, entry < time, positive finite
/// weights. Errors: kInvalidArgument naming the function, array and index:
/// "stats::FitKaplanMeier: time[17] is -2, must be >= 0".
Status CheckSurvivalData(std::string_view function, const SurvivalData& data);

/// R's `aeqSurv` (survival >= 2.39, on by default as timefix = TRUE): times
/// whose sorted gap is at most sqrt(DBL_EPSILON) absolutely, or relative to
/// the mean absolute time, are merged into the first of their run. Values
/// computed as days / 365.25 that print alike but differ in the last bit
/// thereby become one tie, as in R. Returns the adjusted copies of `time`
/// and, when given, `entry` (both are considered together).
struct FixedTimes {
  std::vector<double> time;
  std::vector<double> entry;
};
FixedTimes TimeFix(std::span<const double> time, std::span<const double> entry);

}  // namespace cirrus::stats
