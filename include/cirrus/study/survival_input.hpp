// cirrus/study/survival_input.hpp: from a table's columns to the arrays the
// survival engine takes: event coding, group and stratum labels, rows dropped
// for missing values (as R's na.omit), and the landmark subset.
//
// Example:
//   SurvivalSpec spec{.time = "time", .event = "status", .event_values = {"2"}, .group = "trt"};
//   auto table = io::ReadColumns(path, spec.Requests());
//   auto input = BuildSurvivalInput(*table, spec);
//   auto km = stats::FitKaplanMeierByGroup(input->Data(), input->group, input->GroupCount());
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/io/table.hpp"
#include "cirrus/stats/survival_data.hpp"

namespace cirrus::study {

/// A model term: a numeric column, used as it is or through a transform.
struct CovariateSpec {
  enum class Transform { kNone, kLog };
  std::string column;
  Transform transform = Transform::kNone;
  std::string name;  ///< as written: "age", "log(bili)"
};

/// Parses "age,log(bili),edema". Errors: kInvalidArgument for an empty term
/// or an unknown transform (only log() is known).
Result<std::vector<CovariateSpec>> ParseCovariates(std::string_view text);

/// How the event column is read.
enum class EventCoding {
  kIndicator,  ///< event or censored: event_values, or else any non-zero number is the event
  kCauses,     ///< competing risks: 0 = censored, any other number is the cause of the event
};

/// Which columns hold what, and how to read them.
struct SurvivalSpec {
  std::string time;                       ///< event or censoring time (the stop time)
  std::string event;                      ///< event indicator or cause
  std::vector<std::string> event_values;  ///< cells that mean the event; empty: any non-zero number
  /// How `event` is read; with kCauses, leave event_values empty.
  EventCoding event_coding = EventCoding::kIndicator;
  std::optional<std::string> entry;  ///< delayed entry (start) time
  std::optional<std::string> group;
  std::optional<std::string> strata;
  std::optional<std::string> weights;
  std::optional<double> landmark;         ///< keep time > landmark, and measure time from it
  std::vector<CovariateSpec> covariates;  ///< model terms (Cox)
  std::optional<std::string> cluster;     ///< cluster column for the robust variance

  /// The columns to read, in a fixed order.
  [[nodiscard]] std::vector<io::ColumnRequest> Requests() const;
};

struct SurvivalInput {
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  /// With EventCoding::kCauses: 0 = censored, else 1 + the index into cause_labels,
  /// the causes in numeric order as their shortest text; empty otherwise.
  std::vector<int> cause;
  std::vector<std::string> cause_labels;
  std::vector<double> entry;   ///< empty when no entry column
  std::vector<double> weight;  ///< empty when no weights column
  std::vector<int> group;      ///< codes into group_labels (all 0 without a group column)
  std::vector<std::string> group_labels;
  std::vector<int> strata;  ///< empty without a strata column
  std::vector<std::string> strata_labels;
  std::vector<double> covariates;            ///< one column of rows per term, column after column
  std::vector<std::string> covariate_names;  ///< the terms as written
  std::vector<int> cluster;                  ///< empty without a cluster column
  std::size_t dropped_missing = 0;           ///< rows with a missing value in a used column
  std::size_t excluded_by_landmark = 0;      ///< rows that ended at or before the landmark

  [[nodiscard]] stats::SurvivalData Data() const { return {time, event, entry, weight}; }
  [[nodiscard]] int GroupCount() const { return static_cast<int>(group_labels.size()); }
  [[nodiscard]] int StrataCount() const { return strata.empty() ? 1 : static_cast<int>(strata_labels.size()); }
};

/// Labels are ordered as R orders factor levels of the column: when every
/// value is a number, numerically, with equal numbers one group ("2" and
/// "2.0") labelled by the number's shortest text; else the texts by bytes. Errors: kInvalidArgument
/// naming file, line, column and value for a negative time, an entry not
/// before its time, an event cell that is not a number (without
/// event_values), an event value that never occurs, a weight <= 0; or when
/// no rows remain.
Result<SurvivalInput> BuildSurvivalInput(const io::ColumnTable& table, const SurvivalSpec& spec);

/// A model term that takes one value in every row cannot be estimated.
/// Errors: kInvalidArgument naming the term and its value.
Status CheckCovariatesVary(const SurvivalInput& input, const std::string& source);

}  // namespace cirrus::study
