// Cohort and trial designs from TOML (toml++ 3.3). The file is applied on
// top of DefaultCohortDesign / DefaultTrialDesign; docs/simulation.md,
// section "Configuration files", lists every key with its range.
//
// The reading machinery (sections, ranges, the earliest problem) is
// io/toml_config, shared with the study definitions.
#include "cirrus/sim/config.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cirrus/io/toml_config.hpp"

namespace cirrus::sim {
namespace {

using namespace io::toml_config;  // NOLINT(google-build-using-namespace): the reader's vocabulary

constexpr double kMonthsPerYear = 12;
constexpr double kWeeksPerYear = 52;

// Undoes the rounding of a unit conversion (20 / 52 * 52) for display.
double Rounded(double value) { return std::round(value * 1e9) / 1e9; }

constexpr Range kProbability = Closed(0, 1);
constexpr Range kHazard = Closed(0, 50);  // per year; 50/year means a median wait of 5 days
constexpr Range kLogHazardRatio = Closed(-10, 10);
constexpr Range kHazardRatio = OpenClosed(0, 10);

// ---- lab names --------------------------------------------------------------

constexpr std::array<Lab, kLabCount> kAllLabs = {
    Lab::kAlbumin,        Lab::kBilirubin, Lab::kInr, Lab::kCreatinine, Lab::kSodium,
    Lab::kCholinesterase, Lab::kAlt,       Lab::kAst, Lab::kPlatelets,  Lab::kAfp};

std::optional<Lab> LabFromName(std::string_view name) {
  for (Lab lab : kAllLabs) {
    if (LabName(lab) == name) return lab;
  }
  return std::nullopt;
}

std::vector<std::string_view> LabNames() {
  std::vector<std::string_view> names;
  for (Lab lab : kAllLabs) names.push_back(LabName(lab));
  return names;
}

// An array of lab names, each at most once.
std::optional<std::vector<Lab>> LabsOf(const Section& section, std::string_view key) {
  const toml::node* node = section.Find(key);
  if (node == nullptr) return std::nullopt;
  return DistinctNames<Lab>(section, *node, key, LabFromName, Join(LabNames()), "lab");
}

// ---- enum names ---------------------------------------------------------------

constexpr NameTable<LiverState, 2> kEntryStates = {{
    {"compensated", LiverState::kCompensated},
    {"first-decompensation", LiverState::kFirstDecompensation},
}};
constexpr NameTable<Course, 2> kCourses = {{
    {"hbv-on-antivirals", Course::kHbvOnAntivirals},
    {"classical", Course::kClassical},
}};
constexpr NameTable<EffectForm, 4> kForms = {{
    {"none", EffectForm::kNone},
    {"piecewise-hr", EffectForm::kPiecewiseHazardRatio},
    {"lab-mediated", EffectForm::kLabMediated},
    {"responder", EffectForm::kResponderMixture},
}};
constexpr NameTable<Endpoint, 3> kEndpoints = {{
    {"death", Endpoint::kDeath},
    {"death-or-transplant", Endpoint::kDeathOrTransplant},
    {"hcc-free-survival", Endpoint::kHccFreeSurvival},
}};

// A core Parse* function as a Choice parser.
template <typename T>
auto FromCore(Result<T> (*parse)(std::string_view)) {
  return [parse](std::string_view text) -> std::optional<T> {
    Result<T> r = parse(text);
    if (!r) return std::nullopt;
    return *r;
  };
}

// ---- the tables -------------------------------------------------------------------

void ReadStudy(Problems& problems, const toml::table& table, CohortDesign& design) {
  Section s(problems, table, "study", {"code", "title"});
  s.String("code", design.study_code, Required::kNonEmpty);
  s.String("title", design.study_title);
}

void ReadCohort(Problems& problems, const toml::table& table, CohortDesign& design) {
  Section s(problems, table, "cohort",
            {"patients", "start_date", "accrual_months", "follow_up_months", "entry_state", "course"});
  // The course picks the whole model first, so that the tables read after
  // this one refine the chosen course whatever the order of the file. The
  // design's effect form (piecewise HR for a trial) is kept.
  if (auto course = ChoiceOf(s, "course", kCourses)) {
    const EffectForm form = design.model.therapy.form;
    design.model = DefaultModel(*course);
    design.model.therapy.form = form;
  }
  s.Integer("patients", 1, 10'000'000, design.patients);
  s.Date("start_date", design.start_date);
  s.Number("accrual_months", Closed(0, 240), design.accrual_months);
  s.Number("follow_up_months", OpenClosed(0, 600), design.follow_up_months);
  if (auto state = ChoiceOf(s, "entry_state", kEntryStates)) design.entry_state = *state;
}

void ReadSites(Problems& problems, const toml::node& node, CohortDesign& design) {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables() || array->empty()) {
    problems.Bad(node, "sites", "must be one or more tables written [[sites]]");
    return;
  }
  std::vector<SiteDesign> sites;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string name = "sites[" + std::to_string(i) + "]";
    const toml::node& element = (*array)[i];
    const toml::table* table = element.as_table();
    if (table == nullptr) continue;  // is_array_of_tables() above
    Section s(problems, *table, name, {"code", "name", "country", "weight"});
    SiteDesign site;
    site.code = "S" + std::string(i < 9 ? "0" : "") + std::to_string(i + 1);
    site.name = "Simulated site " + std::to_string(i + 1);
    s.String("code", site.code, Required::kNonEmpty);
    s.String("name", site.name);
    s.String("country", site.country);
    s.Number("weight", Above(0), site.weight);
    for (std::size_t j = 0; j < sites.size(); ++j) {
      if (sites[j].code != site.code) continue;
      const toml::node* at = s.Find("code");
      problems.Bad(at != nullptr ? *at : element, s.Qualified("code"), "duplicate of sites[" + std::to_string(j) + "]");
    }
    sites.push_back(std::move(site));
  }
  design.sites = std::move(sites);
}

