#pragma once

// The steps of study::AnalyseStudy, one file each under src/study/analysis/:
// the registry's facts indexed by patient (patients.cpp), the baseline table,
// the endpoints, the lab trajectories and the safety table. Each step reads
// the patients' views and the groups, and returns its part of StudyResults.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/study/analysis.hpp"
#include "cirrus/study/definition.hpp"

namespace cirrus::study::internal {

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

/// The registry's facts of the study's patients, by patient, without those
/// dated after the data cut; `last_fact` is the latest date kept.
std::vector<PatientView> IndexPatients(const core::RegistryBatch& registry, const StudyDefinition& definition,
                                       const AnalysisOptions& options, std::optional<core::Date>& last_fact);

/// The group of each patient (PatientView::group) and the groups in their display order.
std::vector<GroupInfo> AssignGroups(const core::RegistryBatch& registry, const StudyDefinition& definition,
                                    std::vector<PatientView>& views);

PatientFlow CountFlow(const std::vector<PatientView>& views, std::size_t group_count, std::size_t without_origin,
                      std::size_t in_registry);

/// The first outcome of the kind, on any date.
std::optional<core::Date> FirstOutcome(const PatientView& p, core::OutcomeKind kind);

/// The patient's baseline value of a lab: the last on or before time zero
/// within 90 days, else the first within 14 days after it.
std::optional<double> BaselineLab(const PatientView& p, core::Analyte analyte);

std::vector<BaselineRow> BaselineTable(const std::vector<PatientView>& views, const std::vector<GroupInfo>& groups,
                                       StudyDesign design);

EndpointResult AnalyseEndpoint(const std::vector<PatientView>& views, const std::vector<GroupInfo>& groups,
                               const EndpointDefinition& e, TimeUnit unit);

/// Errors: kInvalidArgument naming labs[index].visits when a visit is not in the study's schedule.
Result<LabTrajectory> Trajectory(const core::RegistryBatch& registry, const StudyDefinition& definition,
                                 const LabDefinition& lab, std::size_t index, const std::vector<PatientView>& views,
                                 std::size_t group_count, core::Date cut);

SafetyResult Safety(const std::vector<PatientView>& views, const std::vector<GroupInfo>& groups);

}  // namespace cirrus::study::internal
