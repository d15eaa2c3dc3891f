#include "cirrus/io/table.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <optional>
#include <thread>

#include "cirrus/base/text.hpp"
#include "cirrus/io/csv.hpp"
#include "cirrus/io/files.hpp"
#include "cirrus/io/visit_csv.hpp"

namespace cirrus::io {
namespace {}  // namespace

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
      if (TrimBlanks(header[c]) == requests[r].name) found = c;
    }
    for (std::size_t c = 0; c < width && !found; ++c) {
      if (EqualsIgnoringCase(TrimBlanks(header[c]), requests[r].name)) found = c;
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

  // The records after the header are cut into chunks at record boundaries and
  // parsed on all cores; each chunk fills its own columns, joined in order.
  const std::string_view header_text = reader.record_text();
  std::size_t body_start = static_cast<std::size_t>(header_text.data() - text.data()) + header_text.size();
  if (body_start < text.size() && text[body_start] == '\r') ++body_start;
  if (body_start < text.size() && text[body_start] == '\n') ++body_start;
  const std::size_t header_lines = static_cast<std::size_t>(std::count(text.data(), text.data() + body_start, '\n'));
  const std::string_view body = text.substr(body_start);
  const unsigned threads = std::max(1U, std::thread::hardware_concurrency());
  const std::size_t target = std::max<std::size_t>(body.size() / (4 * threads) + 1, 1 << 16);
  const std::vector<CsvChunk> chunks = SplitCsvChunks(body, target, 1 + header_lines);

  struct Part {
    std::deque<std::string> unescaped;  // stable addresses for cells unescaped from quotes
    std::vector<Column> columns;
    std::vector<std::size_t> lines;
    std::optional<Error> error;
  };
  std::vector<Part> parts(chunks.size());
  auto parse_chunk = [&](std::size_t c) {
    Part& part = parts[c];
    // Reserve for the chunk's line count, an upper bound on its rows, so the
    // columns never regrow (each regrowth copies and faults in fresh pages).
    const std::string_view piece = body.substr(chunks[c].offset, chunks[c].size);
    const auto lines = static_cast<std::size_t>(std::count(piece.begin(), piece.end(), '\n')) + 1;
    part.lines.reserve(lines);
    for (const Column& column : table.columns) {
      Column& added = part.columns.emplace_back(Column{column.name, column.kind, {}, {}, {}});
      added.present.reserve(lines);
      if (column.kind == ColumnKind::kText) {
        added.texts.reserve(lines);
      } else {
        added.numbers.reserve(lines);
      }
    }
    CsvReader chunk_reader(piece, source, chunks[c].first_line);
    while (true) {
      auto more = chunk_reader.Next();
      if (!more) {
        part.error = more.error();
        return;
      }
      if (!*more) return;
      const auto fields = chunk_reader.fields();
      if (fields.size() != width) {
        part.error = Error{ErrorCode::kInvalidArgument,
                           source + ":" + std::to_string(chunk_reader.line()) + ": " + std::to_string(fields.size()) +
                               " fields, but the header has " + std::to_string(width),
                           {}};
        return;
      }
      part.lines.push_back(chunk_reader.line());
      for (std::size_t r = 0; r < requests.size(); ++r) {
        Column& column = part.columns[r];
        const std::string_view cell = TrimBlanks(fields[index[r]]);
        const bool missing = IsMissingValue(cell);
        column.present.push_back(missing ? 0 : 1);
        if (column.kind == ColumnKind::kText) {
          // A cell inside the file is viewed where it is; one the reader
          // unescaped ("a ""b""") lives in its per-record buffer, so it is copied.
          const bool in_file = cell.data() >= text.data() && cell.data() + cell.size() <= text.data() + text.size();
          if (missing) {
            column.texts.emplace_back();
          } else if (in_file) {
            column.texts.push_back(cell);
          } else {
            column.texts.emplace_back(part.unescaped.emplace_back(cell));
          }
          continue;
        }
        double value = 0;
        if (!missing) {
          std::string_view digits = cell;
          if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-') digits.remove_prefix(1);
          const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
          if (ec != std::errc() || ptr != digits.data() + digits.size() || !std::isfinite(value)) {
            part.error = Error{ErrorCode::kInvalidArgument,
                               source + ":" + std::to_string(chunk_reader.line()) + ": column " + column.name +
                                   ", value \"" + std::string(cell) + "\": expected a number",
                               column.name};
            return;
          }
        }
        column.numbers.push_back(value);
      }
    }
  };
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t c = next++; c < chunks.size(); c = next++) parse_chunk(c);
  };
  std::vector<std::thread> workers;
  for (unsigned t = 1; t < std::min<std::size_t>(threads, chunks.size()); ++t) workers.emplace_back(work);
  work();
  for (std::thread& t : workers) t.join();

  std::size_t rows = 0;
  for (const Part& part : parts) {
    if (part.error) return Fail(*part.error);  // the first bad chunk in file order
    rows += part.lines.size();
  }
  table.lines.reserve(rows);
  for (std::size_t r = 0; r < table.columns.size(); ++r) {
    Column& column = table.columns[r];
    column.present.reserve(rows);
    if (column.kind == ColumnKind::kText) {
      column.texts.reserve(rows);
    } else {
      column.numbers.reserve(rows);
    }
  }
  // Joining the chunks copies every column once (and faults its pages in):
  // the columns are independent, so the cores share them.
  auto join = [&](std::size_t r) {
    if (r == table.columns.size()) {
      for (const Part& part : parts) table.lines.insert(table.lines.end(), part.lines.begin(), part.lines.end());
      return;
    }
    Column& column = table.columns[r];
    for (const Part& part : parts) {
      const Column& piece = part.columns[r];
      column.present.insert(column.present.end(), piece.present.begin(), piece.present.end());
      column.numbers.insert(column.numbers.end(), piece.numbers.begin(), piece.numbers.end());
      column.texts.insert(column.texts.end(), piece.texts.begin(), piece.texts.end());
    }
  };
  std::atomic<std::size_t> next_column{0};
  auto join_work = [&] {
    for (std::size_t r = next_column++; r <= table.columns.size(); r = next_column++) join(r);
  };
  workers.clear();
  for (unsigned t = 1; t < std::min<std::size_t>(threads, table.columns.size() + 1); ++t) {
    workers.emplace_back(join_work);
  }
  join_work();
  for (std::thread& t : workers) t.join();
  for (Part& part : parts) {
    if (!part.unescaped.empty()) table.unescaped.push_back(std::move(part.unescaped));
  }
  return table;
}

Result<ColumnTable> ReadColumns(const std::string& path, const std::vector<ColumnRequest>& requests) {
  CIRRUS_ASSIGN_OR_RETURN(MappedFile file, MappedFile::Open(path));
  auto mapped = std::make_shared<const MappedFile>(std::move(file));
  CIRRUS_ASSIGN_OR_RETURN(ColumnTable table, ParseColumns(mapped->text(), path, requests));
  table.source_text = mapped;
  return table;
}

}  // namespace cirrus::io