void ReadArms(Problems& problems, const toml::node& node, CohortDesign& design) {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables() || array->empty()) {
    problems.Bad(node, "arms", "must be one or more tables written [[arms]]");
    return;
  }
  std::vector<ArmDesign> arms;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string name = "arms[" + std::to_string(i) + "]";
    const toml::node& element = (*array)[i];
    const toml::table* table = element.as_table();
    if (table == nullptr) continue;  // is_array_of_tables() above
    Section s(problems, *table, name,
              {"code", "name", "allocation", "product", "source", "route", "dose", "dose_unit", "infusion_weeks"});
    ArmDesign arm;
    arm.code = "arm" + std::to_string(i + 1);
    s.String("code", arm.code, Required::kNonEmpty);
    arm.name = arm.code;
    s.String("name", arm.name);
    s.Number("allocation", Above(0), arm.allocation);
    arm.product = s.Choice<core::CellProduct>("product", FromCore(&core::ParseCellProduct),
                                              "\"BM-MNC\", \"BM-MSC\", \"UC-MSC\", \"other\"");
    if (auto v =
            s.Choice<core::CellSource>("source", FromCore(&core::ParseCellSource), "\"autologous\", \"allogeneic\"")) {
      arm.source = *v;
    }
    if (auto v = s.Choice<core::Route>(
            "route", FromCore(&core::ParseRoute),
            "\"peripheral-vein\", \"portal-vein\", \"hepatic-artery\", \"implanted-port\", \"other\"")) {
      arm.route = *v;
    }
    s.Number("dose", Above(0), arm.dose);
    if (auto v = s.Choice<core::DoseUnit>("dose_unit", FromCore(&core::ParseDoseUnit), "\"cells\", \"cells/kg\"")) {
      arm.dose_unit = *v;
    }
    if (auto weeks = s.AscendingNumbers("infusion_weeks", AtLeast(0))) arm.infusion_weeks = std::move(*weeks);

    // A product means infusions and infusions mean a product: the simulator
    // treats exactly the patients of arms with infusions.
    // (A product refused above leaves the arm without one; it is reported
    // already, so the infusions are not blamed for it.)
    const toml::node* product = s.Find("product");
    const toml::node* weeks = s.Find("infusion_weeks");
    if (arm.product && arm.infusion_weeks.empty()) {
      if (weeks != nullptr) {
        s.Fail(*weeks, "infusion_weeks", "must not be empty for an arm with a product");
      } else {
        s.Fail(*product, "product", "an arm with a product needs infusion_weeks");
      }
    }
    if (!arm.product && !arm.infusion_weeks.empty() && product == nullptr) {
      s.Fail(*weeks, "infusion_weeks", "must be empty for an arm without a product (a control arm)");
    }
    for (std::size_t j = 0; j < arms.size(); ++j) {
      if (arms[j].code != arm.code) continue;
      const toml::node* at = s.Find("code");
      problems.Bad(at != nullptr ? *at : element, s.Qualified("code"), "duplicate of arms[" + std::to_string(j) + "]");
    }
    arms.push_back(std::move(arm));
  }
  design.arms = std::move(arms);
}

