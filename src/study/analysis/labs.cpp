// Lab trajectories: mean and 95% CI by scheduled visit and group, with who
// died, was transplanted, was not yet due or is missing at each visit.
#include <algorithm>
#include <string>
#include <vector>

#include "cirrus/core/units.hpp"
#include "cirrus/stats/descriptive.hpp"
#include "internal/analysis_steps.hpp"

namespace cirrus::study::internal {

using core::Date;
using core::OutcomeKind;

namespace {

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

}  // namespace

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

}  // namespace cirrus::study::internal
