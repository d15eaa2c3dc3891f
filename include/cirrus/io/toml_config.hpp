// cirrus/io/toml_config.hpp: reading a TOML configuration file (a simulator
// design, a study definition) with errors that name the file, line, key and
// value and say what is allowed:
//   "trial.toml:12: effect.hazard_ratio_late = -1: must be in (0, 10]"
//
// The caller reads the file (this header does no I/O) and passes its text and
// name. Every problem is recorded with its position and only the earliest is
// kept: toml++ keeps keys in a sorted map, so walking the tables finds problems
// out of file order, and the earliest is the one a reader meets first.
//
// Example:
//   auto root = io::toml_config::ParseDocument(text, "study.toml");
//   if (!root) return root.error();
//   io::toml_config::Problems problems(text, "study.toml");
//   io::toml_config::Section study(problems, *root, "", {"code", "title"});
//   std::string code;
//   study.String("code", code, io::toml_config::Required::kNonEmpty);
//   if (problems.any()) return Fail(ErrorCode::kInvalidArgument, problems.first_message());
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/date.hpp"

namespace cirrus::io::toml_config {

/// The most bytes a configuration file may hold, and the deepest nesting of
/// arrays and inline tables: a design or study needs a few kilobytes and two
/// levels, and the TOML parser recurses once per level.
inline constexpr std::size_t kMaxFileBytes = 1 << 20;
inline constexpr int kMaxNesting = 32;

/// Parses the text as TOML. Errors: kInvalidArgument "file:line:column: why"
/// for a syntax error, a file over kMaxFileBytes or nesting over kMaxNesting.
Result<::toml::table> ParseDocument(std::string_view text, std::string_view file_name);

/// Whole numbers without exponent ("10000000", not "1e+07"), so that ranges in
/// messages read as they would be typed; others as their shortest text.
std::string FormatNumber(double value);
std::string Join(const std::vector<std::string_view>& names);        ///< a, b, c
std::string JoinQuoted(const std::vector<std::string_view>& names);  ///< "a", "b", "c"

/// An interval of accepted numbers and how to say it.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  bool lo_open = true;
  double hi = std::numeric_limits<double>::infinity();
  bool hi_open = true;

  [[nodiscard]] bool Contains(double value) const;
  [[nodiscard]] std::string Describe() const;  ///< "must be in (0, 10]"
};

constexpr Range AnyFinite() { return {}; }
constexpr Range AtLeast(double lo) { return {lo, false, std::numeric_limits<double>::infinity(), true}; }
constexpr Range Above(double lo) { return {lo, true, std::numeric_limits<double>::infinity(), true}; }
constexpr Range Closed(double lo, double hi) { return {lo, false, hi, false}; }
constexpr Range OpenClosed(double lo, double hi) { return {lo, true, hi, false}; }
constexpr Range ClosedOpen(double lo, double hi) { return {lo, false, hi, true}; }

struct Position {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  friend bool operator<(const Position& a, const Position& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
  }
};

Position PositionOf(const ::toml::source_region& region);

/// The problems of one file; keeps the earliest.
class Problems {
 public:
  Problems(std::string_view text, std::string_view file);

  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] bool any() const { return first_.has_value(); }
  [[nodiscard]] std::string first_message() const { return first_ ? first_->second : std::string(); }

  /// Records "<file>:<line>: <what>", keeping the earliest.
  void Add(Position where, const std::string& what);
  /// "<name> = <value as written>: <why>" at the node; a table has no value to
  /// quote, so it is named as its header ("[name]", "[[name]]").
  void Bad(const ::toml::node& node, std::string_view name, std::string_view why);

 private:
  [[nodiscard]] std::string AsWritten(const ::toml::node& node) const;
  [[nodiscard]] std::size_t Offset(std::uint32_t line, std::uint32_t column) const;

  std::string_view text_;
  std::string file_;
  std::vector<std::size_t> line_starts_;
  std::optional<std::pair<Position, std::string>> first_;
};

/// An integer or a float; nothing for other types.
std::optional<double> AsNumber(const ::toml::node& node);

/// Whether an empty string is refused.
enum class Required { kAny, kNonEmpty };

/// One table of the file: checks its keys against the allowed ones and reads
/// typed values. A getter leaves its target unchanged when the key is absent
/// or its value is refused (the refusal is recorded).
class Section {
 public:
  Section(Problems& problems, const ::toml::table& table, std::string name, std::vector<std::string_view> allowed);

  [[nodiscard]] std::string Qualified(std::string_view key) const;  ///< "name.key"
  [[nodiscard]] const ::toml::node* Find(std::string_view key) const { return table_.get(key); }
  [[nodiscard]] const ::toml::table& table() const { return table_; }
  [[nodiscard]] Problems& problems() const { return problems_; }

  void Fail(const ::toml::node& node, std::string_view key, std::string_view why) const;