void ReadSchedule(Problems& problems, const toml::table& table, VisitSchedule& schedule) {
  Section s(problems, table, "schedule", {"weeks", "then_every_months", "window_days", "missed_probability", "labs"});
  if (auto weeks = s.AscendingNumbers("weeks", AtLeast(0))) {
    if (weeks->empty() || weeks->front() != 0) {
      s.Fail(*s.Find("weeks"), "weeks", "must start with week 0 (baseline)");
    } else {
      schedule.weeks = std::move(*weeks);
    }
  }
  s.Number("then_every_months", AtLeast(0), schedule.then_every_months);
  s.Integer("window_days", 0, 90, schedule.window_days);
  s.Number("missed_probability", ClosedOpen(0, 1), schedule.missed_probability);
  if (auto labs = LabsOf(s, "labs")) schedule.labs = std::move(*labs);
}

void ReadPopulation(Problems& problems, const toml::table& table, Population& p) {
  Section s(problems, table, "population",
            {"age_mean", "age_sd", "age_min", "age_max", "male_fraction", "weight_mean_kg", "weight_sd_kg",
             "alcohol_fraction"});
  s.Number("age_mean", Closed(0, 120), p.age_mean);
  s.Number("age_sd", AtLeast(0), p.age_sd);
  s.Number("age_min", Closed(0, 120), p.age_min);
  s.Number("age_max", Closed(0, 120), p.age_max);
  s.Number("male_fraction", kProbability, p.male_fraction);
  s.Number("weight_mean_kg", Above(0), p.weight_mean_kg);
  s.Number("weight_sd_kg", AtLeast(0), p.weight_sd_kg);
  s.Number("alcohol_fraction", kProbability, p.alcohol_fraction);
  std::string_view key;
  if (!(p.age_min < p.age_max)) {
    if (const toml::node* node = s.FirstPresent({"age_max", "age_min"}, &key)) {
      s.Fail(*node, key,
             "population.age_min (" + FormatNumber(p.age_min) + ") must be below population.age_max (" +
                 FormatNumber(p.age_max) + ")");
    }
  }
}

