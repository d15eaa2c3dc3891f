// cirrus/study/definition.hpp: a study definition, the TOML file that says
// which registry study to analyse, from what time zero, in which groups, and
// which endpoints to report. docs/studies.md lists every key.
//
// The caller reads the file (this module does no file I/O for it) and passes
// its text and name; an unknown key, a wrong type or a value out of range is
// an error naming the file, line, key and value and what is allowed:
//   "study.toml:9: endpoints[0].kind = \"surv\": must be one of \"survival\", \"cumulative-incidence\""
//
// Example:
//   auto definition = study::ParseStudyDefinition(text, "kim-abmi.toml");
//   if (!definition) { print(definition.error().message()); return 2; }
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/core/units.hpp"

namespace cirrus::study {

enum class StudyDesign { kSingleArm, kRandomised, kCohort };
/// Time zero of every endpoint.
enum class TimeOrigin { kEnrolment, kFirstInfusion };
enum class TimeUnit { kDays, kWeeks, kMonths, kYears };
/// How patients are put into groups.
enum class Grouping {
  kNone,     ///< one group of everyone
  kArm,      ///< the patient's arm
  kProduct,  ///< the cell product of the first infusion ("none" when untreated)
  kRoute,    ///< the route of the first infusion
  kCourses,  ///< the number of treatment courses received
};
enum class EndpointKind { kSurvival, kCumulativeIncidence };

std::string_view Code(StudyDesign value);
std::string_view Code(TimeOrigin value);
std::string_view Code(TimeUnit value);
std::string_view Code(Grouping value);
std::string_view Code(EndpointKind value);
/// Days in one unit: 1, 7, 365.25 / 12, 365.25.
double DaysPerUnit(TimeUnit unit);

/// A time-to-event endpoint. Follow-up ends at the first of: an outcome of
/// `events` (the event), of `competing` (the competing event), of `censor`,
/// death, loss to follow-up or withdrawal (censored), or the last contact
/// (censored). Outcomes not named (transplant, HCC, ...) change nothing.
struct EndpointDefinition {
  std::string name;
  EndpointKind kind = EndpointKind::kSurvival;
  std::vector<core::OutcomeKind> events;
  std::vector<core::OutcomeKind> competing;  ///< only for cumulative incidence
  std::vector<core::OutcomeKind> censor;
  std::vector<double> at;          ///< times of the estimates table, in the study's unit, ascending
  std::optional<double> landmark;  ///< a landmark analysis from this time, in the study's unit
};

/// A lab's trajectory over the scheduled visits: mean and 95% CI by visit and
/// group, with the patients measured, dead, transplanted or missing at each.
struct LabDefinition {
  core::Analyte analyte = core::Analyte::kAlbumin;
  std::vector<std::string> visits;  ///< schedule codes, in order; empty = every scheduled visit up to `until_day`
  int until_day = 365;              ///< with visits empty: the last scheduled day shown
};

struct StudyDefinition {
  std::string code;  ///< the registry's study code
  std::string title;
  StudyDesign design = StudyDesign::kSingleArm;
  TimeOrigin origin = TimeOrigin::kEnrolment;
  TimeUnit time_unit = TimeUnit::kMonths;
  Grouping groups = Grouping::kNone;
  /// Group codes in the order the report shows them (the comparator first);
  /// groups not listed follow in their default order.
  std::vector<std::string> group_order;
  std::vector<EndpointDefinition> endpoints;
  std::vector<LabDefinition> labs;
};

/// Errors: kInvalidArgument for TOML syntax, unknown keys, wrong types,
/// values out of range, a missing [study] code or no [[endpoints]], all
/// named as in the file comment.
Result<StudyDefinition> ParseStudyDefinition(std::string_view text, std::string_view file_name);

}  // namespace cirrus::study
