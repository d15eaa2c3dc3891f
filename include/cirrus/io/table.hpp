// cirrus/io/table.hpp: selected columns of a CSV file, by name, as text or
// numbers, for analyses that read a flat table (cirrus km, cox, ...).
//
// Only the requested columns are kept, so a million-row file with many
// columns costs memory for the columns an analysis uses. Empty cells and NA,
// N/A, null mark a missing value; a numeric column refuses anything else that
// is not a number, naming the file, line, column and value.
//
// Example:
//   auto table = cirrus::io::ReadColumns("pbc.csv", {{"time", ColumnKind::kNumber},
//                                                    {"status", ColumnKind::kText}});
//   const auto& time = table->columns[0].numbers;   // missing rows: present[i] == 0
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"

namespace cirrus::io {

enum class ColumnKind { kNumber, kText };

struct ColumnRequest {
  std::string name;
  ColumnKind kind = ColumnKind::kNumber;
};

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::kNumber;
  std::vector<double> numbers;  ///< kNumber: the value (0 where missing)
  /// kText: the cell, spaces trimmed ("" where missing). The views point
  /// into the file (kept mapped by the table) or into the table's own copies
  /// of unescaped quoted cells: valid while the table lives.
  std::vector<std::string_view> texts;
  std::vector<std::uint8_t> present;  ///< 1 where the cell holds a value, 0 where it is missing
};

struct ColumnTable {
  std::string source;
  std::vector<Column> columns;                     ///< in request order
  std::vector<std::size_t> lines;                  ///< the file line of each row (for messages)
  std::shared_ptr<const void> source_text;         ///< keeps the mapped file alive (ReadColumns)
  std::vector<std::deque<std::string>> unescaped;  ///< quoted cells that differ from the file's bytes
  [[nodiscard]] std::size_t rows() const { return lines.size(); }
};

/// Reads the requested columns of a CSV file with a header row. Column names
/// match exactly, then ignoring case. Errors: kNotFound for a missing file;
/// kInvalidArgument for a missing column (listing those the file has), a
/// duplicate request, a row with the wrong number of fields, or a cell that
/// is not a number in a numeric column.
Result<ColumnTable> ReadColumns(const std::string& path, const std::vector<ColumnRequest>& requests);

/// The same over text already in memory; `source` names it in messages.
/// The table's text views point into `text`, which must outlive the table.
Result<ColumnTable> ParseColumns(std::string_view text, const std::string& source,
                                 const std::vector<ColumnRequest>& requests);

}  // namespace cirrus::io