void ReadHistory(Problems& problems, const toml::table& table, NaturalHistory& h) {
  Section s(problems, table, "history",
            {"compensated_to_d1",
             "compensated_death",
             "d1_to_d2",
             "d1_death",
             "d2_death",
             "d1_transplant",
             "d2_transplant",
             "d1_to_recompensated",
             "recompensated_to_d1",
             "recompensated_death",
             "hcc_decompensated",
             "hcc_recompensated",
             "hcc_compensated",
             "hcc_log_hr_age_over_50",
             "hcc_log_hr_male",
             "death_multiplier_hcc",
             "meld_log_hr_death",
             "albumin_log_hr_death",
             "meld_reference",
             "albumin_reference_g_l",
             "death_cause_split",
             "loss_to_follow_up"});
  s.Number("compensated_to_d1", kHazard, h.compensated_to_d1);
  s.Number("compensated_death", kHazard, h.compensated_death);
  s.Number("d1_to_d2", kHazard, h.d1_to_d2);
  s.Number("d1_death", kHazard, h.d1_death);
  s.Number("d2_death", kHazard, h.d2_death);
  s.Number("d1_transplant", kHazard, h.d1_transplant);
  s.Number("d2_transplant", kHazard, h.d2_transplant);
  s.Number("d1_to_recompensated", kHazard, h.d1_to_recompensated);
  s.Number("recompensated_to_d1", kHazard, h.recompensated_to_d1);
  s.Number("recompensated_death", kHazard, h.recompensated_death);
  s.Number("hcc_decompensated", kHazard, h.hcc_decompensated);
  s.Number("hcc_recompensated", kHazard, h.hcc_recompensated);
  s.Number("hcc_compensated", kHazard, h.hcc_compensated);
  s.Number("hcc_log_hr_age_over_50", kLogHazardRatio, h.hcc_log_hr_age_over_50);
  s.Number("hcc_log_hr_male", kLogHazardRatio, h.hcc_log_hr_male);
  s.Number("death_multiplier_hcc", Above(0), h.death_multiplier_hcc);
  s.Number("meld_log_hr_death", kLogHazardRatio, h.meld_log_hr_death);
  s.Number("albumin_log_hr_death", kLogHazardRatio, h.albumin_log_hr_death);
  s.Number("meld_reference", Above(0), h.meld_reference);
  s.Number("albumin_reference_g_l", Above(0), h.albumin_reference_g_l);
  s.Number("loss_to_follow_up", kHazard, h.loss_to_follow_up);
  if (const toml::node* node = s.Find("death_cause_split")) {
    constexpr std::string_view kWhy =
        "must be an array of 4 numbers >= 0 with a positive sum (liver failure, infection, bleeding, other)";
    const auto* array = node->as_array();
    std::array<double, 4> split{};
    bool ok = array != nullptr && array->size() == split.size();
    double sum = 0;
    for (std::size_t i = 0; ok && i < split.size(); ++i) {
      const std::optional<double> share = AsNumber((*array)[i]);
      ok = share && std::isfinite(*share) && *share >= 0;
      if (ok) split[i] = *share;
      sum += split[i];
    }
    if (ok && sum > 0 && std::isfinite(sum)) {
      // Stored normalised, as the header documents; the file may give
      // percentages or counts.
      for (double& share : split) share /= sum;
      h.death_cause_split = split;
    } else {
      s.Fail(*node, "death_cause_split", kWhy);
    }
  }
}

void ReadLabs(Problems& problems, const toml::table& table, LabModel& labs) {
  std::vector<std::string_view> allowed = {"prothrombin_activity_k"};
  for (std::string_view name : LabNames()) allowed.push_back(name);
  Section s(problems, table, "labs", allowed);
  s.Number("prothrombin_activity_k", Above(0), labs.prothrombin_activity_k);
  for (Lab lab : kAllLabs) {
    const std::string name = "labs." + std::string(LabName(lab));
    const toml::table* sub = TableOrReport(problems, table, LabName(lab), name);
    if (sub == nullptr) continue;
    Section l(problems, *sub, name,
              {"baseline", "intercept_sd", "slope", "slope_sd", "noise_sd", "step_d2", "step_hcc",
               "recompensation_reversal", "minimum", "maximum"});
    LabTrajectory& t = labs.labs[static_cast<std::size_t>(lab)];
    // The baseline is given on the natural scale (g/L, umol/L, ...) and
    // stored on the lab's modelling scale.
    if (IsLogScale(lab)) {
      if (auto b = l.Number("baseline", Above(0))) t.mean = std::log(*b);
    } else {
      l.Number("baseline", AnyFinite(), t.mean);
    }
    l.Number("intercept_sd", AtLeast(0), t.intercept_sd);
    l.Number("slope", AnyFinite(), t.slope);
    l.Number("slope_sd", AtLeast(0), t.slope_sd);
    l.Number("noise_sd", AtLeast(0), t.noise_sd);
    l.Number("step_d2", AnyFinite(), t.step_d2);
    l.Number("step_hcc", AnyFinite(), t.step_hcc);
    l.Number("recompensation_reversal", kProbability, t.recompensation_reversal);
    l.Number("minimum", AtLeast(0), t.minimum);
    l.Number("maximum", Above(0), t.maximum);
    std::string_view key;
    if (!(t.minimum < t.maximum)) {
      if (const toml::node* node = l.FirstPresent({"maximum", "minimum"}, &key)) {
        l.Fail(*node, key,
               name + ".minimum (" + FormatNumber(t.minimum) + ") must be below " + name + ".maximum (" +
                   FormatNumber(t.maximum) + ")");
      }
    }
  }
}

