// cirrus/study/longitudinal.hpp: a lab or a score measured at visits over
// time, from a long table (one row per subject per visit) to the three
// analyses of the longitudinal statistics:
//   - AnalyseChange: the change from baseline at each time, per group (paired
//     t and Wilcoxon signed rank), and each group against the reference
//     (Welch's t on the changes);
//   - AnalyseAncova: the value at one time on baseline, group and covariates;
//   - AnalyseMmrm: the mixed model for repeated measures of the change.
// Labels, times and subjects are resolved here; stats sees codes only.
//
// Example:
//   LongitudinalSpec spec{.subject = "id", .time = "week", .value = "albumin",
//                         .baseline_time = 0, .group = "arm"};
//   auto table = io::ReadColumns(path, spec.Requests());
//   auto input = BuildLongitudinalInput(*table, spec);
//   auto change = AnalyseChange(*input);
//   auto mmrm = AnalyseMmrm(*input, {});
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/io/table.hpp"
#include "cirrus/stats/location_tests.hpp"
#include "cirrus/stats/longitudinal.hpp"

namespace cirrus::study {

/// Which columns hold what.
struct LongitudinalSpec {
  std::string subject;
  std::string time;   ///< a number (weeks, months, ...)
  std::string value;  ///< the lab or score; empty or NA drops the row
  double baseline_time = 0;
  std::optional<std::string> group;     ///< absent: one group, "all"
  std::vector<std::string> covariates;  ///< numeric, read from each subject's baseline row (ANCOVA)

  /// The columns to read, in a fixed order.
  [[nodiscard]] std::vector<io::ColumnRequest> Requests() const;
};

/// One value of a subject after baseline.
struct FollowUpValue {
  std::size_t subject = 0;  ///< index into LongitudinalInput::subjects
  std::size_t time = 0;     ///< index into LongitudinalInput::times
  double value = 0;
};

struct LongitudinalInput {
  std::string source;  ///< the file, for messages
  double baseline_time = 0;
  std::vector<std::string> group_labels;        ///< R's factor order; "all" without a group column
  std::vector<std::string> subjects;            ///< in order of first appearance
  std::vector<int> subject_group;               ///< per subject
  std::vector<std::optional<double>> baseline;  ///< per subject: the value at baseline_time
  /// Per subject and covariate (subject after subject): the baseline row's
  /// value, absent where the row or its cell is missing.
  std::vector<std::optional<double>> covariates;
  std::vector<std::string> covariate_names;
  /// The distinct times other than the baseline time, ascending (a time
  /// before baseline, such as screening, is one of them, as in R's analysis).
  std::vector<double> times;
  std::vector<FollowUpValue> values;
  std::size_t dropped = 0;  ///< rows with an empty or NA value

  [[nodiscard]] int GroupCount() const { return static_cast<int>(group_labels.size()); }
};

/// Errors: kInvalidArgument naming file, line, column and value for a
/// missing subject, time or group cell, two rows for one subject and time, a subject in two groups, a group with one
/// subject; or naming the file when no row remains.
Result<LongitudinalInput> BuildLongitudinalInput(const io::ColumnTable& table, const LongitudinalSpec& spec);

// ---- change from baseline ----------------------------------------------------------------

struct ChangeAtTime {
  double time = 0;
  std::size_t n = 0;  ///< subjects with a value at baseline and at `time`
  double baseline_mean = 0;
  double mean = 0;
  stats::TTestResult change;  ///< t.test(x_t, x_0, paired = TRUE)
  stats::SignedRankResult signed_rank;
};

struct ChangeGroup {
  int group = 0;
  std::vector<ChangeAtTime> at;  ///< times with at least two pairs
};

struct ChangeBetween {
  double time = 0;
  int group = 0;             ///< against group 0
  stats::TTestResult welch;  ///< t.test(change_group, change_reference)
};

struct ChangeResult {
  std::vector<ChangeGroup> groups;
  std::vector<ChangeBetween> between;  ///< by time, then group; where both have an entry
};

/// Errors: kInvalidArgument when no group has two pairs at any time.
Result<ChangeResult> AnalyseChange(const LongitudinalInput& input, double level = 0.95);

// ---- ANCOVA at one time --------------------------------------------------------------------

struct AncovaAnalysis {
  std::vector<std::string> term_names;  ///< (Intercept), baseline, group=B, ..., the covariates
  stats::AncovaResult fit;
};

/// lm(value_at ~ baseline + group + covariates) over the subjects with a
/// baseline, a value at `at` and every covariate. Errors: kInvalidArgument
/// naming `at` when it is not a time of the file (listing them), a group
/// with no such subject, too few subjects, a term that cannot be estimated.
Result<AncovaAnalysis> AnalyseAncova(const LongitudinalInput& input, double at, double level = 0.95);

// ---- MMRM ----------------------------------------------------------------------------------

struct MmrmAnalysis {
  std::vector<double> visits;  ///< the times analysed, ascending (the visit factor's levels)
  std::size_t subjects = 0;
  stats::MmrmResult fit;
};

/// The change from baseline at every time after it, for every subject with a
/// baseline and at least one later value. Errors: kInvalidArgument naming the
/// file when no subject qualifies, and the group and time when a group has no
/// value at a time (its mean there cannot be estimated).
Result<MmrmAnalysis> AnalyseMmrm(const LongitudinalInput& input, const stats::MmrmOptions& options);

}  // namespace cirrus::study
