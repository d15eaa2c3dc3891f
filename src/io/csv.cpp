#include "cirrus/io/csv.hpp"

#include <algorithm>
#include <cstring>

namespace cirrus::io {

CsvReader::CsvReader(std::string_view text, std::string source, std::size_t first_line)
    : text_(text), source_(std::move(source)), next_line_(first_line) {
  if (first_line == 1 && text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

Result<bool> CsvReader::Next() {
  fields_.clear();
  // Skip blank lines (a lone "\n" or "\r\n").
  while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n') ++next_line_;
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;

  record_line_ = next_line_;
  const std::size_t start = pos_;
  const char* const data = text_.data();
  const std::size_t size = text_.size();

  // Fast path: scan to the end of line; if the record has no quote, split on commas.
  const void* newline = std::memchr(data + pos_, '\n', size - pos_);
  std::size_t line_end = newline != nullptr ? static_cast<std::size_t>(static_cast<const char*>(newline) - data) : size;
  if (std::memchr(data + start, '"', line_end - start) == nullptr) {
    std::size_t end = line_end;
    if (end > start && data[end - 1] == '\r') --end;
    record_ = text_.substr(start, end - start);
    std::size_t field_start = start;
    while (true) {
      const void* comma = std::memchr(data + field_start, ',', end - field_start);
      if (comma == nullptr) {
        fields_.emplace_back(data + field_start, end - field_start);
        break;
      }
      const auto comma_pos = static_cast<std::size_t>(static_cast<const char*>(comma) - data);
      fields_.emplace_back(data + field_start, comma_pos - field_start);
      field_start = comma_pos + 1;
    }
    pos_ = line_end < size ? line_end + 1 : size;
    ++next_line_;
    return true;
  }

  // Slow path: quoted fields may hold commas, quotes ("") and line breaks.
  // Fields are recorded as offsets into unescaped_ and turned into views at
  // the end, once the buffer has stopped growing.
  unescaped_.clear();
  field_offsets_.clear();
  std::size_t i = start;
  std::size_t lines_in_record = 0;
  while (true) {
    const std::size_t field_begin = unescaped_.size();
    if (i < size && data[i] == '"') {
      const std::size_t quote_line = record_line_ + lines_in_record;
      ++i;
      while (true) {
        if (i >= size) {
          return Fail(ErrorCode::kInvalidArgument,
                      source_ + ":" + std::to_string(quote_line) + ": a quoted field is never closed");
        }
        const char c = data[i];
        if (c == '"') {
          if (i + 1 < size && data[i + 1] == '"') {
            unescaped_.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (c == '\n') ++lines_in_record;
        unescaped_.push_back(c);
        ++i;
      }
      if (i < size && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
        return Fail(ErrorCode::kInvalidArgument, source_ + ":" + std::to_string(record_line_ + lines_in_record) +
                                                     ": unexpected text after a closing quote");
      }
    } else {
      while (i < size && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
        if (data[i] == '"') {
          return Fail(ErrorCode::kInvalidArgument,
                      source_ + ":" + std::to_string(record_line_ + lines_in_record) +
                          ": a quote inside an unquoted field; quote the whole field and double the quote");
        }
        unescaped_.push_back(data[i]);
        ++i;
      }
    }
    field_offsets_.emplace_back(field_begin, unescaped_.size() - field_begin);
    if (i < size && data[i] == ',') {
      ++i;
      continue;
    }
    break;
  }
  for (const auto& [offset, length] : field_offsets_) fields_.emplace_back(unescaped_.data() + offset, length);
  std::size_t end = i;
  if (i < size && data[i] == '\r') ++i;
  if (i < size && data[i] == '\n') ++i;
  record_ = text_.substr(start, end - start);
  pos_ = i;
  next_line_ += lines_in_record + 1;
  return true;
}

std::vector<CsvChunk> SplitCsvChunks(std::string_view text, std::size_t target_bytes, std::size_t first_line) {
  std::vector<CsvChunk> chunks;
  const std::size_t size = text.size();
  const char* data = text.data();
  std::size_t start = 0;
  std::size_t line = first_line;
  bool in_quotes = false;  // quote state at `start`
  // Most machine-written files quote nothing: one memchr then spares the
  // quote counting of every chunk.
  const bool any_quotes = size > 0 && std::memchr(data, '"', size) != nullptr;
  while (start < size) {
    std::size_t target = start + std::max<std::size_t>(target_bytes, 1);
    std::size_t end = size;
    if (target < size) {
      // Quote state at `target`: an odd number of quotes since `start` flips it.
      std::size_t k = target;
      if (any_quotes) {
        const auto quotes = std::count(data + start, data + target, '"');
        bool quoted = in_quotes != (quotes % 2 == 1);
        for (; k < size; ++k) {
          if (data[k] == '"') quoted = !quoted;
          if (data[k] == '\n' && !quoted) break;
        }
      } else {
        const void* newline = std::memchr(data + target, '\n', size - target);
        k = newline == nullptr ? size : static_cast<std::size_t>(static_cast<const char*>(newline) - data);
      }
      end = k < size ? k + 1 : size;
      in_quotes = false;  // a record boundary is outside quotes
    }
    chunks.push_back(CsvChunk{start, end - start, line});
    line += static_cast<std::size_t>(std::count(data + start, data + end, '\n'));
    start = end;
  }
  return chunks;
}

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (const char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

namespace {

// The first characters a spreadsheet reads as the start of a formula (OWASP,
// "CSV Injection"): =, +, - and @, and tab and carriage return, which some
// spreadsheets skip before looking at the next character.
bool IsFormulaTrigger(char c) { return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'; }

// A decimal number and nothing else: [+-]digits[.digits][(e|E)[+-]digits].
bool IsPlainNumber(std::string_view text) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i - start;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  std::size_t mantissa = digits();
  if (i < text.size() && text[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

// Whether `text` is single quotes (maybe none) and then a formula trigger.
bool QuotesThenTrigger(std::string_view text) {
  const std::size_t first = text.find_first_not_of('\'');
  return first != std::string_view::npos && IsFormulaTrigger(text[first]);
}

}  // namespace

void AppendCsvExportField(std::string& out, std::string_view field) {
  // Quotes-then-trigger gets a quote too, so that RestoreCsvExportField,
  // which removes one quote from exactly those cells, gives back every cell.
  if (QuotesThenTrigger(field) && !IsPlainNumber(field)) {
    std::string neutralised = "'";
    neutralised.append(field);
    AppendCsvField(out, neutralised);
    return;
  }
  AppendCsvField(out, field);
}

std::string_view RestoreCsvExportField(std::string_view field) {
  if (field.starts_with('\'') && QuotesThenTrigger(field)) field.remove_prefix(1);
  return field;
}

}  // namespace cirrus::io
