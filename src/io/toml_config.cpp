// TOML configuration reading (toml++ 3.3): see cirrus/io/toml_config.hpp.
#include "cirrus/io/toml_config.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <system_error>

namespace cirrus::io::toml_config {
namespace {

// How deep the parser would recurse: brackets and braces open, plus the
// components of the dotted key being read ("a.b.c" makes three nested
// tables). Strings and comments are skipped. Returns the line of the first
// place deeper than kMaxNesting, or 0.
std::uint32_t FirstTooDeepLine(std::string_view text) {
  std::uint32_t line = 1;
  int depth = 0;
  int key_dots = 0;
  bool in_value = false;  // after '=': dots are decimal points, not key separators
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      key_dots = 0;
      in_value = depth > 0 && in_value;
      if (depth == 0) in_value = false;
      continue;
    }
    if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      const bool triple = text.substr(i, 3) == std::string(3, c);
      const std::string_view close = triple ? text.substr(i, 3) : text.substr(i, 1);
      i += close.size();
      while (i < text.size()) {
        if (c == '"' && text[i] == '\\') {
          i += 2;
          continue;
        }
        if (text.substr(i, close.size()) == close) break;
        if (text[i] == '\n') {
          ++line;
          if (!triple) break;  // an unclosed string: the parser reports it
        }
        ++i;
      }
      i += close.size() - 1;
      continue;
    }
    switch (c) {
      case '[': ++depth; break;
      case '{':
        ++depth;
        in_value = false;
        key_dots = 0;
        break;
      case ']':
      case '}': depth = std::max(0, depth - 1); break;
      case '=':
        in_value = true;
        key_dots = 0;
        break;
      case ',': key_dots = 0; break;
      case '.':
        if (!in_value) ++key_dots;
        break;
      default: break;
    }
    if (depth + key_dots > kMaxNesting) return line;
  }
  return 0;
}

std::string ParseErrorMessage(const std::string& file, const ::toml::parse_error& error) {
  return file + ":" + std::to_string(error.source().begin.line) + ":" + std::to_string(error.source().begin.column) +
         ": " + std::string(error.description());
}

}  // namespace

Result<::toml::table> ParseDocument(std::string_view text, std::string_view file_name) {
  const std::string file(file_name);
  if (text.size() > kMaxFileBytes) {
    return Fail(ErrorCode::kInvalidArgument, file + ": " + std::to_string(text.size()) +
                                                 " bytes; a configuration file may hold at most " +
                                                 std::to_string(kMaxFileBytes) + " bytes");
  }
  if (const std::uint32_t line = FirstTooDeepLine(text); line != 0) {
    return Fail(ErrorCode::kInvalidArgument, file + ":" + std::to_string(line) + ": nested more than " +
                                                 std::to_string(kMaxNesting) +
                                                 " levels deep (arrays, inline tables and dotted keys together)");
  }
#if TOML_EXCEPTIONS
  try {
    return ::toml::parse(text, std::string_view(file));
  } catch (const ::toml::parse_error& error) {
    return Fail(ErrorCode::kInvalidArgument, ParseErrorMessage(file, error));
  }
#else
  ::toml::parse_result parsed = ::toml::parse(text, std::string_view(file));
  if (!parsed) return Fail(ErrorCode::kInvalidArgument, ParseErrorMessage(file, parsed.error()));
  return std::move(parsed).table();
#endif
}

std::string FormatNumber(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  std::array<char, 64> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  if (ec != std::errc()) return "?";
  return std::string(buffer.data(), end);
}

std::string JoinQuoted(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += '"';
    out += names[i];
    out += '"';
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  return out;
}

bool Range::Contains(double value) const {
  if (!std::isfinite(value)) return false;
  if (lo_open ? !(value > lo) : !(value >= lo)) return false;
  if (hi_open ? !(value < hi) : !(value <= hi)) return false;
  return true;
}

std::string Range::Describe() const {
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  if (!has_lo && !has_hi) return "must be a finite number";
  if (!has_hi) return std::string(lo_open ? "must be > " : "must be >= ") + FormatNumber(lo);
  if (!has_lo) return std::string(hi_open ? "must be < " : "must be <= ") + FormatNumber(hi);
  return std::string("must be in ") + (lo_open ? "(" : "[") + FormatNumber(lo) + ", " + FormatNumber(hi) +
         (hi_open ? ")" : "]");
}

