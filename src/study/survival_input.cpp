#include "cirrus/study/survival_input.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "cirrus/base/text.hpp"
#include "internal/factor.hpp"

namespace cirrus::study {
namespace {

using internal::AsNumber;
using internal::Factor;
using internal::Levels;

}  // namespace

Result<std::vector<CovariateSpec>> ParseCovariates(std::string_view text) {
  std::vector<CovariateSpec> terms;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view term = text.substr(start, end - start);
    while (!term.empty() && term.front() == ' ') term.remove_prefix(1);
    while (!term.empty() && term.back() == ' ') term.remove_suffix(1);
    if (term.empty()) {
      return Fail(ErrorCode::kInvalidArgument, "covariates \"" + std::string(text) + "\" have an empty term",
                  "covariates");
    }
    CovariateSpec spec;
    spec.name = std::string(term);
    const std::size_t open = term.find('(');
    if (open == std::string_view::npos) {
      spec.column = std::string(term);
    } else {
      const std::string_view function = term.substr(0, open);
      if (term.back() != ')' || function != "log") {
        return Fail(ErrorCode::kInvalidArgument,
                    "covariate \"" + std::string(term) + "\": the only transform is log(column)", "covariates");
      }
      spec.column = std::string(term.substr(open + 1, term.size() - open - 2));
      spec.transform = CovariateSpec::Transform::kLog;
    }
    terms.push_back(std::move(spec));
    start = end + 1;
  }
  return terms;
}

