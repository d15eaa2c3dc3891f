// cirrus/study/analysis.hpp: a study definition applied to the registry's
// facts, giving every number a study report shows: the patient flow, the
// baseline table, and each endpoint's curves, estimates, risk table, test and
// landmark analysis. The report renders these results and computes nothing.
//
// Time zero is the patient's enrolment (or first infusion); facts dated after
// `as_of` are left out as if not yet recorded. An endpoint's follow-up ends at
// the first event, competing event or censoring outcome on or after time zero
// (EndpointDefinition), else at the last contact: the latest dated fact of the
// patient (completed visit, lab, assessment, infusion, procedure, outcome,
// adverse event).
//
// Example:
//   auto batch = registry.Export(std::nullopt);
//   auto results = study::AnalyseStudy(*batch, definition, {.as_of = cut});
//   for (const EndpointResult& e : results->endpoints) use(e.name, e.groups[0].at);
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/study/definition.hpp"

namespace cirrus::study {

struct AnalysisOptions {
  std::optional<core::Date> as_of;  ///< the data cut: later facts are left out; empty = everything
};

struct GroupInfo {
  std::string code;   ///< arm code, product code, "2 courses", ...; "all" without groups
  std::string label;  ///< for people: the arm's name where it has one
  std::size_t n = 0;  ///< patients analysed in the group
};

/// Where the study's patients are at the data cut, by group. The outcome boxes
/// partition the group: dead, else transplanted, else lost or withdrawn, else
/// still followed.
struct FlowGroup {
  std::size_t enrolled = 0;
  std::size_t treated = 0;  ///< at least one infusion
  std::size_t dead = 0;
  std::size_t transplanted = 0;  ///< alive after a liver transplant
  std::size_t lost = 0;          ///< lost to follow-up or withdrawn, alive, not transplanted
  std::size_t followed = 0;      ///< none of these
};

struct PatientFlow {
  std::size_t in_registry = 0;     ///< patients of the study in the registry
  std::size_t without_origin = 0;  ///< no enrolment date (or no infusion with origin first-infusion)
  std::vector<FlowGroup> groups;   ///< parallel to StudyResults::groups
};

/// One line of the baseline table. Continuous variables give median (Q1, Q3)
/// and mean (SD); categories give a count per group.
struct BaselineCell {
  std::size_t n = 0;                               ///< patients with a value
  std::size_t missing = 0;                         ///< patients without one
  std::optional<double> median, q1, q3, mean, sd;  ///< continuous
  std::size_t count = 0;                           ///< category: patients in it
  std::optional<double> percent;                   ///< category: count / (n of the group) * 100
};

struct BaselineRow {
  std::string variable;  ///< "Age (years)", "Sex", ...
  std::string level;     ///< the category ("male"); empty for a continuous variable or its heading
  bool continuous = false;
  std::vector<BaselineCell> groups;
  /// Standardised difference of the first two groups (mean difference over the
  /// pooled SD, or of proportions); absent for a randomised design (where
  /// differences are chance by construction) and with other than two groups.
  std::optional<double> standardised_difference;
};

/// An estimate at one of the endpoint's `at` times.
struct EstimateAt {
  double time = 0;
  std::size_t n_risk = 0;          ///< followed up to at least `time` (R's summary(survfit, times =))
  std::optional<double> estimate;  ///< survival, or cumulative incidence; absent past the last follow-up
  std::optional<double> lower;     ///< 95% limits
  std::optional<double> upper;
};

/// The risk table under a curve, at the axis ticks (KMunicate).
struct RiskAt {
  double time = 0;
  std::size_t at_risk = 0;
  std::size_t censored = 0;  ///< up to and including `time`
  std::size_t events = 0;    ///< up to and including `time`
};

/// One step of a drawn curve.
struct CurveStep {
  double time = 0;
  double estimate = 0;
  std::optional<double> lower;
  std::optional<double> upper;
};

struct EndpointGroup {
  std::string group;  ///< GroupInfo::code
  std::size_t n = 0;
  std::size_t events = 0;
  std::size_t competing = 0;  ///< competing events (cumulative incidence)
  std::size_t censored = 0;
  std::vector<EstimateAt> at;
  std::vector<RiskAt> risk;
  std::optional<double> median;  ///< survival: absent when not reached
  std::optional<double> median_lower, median_upper;
  std::vector<CurveStep> curve;      ///< starts at (0, 1) or (0, 0)
  std::vector<double> censor_times;  ///< distinct times of censoring
};

/// The comparison of the groups: log-rank for survival, Gray's test for
/// cumulative incidence; `not_computable` says why there is none.
struct GroupTest {
  std::string method;  ///< "log-rank", "Gray"
  std::optional<double> statistic;
  int df = 0;
  std::optional<double> p;
  std::string not_computable;  ///< empty when the test ran
};

struct LandmarkResult {
  double time = 0;                    ///< in the study's unit
  std::size_t excluded = 0;           ///< follow-up ended at or before the landmark
  std::vector<EndpointGroup> groups;  ///< time measured from the landmark
  GroupTest test;
};

struct EndpointResult {
  std::string name;
  EndpointKind kind = EndpointKind::kSurvival;
  std::vector<std::string> events;  ///< outcome codes
  std::vector<std::string> competing;
  std::vector<std::string> censor;
  std::string interval;                    ///< how the 95% limits are made, in words
  std::size_t excluded_before_origin = 0;  ///< the event or a competing event came before time zero
  double axis_max = 0;                     ///< the last follow-up time
  std::vector<double> ticks;               ///< the axis ticks, where the risk table is read
  std::vector<EndpointGroup> groups;
  GroupTest test;
  std::optional<LandmarkResult> landmark;
};

/// One scheduled visit of a lab trajectory in one group. Every patient of the
/// group is in exactly one of: measured (n), dead or transplanted before the
/// visit's planned day, not yet due at the data cut, or missing.
struct TrajectoryPoint {
  std::string visit;  ///< schedule code
  int day = 0;        ///< planned day from the schedule's anchor
  std::size_t n = 0;
  std::optional<double> mean, sd, lower, upper;  ///< 95% t interval of the mean
  std::size_t dead = 0;
  std::size_t transplanted = 0;
  std::size_t not_due = 0;
  std::size_t missing = 0;
};

struct LabTrajectory {
  std::string analyte;  ///< short name ("albumin")
  std::string unit;     ///< canonical unit, as displayed
  /// groups[g][v]: group g at visit v.
  std::vector<std::vector<TrajectoryPoint>> groups;
};

/// Adverse events of one term in one group.
struct AdverseEventCell {
  std::size_t patients = 0;  ///< with at least one
  std::optional<double> percent;
  std::size_t events = 0;
  std::size_t serious = 0;
  std::size_t related = 0;                  ///< possibly, probably or definitely related to an infusion
  std::array<std::size_t, 5> max_grade{};   ///< patients by their highest CTCAE grade, 1-5
  std::optional<double> per_100_infusions;  ///< events per 100 infusions given in the group
};

struct AdverseEventRow {
  std::string term;  ///< "any adverse event" first
  std::vector<AdverseEventCell> groups;
};

struct SafetyResult {
  std::vector<std::size_t> infusions;  ///< per group
  std::vector<AdverseEventRow> rows;   ///< any, then terms by patients (most first), then by name
};

struct StudyResults {
  std::string code, title;
  StudyDesign design = StudyDesign::kSingleArm;
  TimeOrigin origin = TimeOrigin::kEnrolment;
  TimeUnit time_unit = TimeUnit::kMonths;
  Grouping grouping = Grouping::kNone;
  std::optional<core::Date> as_of;
  std::optional<core::Date> last_fact;  ///< the latest date of any fact analysed
  std::vector<GroupInfo> groups;
  PatientFlow flow;
  std::vector<BaselineRow> baseline;
  std::vector<EndpointResult> endpoints;
  std::vector<LabTrajectory> labs;
  SafetyResult safety;
};

/// Errors: kNotFound when the registry holds no study of the definition's code
/// (naming those it holds); kInvalidArgument when no patient of the study has
/// a time zero.
Result<StudyResults> AnalyseStudy(const core::RegistryBatch& registry, const StudyDefinition& definition,
                                  const AnalysisOptions& options = {});

}  // namespace cirrus::study
