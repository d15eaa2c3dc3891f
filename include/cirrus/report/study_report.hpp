// cirrus/report/study_report.hpp: a study's results (study::AnalyseStudy) as
// one self-contained HTML page, with inline SVG figures, and as JSON with
// every number the page shows. The page's numbers carry data-json attributes,
// JSON pointers into the JSON document, so a test can check one against the
// other. Neither renderer computes a statistic or does I/O; both give the same
// bytes for the same results in any locale.
//
// Example:
//   report::Provenance p{.registry_hash = h, .study_hash = s, .version = "0.9", .command = "cirrus report ..."};
//   std::string html = report::RenderStudyHtml(*results, p);
//   std::string json = report::RenderStudyJson(*results, p);
#pragma once

#include <string>

#include "cirrus/study/analysis.hpp"

namespace cirrus::report {

/// Where the numbers came from, for the footer: enough to reproduce them.
struct Provenance {
  std::string registry_hash;  ///< SHA-256 of the registry's content (its canonical CSV export)
  std::string study_hash;     ///< SHA-256 of the study definition file
  std::string study_file;     ///< its name as given
  std::string version;        ///< cirrus version
  std::string command;        ///< the command line that made the report
};

std::string RenderStudyJson(const study::StudyResults& results, const Provenance& provenance);
std::string RenderStudyHtml(const study::StudyResults& results, const Provenance& provenance);

}  // namespace cirrus::report
