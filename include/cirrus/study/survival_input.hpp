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

/// Which columns hold what, and how to read them.
struct SurvivalSpec {
  std::string time;                       ///< event or censoring time (the stop time)
  std::string event;                      ///< event indicator or cause
  std::vector<std::string> event_values;  ///< cells that mean the event; empty: any non-zero number
  std::optional<std::string> entry;       ///< delayed entry (start) time
  std::optional<std::string> group;
  std::optional<std::string> strata;
  std::optional<std::string> weights;
  std::optional<double> landmark;  ///< keep time > landmark, and measure time from it

  /// The columns to read, in a fixed order.
  [[nodiscard]] std::vector<io::ColumnRequest> Requests() const;
};

struct SurvivalInput {
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  std::vector<double> entry;   ///< empty when no entry column
  std::vector<double> weight;  ///< empty when no weights column
  std::vector<int> group;      ///< codes into group_labels (all 0 without a group column)
  std::vector<std::string> group_labels;
  std::vector<int> strata;  ///< empty without a strata column
  std::vector<std::string> strata_labels;
  std::size_t dropped_missing = 0;       ///< rows with a missing value in a used column
  std::size_t excluded_by_landmark = 0;  ///< rows that ended at or before the landmark

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

}  // namespace cirrus::study
