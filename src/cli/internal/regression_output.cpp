#include "regression_output.hpp"

#include <fmt/format.h>

#include "survival_input_options.hpp"

namespace cirrus::cli::internal {

using Json = nlohmann::ordered_json;

Json TestJson(const stats::ChiSquaredTest& test) {
  return {{"statistic", Number(test.statistic)}, {"df", test.df}, {"p", Number(test.p)}};
}

Json TermsJson(const stats::CoxFit& fit, const std::vector<std::string>& names) {
  Json terms = Json::array();
  for (std::size_t j = 0; j < fit.terms.size(); ++j) {
    const stats::CoxTerm& t = fit.terms[j];
    terms.push_back({{"term", names[j]},
                     {"coef", Number(t.coef)},
                     {"se", Number(t.se)},
                     {"robust_se", Number(t.robust_se)},
                     {"hr", Number(t.hr)},
                     {"lower", Number(t.lower)},
                     {"upper", Number(t.upper)},
                     {"z", Number(t.z)},
                     {"p", Number(t.p)}});
  }
  return terms;
}

std::string TermsCsv(const stats::CoxFit& fit, const std::vector<std::string>& names) {
  std::string out = "term,coef,se,robust_se,hr,lower,upper,z,p\n";
  auto cell = [](const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); };
  for (std::size_t j = 0; j < fit.terms.size(); ++j) {
    const stats::CoxTerm& t = fit.terms[j];
    out += fmt::format("{},{},{},{},{},{},{},{},{}\n", names[j], cell(t.coef), cell(t.se), cell(t.robust_se),
                       cell(t.hr), cell(t.lower), cell(t.upper), cell(t.z), cell(t.p));
  }
  return out;
}

std::string TermsText(const stats::CoxFit& fit, const std::vector<std::string>& names, std::string_view se_label,
                      std::string_view ratio_label) {
  std::string out = fmt::format("{:<20}{:>12}{:>12}{:>10}{:>10}{:>10}{:>10}\n", "term", "coef", se_label, ratio_label,
                                "lower", "upper", "p");
  for (std::size_t j = 0; j < fit.terms.size(); ++j) {
    const stats::CoxTerm& t = fit.terms[j];
    out += fmt::format("{:<20}{:>12}{:>12}{:>10}{:>10}{:>10}{:>10}\n", names[j], Text(t.coef),
                       Text(fit.robust ? t.robust_se : t.se), Text(t.hr), Text(t.lower), Text(t.upper),
                       t.p ? fmt::format("{:.4g}", *t.p) : std::string("NA"));
  }
  return out;
}

std::string TestsText(const stats::CoxFit& fit) {
  std::string out;
  out += fmt::format("likelihood ratio {:.4f} on {} df, p = {:.4g}\n", fit.lrt.statistic, fit.lrt.df, fit.lrt.p);
  out += fmt::format("Wald             {:.4f} on {} df, p = {:.4g}\n", fit.wald.statistic, fit.wald.df, fit.wald.p);
  out += fmt::format("score            {:.4f} on {} df, p = {:.4g}\n", fit.score.statistic, fit.score.df, fit.score.p);
  out += fmt::format("{} after {} iterations\n", fit.diagnostics.converged ? "converged" : "NOT converged",
                     fit.diagnostics.iterations);
  for (const std::string& w : fit.diagnostics.warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace cirrus::cli::internal
