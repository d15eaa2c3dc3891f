#include "cirrus/study/longitudinal.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include "cirrus/base/text.hpp"
#include "internal/factor.hpp"

namespace cirrus::study {
namespace {

// A cell quoted in a message: at most this many bytes of it.
constexpr std::size_t kQuotedCell = 200;

std::string Quote(std::string_view cell) {
  if (cell.size() > kQuotedCell) return "\"" + std::string(cell.substr(0, kQuotedCell)) + "...\"";
  return "\"" + std::string(cell) + "\"";
}

std::string TimeText(double t) { return ShortestText(t); }

// R's mean(): a long double sum, then one correction pass (summary.c).
double Mean(const std::vector<double>& x) {
  long double sum = 0;
  for (const double v : x) sum += v;
  const auto n = static_cast<long double>(x.size());
  long double mean = sum / n;
  long double correction = 0;
  for (const double v : x) correction += v - mean;
  return static_cast<double>(mean + correction / n);
}

// A stats error as a sentence for the user: the function's name goes, the
// file comes first.
Error ForUser(Error error, const std::string& source) {
  const std::size_t colon = error.message.find(": ");
  if (error.message.rfind("stats::", 0) == 0 && colon != std::string::npos) error.message.erase(0, colon + 2);
  error.message = source + ": " + error.message;
  return error;
}

struct Row {
  std::size_t subject = 0;
  double time = 0;
  double value = 0;
  std::size_t row = 0;  // into the table, for messages
};

}  // namespace

std::vector<io::ColumnRequest> LongitudinalSpec::Requests() const {
  std::vector<io::ColumnRequest> r{
      {subject, io::ColumnKind::kText}, {time, io::ColumnKind::kNumber}, {value, io::ColumnKind::kNumber}};
  if (group) r.push_back({*group, io::ColumnKind::kText});
  for (const std::string& c : covariates) r.push_back({c, io::ColumnKind::kNumber});
  return r;
}

Result<LongitudinalInput> BuildLongitudinalInput(const io::ColumnTable& table, const LongitudinalSpec& spec) {
  const io::Column& subject = table.columns.at(0);
  const io::Column& time = table.columns.at(1);
  const io::Column& value = table.columns.at(2);
  const io::Column* group = spec.group ? &table.columns.at(3) : nullptr;
  const std::size_t first_covariate = spec.group ? 4 : 3;
  auto at_line = [&](std::size_t row, const io::Column& column, std::string_view cell, const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument,
                table.source + ":" + std::to_string(table.lines[row]) + ": column " + column.name + ", value " +
                    Quote(cell) + ": " + why,
                column.name);
  };
  auto number_text = [](const io::Column& c, std::size_t row) {
    return c.present[row] != 0 ? ShortestText(c.numbers[row]) : std::string();
  };

