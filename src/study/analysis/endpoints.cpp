// Each endpoint reduced to (time, status) rows per patient, then analysed by
// the survival engine: Kaplan-Meier or Aalen-Johansen curves, estimates at
// the definition's times, the risk table, the test of the groups, a landmark.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cirrus/stats/competing_risks.hpp"
#include "cirrus/stats/kaplan_meier.hpp"
#include "cirrus/stats/log_rank.hpp"
#include "internal/analysis_steps.hpp"

namespace cirrus::study::internal {

using core::Date;
using core::OutcomeKind;

namespace {

constexpr double kZ95 = 1.959963984540054;

enum class EndState : std::uint8_t { kCensored = 0, kEvent = 1, kCompeting = 2 };

struct EndpointData {
  std::vector<double> time;
  std::vector<EndState> status;
  std::vector<int> group;
  std::size_t excluded_before_origin = 0;
};

// The first date of any of `kinds` on or after `from`; `before` is set when
// one of them came before it.
std::optional<Date> FirstOf(const PatientView& p, const std::vector<OutcomeKind>& kinds, Date from, bool* before) {
  std::optional<Date> first;
  for (OutcomeKind kind : kinds) {
    auto it = p.outcomes.find(kind);
    if (it == p.outcomes.end()) continue;
    for (Date date : it->second) {
      if (date < from) {
        if (before != nullptr) *before = true;
        continue;
      }
      if (!first || date < *first) first = date;
      break;
    }
  }
  return first;
}

EndpointData EndpointTimes(const std::vector<PatientView>& views, const EndpointDefinition& e, double days_per_unit) {
  std::vector<OutcomeKind> censoring = e.censor;
  // Death, loss to follow-up and withdrawal end follow-up whatever the
  // endpoint; they censor unless the endpoint names them.
  for (OutcomeKind kind : {OutcomeKind::kDeath, OutcomeKind::kLostToFollowUp, OutcomeKind::kWithdrawal}) {
    const bool named = std::find(e.events.begin(), e.events.end(), kind) != e.events.end() ||
                       std::find(e.competing.begin(), e.competing.end(), kind) != e.competing.end();
    if (!named) censoring.push_back(kind);
  }
  EndpointData d;
  for (const PatientView& p : views) {
    const Date origin = *p.origin;
    bool before = false;
    const std::optional<Date> event = FirstOf(p, e.events, origin, &before);
    const std::optional<Date> competing = FirstOf(p, e.competing, origin, &before);
    if (before) {
      ++d.excluded_before_origin;
      continue;
    }
    const std::optional<Date> censored = FirstOf(p, censoring, origin, nullptr);
    Date end = std::max(origin, p.last_contact);
    EndState status = EndState::kCensored;
    // On one day the event comes first, then the competing event, then censoring.
    if (censored && *censored < end) end = *censored;
    if (competing && *competing <= end) {
      end = *competing;
      status = EndState::kCompeting;
    }
    if (event && *event <= end) {
      end = *event;
      status = EndState::kEvent;
    }
    d.time.push_back(static_cast<double>(end - origin) / days_per_unit);
    d.status.push_back(status);
    d.group.push_back(p.group);
  }
  return d;
}

// Axis ticks in the unit's natural steps (a year of months, ...), at most
// about eight of them.
std::vector<double> Ticks(double axis_max, TimeUnit unit) {
  static constexpr std::array<double, 7> kMonths = {1, 3, 6, 12, 24, 60, 120};
  static constexpr std::array<double, 8> kWeeks = {1, 2, 4, 12, 26, 52, 104, 260};
  static constexpr std::array<double, 8> kDays = {7, 14, 30, 90, 180, 365, 730, 1825};
  static constexpr std::array<double, 6> kYears = {0.25, 0.5, 1, 2, 5, 10};
  std::span<const double> steps = kMonths;
  switch (unit) {
    case TimeUnit::kMonths: break;
    case TimeUnit::kWeeks: steps = kWeeks; break;
    case TimeUnit::kDays: steps = kDays; break;
    case TimeUnit::kYears: steps = kYears; break;
  }
  double step = steps.back();
  for (double s : steps) {
    if (axis_max / s <= 8) {
      step = s;
      break;
    }
  }
  std::vector<double> ticks;
  for (int i = 0; i <= 100 && static_cast<double>(i) * step <= axis_max + 1e-9; ++i) ticks.push_back(i * step);
  if (ticks.size() < 2) ticks.push_back(step);
  return ticks;
}

// The rows of one group, by time.
struct GroupRows {
  std::vector<double> time;
  std::vector<EndState> status;
};

std::vector<GroupRows> SplitByGroup(const EndpointData& d, std::size_t group_count) {
  std::vector<GroupRows> rows(group_count);
  std::vector<std::size_t> order(d.time.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return d.time[a] < d.time[b]; });
  for (std::size_t i : order) {
    GroupRows& g = rows[static_cast<std::size_t>(d.group[i])];
    g.time.push_back(d.time[i]);
    g.status.push_back(d.status[i]);
  }
  return rows;
}

std::size_t AtRisk(const GroupRows& g, double t) {
  return static_cast<std::size_t>(g.time.end() - std::lower_bound(g.time.begin(), g.time.end(), t));
}

void FillCounts(const GroupRows& rows, const std::vector<double>& ticks, EndpointGroup& out) {
  out.n = rows.time.size();
  for (EndState s : rows.status) {
    if (s == EndState::kEvent) ++out.events;
    if (s == EndState::kCompeting) ++out.competing;
    if (s == EndState::kCensored) ++out.censored;
  }
  std::size_t i = 0;
  RiskAt running;
  for (double t : ticks) {
    running.time = t;
    running.at_risk = AtRisk(rows, t);
    while (i < rows.time.size() && rows.time[i] <= t) {
      if (rows.status[i] == EndState::kEvent) ++running.events;
      if (rows.status[i] == EndState::kCensored) ++running.censored;
      ++i;
    }
    out.risk.push_back(running);
  }
  double last = -1;
  for (std::size_t r = 0; r < rows.time.size(); ++r) {
    if (rows.status[r] == EndState::kCensored && rows.time[r] != last) {
      out.censor_times.push_back(rows.time[r]);
      last = rows.time[r];
    }
  }
}

std::optional<double> Finite(double v) { return std::isfinite(v) ? std::optional<double>(v) : std::nullopt; }

void SurvivalGroup(const GroupRows& rows, const std::vector<double>& at, const std::vector<double>& ticks,
                   EndpointGroup& out) {
  FillCounts(rows, ticks, out);
  if (rows.time.empty()) return;
  std::vector<std::uint8_t> event(rows.status.size());
  for (std::size_t i = 0; i < event.size(); ++i) event[i] = rows.status[i] == EndState::kEvent ? 1 : 0;
  Result<stats::KaplanMeierCurve> km = stats::FitKaplanMeier({rows.time, event});
  if (!km) return;  // checked data: times finite and >= 0
  out.median = km->median;
  out.median_lower = km->median_lower;
  out.median_upper = km->median_upper;
  if (km->points.empty() || km->points.front().time > 0) out.curve.push_back({0, 1, 1, 1});
  for (const stats::KaplanMeierPoint& point : km->points) {
    out.curve.push_back({point.time, point.survival, point.lower, point.upper});
  }
  const double last = rows.time.back();
  for (double t : at) {
    EstimateAt e;
    e.time = t;
    e.n_risk = AtRisk(rows, t);
    if (t <= last) {
      const stats::SurvivalAtTime s = stats::SurvivalAt(*km, t);
      e.estimate = s.survival;
      e.lower = s.lower;
      e.upper = s.upper;
    }
    out.at.push_back(e);
  }
}

// The log-log interval F^exp(-+ z se / (F log F)), as tidycmprsk gives it:
// it stays inside (0, 1) where F -+ z se would not.
std::pair<std::optional<double>, std::optional<double>> LogLogLimits(double f, double se) {
  if (!(f > 0 && f < 1) || !std::isfinite(se)) return {std::nullopt, std::nullopt};
  const double a = kZ95 * se / (f * std::fabs(std::log(f)));
  return {Finite(std::pow(f, std::exp(a))), Finite(std::pow(f, std::exp(-a)))};
}

// Every group's cumulative incidence of the event (cause 1) against the
// competing event (cause 2), and Gray's test of cause 1.
GroupTest CumulativeIncidenceGroups(const std::vector<GroupRows>& rows, const std::vector<double>& at,
                                    const std::vector<double>& ticks, std::vector<EndpointGroup>& out) {
  std::vector<double> time;
  std::vector<int> cause;
  std::vector<int> group;
  for (std::size_t g = 0; g < rows.size(); ++g) {
    FillCounts(rows[g], ticks, out[g]);
    for (std::size_t i = 0; i < rows[g].time.size(); ++i) {
      time.push_back(rows[g].time[i]);
      cause.push_back(static_cast<int>(rows[g].status[i]));
      group.push_back(static_cast<int>(g));
    }
  }
  GroupTest test;
  test.method = "Gray";
  Result<stats::CompetingRisksResult> fit =
      stats::FitCumulativeIncidence({time, cause, 2}, group, static_cast<int>(rows.size()));
  if (!fit) {
    test.not_computable = "no patients";
    return test;
  }
  for (std::size_t g = 0; g < rows.size(); ++g) {
    const stats::CumulativeIncidenceCurve& curve = fit->curves[g];  // cause 1, group g
    EndpointGroup& o = out[g];
    if (rows[g].time.empty()) continue;
    if (curve.points.empty() || curve.points.front().time > 0) o.curve.push_back({0, 0, 0, 0});
    for (const stats::CumulativeIncidencePoint& point : curve.points) {
      auto [lower, upper] = LogLogLimits(point.cif, point.std_err);
      o.curve.push_back({point.time, point.cif, lower, upper});
    }
    for (double t : at) {
      EstimateAt e;
      e.time = t;
      e.n_risk = AtRisk(rows[g], t);
      const stats::CumulativeIncidenceAtTime c = stats::CumulativeIncidenceAt(curve, t);
      e.estimate = c.cif;
      if (c.cif && c.std_err) std::tie(e.lower, e.upper) = LogLogLimits(*c.cif, *c.std_err);
      o.at.push_back(e);
    }
  }
  const auto non_empty = static_cast<std::size_t>(
      std::count_if(rows.begin(), rows.end(), [](const GroupRows& r) { return !r.time.empty(); }));
  std::size_t events = 0;
  for (const EndpointGroup& g : out) events += g.events;
  if (non_empty < 2) {
    test.not_computable = "one group";
  } else if (events == 0) {
    test.not_computable = "no events";
  } else if (fit->gray.empty() || !fit->gray[0].stat) {
    test.not_computable = "the groups' variance matrix is singular";
  } else {
    test.statistic = fit->gray[0].stat;
    test.df = fit->gray[0].df;
    test.p = fit->gray[0].p;
  }
  return test;
}

GroupTest LogRank(const std::vector<GroupRows>& rows, const std::vector<EndpointGroup>& groups) {
  GroupTest test;
  test.method = "log-rank";
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  std::vector<int> group;
  int code = 0;
  std::size_t events = 0;
  for (std::size_t g = 0; g < rows.size(); ++g) {
    if (rows[g].time.empty()) continue;
    for (std::size_t i = 0; i < rows[g].time.size(); ++i) {
      time.push_back(rows[g].time[i]);
      event.push_back(rows[g].status[i] == EndState::kEvent ? 1 : 0);
      group.push_back(code);
    }
    events += groups[g].events;
    ++code;
  }
  if (code < 2) {
    test.not_computable = "one group";
    return test;
  }
  if (events == 0) {
    test.not_computable = "no events";
    return test;
  }
  Result<stats::LogRankResult> r = stats::LogRankTest({time, event}, group, code);
  if (!r) {
    test.not_computable = r.error().message;
    return test;
  }
  // Events only where everyone left is in one group give no variance:
  // survdiff refuses the test there, and so do we.
  bool any_variance = false;
  for (std::size_t g = 0; g < r->variance.size(); ++g) any_variance = any_variance || r->variance[g][g] > 0;
  if (!any_variance) {
    test.not_computable = "no events while two groups were at risk";
    return test;
  }
  test.statistic = r->chisq;
  test.df = r->df;
  test.p = r->p;
  return test;
}

// The curves, estimates, risk table and test of one set of (time, status) rows.
GroupTest AnalyseRows(const EndpointData& d, const EndpointDefinition& e, const std::vector<GroupInfo>& groups,
                      const std::vector<double>& ticks, std::vector<EndpointGroup>& out) {
  const std::vector<GroupRows> rows = SplitByGroup(d, groups.size());
  out.assign(groups.size(), {});
  for (std::size_t g = 0; g < groups.size(); ++g) out[g].group = groups[g].code;
  if (e.kind == EndpointKind::kCumulativeIncidence) return CumulativeIncidenceGroups(rows, e.at, ticks, out);
  for (std::size_t g = 0; g < groups.size(); ++g) SurvivalGroup(rows[g], e.at, ticks, out[g]);
  return LogRank(rows, out);
}

std::vector<std::string> Codes(const std::vector<OutcomeKind>& kinds) {
  std::vector<std::string> codes;
  for (OutcomeKind kind : kinds) codes.emplace_back(core::Code(kind));
  return codes;
}

}  // namespace

