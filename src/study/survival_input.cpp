#include "cirrus/study/survival_input.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace cirrus::study {
namespace {

std::optional<double> AsNumber(std::string_view text) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Labels in R's factor order, and each value's code. When every value is a
// number the column is numeric, as R reads it: values are ordered and merged
// by number ("2" and "2.0" are one group, labelled "2"). Otherwise labels are
// the texts in byte order. Distinct values are found with a hash map first,
// so only they are sorted, not a million copies.
struct Levels {
  std::vector<std::string> labels;
  std::vector<int> codes;
};

std::string ShortestText(double value) {
  char buffer[32];
  const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, ptr) : std::string("?");
}

Levels Factor(const std::vector<std::string_view>& values) {
  std::unordered_set<std::string_view> distinct(values.begin(), values.end());
  const bool numeric =
      std::all_of(distinct.begin(), distinct.end(), [](std::string_view v) { return AsNumber(v).has_value(); });
  Levels levels;
  std::unordered_map<std::string_view, int> code;
  if (numeric) {
    std::vector<double> numbers;
    for (std::string_view v : distinct) numbers.push_back(*AsNumber(v));
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    for (double x : numbers) levels.labels.push_back(ShortestText(x));
    for (std::string_view v : distinct) {
      const double x = *AsNumber(v);
      code.emplace(v, static_cast<int>(std::lower_bound(numbers.begin(), numbers.end(), x) - numbers.begin()));
    }
  } else {
    std::vector<std::string_view> texts(distinct.begin(), distinct.end());
    std::sort(texts.begin(), texts.end());
    for (std::size_t i = 0; i < texts.size(); ++i) {
      levels.labels.emplace_back(texts[i]);
      code.emplace(texts[i], static_cast<int>(i));
    }
  }
  levels.codes.reserve(values.size());
  for (std::string_view v : values) levels.codes.push_back(code.at(v));
  return levels;
}

}  // namespace

std::vector<io::ColumnRequest> SurvivalSpec::Requests() const {
  std::vector<io::ColumnRequest> r{{time, io::ColumnKind::kNumber}, {event, io::ColumnKind::kText}};
  if (entry) r.push_back({*entry, io::ColumnKind::kNumber});
  if (group) r.push_back({*group, io::ColumnKind::kText});
  if (strata) r.push_back({*strata, io::ColumnKind::kText});
  if (weights) r.push_back({*weights, io::ColumnKind::kNumber});
  return r;
}

Result<SurvivalInput> BuildSurvivalInput(const io::ColumnTable& table, const SurvivalSpec& spec) {
  std::size_t next = 0;
  const io::Column& time = table.columns.at(next++);
  const io::Column& event = table.columns.at(next++);
  const io::Column* entry = spec.entry ? &table.columns.at(next++) : nullptr;
  const io::Column* group = spec.group ? &table.columns.at(next++) : nullptr;
  const io::Column* strata = spec.strata ? &table.columns.at(next++) : nullptr;
  const io::Column* weights = spec.weights ? &table.columns.at(next++) : nullptr;
  const std::vector<const io::Column*> used = {&time, &event, entry, group, strata, weights};

  auto fail = [&](std::size_t row, const io::Column& column, std::string_view value, const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument,
                table.source + ":" + std::to_string(table.lines[row]) + ": column " + column.name + ", value \"" +
                    std::string(value) + "\": " + why,
                column.name);
  };
  auto text_of = [](const io::Column& c, std::size_t row) {
    if (c.kind == io::ColumnKind::kText) return c.texts[row];
    char buffer[64];
    const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, c.numbers[row]);
    return ec == std::errc() ? std::string(buffer, ptr) : std::string("?");
  };

  SurvivalInput out;
  // Views into the table's cells: no copy of a million labels.
  std::vector<std::string_view> group_values;
  std::vector<std::string_view> strata_values;
  std::vector<std::optional<double>> event_numbers;
  for (const std::string& v : spec.event_values) event_numbers.push_back(AsNumber(v));
  std::vector<std::uint8_t> value_seen(spec.event_values.size(), 0);
  for (std::size_t row = 0; row < table.rows(); ++row) {
    bool complete = true;
    for (const io::Column* c : used) {
      if (c != nullptr && c->present[row] == 0) complete = false;
    }
    if (!complete) {
      ++out.dropped_missing;
      continue;
    }
    double t = time.numbers[row];
    if (t < 0) return fail(row, time, text_of(time, row), "a time must be >= 0");
    double start = 0;
    if (entry != nullptr) {
      start = entry->numbers[row];
      if (start < 0) return fail(row, *entry, text_of(*entry, row), "an entry time must be >= 0");
      if (!(start < t)) {
        return fail(row, *entry, text_of(*entry, row),
                    "the entry time must be before the time (" + text_of(time, row) + ")");
      }
    }
    std::uint8_t is_event = 0;
    const std::string& cell = event.texts[row];
    if (spec.event_values.empty()) {
      const auto number = AsNumber(cell);
      if (!number) {
        return fail(row, event, cell, "expected a number (0 = censored, non-zero = event) or give --event-value");
      }
      is_event = *number != 0 ? 1 : 0;
    } else {
      const auto a = AsNumber(cell);
      for (std::size_t v = 0; v < spec.event_values.size(); ++v) {
        const auto& b = event_numbers[v];
        if (cell == spec.event_values[v] || (a && b && *a == *b)) {
          is_event = 1;
          value_seen[v] = 1;
        }
      }
    }
    double w = 1;
    if (weights != nullptr) {
      w = weights->numbers[row];
      if (!(w > 0)) return fail(row, *weights, text_of(*weights, row), "a weight must be > 0");
    }
    if (spec.landmark) {
      const double landmark = *spec.landmark;
      if (!(t > landmark)) {
        ++out.excluded_by_landmark;
        continue;
      }
      t -= landmark;
      start = std::max(start - landmark, 0.0);
    }
    out.time.push_back(t);
    out.event.push_back(is_event);
    if (entry != nullptr) out.entry.push_back(start);
    if (weights != nullptr) out.weight.push_back(w);
    group_values.push_back(group != nullptr ? std::string_view(group->texts[row]) : std::string_view("all"));
    if (strata != nullptr) strata_values.push_back(strata->texts[row]);
  }
  for (std::size_t v = 0; v < spec.event_values.size(); ++v) {
    if (value_seen[v] == 0) {
      return Fail(
          ErrorCode::kInvalidArgument,
          table.source + ": column " + event.name + ": the event value \"" + spec.event_values[v] + "\" never occurs",
          event.name);
    }
  }
  if (out.time.empty()) {
    return Fail(ErrorCode::kInvalidArgument, table.source + ": no rows remain after dropping " +
                                                 std::to_string(out.dropped_missing) + " with missing values" +
                                                 (spec.landmark ? " and those not at risk at the landmark" : ""));
  }
  Levels groups = Factor(group_values);
  out.group_labels = std::move(groups.labels);
  out.group = std::move(groups.codes);
  if (strata != nullptr) {
    Levels levels = Factor(strata_values);
    out.strata_labels = std::move(levels.labels);
    out.strata = std::move(levels.codes);
  }
  return out;
}

}  // namespace cirrus::study
