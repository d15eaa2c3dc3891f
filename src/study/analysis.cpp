// A study definition applied to the registry's facts; see
// cirrus/study/analysis.hpp. The registry batch is indexed by patient once,
// each patient is reduced to a time zero, a group and dated outcomes, and each
// endpoint to (time, status) arrays that the survival engine analyses.
#include "cirrus/study/analysis.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "internal/analysis_steps.hpp"

namespace cirrus::study {

using core::Date;
using internal::PatientView;

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
  std::vector<PatientView> all = internal::IndexPatients(registry, definition, options, results.last_fact);
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
  results.groups = internal::AssignGroups(registry, definition, views);
  for (const std::string& code : definition.group_order) {
    const bool known =
        std::any_of(results.groups.begin(), results.groups.end(), [&](const GroupInfo& g) { return g.code == code; });
    if (known) continue;
    std::string codes;
    for (const GroupInfo& g : results.groups) codes += (codes.empty() ? "" : ", ") + g.code;
    return Fail(ErrorCode::kInvalidArgument, "study.group_order names \"" + code + "\", which is no group of study \"" +
                                                 definition.code + "\" (its groups: " + codes + ")");
  }
  results.flow = internal::CountFlow(views, results.groups.size(), all.size() - views.size(), all.size());
  results.baseline = internal::BaselineTable(views, results.groups, definition.design);
  for (const EndpointDefinition& e : definition.endpoints) {
    results.endpoints.push_back(internal::AnalyseEndpoint(views, results.groups, e, definition.time_unit));
  }
  // A visit is due once its window has closed by the data cut, or, without
  // one, by the registry's latest fact.
  const Date cut = options.as_of ? *options.as_of : results.last_fact.value_or(Date{});
  for (std::size_t i = 0; i < definition.labs.size(); ++i) {
    CIRRUS_ASSIGN_OR_RETURN(LabTrajectory t, internal::Trajectory(registry, definition, definition.labs[i], i, views,
                                                                  results.groups.size(), cut));
    results.labs.push_back(std::move(t));
  }
  results.safety = internal::Safety(views, results.groups);
  return results;
}

}  // namespace cirrus::study