void ReadEffect(Problems& problems, const toml::table& table, TherapyEffect& e) {
  Section s(problems, table, "effect",
            {"form",
             "lag_months",
             "hazard_ratio_early",
             "hazard_ratio_late",
             "ramp_months",
             "applies_to_decompensation",
             "albumin_peak_g_l",
             "log_bilirubin_peak",
             "log_inr_peak",
             "log_cholinesterase_peak",
             "onset_weeks",
             "peak_weeks",
             "half_life_months",
             "course_half_saturation",
             "responder_fraction",
             "responder_hazard_ratio",
             "responder_lag_months",
             "route_factor_peripheral_vein",
             "route_factor_portal_vein",
             "route_factor_hepatic_artery",
             "route_factor_implanted_port",
             "product_factor_bm_mnc",
             "product_factor_bm_msc",
             "product_factor_uc_msc",
             "fever_probability",
             "other_adverse_event_probability"});
  if (auto form = ChoiceOf(s, "form", kForms)) e.form = *form;
  s.Number("lag_months", Closed(0, 600), e.lag_years, kMonthsPerYear);
  s.Number("hazard_ratio_early", kHazardRatio, e.hazard_ratio_early);
  s.Number("hazard_ratio_late", kHazardRatio, e.hazard_ratio_late);
  s.Number("ramp_months", Closed(0, 600), e.ramp_years, kMonthsPerYear);
  s.Bool("applies_to_decompensation", e.applies_to_decompensation);
  s.Number("albumin_peak_g_l", AnyFinite(), e.albumin_peak_g_l);
  s.Number("log_bilirubin_peak", AnyFinite(), e.log_bilirubin_peak);
  s.Number("log_inr_peak", AnyFinite(), e.log_inr_peak);
  s.Number("log_cholinesterase_peak", AnyFinite(), e.log_cholinesterase_peak);
  s.Number("onset_weeks", AtLeast(0), e.onset_years, kWeeksPerYear);
  s.Number("peak_weeks", Above(0), e.peak_years, kWeeksPerYear);
  s.Number("half_life_months", Above(0), e.half_life_years, kMonthsPerYear);
  s.Number("course_half_saturation", AtLeast(0), e.course_half_saturation);
  s.Number("responder_fraction", kProbability, e.responder_fraction);
  s.Number("responder_hazard_ratio", kHazardRatio, e.responder_hazard_ratio);
  s.Number("responder_lag_months", Closed(0, 600), e.responder_lag_years, kMonthsPerYear);
  s.Number("route_factor_peripheral_vein", AtLeast(0), e.route_factor_peripheral_vein);
  s.Number("route_factor_portal_vein", AtLeast(0), e.route_factor_portal_vein);
  s.Number("route_factor_hepatic_artery", AtLeast(0), e.route_factor_hepatic_artery);
  s.Number("route_factor_implanted_port", AtLeast(0), e.route_factor_implanted_port);
  s.Number("product_factor_bm_mnc", AtLeast(0), e.product_factor_bm_mnc);
  s.Number("product_factor_bm_msc", AtLeast(0), e.product_factor_bm_msc);
  s.Number("product_factor_uc_msc", AtLeast(0), e.product_factor_uc_msc);
  s.Number("fever_probability", kProbability, e.fever_probability);
  s.Number("other_adverse_event_probability", kProbability, e.other_adverse_event_probability);
  std::string_view key;
  if (!(e.peak_years > e.onset_years)) {
    if (const toml::node* node = s.FirstPresent({"peak_weeks", "onset_weeks"}, &key)) {
      s.Fail(*node, key,
             "effect.peak_weeks (" + FormatNumber(Rounded(e.peak_years * kWeeksPerYear)) +
                 ") must be after effect.onset_weeks (" + FormatNumber(Rounded(e.onset_years * kWeeksPerYear)) + ")");
    }
  }
}

void ReadSimulation(Problems& problems, const toml::table& table, Model& model) {
  Section s(problems, table, "simulation", {"hazard_step_months"});
  s.Number("hazard_step_months", OpenClosed(0, 12), model.hazard_step_years, kMonthsPerYear);
}