std::vector<io::ColumnRequest> SurvivalSpec::Requests() const {
  std::vector<io::ColumnRequest> r{{time, io::ColumnKind::kNumber}, {event, io::ColumnKind::kText}};
  if (entry) r.push_back({*entry, io::ColumnKind::kNumber});
  if (group) r.push_back({*group, io::ColumnKind::kText});
  if (strata) r.push_back({*strata, io::ColumnKind::kText});
  if (weights) r.push_back({*weights, io::ColumnKind::kNumber});
  if (cluster) r.push_back({*cluster, io::ColumnKind::kText});
  for (const CovariateSpec& c : covariates) {
    const bool requested = std::any_of(r.begin(), r.end(), [&](const io::ColumnRequest& q) {
      return q.name == c.column && q.kind == io::ColumnKind::kNumber;
    });
    if (!requested) r.push_back({c.column, io::ColumnKind::kNumber});
  }
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
  const io::Column* cluster = spec.cluster ? &table.columns.at(next++) : nullptr;
  std::vector<const io::Column*> used = {&time, &event, entry, group, strata, weights, cluster};
  std::vector<const io::Column*> covariate_columns;
  for (const CovariateSpec& c : spec.covariates) {
    const auto found = std::find_if(table.columns.begin(), table.columns.end(), [&](const io::Column& column) {
      return column.name == c.column && column.kind == io::ColumnKind::kNumber;
    });
    covariate_columns.push_back(&*found);
    used.push_back(&*found);
  }
  // Covariates go straight to their place in the column-major result, as if
  // every row were kept; columns are closed up after the loop if rows were
  // dropped.
  const std::size_t capacity = table.rows();
  std::vector<double> covariates(spec.covariates.size() * capacity);
  std::size_t kept = 0;
  std::vector<std::string_view> cluster_values;

  auto fail = [&](std::size_t row, const io::Column& column, std::string_view value, const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument,
                table.source + ":" + std::to_string(table.lines[row]) + ": column " + column.name + ", value \"" +
                    std::string(value) + "\": " + why,
                column.name);
  };
  auto text_of = [](const io::Column& c, std::size_t row) {
    if (c.kind == io::ColumnKind::kText) return std::string(c.texts[row]);
    char buffer[64];
    const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof buffer, c.numbers[row]);
    return ec == std::errc() ? std::string(buffer, ptr) : std::string("?");
  };

  SurvivalInput out;
  // Views into the table's cells: no copy of a million labels.
  std::vector<std::string_view> group_values;
  std::vector<std::string_view> strata_values;
  // Reserved once: most rows are kept, and growing a million-row vector
  // copies it several times.
  out.time.reserve(table.rows());
  out.event.reserve(table.rows());
  if (group != nullptr) group_values.reserve(table.rows());
  if (entry != nullptr) out.entry.reserve(table.rows());
  if (weights != nullptr) out.weight.reserve(table.rows());
  if (strata != nullptr) strata_values.reserve(table.rows());
  std::vector<std::optional<double>> event_numbers;
  for (const std::string& v : spec.event_values) event_numbers.push_back(AsNumber(v));
  std::vector<std::uint8_t> value_seen(spec.event_values.size(), 0);
  // Competing risks: the cells of the events, labelled in R's factor order after the loop.
  const bool causes = spec.event_coding == EventCoding::kCauses;
  std::vector<std::string_view> cause_values;
  std::vector<std::size_t> cause_rows;
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
    const std::string_view cell = event.texts[row];
    if (causes) {
      const auto number = AsNumber(cell);
      if (!number) return fail(row, event, cell, "expected a number (0 = censored, any other number = the cause)");
      is_event = *number != 0 ? 1 : 0;
    } else if (spec.event_values.empty() && cell.size() == 1 && (cell[0] == '0' || cell[0] == '1')) {
      is_event = cell[0] == '1' ? 1 : 0;  // the usual coding, without a number parse
    } else if (spec.event_values.empty()) {
      // R writes logical columns as TRUE/FALSE: they count as 1/0.
      auto number = AsNumber(cell);
      if (!number && (cell == "TRUE" || cell == "true")) number = 1.0;
      if (!number && (cell == "FALSE" || cell == "false")) number = 0.0;
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
    if (causes && is_event != 0) {
      cause_values.push_back(cell);
      cause_rows.push_back(out.event.size() - 1);
    }
    if (entry != nullptr) out.entry.push_back(start);
    if (weights != nullptr) out.weight.push_back(w);
    if (group != nullptr) group_values.push_back(group->texts[row]);
    if (strata != nullptr) strata_values.push_back(strata->texts[row]);
    if (cluster != nullptr) cluster_values.push_back(cluster->texts[row]);
    for (std::size_t c = 0; c < spec.covariates.size(); ++c) {
      const double value = covariate_columns[c]->numbers[row];
      if (spec.covariates[c].transform == CovariateSpec::Transform::kLog) {
        if (!(value > 0)) {
          return fail(row, *covariate_columns[c], text_of(*covariate_columns[c], row),
                      "log() needs a value > 0 (term " + spec.covariates[c].name + ")");
        }
        covariates[c * capacity + kept] = std::log(value);
      } else {
        covariates[c * capacity + kept] = value;
      }
    }
    ++kept;
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
  if (kept < capacity) {
    for (std::size_t c = 1; c < spec.covariates.size(); ++c) {
      std::copy(covariates.begin() + static_cast<std::ptrdiff_t>(c * capacity),
                covariates.begin() + static_cast<std::ptrdiff_t>(c * capacity + kept),
                covariates.begin() + static_cast<std::ptrdiff_t>(c * kept));
    }
    covariates.resize(spec.covariates.size() * kept);
  }
  out.covariates = std::move(covariates);
  for (const CovariateSpec& c : spec.covariates) out.covariate_names.push_back(c.name);
  if (cluster != nullptr) out.cluster = Factor(cluster_values).codes;
  if (causes) {
    Levels levels = Factor(cause_values);
    out.cause.assign(out.time.size(), 0);
    for (std::size_t i = 0; i < cause_rows.size(); ++i) out.cause[cause_rows[i]] = levels.codes[i] + 1;
    out.cause_labels = std::move(levels.labels);
  }
  if (group != nullptr) {
    Levels groups = Factor(group_values);
    out.group_labels = std::move(groups.labels);
    out.group = std::move(groups.codes);
  } else {
    // Without a group column everyone is in one group: no labels to hash.
    out.group_labels = {"all"};
    out.group.assign(out.time.size(), 0);
  }
  if (strata != nullptr) {
    Levels levels = Factor(strata_values);
    out.strata_labels = std::move(levels.labels);
    out.strata = std::move(levels.codes);
  }
  return out;
}

Status CheckCovariatesVary(const SurvivalInput& input, const std::string& source) {
  const std::size_t n = input.time.size();
  for (std::size_t c = 0; c < input.covariate_names.size(); ++c) {
    const double* column = input.covariates.data() + c * n;
    if (n > 0 && std::all_of(column, column + n, [&](double v) { return v == column[0]; })) {
      return Fail(ErrorCode::kInvalidArgument,
                  source + ": covariate " + input.covariate_names[c] + " has the same value (" +
                      ShortestText(column[0]) + ") in all " + std::to_string(n) +
                      " rows used; its effect cannot be estimated",
                  input.covariate_names[c]);
    }
  }
  return {};
}

}  // namespace cirrus::study
