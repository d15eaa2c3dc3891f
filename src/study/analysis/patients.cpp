// The registry batch indexed by patient once: each patient reduced to a time
// zero, a group and dated facts (see internal/analysis_steps.hpp).
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "internal/analysis_steps.hpp"

namespace cirrus::study::internal {

using core::Date;
using core::OutcomeKind;

namespace {

bool Within(const std::optional<Date>& as_of, Date date) { return !as_of || date <= *as_of; }

void Touch(PatientView& p, Date date) { p.last_contact = std::max(p.last_contact, date); }

std::string Plural(int count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

}  // namespace

// The registry's facts of the study's patients, by patient, without those
// dated after the data cut.
std::vector<PatientView> IndexPatients(const core::RegistryBatch& registry, const StudyDefinition& definition,
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

std::optional<Date> FirstOutcome(const PatientView& p, OutcomeKind kind) {
  auto it = p.outcomes.find(kind);
  if (it == p.outcomes.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

// Baseline labs: the last value on or before time zero within this many days,
// else the first within kBaselineAfterDays after it (a screening sample drawn
// on the day of the first infusion, a few days late).
constexpr int kBaselineBeforeDays = 90;
constexpr int kBaselineAfterDays = 14;

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

}  // namespace cirrus::study::internal