EndpointResult AnalyseEndpoint(const std::vector<PatientView>& views, const std::vector<GroupInfo>& groups,
                               const EndpointDefinition& e, TimeUnit unit) {
  EndpointResult r;
  r.name = e.name;
  r.kind = e.kind;
  r.events = Codes(e.events);
  r.competing = Codes(e.competing);
  r.censor = Codes(e.censor);
  r.interval = e.kind == EndpointKind::kSurvival
                   ? "95% log interval exp(log S ∓ 1.96 se(log S)), Greenwood variance (R survfit's default)"
                   : "95% log-log interval F^exp(∓1.96 se / (F log F)), variance of cmprsk::cuminc";
  const EndpointData d = EndpointTimes(views, e, DaysPerUnit(unit));
  r.excluded_before_origin = d.excluded_before_origin;
  r.axis_max = d.time.empty() ? 0 : *std::max_element(d.time.begin(), d.time.end());
  r.ticks = Ticks(r.axis_max, unit);
  r.test = AnalyseRows(d, e, groups, r.ticks, r.groups);
  if (e.landmark) {
    LandmarkResult lm;
    lm.time = *e.landmark;
    EndpointData after;
    for (std::size_t i = 0; i < d.time.size(); ++i) {
      // Those still followed at the landmark, their time measured from it.
      if (!(d.time[i] > lm.time)) {
        ++lm.excluded;
        continue;
      }
      after.time.push_back(d.time[i] - lm.time);
      after.status.push_back(d.status[i]);
      after.group.push_back(d.group[i]);
    }
    const double axis = after.time.empty() ? 0 : *std::max_element(after.time.begin(), after.time.end());
    lm.test = AnalyseRows(after, e, groups, Ticks(axis, unit), lm.groups);
    r.landmark = std::move(lm);
  }
  return r;
}

}  // namespace cirrus::study::internal
