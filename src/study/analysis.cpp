// A study definition applied to the registry's facts; see
// cirrus/study/analysis.hpp. The registry batch is indexed by patient once,
// each patient is reduced to a time zero, a group and dated outcomes, and each
// endpoint to (time, status) arrays that the survival engine analyses.
#include "cirrus/study/analysis.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cirrus/core/units.hpp"
#include "cirrus/stats/competing_risks.hpp"
#include "cirrus/stats/descriptive.hpp"
#include "cirrus/stats/kaplan_meier.hpp"
#include "cirrus/stats/log_rank.hpp"

namespace cirrus::study {
namespace {

constexpr double kZ95 = 1.959963984540054;
// Baseline labs: the last value on or before time zero within this many days,
// else the first within kBaselineAfterDays after it (a screening sample drawn
// on the day of the first infusion, a few days late).
constexpr int kBaselineBeforeDays = 90;
constexpr int kBaselineAfterDays = 14;

using core::Date;
using core::OutcomeKind;

// The facts of one patient that the analyses read, already cut at as_of.
struct PatientView {
  const core::Patient* patient = nullptr;
  std::optional<Date> origin;
  std::optional<Date> first_infusion;
  int infusions = 0;
  int courses = 0;
  std::optional<core::CellProduct> first_product;
  std::optional<core::Route> first_route;
  Date last_contact;
  // Outcome dates, all of them, by kind (ascending).
  std::map<OutcomeKind, std::vector<Date>> outcomes;
  bool transplanted = false;  // an outcome or a procedure
  std::vector<const core::LabResult*> labs;
  std::vector<const core::Visit*> visits;  // completed ones
  std::vector<const core::AdverseEvent*> adverse_events;
  int group = 0;
};

bool Within(const std::optional<Date>& as_of, Date date) { return !as_of || date <= *as_of; }

void Touch(PatientView& p, Date date) { p.last_contact = std::max(p.last_contact, date); }

// The registry's facts of the study's patients, by patient, without those
// dated after the data cut.
std::vector<PatientView> Index(const core::RegistryBatch& registry, const StudyDefinition& definition,
                               const AnalysisOptions& options, std::optional<Date>& last_fact) {
  std::vector<PatientView> views;
  std::unordered_map<std::string_view, std::size_t> by_code;
  for (const core::Patient& patient : registry.patients) {
    if (patient.study != definition.code) continue;
    // A patient enrolled after the cut was not yet in the registry then.
    if (patient.enrolment && !Within(options.as_of, *patient.enrolment)) continue;
    by_code.emplace(patient.code, views.size());
    PatientView view;
    view.patient = &patient;
    if (patient.enrolment) view.last_contact = *patient.enrolment;
    views.push_back(view);
  }
  auto find = [&](const std::string& code, Date date) -> PatientView* {
    if (!Within(options.as_of, date)) return nullptr;
    auto it = by_code.find(code);
    if (it == by_code.end()) return nullptr;
    if (!last_fact || date > *last_fact) last_fact = date;
    return &views[it->second];
  };
  for (const core::Infusion& infusion : registry.infusions) {
    PatientView* p = find(infusion.patient, infusion.date);
    if (p == nullptr) continue;
    ++p->infusions;
    p->courses = std::max(p->courses, infusion.course);
    if (!p->first_infusion || infusion.date < *p->first_infusion) {
      p->first_infusion = infusion.date;
      p->first_product = infusion.product;
      p->first_route = infusion.route;
    }
    Touch(*p, infusion.date);
  }
  for (const core::Visit& visit : registry.visits) {
    if (visit.status != core::VisitStatus::kCompleted) continue;  // a planned date is no contact
    if (PatientView* p = find(visit.patient, visit.date)) {
      Touch(*p, visit.date);
      p->visits.push_back(&visit);
    }
  }
  for (const core::LabResult& lab : registry.labs) {
    PatientView* p = find(lab.patient, lab.date);
    if (p == nullptr) continue;
    Touch(*p, lab.date);
    p->labs.push_back(&lab);
  }
  for (const core::Assessment& a : registry.assessments) {
    if (PatientView* p = find(a.patient, a.date)) Touch(*p, a.date);
  }
  for (const core::Procedure& procedure : registry.procedures) {
    PatientView* p = find(procedure.patient, procedure.date);
    if (p == nullptr) continue;
    Touch(*p, procedure.date);
    if (procedure.kind == core::ProcedureKind::kLiverTransplant) p->transplanted = true;
  }
  for (const core::OutcomeEvent& event : registry.events) {
    PatientView* p = find(event.patient, event.date);
    if (p == nullptr) continue;
    Touch(*p, event.date);
    p->outcomes[event.kind].push_back(event.date);
    if (event.kind == OutcomeKind::kLiverTransplant) p->transplanted = true;
  }
  for (const core::AdverseEvent& ae : registry.adverse_events) {
    if (PatientView* p = find(ae.patient, ae.onset)) {
      Touch(*p, ae.onset);
      p->adverse_events.push_back(&ae);
    }
  }
  for (PatientView& p : views) {
    for (auto& [kind, dates] : p.outcomes) std::sort(dates.begin(), dates.end());
    p.origin = definition.origin == TimeOrigin::kEnrolment ? p.patient->enrolment : p.first_infusion;
  }
  return views;
}

std::string Plural(int count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

// The group of each patient and the groups in their display order.
std::vector<GroupInfo> AssignGroups(const core::RegistryBatch& registry, const StudyDefinition& definition,
                                    std::vector<PatientView>& views) {
  std::vector<GroupInfo> groups;
  if (definition.groups == Grouping::kNone) {
    groups.push_back({"all", "All patients", 0});
    for (PatientView& p : views) p.group = 0;
  } else {
    // Each group's code, and a key that orders the groups: arms in the
    // registry's order, course counts by number, the rest by code.
    std::vector<std::pair<std::string, std::string>> code_and_label(views.size());
    std::map<std::string, std::string> arm_names;
    std::vector<std::string> arm_order;
    for (const core::Arm& arm : registry.arms) {
      if (arm.study != definition.code) continue;
      arm_names[arm.code] = arm.name.empty() ? arm.code : arm.name;
      arm_order.push_back(arm.code);
    }
    for (std::size_t i = 0; i < views.size(); ++i) {
      const PatientView& p = views[i];
      std::string code;
      std::string label;
      switch (definition.groups) {
        case Grouping::kArm:
          code = p.patient->arm.empty() ? "no arm" : p.patient->arm;
          label = arm_names.count(code) != 0 ? arm_names[code] : code;
          break;
        case Grouping::kProduct:
          code = p.first_product ? std::string(core::Code(*p.first_product)) : "untreated";
          label = code;
          break;
        case Grouping::kRoute:
          code = p.first_route ? std::string(core::Code(*p.first_route)) : "untreated";
          label = code;
          break;
        case Grouping::kCourses:
          code = p.infusions == 0 ? "untreated" : Plural(p.courses, "course", "courses");
          label = code;
          break;
        case Grouping::kNone: break;
      }
      code_and_label[i] = {code, label};
    }
    auto order_key = [&](const std::string& code) -> std::pair<long, std::string> {
      // Listed groups first, in the definition's order; then the default order.
      const auto listed = std::find(definition.group_order.begin(), definition.group_order.end(), code);
      if (listed != definition.group_order.end()) return {listed - definition.group_order.begin() - 1000000, code};
      if (definition.groups == Grouping::kArm) {
        auto it = std::find(arm_order.begin(), arm_order.end(), code);
        return {it == arm_order.end() ? static_cast<long>(arm_order.size()) : it - arm_order.begin(), code};
      }
      if (definition.groups == Grouping::kCourses) return {code == "untreated" ? 0 : std::stol(code), code};
      return {0, code};
    };
    std::map<std::pair<long, std::string>, std::string> ordered;
    for (const auto& [code, label] : code_and_label) ordered.emplace(order_key(code), label);
    std::map<std::string, int> index;
    for (const auto& [key, label] : ordered) {
      index[key.second] = static_cast<int>(groups.size());
      groups.push_back({key.second, label, 0});
    }
    for (std::size_t i = 0; i < views.size(); ++i) views[i].group = index[code_and_label[i].first];
  }
  for (const PatientView& p : views) ++groups[static_cast<std::size_t>(p.group)].n;
  return groups;
}

PatientFlow CountFlow(const std::vector<PatientView>& views, std::size_t group_count, std::size_t without_origin,
                      std::size_t in_registry) {
  PatientFlow flow;
  flow.in_registry = in_registry;
  flow.without_origin = without_origin;
  flow.groups.resize(group_count);
  for (const PatientView& p : views) {
    FlowGroup& g = flow.groups[static_cast<std::size_t>(p.group)];
    ++g.enrolled;
    if (p.infusions > 0) ++g.treated;
    const core::PatientStatus status = p.patient->status;
    if (p.outcomes.count(OutcomeKind::kDeath) != 0) {
      ++g.dead;
    } else if (p.transplanted) {
      ++g.transplanted;
    } else if (p.outcomes.count(OutcomeKind::kLostToFollowUp) != 0 || p.outcomes.count(OutcomeKind::kWithdrawal) != 0 ||
               status == core::PatientStatus::kLostToFollowUp || status == core::PatientStatus::kWithdrawn) {
      ++g.lost;
    } else {
      ++g.followed;
    }
  }
  return flow;
}

// ---- baseline -----------------------------------------------------------------

std::optional<double> BaselineLab(const PatientView& p, core::Analyte analyte) {
  const Date origin = *p.origin;
  const core::LabResult* before = nullptr;
  const core::LabResult* after = nullptr;
  for (const core::LabResult* lab : p.labs) {
    if (lab->analyte != analyte || !lab->value) continue;
    const int days = lab->date - origin;
    if (days <= 0 && days >= -kBaselineBeforeDays) {
      if (before == nullptr || lab->date > before->date) before = lab;
    } else if (days > 0 && days <= kBaselineAfterDays) {
      if (after == nullptr || lab->date < after->date) after = lab;
    }
  }
  if (before != nullptr) return before->value;
  if (after != nullptr) return after->value;
  return std::nullopt;
}

// Mean difference over the pooled SD (continuous) or of proportions
// (p1 - p2) / sqrt((p1 (1 - p1) + p2 (1 - p2)) / 2), Austin 2009.
std::optional<double> StandardisedDifference(const BaselineRow& row) {
  if (row.groups.size() != 2) return std::nullopt;
  const BaselineCell& a = row.groups[0];
  const BaselineCell& b = row.groups[1];
  if (row.continuous) {
    if (!a.mean || !b.mean || !a.sd || !b.sd) return std::nullopt;
    const double pooled = std::sqrt((*a.sd * *a.sd + *b.sd * *b.sd) / 2);
    if (!(pooled > 0)) return std::nullopt;
    return (*a.mean - *b.mean) / pooled;
  }
  if (!a.percent || !b.percent) return std::nullopt;
  const double p1 = *a.percent / 100;
  const double p2 = *b.percent / 100;
  const double pooled = std::sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2);
  if (!(pooled > 0)) return std::nullopt;
  return (p1 - p2) / pooled;
}

void AddContinuous(std::vector<BaselineRow>& rows, std::string variable, const std::vector<PatientView>& views,
                   std::size_t group_count, const std::function<std::optional<double>(const PatientView&)>& value) {
  std::vector<std::vector<double>> values(group_count);
  std::vector<std::size_t> missing(group_count, 0);
  for (const PatientView& p : views) {
    const auto g = static_cast<std::size_t>(p.group);
    if (std::optional<double> v = value(p)) {
      values[g].push_back(*v);
    } else {
      ++missing[g];
    }
  }
  BaselineRow row;
  row.variable = std::move(variable);
  row.continuous = true;
  for (std::size_t g = 0; g < group_count; ++g) {
    const stats::SampleSummary s = stats::Summarise(values[g]);
    BaselineCell cell;
    cell.n = s.n;
    cell.missing = missing[g];
    cell.median = s.median;
    cell.q1 = s.q1;
    cell.q3 = s.q3;
    cell.mean = s.mean;
    cell.sd = s.sd;
    row.groups.push_back(cell);
  }
  rows.push_back(std::move(row));
}

// A categorical variable: one row per level that occurs, then "unknown" where
// any patient has no value.
void AddCategories(std::vector<BaselineRow>& rows, const std::string& variable, const std::vector<PatientView>& views,
                   const std::vector<GroupInfo>& groups, const std::vector<std::string>& levels,
                   const std::function<std::optional<std::string>(const PatientView&)>& level_of) {
  const std::size_t group_count = groups.size();
  std::map<std::string, std::vector<std::size_t>> counts;
  std::vector<std::size_t> unknown(group_count, 0);
  for (const PatientView& p : views) {
    const auto g = static_cast<std::size_t>(p.group);
    if (std::optional<std::string> level = level_of(p)) {
      auto& c = counts[*level];
      c.resize(group_count, 0);
      ++c[g];
    } else {
      ++unknown[g];
    }
  }
  auto add = [&](const std::string& level, const std::vector<std::size_t>& c) {
    BaselineRow row;
    row.variable = variable;
    row.level = level;
    for (std::size_t g = 0; g < group_count; ++g) {
      BaselineCell cell;
      cell.count = c[g];
      cell.n = groups[g].n;
      if (groups[g].n > 0) cell.percent = 100.0 * static_cast<double>(c[g]) / static_cast<double>(groups[g].n);
      row.groups.push_back(cell);
    }
    rows.push_back(std::move(row));
  };
  for (const std::string& level : levels) {
    auto it = counts.find(level);
    if (it != counts.end()) add(level, it->second);
  }
  if (std::any_of(unknown.begin(), unknown.end(), [](std::size_t u) { return u > 0; })) add("unknown", unknown);
}

std::vector<BaselineRow> BaselineTable(const std::vector<PatientView>& views, const std::vector<GroupInfo>& groups,
                                       StudyDesign design) {
  std::vector<BaselineRow> rows;
  const std::size_t k = groups.size();
  AddContinuous(rows, "Age (years)", views, k, [](const PatientView& p) -> std::optional<double> {
    if (!p.patient->birth_year) return std::nullopt;
    return static_cast<double>(core::YearOf(*p.origin) - *p.patient->birth_year);
  });
  AddCategories(rows, "Sex", views, groups, {"male", "female"}, [](const PatientView& p) -> std::optional<std::string> {
    if (!p.patient->sex) return std::nullopt;
    return std::string(core::Name(*p.patient->sex));
  });
  // Aetiologies are not exclusive (HBV with alcohol): one yes/no line each.
  for (core::Aetiology aetiology :
       {core::Aetiology::kHbv, core::Aetiology::kHcv, core::Aetiology::kHdv, core::Aetiology::kAlcohol,
        core::Aetiology::kMasld, core::Aetiology::kAutoimmune, core::Aetiology::kPbc, core::Aetiology::kPsc,
        core::Aetiology::kHaemochromatosis, core::Aetiology::kOther}) {
    const bool any = std::any_of(views.begin(), views.end(),
                                 [&](const PatientView& p) { return p.patient->aetiologies.Contains(aetiology); });
    if (!any) continue;
    const std::string name(core::Name(aetiology));
    AddCategories(rows, "Aetiology", views, groups, {name}, [&](const PatientView& p) -> std::optional<std::string> {
      if (p.patient->aetiologies.Contains(aetiology)) return name;
      return std::string("no");
    });
  }
  for (core::Analyte analyte :
       {core::Analyte::kAlbumin, core::Analyte::kBilirubin, core::Analyte::kInr, core::Analyte::kCreatinine,
        core::Analyte::kProthrombinActivity, core::Analyte::kCholinesterase}) {
    const bool any = std::any_of(views.begin(), views.end(),
                                 [&](const PatientView& p) { return BaselineLab(p, analyte).has_value(); });
    if (!any) continue;
    const core::AnalyteInfo& info = core::Info(analyte);
    std::string variable(info.name);
    variable[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(variable[0])));
    if (analyte == core::Analyte::kInr) variable = "INR";
    const std::string_view unit = info.units[0].display;
    if (!unit.empty() && unit != "1") variable += " (" + std::string(unit) + ")";
    AddContinuous(rows, variable, views, k, [analyte](const PatientView& p) { return BaselineLab(p, analyte); });
  }
  if (design != StudyDesign::kRandomised) {
    for (BaselineRow& row : rows) row.standardised_difference = StandardisedDifference(row);
  }
  return rows;
}

// ---- endpoints -------------------------------------------------------------------

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
  std::vector<double> steps;
  switch (unit) {
    case TimeUnit::kMonths: steps = {1, 3, 6, 12, 24, 60, 120}; break;
    case TimeUnit::kWeeks: steps = {1, 2, 4, 12, 26, 52, 104, 260}; break;
    case TimeUnit::kDays: steps = {7, 14, 30, 90, 180, 365, 730, 1825}; break;
    case TimeUnit::kYears: steps = {0.25, 0.5, 1, 2, 5, 10}; break;
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

// ---- lab trajectories ----------------------------------------------------------

std::optional<Date> FirstOutcome(const PatientView& p, OutcomeKind kind) {
  auto it = p.outcomes.find(kind);
  if (it == p.outcomes.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

Result<std::vector<const core::ScheduledVisit*>> TrajectoryVisits(const core::RegistryBatch& registry,
                                                                  const StudyDefinition& definition,
                                                                  const LabDefinition& lab, std::size_t index) {
  std::vector<const core::ScheduledVisit*> schedule;
  for (const core::ScheduledVisit& v : registry.schedule) {
    if (v.study == definition.code) schedule.push_back(&v);
  }
  std::stable_sort(schedule.begin(), schedule.end(),
                   [](const core::ScheduledVisit* a, const core::ScheduledVisit* b) { return a->day < b->day; });
  std::vector<const core::ScheduledVisit*> chosen;
  if (lab.visits.empty()) {
    for (const core::ScheduledVisit* v : schedule) {
      if (v->day <= lab.until_day) chosen.push_back(v);
    }
    return chosen;
  }
  for (const std::string& code : lab.visits) {
    auto it =
        std::find_if(schedule.begin(), schedule.end(), [&](const core::ScheduledVisit* v) { return v->code == code; });
    if (it == schedule.end()) {
      std::string known;
      for (const core::ScheduledVisit* v : schedule) known += (known.empty() ? "" : ", ") + v->code;
      return Fail(ErrorCode::kInvalidArgument, "labs[" + std::to_string(index) + "].visits: study \"" +
                                                   definition.code + "\" has no visit \"" + code +
                                                   "\" in its schedule (" +
                                                   (known.empty() ? "it has no schedule" : "it has: " + known) + ")");
    }
    chosen.push_back(*it);
  }
  return chosen;
}

Result<LabTrajectory> Trajectory(const core::RegistryBatch& registry, const StudyDefinition& definition,
                                 const LabDefinition& lab, std::size_t index, const std::vector<PatientView>& views,
                                 std::size_t group_count, Date cut) {
  CIRRUS_ASSIGN_OR_RETURN(const auto visits, TrajectoryVisits(registry, definition, lab, index));
  LabTrajectory t;
  const core::AnalyteInfo& info = core::Info(lab.analyte);
  t.analyte = std::string(info.name);
  t.unit = std::string(info.units[0].display);
  std::vector<std::vector<std::vector<double>>> values(group_count, std::vector<std::vector<double>>(visits.size()));
  t.groups.assign(group_count, std::vector<TrajectoryPoint>(visits.size()));
  for (std::size_t v = 0; v < visits.size(); ++v) {
    for (std::size_t g = 0; g < group_count; ++g) {
      t.groups[g][v].visit = visits[v]->code;
      t.groups[g][v].day = visits[v]->day;
    }
  }
  for (const PatientView& p : views) {
    const auto g = static_cast<std::size_t>(p.group);
    const std::optional<Date> death = FirstOutcome(p, OutcomeKind::kDeath);
    std::optional<Date> transplant = FirstOutcome(p, OutcomeKind::kLiverTransplant);
    for (std::size_t v = 0; v < visits.size(); ++v) {
      const core::ScheduledVisit& planned = *visits[v];
      TrajectoryPoint& point = t.groups[g][v];
      // The value measured on the date of the patient's completed visit of this code.
      std::optional<double> value;
      for (const core::Visit* visit : p.visits) {
        if (visit->code != planned.code) continue;
        for (const core::LabResult* l : p.labs) {
          if (l->analyte == lab.analyte && l->date == visit->date && l->value) value = l->value;
        }
      }
      if (value) {
        values[g][v].push_back(*value);
        continue;
      }
      const std::optional<Date> anchor =
          planned.anchor == core::ScheduleAnchor::kEnrolment ? p.patient->enrolment : p.first_infusion;
      const std::optional<Date> due = anchor ? std::optional<Date>(anchor->PlusDays(planned.day)) : std::nullopt;
      if (due && death && *death < *due) {
        ++point.dead;
      } else if (due && transplant && *transplant < *due) {
        ++point.transplanted;
      } else if (due && due->PlusDays(planned.window_after) > cut) {
        ++point.not_due;
      } else {
        ++point.missing;
      }
    }
  }
  for (std::size_t g = 0; g < group_count; ++g) {
    for (std::size_t v = 0; v < visits.size(); ++v) {
      const stats::SampleSummary s = stats::Summarise(values[g][v]);
      TrajectoryPoint& point = t.groups[g][v];
      point.n = s.n;
      point.mean = s.mean;
      point.sd = s.sd;
      point.lower = s.mean_lower;
      point.upper = s.mean_upper;
    }
  }
  return t;
}

// ---- safety ---------------------------------------------------------------------

SafetyResult Safety(const std::vector<PatientView>& views, const std::vector<GroupInfo>& groups) {
  SafetyResult safety;
  safety.infusions.assign(groups.size(), 0);
  for (const PatientView& p : views)
    safety.infusions[static_cast<std::size_t>(p.group)] += static_cast<std::size_t>(p.infusions);
  // term -> group -> patient index -> (events, serious, related, max grade)
  struct Tally {
    std::size_t events = 0, serious = 0, related = 0;
    int max_grade = 0;
  };
  std::map<std::string, std::vector<std::map<std::size_t, Tally>>> by_term;
  const std::string any = "any adverse event";
  for (std::size_t i = 0; i < views.size(); ++i) {
    const PatientView& p = views[i];
    for (const core::AdverseEvent* ae : p.adverse_events) {
      if (ae->onset < *p.origin) continue;
      for (const std::string& term : {any, ae->term}) {
        auto& per_group = by_term[term];
        per_group.resize(groups.size());
        Tally& t = per_group[static_cast<std::size_t>(p.group)][i];
        ++t.events;
        if (ae->serious) ++t.serious;
        if (ae->relatedness >= core::Relatedness::kPossible) ++t.related;
        t.max_grade = std::max(t.max_grade, ae->grade);
      }
    }
  }
  auto row_of = [&](const std::string& term) {
    AdverseEventRow row;
    row.term = term;
    for (std::size_t g = 0; g < groups.size(); ++g) {
      AdverseEventCell cell;
      for (const auto& [patient, t] : by_term[term][g]) {
        ++cell.patients;
        cell.events += t.events;
        cell.serious += t.serious;
        cell.related += t.related;
        if (t.max_grade >= 1 && t.max_grade <= 5) ++cell.max_grade[static_cast<std::size_t>(t.max_grade - 1)];
      }
      if (groups[g].n > 0) {
        cell.percent = 100.0 * static_cast<double>(cell.patients) / static_cast<double>(groups[g].n);
      }
      if (safety.infusions[g] > 0) {
        cell.per_100_infusions = 100.0 * static_cast<double>(cell.events) / static_cast<double>(safety.infusions[g]);
      }
      row.groups.push_back(cell);
    }
    return row;
  };
  if (by_term.count(any) == 0) return safety;
  safety.rows.push_back(row_of(any));
  std::vector<AdverseEventRow> terms;
  for (const auto& [term, unused] : by_term) {
    if (term != any) terms.push_back(row_of(term));
  }
  auto patients = [](const AdverseEventRow& r) {
    std::size_t total = 0;
    for (const AdverseEventCell& c : r.groups) total += c.patients;
    return total;
  };
  std::stable_sort(terms.begin(), terms.end(),
                   [&](const AdverseEventRow& a, const AdverseEventRow& b) { return patients(a) > patients(b); });
  for (AdverseEventRow& r : terms) safety.rows.push_back(std::move(r));
  return safety;
}

}  // namespace

Result<StudyResults> AnalyseStudy(const core::RegistryBatch& registry, const StudyDefinition& definition,
                                  const AnalysisOptions& options) {
  if (std::none_of(registry.studies.begin(), registry.studies.end(),
                   [&](const core::Study& s) { return s.code == definition.code; })) {
    std::string known;
    for (const core::Study& s : registry.studies) known += (known.empty() ? "" : ", ") + s.code;
    return Fail(ErrorCode::kNotFound, "the registry holds no study \"" + definition.code + "\" (" +
                                          (known.empty() ? "it holds no study" : "it holds: " + known) + ")");
  }
  StudyResults results;
  results.code = definition.code;
  results.title = definition.title;
  results.design = definition.design;
  results.origin = definition.origin;
  results.time_unit = definition.time_unit;
  results.grouping = definition.groups;
  results.as_of = options.as_of;
  std::vector<PatientView> all = Index(registry, definition, options, results.last_fact);
  std::vector<PatientView> views;
  for (PatientView& p : all) {
    if (p.origin) views.push_back(std::move(p));
  }
  if (views.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "study \"" + definition.code + "\": no patient has a time zero (" +
                    (definition.origin == TimeOrigin::kEnrolment ? "an enrolment date" : "a first infusion") +
                    (options.as_of ? " on or before " + core::FormatDate(*options.as_of) : std::string()) + "); " +
                    std::to_string(all.size()) + " patients of the study in the registry");
  }
  results.groups = AssignGroups(registry, definition, views);
  for (const std::string& code : definition.group_order) {
    const bool known =
        std::any_of(results.groups.begin(), results.groups.end(), [&](const GroupInfo& g) { return g.code == code; });
    if (known) continue;
    std::string codes;
    for (const GroupInfo& g : results.groups) codes += (codes.empty() ? "" : ", ") + g.code;
    return Fail(ErrorCode::kInvalidArgument, "study.group_order names \"" + code + "\", which is no group of study \"" +
                                                 definition.code + "\" (its groups: " + codes + ")");
  }
  results.flow = CountFlow(views, results.groups.size(), all.size() - views.size(), all.size());
  results.baseline = BaselineTable(views, results.groups, definition.design);
  for (const EndpointDefinition& e : definition.endpoints) {
    results.endpoints.push_back(AnalyseEndpoint(views, results.groups, e, definition.time_unit));
  }
  // A visit is due once its window has closed by the data cut, or, without
  // one, by the registry's latest fact.
  const Date cut = options.as_of ? *options.as_of : results.last_fact.value_or(Date{});
  for (std::size_t i = 0; i < definition.labs.size(); ++i) {
    CIRRUS_ASSIGN_OR_RETURN(LabTrajectory t,
                            Trajectory(registry, definition, definition.labs[i], i, views, results.groups.size(), cut));
    results.labs.push_back(std::move(t));
  }
  results.safety = Safety(views, results.groups);
  return results;
}

}  // namespace cirrus::study
