#include "cirrus/io/table.hpp"

#include <charconv>
#include <cmath>
#include <optional>

#include "cirrus/io/csv.hpp"
#include "cirrus/io/files.hpp"
#include "cirrus/io/visit_csv.hpp"

namespace cirrus::io {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Result<ColumnTable> ParseColumns(std::string_view text, const std::string& source,
                                 const std::vector<ColumnRequest>& requests) {
  CsvReader reader(text, source);
  CIRRUS_ASSIGN_OR_RETURN(const bool has_header, reader.Next());
  if (!has_header) return Fail(ErrorCode::kInvalidArgument, source + ": the file is empty; expected a header row");
  const auto header = reader.fields();
  const std::size_t width = header.size();

  ColumnTable table;
  table.source = source;
  std::vector<std::size_t> index(requests.size());
  for (std::size_t r = 0; r < requests.size(); ++r) {
    for (std::size_t q = 0; q < r; ++q) {
      if (requests[q].name == requests[r].name && requests[q].kind == requests[r].kind) {
        return Fail(ErrorCode::kInvalidArgument, "column " + requests[r].name + " is requested twice");
      }
    }
    std::optional<std::size_t> found;
    for (std::size_t c = 0; c < width && !found; ++c) {
      if (header[c] == requests[r].name) found = c;
    }
    for (std::size_t c = 0; c < width && !found; ++c) {
      if (EqualIgnoringCase(header[c], requests[r].name)) found = c;
    }
    if (!found) {
      std::string names;
      for (std::size_t c = 0; c < width; ++c) names += (c ? ", " : "") + std::string(header[c]);
      return Fail(ErrorCode::kInvalidArgument,
                  source + ":1: no column \"" + requests[r].name + "\"; the columns are " + names, requests[r].name);
    }
    index[r] = *found;
    table.columns.push_back(Column{requests[r].name, requests[r].kind, {}, {}, {}});
  }

  while (true) {
    CIRRUS_ASSIGN_OR_RETURN(const bool more, reader.Next());
    if (!more) break;
    const auto fields = reader.fields();
    if (fields.size() != width) {
      return Fail(ErrorCode::kInvalidArgument, source + ":" + std::to_string(reader.line()) + ": " +
                                                   std::to_string(fields.size()) + " fields, but the header has " +
                                                   std::to_string(width));
    }
    table.lines.push_back(reader.line());
    for (std::size_t r = 0; r < requests.size(); ++r) {
      Column& column = table.columns[r];
      const std::string_view cell = Trim(fields[index[r]]);
      const bool missing = IsMissingValue(cell);
      column.present.push_back(missing ? 0 : 1);
      if (column.kind == ColumnKind::kText) {
        column.texts.emplace_back(missing ? std::string_view() : cell);
        continue;
      }
      double value = 0;
      if (!missing) {
        std::string_view digits = cell;
        if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-') digits.remove_prefix(1);
        const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(value)) {
          return Fail(ErrorCode::kInvalidArgument,
                      source + ":" + std::to_string(reader.line()) + ": column " + column.name + ", value \"" +
                          std::string(cell) + "\": expected a number",
                      column.name);
        }
      }
      column.numbers.push_back(value);
    }
  }
  return table;
}

Result<ColumnTable> ReadColumns(const std::string& path, const std::vector<ColumnRequest>& requests) {
  CIRRUS_ASSIGN_OR_RETURN(const std::string text, ReadFile(path));
  return ParseColumns(text, path, requests);
}

}  // namespace cirrus::io