  LongitudinalInput out;
  out.source = table.source;
  out.baseline_time = spec.baseline_time;
  out.covariate_names = spec.covariates;
  std::unordered_map<std::string_view, std::size_t> subject_index;
  std::vector<std::string_view> subject_group;  // the group cell of each subject's first kept row
  std::vector<std::size_t> subject_row;         // that row
  std::vector<Row> rows;
  rows.reserve(table.rows());
  for (std::size_t row = 0; row < table.rows(); ++row) {
    if (value.present[row] == 0) {
      ++out.dropped;
      continue;
    }
    if (subject.present[row] == 0) return at_line(row, subject, "", "a row needs its subject");
    if (time.present[row] == 0) return at_line(row, time, "", "a row needs its time");
    if (group != nullptr && group->present[row] == 0) return at_line(row, *group, "", "a row needs its group");
    const std::string_view code = subject.texts[row];
    const auto [it, added] = subject_index.try_emplace(code, out.subjects.size());
    const std::string_view group_cell = group != nullptr ? group->texts[row] : std::string_view("all");
    if (added) {
      out.subjects.emplace_back(code);
      subject_group.push_back(group_cell);
      subject_row.push_back(row);
    } else if (subject_group[it->second] != group_cell) {
      return at_line(row, *group, group_cell,
                     "subject " + Quote(code) + " is in group " + Quote(subject_group[it->second]) + " on line " +
                         std::to_string(table.lines[subject_row[it->second]]));
    }
    rows.push_back({it->second, time.numbers[row], value.numbers[row], row});
  }
  if (rows.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                table.source + ": no row with a value in column " + value.name + " (" + std::to_string(out.dropped) +
                    " empty or NA)",
                value.name);
  }

  internal::Levels levels = internal::Factor(subject_group);
  out.group_labels = group != nullptr ? std::move(levels.labels) : std::vector<std::string>{"all"};
  out.subject_group = group != nullptr ? std::move(levels.codes) : std::vector<int>(out.subjects.size(), 0);
  std::vector<std::size_t> subjects_in(out.group_labels.size(), 0);
  for (const int g : out.subject_group) ++subjects_in[static_cast<std::size_t>(g)];
  for (std::size_t g = 0; group != nullptr && g < subjects_in.size(); ++g) {
    if (subjects_in[g] == 1) {
      const auto s =
          static_cast<std::size_t>(std::find(out.subject_group.begin(), out.subject_group.end(), static_cast<int>(g)) -
                                   out.subject_group.begin());
      return at_line(subject_row[s], *group, subject_group[s],
                     "group " + Quote(out.group_labels[g]) + " has one subject (" + Quote(out.subjects[s]) +
                         "); a comparison needs at least two in each group");
    }
  }

  // By subject and time: a repeated time shows as neighbours, and each
  // subject's values come out in time order.
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.subject != b.subject ? a.subject < b.subject : (a.time != b.time ? a.time < b.time : a.row < b.row);
  });
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].subject == rows[i - 1].subject && rows[i].time == rows[i - 1].time) {
      return at_line(rows[i].row, time, number_text(time, rows[i].row),
                     "subject " + Quote(out.subjects[rows[i].subject]) + " already has a value at this time, on line " +
                         std::to_string(table.lines[rows[i - 1].row]));
    }
  }

  out.baseline.assign(out.subjects.size(), std::nullopt);
  out.covariates.assign(out.subjects.size() * spec.covariates.size(), std::nullopt);
  for (const Row& r : rows) {
    if (r.time == spec.baseline_time) {
      out.baseline[r.subject] = r.value;
      for (std::size_t c = 0; c < spec.covariates.size(); ++c) {
        const io::Column& column = table.columns.at(first_covariate + c);
        if (column.present[r.row] != 0) out.covariates[r.subject * spec.covariates.size() + c] = column.numbers[r.row];
      }
    } else {
      out.times.push_back(r.time);
    }
  }
  std::sort(out.times.begin(), out.times.end());
  out.times.erase(std::unique(out.times.begin(), out.times.end()), out.times.end());
  out.values.reserve(rows.size());
  for (const Row& r : rows) {
    if (r.time == spec.baseline_time) continue;
    const auto t =
        static_cast<std::size_t>(std::lower_bound(out.times.begin(), out.times.end(), r.time) - out.times.begin());
    out.values.push_back({r.subject, t, r.value});
  }
  return out;
}

