// The adverse-event table: patients, events, serious, related and maximum
// CTCAE grade by term and group, and events per 100 infusions.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "internal/analysis_steps.hpp"

namespace cirrus::study::internal {

using core::Date;
using core::OutcomeKind;

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

}  // namespace cirrus::study::internal
