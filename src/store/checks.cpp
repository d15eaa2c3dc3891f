// Registry::Check: the data-quality checks of docs/data-model.md. Each reads
// the stored facts and reports findings; none changes anything.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cirrus/store/registry.hpp"
#include "internal/audit.hpp"
#include "internal/database.hpp"
#include "internal/derived_scores.hpp"

namespace cirrus::store {
namespace {

using internal::RowView;
using internal::SqlValue;

// HCC surveillance in cirrhosis: ultrasound and AFP every 6 months (EASL
// 2018, AASLD 2023); a month of slack before calling it overdue.
constexpr int kSurveillanceDays = 183 + 30;
// No dated fact for a year: possibly lost to follow-up.
constexpr int kNoContactDays = 365;
// A baseline lab counts if drawn within 30 days before the first infusion
// (or enrolment, for patients never infused), or on that day.
constexpr int kBaselineDays = 30;
// A lab this far from the patient's own median by a unit factor of the
// analyte (10 for albumin g/L vs g/dL, 17.1 for bilirubin, 88.4 for
// creatinine) was probably entered in the other unit.
constexpr double kUnitFactorTolerance = 0.15;
constexpr double kSmallestSuspectFactor = 5.0;

// The unit of the analyte whose conversion factor (or its inverse, at least
// kSmallestSuspectFactor) the ratio matches within tolerance; null if none.
const core::UnitInfo* SuspectedUnit(const core::AnalyteInfo& info, double ratio) {
  for (const core::UnitInfo& unit : info.units) {
    const double factor = unit.multiply_by / unit.divide_by;
    for (const double f : {factor, 1.0 / factor}) {
      if (std::max(f, 1.0 / f) >= kSmallestSuspectFactor && std::abs(ratio / f - 1.0) <= kUnitFactorTolerance) {
        return &unit;
      }
    }
  }
  return nullptr;
}

bool Active(core::PatientStatus status) {
  return status == core::PatientStatus::kOnStudy || status == core::PatientStatus::kFollowUp ||
         status == core::PatientStatus::kScreening;
}

struct PatientFacts {
  const core::Patient* patient = nullptr;
  std::vector<const core::LabResult*> labs;
  std::vector<const core::Visit*> visits;
  std::vector<const core::Infusion*> infusions;
  std::optional<core::Date> last_ultrasound;
  std::optional<core::Date> death;
  std::optional<core::Date> exit;  // death, transplant, withdrawal or loss: follow-up ends
  std::optional<core::Date> last_contact;
  std::vector<std::pair<core::Date, std::string>> dated;  // every dated fact, with what it is
};

class Checker {
 public:
  Checker(const core::RegistryBatch& batch, core::Date today) : batch_(batch), today_(today) {}

  std::vector<Finding> Run() {
    Collect();
    for (auto& [code, facts] : by_patient_) {
      CheckDates(facts);
      CheckLabs(facts);
      CheckSchedule(facts);
      CheckSurveillance(facts);
      CheckBaseline(facts);
      CheckContact(facts);
    }
    return std::move(findings_);
  }

 private:
  void Add(std::string check, const core::Patient& p, std::optional<core::Date> date, std::string message) {
    findings_.push_back({std::move(check), p.code, p.site, date, std::move(message)});
  }

  void Note(PatientFacts& f, core::Date date, std::string what) {
    f.dated.emplace_back(date, std::move(what));
    if (!f.last_contact || date > *f.last_contact) f.last_contact = date;
  }

  void Collect() {
    for (const auto& p : batch_.patients) by_patient_[p.code].patient = &p;
    auto facts = [&](const std::string& code) -> PatientFacts& { return by_patient_[code]; };
    for (const auto& r : batch_.labs) {
      facts(r.patient).labs.push_back(&r);
      Note(facts(r.patient), r.date, "lab " + std::string(core::Code(r.analyte)));
    }
    for (const auto& r : batch_.visits) {
      facts(r.patient).visits.push_back(&r);
      if (r.status == core::VisitStatus::kCompleted) Note(facts(r.patient), r.date, "visit " + r.code);
    }
    for (const auto& r : batch_.infusions) {
      facts(r.patient).infusions.push_back(&r);
      Note(facts(r.patient), r.date, "infusion " + std::to_string(r.number));
    }
    for (const auto& r : batch_.assessments) Note(facts(r.patient), r.date, "assessment");
    for (const auto& r : batch_.procedures) {
      PatientFacts& f = facts(r.patient);
      Note(f, r.date, std::string(core::Code(r.kind)));
      if (r.kind == core::ProcedureKind::kLiverUltrasound && (!f.last_ultrasound || r.date > *f.last_ultrasound)) {
        f.last_ultrasound = r.date;
      }
    }
    for (const auto& r : batch_.adverse_events) Note(facts(r.patient), r.onset, "adverse event " + r.term);
    for (const auto& r : batch_.events) {
      PatientFacts& f = facts(r.patient);
      if (r.kind == core::OutcomeKind::kDeath) f.death = r.date;
      const bool ends = r.kind == core::OutcomeKind::kDeath || r.kind == core::OutcomeKind::kLiverTransplant ||
                        r.kind == core::OutcomeKind::kWithdrawal || r.kind == core::OutcomeKind::kLostToFollowUp;
      if (ends && (!f.exit || r.date < *f.exit)) f.exit = r.date;
      if (r.kind != core::OutcomeKind::kLostToFollowUp && r.kind != core::OutcomeKind::kWithdrawal) {
        Note(f, r.date, std::string(core::Code(r.kind)));
      }
    }
  }