void ReadAnalysis(Problems& problems, const toml::table& table, AnalysisPlan& plan) {
  Section s(problems, table, "analysis",
            {"endpoint", "alpha", "landmark_months", "rmst_tau_months", "lab_endpoints", "lab_endpoint_week"});
  if (auto endpoint = ChoiceOf(s, "endpoint", kEndpoints)) plan.endpoint = *endpoint;
  s.Number("alpha", OpenClosed(0, 0.5), plan.alpha);
  s.Number("landmark_months", Above(0), plan.landmark_months);
  s.Number("rmst_tau_months", Above(0), plan.rmst_tau_months);
  if (auto labs = LabsOf(s, "lab_endpoints")) plan.lab_endpoints = std::move(*labs);
  s.Number("lab_endpoint_week", Above(0), plan.lab_endpoint_week);
}

enum class ConfigKind { kCohort, kTrial };

// Parses `text` onto `design` (and `plan` for a trial); returns the first
// problem's message, or nothing.
std::optional<std::string> Apply(std::string_view text, std::string_view file_name, ConfigKind kind,
                                 CohortDesign& design, AnalysisPlan* plan) {
  const std::string file(file_name);
  Result<toml::table> parsed = ParseDocument(text, file);
  if (!parsed) return parsed.error().message;
  const toml::table& root = *parsed;

  Problems problems(text, file);
  std::vector<std::string_view> tables = {"study",      "cohort",  "sites", "arms",   "schedule",
                                          "population", "history", "labs",  "effect", "simulation"};
  // A cohort may be simulated from a trial's file: its [analysis] is
  // checked, then not used.
  tables.push_back("analysis");
  AnalysisPlan unused_plan;
  if (plan == nullptr) plan = &unused_plan;
  Section top(problems, root, "", tables);

  // [cohort] first: its course replaces the model the later tables refine.
  if (const auto* t = TableOrReport(problems, root, "cohort", "cohort")) ReadCohort(problems, *t, design);
  if (const auto* t = TableOrReport(problems, root, "study", "study")) ReadStudy(problems, *t, design);
  if (const toml::node* node = root.get("sites")) ReadSites(problems, *node, design);
  if (const toml::node* node = root.get("arms")) ReadArms(problems, *node, design);
  if (const auto* t = TableOrReport(problems, root, "schedule", "schedule")) {
    ReadSchedule(problems, *t, design.schedule);
  }
  if (const auto* t = TableOrReport(problems, root, "population", "population")) {
    ReadPopulation(problems, *t, design.model.population);
  }
  if (const auto* t = TableOrReport(problems, root, "history", "history")) {
    ReadHistory(problems, *t, design.model.history);
  }
  if (const auto* t = TableOrReport(problems, root, "labs", "labs")) ReadLabs(problems, *t, design.model.labs);
  if (const auto* t = TableOrReport(problems, root, "effect", "effect")) {
    ReadEffect(problems, *t, design.model.therapy);
  }
  if (const auto* t = TableOrReport(problems, root, "simulation", "simulation")) {
    ReadSimulation(problems, *t, design.model);
  }
  if (const auto* t = TableOrReport(problems, root, "analysis", "analysis")) ReadAnalysis(problems, *t, *plan);
  if (kind == ConfigKind::kTrial) {
    // The comparator first, the experimental arm second; either may carry a
    // product (a course-length trial compares two treated arms).
    if (design.arms.size() != 2) {
      const toml::node* arms = root.get("arms");
      const Position where = arms != nullptr ? PositionOf(arms->source()) : Position{1, 1};
      problems.Add(where,
                   "[[arms]]: a trial needs exactly two arms, the comparator first and the experimental "
                   "arm second; found " +
                       std::to_string(design.arms.size()));
    }
  }
  if (problems.any()) return problems.first_message();
  return std::nullopt;
}

}  // namespace

Result<CohortDesign> ParseCohortConfig(std::string_view text, std::string_view file_name) {
  CohortDesign design = DefaultCohortDesign();
  if (auto error = Apply(text, file_name, ConfigKind::kCohort, design, nullptr)) {
    return Fail(ErrorCode::kInvalidArgument, std::move(*error));
  }
  return design;
}

Result<TrialDesign> ParseTrialConfig(std::string_view text, std::string_view file_name) {
  TrialDesign trial = DefaultTrialDesign();
  if (auto error = Apply(text, file_name, ConfigKind::kTrial, trial.cohort, &trial.analysis)) {
    return Fail(ErrorCode::kInvalidArgument, std::move(*error));
  }
  return trial;
}

}  // namespace cirrus::sim
