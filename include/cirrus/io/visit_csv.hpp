// cirrus/io/visit_csv.hpp: the flat "visits" CSV that `cirrus score --input`
// reads: one row per visit, one column per input, units in the column name.
//
// Required columns (any order): sex, bilirubin_mg_dl | bilirubin_umol_l,
// albumin_g_dl | albumin_g_l, inr, creatinine_mg_dl | creatinine_umol_l,
// sodium_mmol_l, dialysis, ascites, encephalopathy, platelets_10e9_l,
// ast_u_l, alt_u_l, age_years. Optional: ast_uln_u_l, aetiology,
// pt_prolonged_s. Any other column is passed through untouched, except one
// that looks like an input with an unknown unit (albumin_mg_dl), which is
// refused. An empty cell, NA or N/A means the value is missing.
//
// Example:
//   auto layout = VisitColumns::FromHeader(reader.fields(), "visits.csv");
//   auto snapshot = layout->Parse(reader.fields(), reader.line());
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/snapshot.hpp"
#include "cirrus/core/units.hpp"

namespace cirrus::io {

/// The visits-file columns cirrus reads, resolved against one file's header.
class VisitColumns {
 public:
  /// Errors: kInvalidArgument naming the file and column when a required
  /// column is missing, a column appears twice, both units of one input are
  /// given, or a column looks like an input with an unknown unit.
  static Result<VisitColumns> FromHeader(std::span<const std::string_view> header, std::string source);

  /// Parses one data row. Errors: kInvalidArgument whose message names the
  /// file, line, column and value and says what was expected.
  Result<core::ClinicalSnapshot> Parse(std::span<const std::string_view> fields, std::size_t line) const;

  /// Number of columns in the header.
  [[nodiscard]] std::size_t width() const { return width_; }

  /// One column cirrus reads: its position and how to parse it.
  struct Column {
    std::size_t index;
    int spec;                    // position in the table of known columns
    const core::UnitInfo* unit;  // the unit its name promises (lab columns only)
  };

 private:
  std::string source_;
  std::size_t width_ = 0;
  std::vector<Column> columns_;
};

/// True for "", "NA", "N/A" and "null" (any case): the ways exports spell a missing value.
bool IsMissingValue(std::string_view text);

}  // namespace cirrus::io
