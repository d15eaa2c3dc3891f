// `cirrus report`: a study definition and the registry become one HTML report
// (--out FILE) or its numbers as JSON (--format json, to standard output or --out).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cirrus/base/result.hpp"

namespace cirrus::cli {

struct ReportOptions {
  std::string db;
  std::string study;
  std::string out;
  std::string format = "html";
  std::string as_of;
  std::string command;  ///< the command line, for the report's footer
};

CLI::App* AddReportCommand(CLI::App& app, ReportOptions& options);

/// Errors: kInvalidArgument for a bad study file or option, kNotFound for a
/// study the registry does not hold, and the registry's errors.
Status RunReport(const ReportOptions& options);

}  // namespace cirrus::cli