  void CheckDates(const PatientFacts& f) {
    const core::Patient& p = *f.patient;
    for (const auto& [date, what] : f.dated) {
      if (f.death && date > *f.death && what != "death") {
        Add("after-death", p, date, what + " is dated after the death on " + core::FormatDate(*f.death));
      }
      if (p.birth_year && core::YearOf(date) < *p.birth_year) {
        Add("before-birth", p, date, what + " is dated before the birth year " + std::to_string(*p.birth_year));
      }
      if (date > today_) Add("future-date", p, date, what + " is dated in the future");
    }
  }

  void CheckLabs(const PatientFacts& f) {
    std::map<core::Analyte, std::vector<double>> series;
    for (const auto* lab : f.labs) {
      if (lab->value) series[lab->analyte].push_back(*lab->value);
    }
    for (const auto* lab : f.labs) {
      if (!lab->value) continue;
      const core::AnalyteInfo& info = core::Info(lab->analyte);
      if (*lab->value < info.plausible_min || *lab->value > info.plausible_max) {
        Add("implausible-value", *f.patient, lab->date,
            std::string(info.name) + " " + core::FormatNumber(*lab->value) + " " + std::string(info.units[0].display) +
                " is outside the plausible range " + core::FormatNumber(info.plausible_min) + "-" +
                core::FormatNumber(info.plausible_max));
        continue;
      }
      std::vector<double> others = series[lab->analyte];
      if (others.size() < 3) continue;
      std::nth_element(others.begin(), others.begin() + static_cast<std::ptrdiff_t>(others.size() / 2), others.end());
      const double median = others[others.size() / 2];
      if (median <= 0) continue;
      const double ratio = *lab->value / median;
      if (const core::UnitInfo* unit = SuspectedUnit(info, ratio)) {
        Add("unit-confusion", *f.patient, lab->date,
            std::string(info.name) + " " + core::FormatNumber(*lab->value) + " " + std::string(info.units[0].display) +
                " is " + core::FormatNumber(std::round(ratio * 100) / 100) + " times this patient's median (" +
                core::FormatNumber(median) + "); was it entered in " + std::string(unit->display) + "?");
      }
    }
  }

  void CheckSchedule(const PatientFacts& f) {
    const core::Patient& p = *f.patient;
    if (!Active(p.status)) return;
    std::optional<core::Date> first_infusion;
    for (const auto* i : f.infusions) {
      if (!first_infusion || i->date < *first_infusion) first_infusion = i->date;
    }
    std::set<std::string> seen;
    for (const auto* v : f.visits) {
      if (v->status != core::VisitStatus::kScheduled) seen.insert(v->code);
    }
    for (const auto& s : batch_.schedule) {
      if (s.study != p.study || seen.count(s.code) > 0) continue;
      const std::optional<core::Date> anchor =
          s.anchor == core::ScheduleAnchor::kEnrolment ? p.enrolment : first_infusion;
      if (!anchor) continue;
      const core::Date window_end = anchor->PlusDays(s.day + s.window_after);
      if (window_end >= today_) continue;
      if (f.exit && *f.exit <= window_end) continue;
      Add("overdue-visit", p, window_end,
          "visit " + s.code + " (day " + std::to_string(s.day) + ") was due by " + core::FormatDate(window_end) +
              " and is neither recorded nor marked missed");
    }
  }

  void CheckSurveillance(const PatientFacts& f) {
    const core::Patient& p = *f.patient;
    if (!Active(p.status) || f.exit || !p.enrolment) return;
    std::optional<core::Date> last_afp;
    for (const auto* lab : f.labs) {
      if (lab->analyte == core::Analyte::kAfp && (!last_afp || lab->date > *last_afp)) last_afp = lab->date;
    }
    auto overdue = [&](const std::optional<core::Date>& last, std::string_view what) {
      const core::Date since = last.value_or(*p.enrolment);
      if (today_ - since <= kSurveillanceDays) return;
      Add("hcc-surveillance", p, since,
          (last ? "the last " + std::string(what) + " was on " + core::FormatDate(*last)
                : "no " + std::string(what) + " since enrolment on " + core::FormatDate(*p.enrolment)) +
              "; HCC surveillance (liver ultrasound and AFP) is due every 6 months");
    };
    overdue(f.last_ultrasound, "liver ultrasound");
    overdue(last_afp, "AFP");
  }