Result<ChangeResult> AnalyseChange(const LongitudinalInput& input, double level) {
  const std::size_t groups = input.group_labels.size();
  const std::size_t times = input.times.size();
  // pairs[g * times + t]: baseline values and values at t of group g.
  std::vector<std::vector<double>> before(groups * times);
  std::vector<std::vector<double>> after(groups * times);
  for (const FollowUpValue& v : input.values) {
    const std::optional<double>& baseline = input.baseline[v.subject];
    if (!baseline) continue;
    const std::size_t cell = static_cast<std::size_t>(input.subject_group[v.subject]) * times + v.time;
    before[cell].push_back(*baseline);
    after[cell].push_back(v.value);
  }
  ChangeResult out;
  std::vector<std::vector<double>> changes(groups * times);
  for (std::size_t g = 0; g < groups; ++g) {
    ChangeGroup group;
    group.group = static_cast<int>(g);
    for (std::size_t t = 0; t < times; ++t) {
      const std::size_t cell = g * times + t;
      if (after[cell].size() < 2) continue;
      ChangeAtTime at;
      at.time = input.times[t];
      at.n = after[cell].size();
      at.baseline_mean = Mean(before[cell]);
      at.mean = Mean(after[cell]);
      CIRRUS_ASSIGN_OR_RETURN(at.change, stats::PairedTTest(after[cell], before[cell], level));
      std::vector<double>& d = changes[cell];
      d.resize(at.n);
      for (std::size_t i = 0; i < at.n; ++i) d[i] = after[cell][i] - before[cell][i];
      CIRRUS_ASSIGN_OR_RETURN(at.signed_rank, stats::WilcoxonSignedRank(d));
      group.at.push_back(std::move(at));
    }
    out.groups.push_back(std::move(group));
  }
  const bool any =
      std::any_of(out.groups.begin(), out.groups.end(), [](const ChangeGroup& g) { return !g.at.empty(); });
  if (!any) {
    return Fail(ErrorCode::kInvalidArgument,
                input.source + ": no time after baseline has two subjects with a value there and at baseline (time " +
                    TimeText(input.baseline_time) + ")",
                "baseline-time");
  }
  for (std::size_t t = 0; t < times; ++t) {
    if (changes[t].empty()) continue;
    for (std::size_t g = 1; g < groups; ++g) {
      if (changes[g * times + t].empty()) continue;
      ChangeBetween between;
      between.time = input.times[t];
      between.group = static_cast<int>(g);
      CIRRUS_ASSIGN_OR_RETURN(between.welch, stats::WelchTTest(changes[g * times + t], changes[t], level));
      out.between.push_back(std::move(between));
    }
  }
  return out;
}

Result<AncovaAnalysis> AnalyseAncova(const LongitudinalInput& input, double at, double level) {
  const auto found = std::find(input.times.begin(), input.times.end(), at);
  if (found == input.times.end()) {
    std::string known;
    for (const double t : input.times) known += (known.empty() ? "" : ", ") + TimeText(t);
    return Fail(ErrorCode::kInvalidArgument,
                input.source + ": --at " + TimeText(at) +
                    (at == input.baseline_time ? " is the baseline time"
                                               : " is not a time with a value in the file; the times after "
                                                 "baseline with a value are " +
                                                     (known.empty() ? std::string("none") : known)),
                "at");
  }
  const auto time = static_cast<std::size_t>(found - input.times.begin());
  const std::size_t covariates = input.covariate_names.size();
  std::vector<double> outcome;
  std::vector<double> baseline;
  std::vector<int> group;
  std::vector<std::size_t> rows;  // subject of each row, for the covariates
  for (const FollowUpValue& v : input.values) {
    if (v.time != time || !input.baseline[v.subject]) continue;
    bool complete = true;
    for (std::size_t c = 0; c < covariates; ++c) complete = complete && input.covariates[v.subject * covariates + c];
    if (!complete) continue;
    outcome.push_back(v.value);
    baseline.push_back(*input.baseline[v.subject]);
    group.push_back(input.subject_group[v.subject]);
    rows.push_back(v.subject);
  }
  for (int g = 0; g < input.GroupCount(); ++g) {
    if (std::find(group.begin(), group.end(), g) == group.end()) {
      return Fail(ErrorCode::kInvalidArgument,
                  input.source + ": group " + Quote(input.group_labels[static_cast<std::size_t>(g)]) +
                      " has no subject with a value at baseline (time " + TimeText(input.baseline_time) +
                      ") and at time " + TimeText(at) + (covariates > 0 ? " and every covariate" : ""),
                  "at");
    }
  }
  std::vector<double> covariate_values(rows.size() * covariates);
  for (std::size_t c = 0; c < covariates; ++c) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
      covariate_values[c * rows.size() + i] = *input.covariates[rows[i] * covariates + c];
    }
  }
  AncovaAnalysis out;
  out.term_names = {"(Intercept)", "baseline"};
  for (std::size_t g = 1; g < input.group_labels.size(); ++g)
    out.term_names.push_back("group=" + input.group_labels[g]);
  for (const std::string& c : input.covariate_names) out.term_names.push_back(c);
  if (outcome.size() <= out.term_names.size()) {
    return Fail(ErrorCode::kInvalidArgument,
                input.source + ": " + std::to_string(outcome.size()) +
                    " subjects have values at baseline and at time " + TimeText(at) + "; " +
                    std::to_string(out.term_names.size()) + " terms need at least " +
                    std::to_string(out.term_names.size() + 1),
                "at");
  }
  stats::AncovaData data{.outcome = outcome,
                         .baseline = baseline,
                         .group = group,
                         .group_count = input.GroupCount(),
                         .covariates = covariate_values,
                         .covariate_count = covariates};
  auto fit = stats::FitAncova(data, level);
  if (!fit) {
    Error error = fit.error();
    std::size_t term = 0;
    const auto [ptr, ec] = std::from_chars(error.field.data(), error.field.data() + error.field.size(), term);
    if (ec == std::errc() && ptr == error.field.data() + error.field.size() && term < out.term_names.size()) {
      return Fail(ErrorCode::kInvalidArgument,
                  input.source + ": the term " + out.term_names[term] +
                      " is a linear combination of the terms before it (constant, or a copy of another) among the " +
                      std::to_string(outcome.size()) + " subjects analysed at time " + TimeText(at),
                  out.term_names[term]);
    }
    return Fail(ForUser(std::move(error), input.source));
  }
  out.fit = std::move(*fit);
  return out;
}

