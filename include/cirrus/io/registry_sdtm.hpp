// cirrus/io/registry_sdtm.hpp: a registry batch as CDISC SDTM-shaped CSV
// files (DM, EX, LB, AE, DS, DD, PR), one file per domain, for submission
// tooling and for sponsors who analyse in SDTM.
//
// "Shaped": the variable names, codelist wording and study-day rule follow
// SDTM (SDTMIG 3.x), but the files are CSV, not SAS transport, and carry only
// the variables the registry has data for. docs/redcap-sdtm.md lists every
// variable and where it comes from.
//
// Example:
//   cirrus::io::SdtmOptions options;
//   options.study_id = "CIRRHO-CELL-01";
//   options.dates = cirrus::io::SdtmDates::kStudyDaysOnly;   // de-identified
//   CIRRUS_RETURN_IF_ERROR(cirrus::io::WriteSdtm(batch, "out/sdtm", options));
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "cirrus/base/result.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/registry.hpp"

namespace cirrus::io {

/// Whether calendar dates leave the registry.
enum class SdtmDates {
  kCalendar,       ///< --DTC as YYYY-MM-DD and --DY beside it
  kStudyDaysOnly,  ///< de-identified: every --DTC and RF...DTC blank, --DY kept, BRTHDTC the year only
};

struct SdtmOptions {
  /// STUDYID for every row; empty means each patient's study code.
  std::string study_id;
  SdtmDates dates = SdtmDates::kCalendar;
};

/// The files WriteSdtm writes: DM.csv, EX.csv, LB.csv, AE.csv, DS.csv, DD.csv and PR.csv.
std::span<const std::string_view> SdtmFileNames();

/// Writes DM.csv, EX.csv, LB.csv, AE.csv, DS.csv, DD.csv and PR.csv into
/// `directory` (which must exist). Every file gets its header even when it has
/// no rows. All seven are written before any is renamed into place.
/// Errors: kInvalidArgument when the directory is missing or not writable;
/// kDataLoss when a write fails.
///
/// Example:
///   CIRRUS_RETURN_IF_ERROR(WriteSdtm(batch, "sdtm", SdtmOptions{}));
Status WriteSdtm(const core::RegistryBatch& batch, const std::string& directory, const SdtmOptions& options);

/// SDTM study day of `date` relative to `reference` (RFSTDTC): there is no
/// day 0, so the reference date is day 1, the day after it day 2 and the day
/// before it day -1.
int SdtmStudyDay(core::Date date, core::Date reference);

/// EXROUTE (CDISC route of administration codelist, C66729): INTRAVENOUS,
/// INTRAPORTAL, INTRA-ARTERIAL (hepatic artery and implanted hepatic-artery
/// port), OTHER.
std::string_view SdtmRoute(core::Route route);

/// AEOUT (codelist OUT, C66768): RECOVERED/RESOLVED, RECOVERING/RESOLVING,
/// NOT RECOVERED/NOT RESOLVED, RECOVERED/RESOLVED WITH SEQUELAE, FATAL, UNKNOWN.
std::string_view SdtmAeOutcome(core::AeOutcome outcome);

/// AEREL: NOT RELATED, UNLIKELY RELATED, POSSIBLY RELATED, PROBABLY RELATED, RELATED.
std::string_view SdtmRelatedness(core::Relatedness relatedness);

/// DSDECOD (NCOMPLT wording) of a disposition event: DEATH, LOST TO
/// FOLLOW-UP, WITHDRAWAL BY SUBJECT; empty for events that are not a disposition.
std::optional<std::string_view> SdtmDisposition(core::OutcomeKind kind);

}  // namespace cirrus::io
