#pragma once

// How the regression commands (cox, finegray) print a stats::CoxFit: the
// per-term JSON array, CSV rows and text table, the three tests, and the
// convergence lines. One place, so both commands keep the same contract.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/stats/cox.hpp"

namespace cirrus::cli::internal {

/// {"statistic", "df", "p"}.
nlohmann::ordered_json TestJson(const stats::ChiSquaredTest& test);

/// [{"term","coef","se","robust_se","hr","lower","upper","z","p"}, ...].
nlohmann::ordered_json TermsJson(const stats::CoxFit& fit, const std::vector<std::string>& names);

/// "term,coef,se,robust_se,hr,lower,upper,z,p" and one row per term.
std::string TermsCsv(const stats::CoxFit& fit, const std::vector<std::string>& names);

/// The text table: term, coef, the standard error in use, the ratio (`ratio_label`: "HR", "sHR"), limits, p.
std::string TermsText(const stats::CoxFit& fit, const std::vector<std::string>& names, std::string_view se_label,
                      std::string_view ratio_label);

/// The likelihood-ratio, Wald and score lines, then convergence and warnings.
std::string TestsText(const stats::CoxFit& fit);

}  // namespace cirrus::cli::internal