  void CheckBaseline(const PatientFacts& f) {
    const core::Patient& p = *f.patient;
    std::optional<core::Date> anchor;
    for (const auto* i : f.infusions) {
      if (!anchor || i->date < *anchor) anchor = i->date;
    }
    if (!anchor) anchor = p.enrolment;
    if (!anchor || *anchor > today_) return;
    std::string missing;
    for (const core::Analyte a :
         {core::Analyte::kBilirubin, core::Analyte::kAlbumin, core::Analyte::kInr, core::Analyte::kCreatinine}) {
      const bool found = std::any_of(f.labs.begin(), f.labs.end(), [&](const core::LabResult* lab) {
        return lab->analyte == a && lab->value && lab->date <= *anchor && *anchor - lab->date <= kBaselineDays;
      });
      if (!found) missing += (missing.empty() ? "" : ", ") + std::string(core::Code(a));
    }
    if (!missing.empty()) {
      Add("missing-baseline", p, anchor,
          "no baseline " + missing + " within " + std::to_string(kBaselineDays) + " days before " +
              core::FormatDate(*anchor));
    }
  }

  void CheckContact(const PatientFacts& f) {
    const core::Patient& p = *f.patient;
    if (!Active(p.status) || f.exit) return;
    const std::optional<core::Date> last = f.last_contact ? f.last_contact : p.enrolment;
    if (last && today_ - *last > kNoContactDays) {
      Add("no-contact", p, last,
          "no contact since " + core::FormatDate(*last) + " (" + std::to_string(today_ - *last) +
              " days): possibly lost to follow-up");
    }
  }

  const core::RegistryBatch& batch_;
  core::Date today_;
  std::map<std::string, PatientFacts> by_patient_;
  std::vector<Finding> findings_;
};

}  // namespace

Result<std::vector<Finding>> Registry::Check(const CheckOptions& options) {
  const core::Date today = options.today.value_or(internal::UtcToday());
  CIRRUS_ASSIGN_OR_RETURN(const core::RegistryBatch batch, Export(options.site));
  std::vector<Finding> findings = Checker(batch, today).Run();

  // Stored scores against their recomputation (REDCap's rule H): every
  // (patient, date) that has stored scores or the facts to make some.
  std::set<internal::PatientDate> keys;
  const std::string site = options.site.value_or("");
  const SqlValue params[] = {std::string_view(site), std::string_view(site), std::string_view(site)};
  CIRRUS_RETURN_IF_ERROR(
      connection_->Query("SELECT patient, date FROM derived_scores WHERE ($1 = '' OR site = $1) "
                         "UNION SELECT patient, date FROM labs WHERE ($2 = '' OR site = $2) "
                         "UNION SELECT patient, date FROM assessments WHERE ($3 = '' OR site = $3)",
                         params, [&](const RowView& row) -> Status {
                           keys.emplace(std::string(row.Text(0)), std::string(row.Text(1)));
                           return {};
                         }));
  CIRRUS_ASSIGN_OR_RETURN(auto stored_query, connection_->Prepare("SELECT date, score, value, class, version, site "
                                                                  "FROM derived_scores WHERE patient = $1"));
  for (auto it = keys.begin(); it != keys.end();) {
    const std::string patient = it->first;
    std::set<std::string> dates;
    for (; it != keys.end() && it->first == patient; ++it) dates.insert(it->second);
    CIRRUS_ASSIGN_OR_RETURN(const auto expected_by_date, internal::ScoresFromStoredFacts(*connection_, patient, dates));
    std::map<std::string, std::map<std::string, DerivedScore>> stored_by_date;
    std::string patient_site;
    const SqlValue patient_param[] = {std::string_view(patient)};
    CIRRUS_RETURN_IF_ERROR(stored_query->Query(patient_param, [&](const RowView& row) -> Status {
      stored_by_date[std::string(row.Text(0))][std::string(row.Text(1))] = {
          core::Date{}, std::string(row.Text(1)), row.Real(2), std::string(row.Text(3)), std::string(row.Text(4))};
      patient_site = row.Text(5);
      return {};
    }));
    for (const auto& [date_text, expected] : expected_by_date) {
      CIRRUS_ASSIGN_OR_RETURN(const core::Date date, core::ParseDate(date_text));
      auto& stored = stored_by_date[date_text];
      auto report = [&](const std::string& message) {
        findings.push_back({"stale-score", patient, patient_site, date, message});
      };
      for (const DerivedScore& e : expected) {
        auto found = stored.find(e.score);
        if (found == stored.end()) {
          report(e.score + " " + core::FormatNumber(e.value) + " follows from the stored facts but is not stored");
        } else if (found->second.value != e.value || found->second.score_class != e.score_class ||
                   found->second.version != e.version) {
          report("stored " + e.score + " " + core::FormatNumber(found->second.value) + " (" + found->second.version +
                 ") disagrees with its recomputation " + core::FormatNumber(e.value) + " (" + e.version + ")");
        }
        if (found != stored.end()) stored.erase(found);
      }
      for (const auto& [name, s] : stored) {
        report("stored " + name + " " + core::FormatNumber(s.value) + " no longer follows from the stored facts");
      }
    }
  }
  std::sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.site, a.patient, a.date, a.check, a.message) <
           std::tie(b.site, b.patient, b.date, b.check, b.message);
  });
  return findings;
}

}  // namespace cirrus::store