Result<MmrmAnalysis> AnalyseMmrm(const LongitudinalInput& input, const stats::MmrmOptions& options) {
  // The visits: the times at which some subject with a baseline has a value.
  std::vector<std::uint8_t> used(input.times.size(), 0);
  std::vector<std::uint8_t> analysed(input.subjects.size(), 0);
  for (const FollowUpValue& v : input.values) {
    if (!input.baseline[v.subject]) continue;
    used[v.time] = 1;
    analysed[v.subject] = 1;
  }
  MmrmAnalysis out;
  std::vector<int> visit_of(input.times.size(), -1);
  for (std::size_t t = 0; t < input.times.size(); ++t) {
    if (used[t] == 0) continue;
    visit_of[t] = static_cast<int>(out.visits.size());
    out.visits.push_back(input.times[t]);
  }
  if (out.visits.empty()) {
    return Fail(
        ErrorCode::kInvalidArgument,
        input.source + ": no subject has a value at baseline (time " + TimeText(input.baseline_time) + ") and after it",
        "baseline-time");
  }
  std::vector<int> subject;
  std::vector<int> visit;
  std::vector<double> response;
  std::vector<double> baseline;
  std::vector<int> group;
  const auto groups = static_cast<std::size_t>(input.GroupCount());
  std::vector<std::size_t> counts(out.visits.size() * groups, 0);
  for (const FollowUpValue& v : input.values) {
    if (!input.baseline[v.subject]) continue;
    subject.push_back(static_cast<int>(v.subject));
    visit.push_back(visit_of[v.time]);
    response.push_back(v.value - *input.baseline[v.subject]);
    baseline.push_back(*input.baseline[v.subject]);
    group.push_back(input.subject_group[v.subject]);
    ++counts[static_cast<std::size_t>(visit.back()) * groups + static_cast<std::size_t>(group.back())];
  }
  for (std::size_t k = 0; k < out.visits.size(); ++k) {
    for (std::size_t g = 0; g < groups; ++g) {
      if (counts[k * groups + g] > 0) continue;
      return Fail(ErrorCode::kInvalidArgument,
                  input.source + ": group " + Quote(input.group_labels[g]) + " has no value at time " +
                      TimeText(out.visits[k]) + " from a subject with a baseline; its mean there cannot be estimated",
                  "time");
    }
  }
  out.subjects = static_cast<std::size_t>(std::count(analysed.begin(), analysed.end(), std::uint8_t{1}));
  const stats::MmrmData data{.subject = subject,
                             .visit = visit,
                             .response = response,
                             .baseline = baseline,
                             .group = group,
                             .visit_count = static_cast<int>(out.visits.size()),
                             .group_count = input.GroupCount()};
  auto fit = stats::FitMmrm(data, options);
  if (!fit) return Fail(ForUser(fit.error(), input.source));
  out.fit = std::move(*fit);
  return out;
}

}  // namespace cirrus::study