  /// A number (integer or float) in `range`.
  std::optional<double> Number(std::string_view key, Range range) const;
  void Number(std::string_view key, Range range, double& out, double scale = 1) const;
  std::optional<double> NumberOf(const ::toml::node& node, std::string_view key, Range range) const;
  void Integer(std::string_view key, std::int64_t lo, std::int64_t hi, int& out) const;
  void Bool(std::string_view key, bool& out) const;
  void String(std::string_view key, std::string& out, Required required = Required::kAny) const;
  /// A date written "YYYY-MM-DD" as a string or a TOML date.
  void Date(std::string_view key, core::Date& out) const;
  /// An array of non-empty strings, each at most once.
  std::optional<std::vector<std::string>> Strings(std::string_view key) const;
  /// An array of numbers, each in `range`, strictly ascending.
  std::optional<std::vector<double>> AscendingNumbers(std::string_view key, Range range) const;

  /// A string mapped to a value by `parse` (nullopt: refused, naming `allowed`).
  template <typename T, typename ParseFn>
  std::optional<T> Choice(std::string_view key, ParseFn parse, std::string_view allowed) const {
    const ::toml::node* node = Find(key);
    if (node == nullptr) return std::nullopt;
    const auto* s = node->as_string();
    if (s == nullptr) {
      Fail(*node, key, "must be a string, one of " + std::string(allowed));
      return std::nullopt;
    }
    std::optional<T> value = parse(std::string_view(s->get()));
    if (!value) Fail(*node, key, "must be one of " + std::string(allowed));
    return value;
  }

  /// Where a cross-field problem is reported: the first of `keys` present.
  [[nodiscard]] const ::toml::node* FirstPresent(std::initializer_list<std::string_view> keys,
                                                 std::string_view* which) const;

 private:
  Problems& problems_;
  const ::toml::table& table_;
  std::string name_;
  std::vector<std::string_view> allowed_;
};

/// A table of names and the values they stand for.
template <typename T, std::size_t N>
using NameTable = std::array<std::pair<std::string_view, T>, N>;

template <typename T, std::size_t N>
std::optional<T> Lookup(std::string_view text, const NameTable<T, N>& table) {
  for (const auto& [name, value] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename T, std::size_t N>
std::string Allowed(const NameTable<T, N>& table) {
  std::vector<std::string_view> names;
  for (const auto& entry : table) names.push_back(entry.first);
  return JoinQuoted(names);
}

template <typename T, std::size_t N>
std::optional<T> ChoiceOf(const Section& section, std::string_view key, const NameTable<T, N>& table) {
  return section.Choice<T>(
      key, [&table](std::string_view text) { return Lookup(text, table); }, Allowed(table));
}

/// The array `node` (of `key`) as distinct names, each read by `parse`
/// (returning an optional T); nothing, with a problem recorded, when it is
/// not such an array. `what` names one element and `allowed` lists the names
/// in messages: "unknown outcome \"dead\" (allowed: ...)".
template <typename T, typename ParseFn>
std::optional<std::vector<T>> DistinctNames(const Section& section, const ::toml::node& node, std::string_view key,
                                            ParseFn parse, std::string_view allowed, std::string_view what) {
  const std::string kind(what);
  const std::string listed = "(allowed: " + std::string(allowed) + ")";
  const auto* array = node.as_array();
  if (array == nullptr) {
    section.Fail(node, key, "must be an array of " + kind + " names " + listed);
    return std::nullopt;
  }
  std::vector<T> values;
  for (const ::toml::node& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) {
      section.Fail(node, key, "must be an array of " + kind + " names " + listed);
      return std::nullopt;
    }
    std::optional<T> value = parse(std::string_view(text->get()));
    if (!value) {
      section.Fail(node, key, "unknown " + kind + " \"" + text->get() + "\" " + listed);
      return std::nullopt;
    }
    if (std::find(values.begin(), values.end(), *value) != values.end()) {
      section.Fail(node, key, "lists \"" + text->get() + "\" twice");
      return std::nullopt;
    }
    values.push_back(*value);
  }
  return values;
}

/// An array of distinct names of the table: an empty vector when the key is
/// absent, nothing (a problem recorded) when it is not such an array.
template <typename T, std::size_t N>
std::optional<std::vector<T>> ChoicesOf(const Section& section, std::string_view key, const NameTable<T, N>& table,
                                        std::string_view what) {
  const ::toml::node* node = section.Find(key);
  if (node == nullptr) return std::vector<T>{};
  return DistinctNames<T>(
      section, *node, key, [&table](std::string_view text) { return Lookup(text, table); }, Allowed(table), what);
}

/// The sub-table `key` of `parent`, or nothing when absent; a value that is not
/// a table is recorded as a problem ("must be a table, written [name]").
const ::toml::table* TableOrReport(Problems& problems, const ::toml::table& parent, std::string_view key,
                                   const std::string& name);

}  // namespace cirrus::io::toml_config
