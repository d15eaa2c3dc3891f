// cirrus/io/csv.hpp: a fast RFC 4180 CSV reader and writer.
//
// The reader works over text already in memory and hands out string_views, so
// a million-row file is parsed without a per-field allocation. Quoted fields
// ("a, b", "say ""hi""") are unescaped into a per-record buffer. Each record
// also exposes its raw bytes, so callers can pass columns through unchanged.
//
// Example:
//   cirrus::io::CsvReader reader(text, "visits.csv");
//   while (true) {
//     auto more = reader.Next();
//     if (!more) return Fail(more.error());
//     if (!*more) break;
//     for (std::string_view field : reader.fields()) ...;
//   }
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cirrus/base/result.hpp"

namespace cirrus::io {

class CsvReader {
 public:
  /// `text` must outlive the reader; `source` names the file in messages;
  /// `first_line` is the file line on which `text` starts (for a chunk of a file).
  CsvReader(std::string_view text, std::string source, std::size_t first_line = 1);

  /// Advances to the next record; false at the end of the input. Blank lines
  /// are skipped and a UTF-8 byte-order mark at the start is ignored.
  /// Errors: kInvalidArgument for a quote that is never closed or text after
  /// a closing quote, naming the file and line.
  Result<bool> Next();

  /// The current record's fields, valid until the next call to Next().
  [[nodiscard]] std::span<const std::string_view> fields() const { return fields_; }
  /// The current record's bytes as they appear in the input, without the line ending.
  [[nodiscard]] std::string_view record_text() const { return record_; }
  /// 1-based line on which the current record starts.
  [[nodiscard]] std::size_t line() const { return record_line_; }
  [[nodiscard]] const std::string& source() const { return source_; }

 private:
  std::string_view text_;
  std::string source_;
  std::size_t pos_ = 0;
  std::size_t next_line_ = 1;
  std::size_t record_line_ = 0;
  std::string_view record_;
  std::vector<std::string_view> fields_;
  std::string unescaped_;
  std::vector<std::pair<std::size_t, std::size_t>> field_offsets_;
};

/// A piece of CSV text that starts and ends on record boundaries.
struct CsvChunk {
  std::size_t offset = 0;  ///< into the text given to SplitCsvChunks
  std::size_t size = 0;
  std::size_t first_line = 1;  ///< file line of the chunk's first byte
};

/// Cuts `text` (records only, no header) into chunks of about `target_bytes`
/// that begin and end on record boundaries, honouring quoted line breaks, so
/// that each chunk can be parsed on its own (in parallel). `first_line` is
/// the file line on which `text` starts.
std::vector<CsvChunk> SplitCsvChunks(std::string_view text, std::size_t target_bytes, std::size_t first_line);

/// Appends `field` to `out`, quoted when it holds a comma, quote or line break.
void AppendCsvField(std::string& out, std::string_view field);

/// AppendCsvField for a cell of an exported registry file (CSV, REDCap
/// records, SDTM), neutralised against spreadsheet formula injection as OWASP
/// recommends: text that begins with `=`, `+`, `-`, `@`, a tab or a carriage
/// return (after any single quotes) gets one more single quote in front, so a
/// spreadsheet shows it as text instead of running it. A plain decimal number
/// (`-1.5`, `+3`, `2e-4`) is left as it is: it is data, not a formula, and a
/// negative value must stay a number. RestoreCsvExportField undoes it.
void AppendCsvExportField(std::string& out, std::string_view field);

/// A cell as AppendCsvExportField was given it: one leading single quote is
/// removed when single quotes and then `=`, `+`, `-`, `@`, a tab or a carriage
/// return begin the cell. cirrus's readers of its own exported formats
/// (registry CSV, REDCap) read cells through it, so an export reads back to
/// the same registry, and a cell typed with a spreadsheet's apostrophe reads
/// as the spreadsheet shows it.
std::string_view RestoreCsvExportField(std::string_view field);

}  // namespace cirrus::io
