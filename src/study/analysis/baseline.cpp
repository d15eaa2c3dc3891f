// The baseline table: median (Q1, Q3) and mean (SD) or n (%) per group, an
// unknown row where data are missing, and standardised differences.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cirrus/core/units.hpp"
#include "cirrus/stats/descriptive.hpp"
#include "internal/analysis_steps.hpp"

namespace cirrus::study::internal {

using core::Date;
using core::OutcomeKind;

namespace {

// Mean difference over the pooled SD (continuous) or of proportions
// (p1 - p2) / sqrt((p1 (1 - p1) + p2 (1 - p2)) / 2), Austin 2009.
std::optional<double> StandardisedDifference(const BaselineRow& row) {
  if (row.groups.size() != 2) return std::nullopt;
  const BaselineCell& a = row.groups[0];
  const BaselineCell& b = row.groups[1];
  if (row.continuous) {
    if (!a.mean || !b.mean || !a.sd || !b.sd) return std::nullopt;
    const double pooled = std::sqrt((*a.sd * *a.sd + *b.sd * *b.sd) / 2);
    if (!(pooled > 0)) return std::nullopt;
    return (*a.mean - *b.mean) / pooled;
  }
  if (!a.percent || !b.percent) return std::nullopt;
  const double p1 = *a.percent / 100;
  const double p2 = *b.percent / 100;
  const double pooled = std::sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2);
  if (!(pooled > 0)) return std::nullopt;
  return (p1 - p2) / pooled;
}

void AddContinuous(std::vector<BaselineRow>& rows, std::string variable, const std::vector<PatientView>& views,
                   std::size_t group_count, const std::function<std::optional<double>(const PatientView&)>& value) {
  std::vector<std::vector<double>> values(group_count);
  std::vector<std::size_t> missing(group_count, 0);
  for (const PatientView& p : views) {
    const auto g = static_cast<std::size_t>(p.group);
    if (std::optional<double> v = value(p)) {
      values[g].push_back(*v);
    } else {
      ++missing[g];
    }
  }
  BaselineRow row;
  row.variable = std::move(variable);
  row.continuous = true;
  for (std::size_t g = 0; g < group_count; ++g) {
    const stats::SampleSummary s = stats::Summarise(values[g]);
    BaselineCell cell;
    cell.n = s.n;
    cell.missing = missing[g];
    cell.median = s.median;
    cell.q1 = s.q1;
    cell.q3 = s.q3;
    cell.mean = s.mean;
    cell.sd = s.sd;
    row.groups.push_back(cell);
  }
  rows.push_back(std::move(row));
}

// A categorical variable: one row per level that occurs, then "unknown" where
// any patient has no value.
void AddCategories(std::vector<BaselineRow>& rows, const std::string& variable, const std::vector<PatientView>& views,
                   const std::vector<GroupInfo>& groups, const std::vector<std::string>& levels,
                   const std::function<std::optional<std::string>(const PatientView&)>& level_of) {
  const std::size_t group_count = groups.size();
  std::map<std::string, std::vector<std::size_t>> counts;
  std::vector<std::size_t> unknown(group_count, 0);
  for (const PatientView& p : views) {
    const auto g = static_cast<std::size_t>(p.group);
    if (std::optional<std::string> level = level_of(p)) {
      auto& c = counts[*level];
      c.resize(group_count, 0);
      ++c[g];
    } else {
      ++unknown[g];
    }
  }
  auto add = [&](const std::string& level, const std::vector<std::size_t>& c) {
    BaselineRow row;
    row.variable = variable;
    row.level = level;
    for (std::size_t g = 0; g < group_count; ++g) {
      BaselineCell cell;
      cell.count = c[g];
      cell.n = groups[g].n;
      if (groups[g].n > 0) cell.percent = 100.0 * static_cast<double>(c[g]) / static_cast<double>(groups[g].n);
      row.groups.push_back(cell);
    }
    rows.push_back(std::move(row));
  };
  for (const std::string& level : levels) {
    auto it = counts.find(level);
    if (it != counts.end()) add(level, it->second);
  }
  if (std::any_of(unknown.begin(), unknown.end(), [](std::size_t u) { return u > 0; })) add("unknown", unknown);
}

}  // namespace

std::vector<BaselineRow> BaselineTable(const std::vector<PatientView>& views, const std::vector<GroupInfo>& groups,
                                       StudyDesign design) {
  std::vector<BaselineRow> rows;
  const std::size_t k = groups.size();
  AddContinuous(rows, "Age (years)", views, k, [](const PatientView& p) -> std::optional<double> {
    if (!p.patient->birth_year) return std::nullopt;
    return static_cast<double>(core::YearOf(*p.origin) - *p.patient->birth_year);
  });
  AddCategories(rows, "Sex", views, groups, {"male", "female"}, [](const PatientView& p) -> std::optional<std::string> {
    if (!p.patient->sex) return std::nullopt;
    return std::string(core::Name(*p.patient->sex));
  });
  // Aetiologies are not exclusive (HBV with alcohol): one yes/no line each.
  for (core::Aetiology aetiology :
       {core::Aetiology::kHbv, core::Aetiology::kHcv, core::Aetiology::kHdv, core::Aetiology::kAlcohol,
        core::Aetiology::kMasld, core::Aetiology::kAutoimmune, core::Aetiology::kPbc, core::Aetiology::kPsc,
        core::Aetiology::kHaemochromatosis, core::Aetiology::kOther}) {
    const bool any = std::any_of(views.begin(), views.end(),
                                 [&](const PatientView& p) { return p.patient->aetiologies.Contains(aetiology); });
    if (!any) continue;
    const std::string name(core::Name(aetiology));
    AddCategories(rows, "Aetiology", views, groups, {name}, [&](const PatientView& p) -> std::optional<std::string> {
      if (p.patient->aetiologies.Contains(aetiology)) return name;
      return std::string("no");
    });
  }
  for (core::Analyte analyte :
       {core::Analyte::kAlbumin, core::Analyte::kBilirubin, core::Analyte::kInr, core::Analyte::kCreatinine,
        core::Analyte::kProthrombinActivity, core::Analyte::kCholinesterase}) {
    const bool any = std::any_of(views.begin(), views.end(),
                                 [&](const PatientView& p) { return BaselineLab(p, analyte).has_value(); });
    if (!any) continue;
    const core::AnalyteInfo& info = core::Info(analyte);
    std::string variable(info.name);
    variable[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(variable[0])));
    if (analyte == core::Analyte::kInr) variable = "INR";
    const std::string_view unit = info.units[0].display;
    if (!unit.empty() && unit != "1") variable += " (" + std::string(unit) + ")";
    AddContinuous(rows, variable, views, k, [analyte](const PatientView& p) { return BaselineLab(p, analyte); });
  }
  if (design != StudyDesign::kRandomised) {
    for (BaselineRow& row : rows) row.standardised_difference = StandardisedDifference(row);
  }
  return rows;
}

}  // namespace cirrus::study::internal