Position PositionOf(const ::toml::source_region& region) { return {region.begin.line, region.begin.column}; }

Problems::Problems(std::string_view text, std::string_view file) : text_(text), file_(file) {
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

void Problems::Add(Position where, const std::string& what) {
  if (first_ && !(where < first_->first)) return;
  first_ = {where, file_ + ":" + std::to_string(where.line) + ": " + what};
}

void Problems::Bad(const ::toml::node& node, std::string_view name, std::string_view why) {
  std::string what;
  if (node.is_table()) {
    what = "[" + std::string(name) + "]";
  } else if (node.is_array_of_tables()) {
    what = "[[" + std::string(name) + "]]";
  } else {
    what = std::string(name) + " = " + AsWritten(node);
  }
  Add(PositionOf(node.source()), what + ": " + std::string(why));
}

// The value's text from the file, so that the message shows what the reader
// typed ("1e-3", not "0.001"), cut to a few hundred bytes; toml++ columns
// count code points.
std::string Problems::AsWritten(const ::toml::node& node) const {
  constexpr std::size_t kMaxQuoted = 200;
  std::string written;
  const ::toml::source_region& s = node.source();
  if (s.begin.line == s.end.line && s.begin.line >= 1 && s.begin.line <= line_starts_.size()) {
    const std::size_t start = Offset(s.begin.line, s.begin.column);
    const std::size_t end = Offset(s.end.line, s.end.column);
    if (start < end && end <= text_.size()) written = std::string(text_.substr(start, end - start));
  }
  if (written.empty()) {
    // A value spread over lines (an array): toml++ writes it on one.
    std::ostringstream out;
    node.visit([&out](const auto& n) { out << n; });
    written = out.str();
  }
  if (written.size() > kMaxQuoted) {
    std::size_t cut = kMaxQuoted;
    while (cut > 0 && (static_cast<unsigned char>(written[cut]) & 0xC0U) == 0x80U) --cut;
    written = written.substr(0, cut) + "... (" + std::to_string(written.size()) + " bytes)";
  }
  return written;
}

std::size_t Problems::Offset(std::uint32_t line, std::uint32_t column) const {
  std::size_t i = line_starts_[line - 1];
  for (std::uint32_t c = 1; c < column && i < text_.size() && text_[i] != '\n'; ++c) {
    ++i;
    while (i < text_.size() && (static_cast<unsigned char>(text_[i]) & 0xC0U) == 0x80U) ++i;
  }
  return i;
}

std::optional<double> AsNumber(const ::toml::node& node) {
  if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
  if (const auto* f = node.as_floating_point()) return f->get();
  return std::nullopt;
}

Section::Section(Problems& problems, const ::toml::table& table, std::string name,
                 std::vector<std::string_view> allowed)
    : problems_(problems), table_(table), name_(std::move(name)), allowed_(std::move(allowed)) {
  for (const auto& [key, node] : table_) {
    if (std::find(allowed_.begin(), allowed_.end(), key.str()) != allowed_.end()) continue;
    const bool is_table = node.is_table() || node.is_array_of_tables();
    problems_.Add(PositionOf(key.source()), std::string(is_table ? "unknown table " : "unknown key ") +
                                                Qualified(key.str()) + " (allowed: " + Join(allowed_) + ")");
  }
}

std::string Section::Qualified(std::string_view key) const {
  return name_.empty() ? std::string(key) : name_ + "." + std::string(key);
}

void Section::Fail(const ::toml::node& node, std::string_view key, std::string_view why) const {
  problems_.Bad(node, Qualified(key), why);
}

std::optional<double> Section::Number(std::string_view key, Range range) const {
  const ::toml::node* node = Find(key);
  if (node == nullptr) return std::nullopt;
  return NumberOf(*node, key, range);
}

void Section::Number(std::string_view key, Range range, double& out, double scale) const {
  if (auto v = Number(key, range)) out = *v / scale;
}

std::optional<double> Section::NumberOf(const ::toml::node& node, std::string_view key, Range range) const {
  const std::optional<double> value = AsNumber(node);
  if (!value) {
    Fail(node, key, "must be a number");
    return std::nullopt;
  }
  if (!range.Contains(*value)) {
    Fail(node, key, range.Describe());
    return std::nullopt;
  }
  return value;
}

void Section::Integer(std::string_view key, std::int64_t lo, std::int64_t hi, int& out) const {
  const ::toml::node* node = Find(key);
  if (node == nullptr) return;
  const std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  const auto* i = node->as_integer();
  if (i == nullptr || i->get() < lo || i->get() > hi) {
    Fail(*node, key, "must be an integer in " + range);
    return;
  }
  out = static_cast<int>(i->get());
}

void Section::Bool(std::string_view key, bool& out) const {
  const ::toml::node* node = Find(key);
  if (node == nullptr) return;
  if (const auto* b = node->as_boolean()) {
    out = b->get();
  } else {
    Fail(*node, key, "must be true or false");
  }
}

void Section::String(std::string_view key, std::string& out, Required required) const {
  const ::toml::node* node = Find(key);
  if (node == nullptr) return;
  const auto* s = node->as_string();
  if (s == nullptr) {
    Fail(*node, key, "must be a string");
    return;
  }
  if (required == Required::kNonEmpty && s->get().empty()) {
    Fail(*node, key, "must not be empty");
    return;
  }
  out = s->get();
}

void Section::Date(std::string_view key, core::Date& out) const {
  const ::toml::node* node = Find(key);
  if (node == nullptr) return;
  std::optional<std::string> text;
  if (const auto* str = node->as_string()) text = str->get();
  if (const auto* date = node->as_date()) {
    std::ostringstream written;
    written << date->get();
    text = written.str();
  }
  if (text) {
    if (Result<core::Date> parsed = core::ParseDate(*text)) {
      out = *parsed;
      return;
    }
  }
  Fail(*node, key, "must be a date \"YYYY-MM-DD\" in the years 1850-2200");
}

std::optional<std::vector<std::string>> Section::Strings(std::string_view key) const {
  const ::toml::node* node = Find(key);
  if (node == nullptr) return std::nullopt;
  const auto* array = node->as_array();
  if (array == nullptr) {
    Fail(*node, key, "must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> values;
  for (const ::toml::node& element : *array) {
    const auto* s = element.as_string();
    if (s == nullptr || s->get().empty()) {
      Fail(*node, key, "must be an array of non-empty strings");
      return std::nullopt;
    }
    if (std::find(values.begin(), values.end(), s->get()) != values.end()) {
      Fail(*node, key, "lists \"" + s->get() + "\" twice");
      return std::nullopt;
    }
    values.push_back(s->get());
  }
  return values;
}

std::optional<std::vector<double>> Section::AscendingNumbers(std::string_view key, Range range) const {
  const ::toml::node* node = Find(key);
  if (node == nullptr) return std::nullopt;
  const auto* array = node->as_array();
  if (array == nullptr) {
    Fail(*node, key, "must be an array of numbers");
    return std::nullopt;
  }
  std::vector<double> values;
  for (const ::toml::node& element : *array) {
    const std::optional<double> v = AsNumber(element);
    if (!v) {
      Fail(*node, key, "must be an array of numbers");
      return std::nullopt;
    }
    if (!range.Contains(*v)) {
      Fail(*node, key, "each entry " + range.Describe());
      return std::nullopt;
    }
    if (!values.empty() && !(*v > values.back())) {
      Fail(*node, key, "must be in ascending order without repeats");
      return std::nullopt;
    }
    values.push_back(*v);
  }
  return values;
}

const ::toml::node* Section::FirstPresent(std::initializer_list<std::string_view> keys, std::string_view* which) const {
  for (std::string_view key : keys) {
    if (const ::toml::node* node = Find(key)) {
      *which = key;
      return node;
    }
  }
  return nullptr;
}

const ::toml::table* TableOrReport(Problems& problems, const ::toml::table& parent, std::string_view key,
                                   const std::string& name) {
  const ::toml::node* node = parent.get(key);
  if (node == nullptr) return nullptr;
  if (const auto* table = node->as_table()) return table;
  problems.Bad(*node, name, "must be a table, written [" + name + "]");
  return nullptr;
}

}  // namespace cirrus::io::toml_config
