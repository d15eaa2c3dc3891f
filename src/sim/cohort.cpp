#include "cirrus/sim/cohort.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>

#include "cirrus/core/units.hpp"
#include "internal/parallel.hpp"
#include "internal/patient.hpp"

namespace cirrus::sim {
namespace {

using internal::EventKind;
using internal::PatientModel;
using internal::Treatment;
using internal::VirtualPatient;

constexpr double kDaysPerYear = 365.25;
constexpr double kDaysPerMonth = kDaysPerYear / 12;

int Days(double years) { return static_cast<int>(std::lround(years * kDaysPerYear)); }

std::string Padded(std::size_t number, std::size_t width) {
  std::string digits = std::to_string(number);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

constexpr std::array<double, 4> kScale = {1, 10, 100, 1000};

// The value rounded to `decimals` (0-3), as a site reports it.
double Rounded(double value, int decimals) {
  const double scale = kScale[static_cast<std::size_t>(decimals)];
  return std::round(value * scale) / scale;
}

std::string Fixed(double value, int decimals) {
  std::array<char, 32> text{};
  const auto result = std::to_chars(text.data(), text.data() + text.size(), Rounded(value, decimals),
                                    std::chars_format::fixed, decimals);
  return {text.data(), result.ptr};
}

// How a lab is entered: analyte, unit text, the unit's conversion, decimals.
struct LabEntry {
  core::Analyte analyte = core::Analyte::kAlbumin;
  std::string unit;
  const core::UnitInfo* info = nullptr;
  int decimals = 0;
};

LabEntry EntryOf(core::Analyte analyte, std::string_view unit, int decimals) {
  LabEntry entry{analyte, std::string(unit), &core::CanonicalUnit(analyte), decimals};
  if (!unit.empty()) {
    if (auto found = core::FindUnit(analyte, unit)) entry.info = *found;
  }
  return entry;
}

// How each lab is entered: registry analyte, the unit a site would write,
// and decimals.
LabEntry EntryOf(Lab lab) {
  switch (lab) {
    case Lab::kAlbumin: return EntryOf(core::Analyte::kAlbumin, "g/L", 1);
    case Lab::kBilirubin: return EntryOf(core::Analyte::kBilirubin, "umol/L", 1);
    case Lab::kInr: return EntryOf(core::Analyte::kInr, "", 2);
    case Lab::kCreatinine: return EntryOf(core::Analyte::kCreatinine, "umol/L", 0);
    case Lab::kSodium: return EntryOf(core::Analyte::kSodium, "mmol/L", 0);
    case Lab::kCholinesterase: return EntryOf(core::Analyte::kCholinesterase, "U/L", 0);
    case Lab::kAlt: return EntryOf(core::Analyte::kAlt, "U/L", 0);
    case Lab::kAst: return EntryOf(core::Analyte::kAst, "U/L", 0);
    case Lab::kPlatelets: return EntryOf(core::Analyte::kPlatelets, "10*9/L", 0);
    case Lab::kAfp: return EntryOf(core::Analyte::kAfp, "ng/mL", 1);
  }
  return EntryOf(core::Analyte::kAlbumin, "g/L", 1);
}

// A lab result as a site enters it: rounded to the reporting precision, the
// canonical value converted from the rounded number (as an import would).
core::LabResult LabAsEntered(const std::string& patient, core::Date date, const LabEntry& entry, double value) {
  core::LabResult lab;
  lab.patient = patient;
  lab.date = date;
  lab.analyte = entry.analyte;
  lab.value_as_entered = Fixed(value, entry.decimals);
  lab.unit_as_entered = entry.unit;
  lab.value = core::RoundConversionResidue(entry.info->ToCanonical(Rounded(value, entry.decimals)));
  return lab;
}

struct PlannedVisit {
  std::string code;
  std::string name;
  int day = 0;
  bool surveillance = false;  ///< an HCC surveillance visit (ultrasound and AFP)
};

std::vector<PlannedVisit> PlanVisits(const CohortDesign& design) {
  std::vector<PlannedVisit> visits;
  const VisitSchedule& s = design.schedule;
  const double last_day = design.follow_up_months * kDaysPerMonth;
  for (double week : s.weeks) {
    const int day = static_cast<int>(std::lround(week * 7));
    if (day > last_day) break;
    const std::string label = Fixed(week, week == std::floor(week) ? 0 : 1);
    visits.push_back({"W" + label, "Week " + label, day, week == 0 || std::fmod(week, 26) == 0});
  }
  if (s.then_every_months > 0) {
    const double last_week = s.weeks.empty() ? 0 : s.weeks.back();
    for (double months = last_week * 7 / kDaysPerMonth + s.then_every_months;; months += s.then_every_months) {
      const int day = static_cast<int>(std::lround(months * kDaysPerMonth));
      if (day > last_day) break;
      const std::string label = std::to_string(std::lround(months));
      visits.push_back({"M" + label, "Month " + label, day, true});
    }
  }
  return visits;
}

// Exact allocation counts (largest remainder), randomly ordered.
std::vector<std::size_t> Allocate(const CohortDesign& design, Random& rng) {
  const auto n = static_cast<std::size_t>(design.patients);
  double total = 0;
  for (const ArmDesign& arm : design.arms) total += arm.allocation;
  std::vector<std::size_t> counts(design.arms.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  std::size_t given = 0;
  for (std::size_t a = 0; a < design.arms.size(); ++a) {
    const double exact = static_cast<double>(n) * design.arms[a].allocation / total;
    counts[a] = static_cast<std::size_t>(std::floor(exact));
    given += counts[a];
    remainders.emplace_back(exact - std::floor(exact), a);
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  for (std::size_t r = 0; given < n; ++r, ++given) ++counts[remainders[r % remainders.size()].second];
  std::vector<std::size_t> arms;
  arms.reserve(n);
  for (std::size_t a = 0; a < counts.size(); ++a) arms.insert(arms.end(), counts[a], a);
  for (std::size_t i = arms.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.Uniform() * static_cast<double>(i));
    std::swap(arms[i - 1], arms[std::min(j, i - 1)]);
  }
  return arms;
}

// Everything one patient contributes to the batch; merged in patient order.
struct PatientRecords {
  core::Patient patient;
  std::vector<core::Infusion> infusions;
  std::vector<core::Procedure> procedures;
  std::vector<core::Medication> medications;
  std::vector<core::Visit> visits;
  std::vector<core::LabResult> labs;
  std::vector<core::Assessment> assessments;
  std::vector<core::OutcomeEvent> events;
  std::vector<core::AdverseEvent> adverse_events;
};

class CohortWriter {
 public:
  CohortWriter(const CohortDesign& design, const CohortOptions& options)
      : design_(design), options_(options), model_(design.model), visits_(PlanVisits(design)) {
    for (const ArmDesign& arm : design.arms) {
      Treatment t;
      if (arm.product) t.product = *arm.product;
      t.route = arm.route;
      for (double week : arm.infusion_weeks) t.infusion_years.push_back(week / 52);
      treatments_.push_back(t);
    }
    for (const SiteDesign& site : design.sites) site_weights_.push_back(site.weight);
    for (std::size_t i = 0; i < kLabCount; ++i) {
      entries_[i] = EntryOf(static_cast<Lab>(i));
    }
  }

  [[nodiscard]] bool ok() const { return model_.ok(); }

  PatientRecords Simulate(std::size_t index, std::size_t arm_index) const {
    Random rng(options_.seed, index, 0);
    const ArmDesign& arm = design_.arms[arm_index];
    const Treatment& treatment = treatments_[arm_index];
    const auto site =
        static_cast<std::size_t>(rng.Choose(site_weights_.data(), static_cast<int>(site_weights_.size())));
    const core::Date enrolment = design_.start_date.PlusDays(
        static_cast<int>(std::floor(rng.Uniform() * design_.accrual_months * kDaysPerMonth)));
    const VirtualPatient p = model_.Simulate(design_.entry_state, design_.follow_up_months / 12, treatment, rng);
    const core::Date end = enrolment.PlusDays(Days(p.end_years));
    auto in_data = [&](core::Date date) { return !options_.data_cut || date <= *options_.data_cut; };

    PatientRecords r;
    core::Patient& patient = r.patient;
    patient.code = design_.study_code + "-" + Padded(index + 1, 5);
    patient.site = design_.sites[site].code;
    patient.study = design_.study_code;
    patient.arm = arm.code;
    patient.sex = p.sex;
    patient.birth_year = core::ToCivil(enrolment).year - static_cast<int>(std::floor(p.age));
    patient.aetiologies.Add(p.aetiology);
    patient.enrolment = enrolment;
    // Cirrhosis known 1-5 years before enrolment; the index decompensation
    // within the 6 months before it [assumption].
    patient.cirrhosis_diagnosis = enrolment.PlusDays(-Days(1 + 4 * rng.Uniform()));
    if (design_.entry_state == LiverState::kFirstDecompensation) {
      patient.first_decompensation = enrolment.PlusDays(-static_cast<int>(std::floor(rng.Uniform() * 183)));
    }
    const bool censored_by_cut = !in_data(end);
    if (censored_by_cut) {
      patient.status = core::PatientStatus::kOnStudy;
    } else if (p.died) {
      patient.status = core::PatientStatus::kDead;
    } else if (p.lost) {
      patient.status = core::PatientStatus::kLostToFollowUp;
    } else if (p.transplanted) {
      patient.status = core::PatientStatus::kFollowUp;
    } else {
      patient.status = core::PatientStatus::kCompleted;
    }

    if (p.aetiology == core::Aetiology::kHbv) {
      r.medications.push_back({patient.code,
                               core::MedicationClass::kAntiviral,
                               "entecavir",
                               *patient.cirrhosis_diagnosis,
                               std::nullopt,
                               "0.5 mg daily",
                               {}});
    }
    if (patient.first_decompensation && p.index_decompensation == core::DecompensationKind::kAscites) {
      r.medications.push_back({patient.code,
                               core::MedicationClass::kDiuretic,
                               "spironolactone",
                               *patient.first_decompensation,
                               std::nullopt,
                               "100 mg daily",
                               {}});
    }

    // Infusions given while the patient is followed, each with its chance of
    // post-infusion fever and of another adverse event.
    const bool autologous_marrow =
        arm.product && arm.source == core::CellSource::kAutologous &&
        (*arm.product == core::CellProduct::kBmMnc || *arm.product == core::CellProduct::kBmMsc);
    const TherapyEffect& effect = design_.model.therapy;
    for (std::size_t k = 0; k < treatment.infusion_years.size(); ++k) {
      const double at = treatment.infusion_years[k];
      if (at > p.end_years) break;
      const core::Date date = enrolment.PlusDays(static_cast<int>(std::lround(arm.infusion_weeks[k] * 7)));
      if (!in_data(date)) break;
      const int number = static_cast<int>(k) + 1;
      if (autologous_marrow)
        r.procedures.push_back({patient.code, core::ProcedureKind::kBoneMarrowHarvest, date, "", {}});
      double dose = arm.dose;
      if (arm.dose_unit == core::DoseUnit::kCells) dose = std::round(arm.dose);
      r.infusions.push_back(
          {patient.code, number, 1, date, *arm.product, arm.source, dose, arm.dose_unit, arm.route, {}});
      if (rng.Uniform() < effect.fever_probability) {
        const int grade = rng.Uniform() < 0.8 ? 1 : 2;
        r.adverse_events.push_back({patient.code,
                                    "fever",
                                    date,
                                    date.PlusDays(1 + static_cast<int>(rng.Uniform() * 2)),
                                    grade,
                                    false,
                                    number,
                                    core::Relatedness::kProbable,
                                    core::AeOutcome::kRecovered,
                                    {}});
      }
      if (rng.Uniform() < effect.other_adverse_event_probability) {
        r.adverse_events.push_back({patient.code,
                                    "allergic reaction",
                                    date,
                                    date.PlusDays(1),
                                    1,
                                    false,
                                    number,
                                    core::Relatedness::kPossible,
                                    core::AeOutcome::kRecovered,
                                    {}});
      }
    }

    // Visits while followed; labs and an assessment at each completed one.
    r.visits.reserve(visits_.size());
    r.assessments.reserve(visits_.size());
    r.labs.reserve(visits_.size() * (design_.schedule.labs.size() + 1));
    LiverState state = design_.entry_state;
    std::size_t next_event = 0;
    int last_afp_day = -1000;
    int previous_day = -1;
    for (const PlannedVisit& planned : visits_) {
      const int jitter =
          planned.day == 0 ? 0 : static_cast<int>(std::lround((2 * rng.Uniform() - 1) * design_.schedule.window_days));
      // Windows of neighbouring visits may overlap; a patient comes at most
      // once a day (the registry keys visits and labs by date).
      const int day = std::max(planned.day + jitter, previous_day + 1);
      if (day / kDaysPerYear > p.end_years) break;
      const core::Date date = enrolment.PlusDays(day);
      if (!in_data(date)) break;
      const bool missed = planned.day != 0 && rng.Uniform() < design_.schedule.missed_probability;
      const int recorded_day = missed ? std::max(planned.day, previous_day + 1) : day;
      previous_day = recorded_day;
      r.visits.push_back({patient.code,
                          enrolment.PlusDays(recorded_day),
                          planned.code,
                          missed ? core::VisitStatus::kMissed : core::VisitStatus::kCompleted,
                          {}});
      if (missed) continue;
      const double years = day / kDaysPerYear;
      for (; next_event < p.events.size() && p.events[next_event].years <= years; ++next_event) {
        switch (p.events[next_event].kind) {
          case EventKind::kDecompensation: state = LiverState::kFirstDecompensation; break;
          case EventKind::kFurtherDecompensation: state = LiverState::kFurtherDecompensation; break;
          case EventKind::kRecompensation: state = LiverState::kRecompensated; break;
          default: break;
        }
      }
      const bool afp_due = planned.surveillance || day - last_afp_day >= 150;
      for (Lab lab : design_.schedule.labs) {
        if (lab == Lab::kAfp && !afp_due) continue;
        const double value = model_.MeasuredLab(p, treatment, lab, years, rng);
        r.labs.push_back(LabAsEntered(patient.code, date, entries_[static_cast<std::size_t>(lab)], value));
        if (lab == Lab::kInr) {
          // Chinese sites report prothrombin activity; its reagent-specific
          // calibration from INR (docs/simulation.md).
          const double activity = 100 / (1 + design_.model.labs.prothrombin_activity_k * (value - 1));
          r.labs.push_back(LabAsEntered(patient.code, date, activity_entry_, activity));
        }
      }
      if (afp_due) {
        last_afp_day = day;
        r.procedures.push_back({patient.code, core::ProcedureKind::kLiverUltrasound, date, "", {}});
      }
      core::Assessment assessment;
      assessment.patient = patient.code;
      assessment.date = date;
      assessment.ascites = state == LiverState::kFurtherDecompensation ? core::Ascites::kModerateSevere
                           : state == LiverState::kFirstDecompensation ? core::Ascites::kMild
                                                                       : core::Ascites::kNone;
      assessment.encephalopathy_grade = state == LiverState::kFurtherDecompensation && rng.Uniform() < 0.3 ? 1 : 0;
      assessment.weight_kg = std::round((p.weight_kg + rng.Normal()) * 10) / 10;
      r.assessments.push_back(assessment);
    }

    // Outcome events, up to the data cut.
    for (const internal::Event& e : p.events) {
      const core::Date date = enrolment.PlusDays(Days(e.years));
      if (!in_data(date)) break;
      core::OutcomeEvent event;
      event.patient = patient.code;
      event.date = date;
      switch (e.kind) {
        case EventKind::kDecompensation:
        case EventKind::kFurtherDecompensation:
          event.kind = core::OutcomeKind::kDecompensation;
          event.decompensation = e.decompensation;
          break;
        case EventKind::kRecompensation: continue;  // a state, not an outcome the registry records
        case EventKind::kHcc: event.kind = core::OutcomeKind::kHcc; break;
        case EventKind::kTransplant:
          event.kind = core::OutcomeKind::kLiverTransplant;
          r.procedures.push_back({patient.code, core::ProcedureKind::kLiverTransplant, date, "", {}});
          break;
        case EventKind::kDeath:
          event.kind = core::OutcomeKind::kDeath;
          event.death_cause = e.cause;
          break;
        case EventKind::kLossToFollowUp: event.kind = core::OutcomeKind::kLostToFollowUp; break;
      }
      // Two events of a kind on one day are one fact for the registry.
      const bool repeated = std::any_of(r.events.begin(), r.events.end(), [&](const core::OutcomeEvent& seen) {
        return seen.kind == event.kind && seen.date == event.date;
      });
      if (!repeated) r.events.push_back(event);
    }
    if (!p.died && !p.lost) {
      core::OutcomeEvent alive;
      alive.patient = patient.code;
      alive.kind = core::OutcomeKind::kLastKnownAlive;
      alive.date = censored_by_cut ? *options_.data_cut : end;
      if (alive.date >= enrolment) r.events.push_back(alive);
    }
    return r;
  }

 private:
  const CohortDesign& design_;
  const CohortOptions& options_;
  PatientModel model_;
  std::vector<PlannedVisit> visits_;
  std::vector<Treatment> treatments_;
  std::vector<double> site_weights_;
  std::array<LabEntry, kLabCount> entries_;
  LabEntry activity_entry_ = EntryOf(core::Analyte::kProthrombinActivity, "%", 0);
};

template <typename T>
void Append(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

}  // namespace

Result<core::RegistryBatch> SimulateCohort(const CohortDesign& design, const CohortOptions& options) {
  if (design.arms.empty() || design.sites.empty() || design.patients < 1) {
    return Fail(ErrorCode::kInvalidArgument, "a cohort needs at least one site, one arm and one patient", "cohort");
  }
  for (const ArmDesign& arm : design.arms) {
    if (!arm.infusion_weeks.empty() && !arm.product) {
      return Fail(ErrorCode::kInvalidArgument, "arm '" + arm.code + "' has infusions but no cell product", "arms");
    }
  }
  const CohortWriter writer(design, options);
  if (!writer.ok()) {
    return Fail(ErrorCode::kInvalidArgument, "the lab intercept correlation is not positive definite", "labs");
  }
  // The allocation has its own stream, apart from the patients'.
  Random allocation_rng(options.seed, 0, 1);
  const std::vector<std::size_t> arms = Allocate(design, allocation_rng);

  std::vector<PatientRecords> records(arms.size());
  internal::ParallelFor(arms.size(), options.threads, [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i) records[i] = writer.Simulate(i, arms[i]);
  });

  core::RegistryBatch batch;
  for (const SiteDesign& site : design.sites) batch.sites.push_back({site.code, site.name, site.country, {}});
  batch.studies.push_back({design.study_code, design.study_title, "", {}});
  for (const ArmDesign& arm : design.arms) {
    core::Arm a;
    a.study = design.study_code;
    a.code = arm.code;
    a.name = arm.name.empty() ? arm.code : arm.name;
    a.product = arm.product;
    if (arm.product) a.route = arm.route;
    batch.arms.push_back(a);
  }
  for (const PlannedVisit& v : PlanVisits(design)) {
    core::ScheduledVisit s;
    s.study = design.study_code;
    s.code = v.code;
    s.name = v.name;
    s.day = v.day;
    s.window_before = v.day == 0 ? 0 : design.schedule.window_days;
    s.window_after = v.day == 0 ? 0 : design.schedule.window_days;
    s.anchor = core::ScheduleAnchor::kEnrolment;
    batch.schedule.push_back(s);
  }
  std::size_t labs = 0;
  std::size_t visits = 0;
  for (const PatientRecords& r : records) {
    labs += r.labs.size();
    visits += r.visits.size();
  }
  batch.patients.reserve(records.size());
  batch.labs.reserve(labs);
  batch.visits.reserve(visits);
  batch.assessments.reserve(visits);
  for (PatientRecords& r : records) {
    batch.patients.push_back(std::move(r.patient));
    Append(batch.infusions, r.infusions);
    Append(batch.procedures, r.procedures);
    Append(batch.medications, r.medications);
    Append(batch.visits, r.visits);
    Append(batch.labs, r.labs);
    Append(batch.assessments, r.assessments);
    Append(batch.events, r.events);
    Append(batch.adverse_events, r.adverse_events);
  }
  return batch;
}

}  // namespace cirrus::sim
