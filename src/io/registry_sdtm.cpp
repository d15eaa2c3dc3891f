#include "cirrus/io/registry_sdtm.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cirrus/base/check.hpp"
#include "cirrus/base/text.hpp"
#include "cirrus/core/units.hpp"
#include "cirrus/io/csv.hpp"
#include "cirrus/io/files.hpp"

namespace cirrus::io {
namespace {

using core::Date;

// One domain's rows before sequencing: each row carries its subject and a
// sort date so that --SEQ numbers a subject's records in time order.
struct Table {
  std::string domain;
  std::vector<std::string> columns;
  struct Row {
    std::string usubjid;
    std::optional<Date> sort_date;
    std::size_t order = 0;
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;

  Table(std::string name, std::vector<std::string> cols) : domain(std::move(name)), columns(std::move(cols)) {}

  Row& Add(std::string usubjid, std::optional<Date> sort_date) {
    Row row;
    row.usubjid = std::move(usubjid);
    row.sort_date = sort_date;
    row.order = rows.size();
    row.cells.resize(columns.size());
    rows.push_back(std::move(row));
    return rows.back();
  }
  void Set(Row& row, std::string_view column, std::string value) const {
    const auto it = std::find(columns.begin(), columns.end(), column);
    CIRRUS_ASSERT(it != columns.end(), "every SDTM variable written is in its domain's column list");
    if (it != columns.end()) row.cells[static_cast<std::size_t>(it - columns.begin())] = std::move(value);
  }

  // Sorted by subject, then date (undated last), then input order; --SEQ
  // counts within each subject.
  std::string Text() {
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      const auto key = [](const Row& r) {
        return std::make_tuple(r.sort_date.has_value() ? 0 : 1, r.sort_date.value_or(Date{}), r.order);
      };
      if (a.usubjid != b.usubjid) return a.usubjid < b.usubjid;
      return key(a) < key(b);
    });
    const std::string seq = domain + "SEQ";
    const auto seq_it = std::find(columns.begin(), columns.end(), seq);
    std::string out;
    AppendLine(out, columns);
    std::string subject;
    int n = 0;
    for (Row& row : rows) {
      n = row.usubjid == subject ? n + 1 : 1;
      subject = row.usubjid;
      if (seq_it != columns.end()) row.cells[static_cast<std::size_t>(seq_it - columns.begin())] = std::to_string(n);
      AppendLine(out, row.cells, Cells::kData);
    }
    return out;
  }

  // Data rows are neutralised against formula injection (csv.hpp); the
  // header holds only SDTM's variable names.
  enum class Cells { kHeader, kData };
  static void AppendLine(std::string& out, const std::vector<std::string>& cells, Cells kind = Cells::kHeader) {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) out += ',';
      if (kind == Cells::kData) {
        AppendCsvExportField(out, cells[i]);
      } else {
        AppendCsvField(out, cells[i]);
      }
    }
    out += '\n';
  }
};

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == '-') c = ' ';
  }
  return out;
}

// A number as SAS and R read it: plain decimal, never an exponent (5e7 is
// "50000000"), and the shortest text that reads back as the same double.
std::string DecimalText(double value) {
  std::array<char, 400> buffer{};
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
  if (ec != std::errc()) return ShortestText(value);
  return {buffer.data(), end};
}

std::string_view SexCode(core::Sex sex) { return sex == core::Sex::kMale ? "M" : "F"; }

std::string_view ProductName(core::CellProduct product) {
  switch (product) {
    case core::CellProduct::kBmMnc: return "BONE MARROW MONONUCLEAR CELLS";
    case core::CellProduct::kBmMsc: return "BONE MARROW MESENCHYMAL STROMAL CELLS";
    case core::CellProduct::kUcMsc: return "UMBILICAL CORD MESENCHYMAL STROMAL CELLS";
    case core::CellProduct::kOther: return "OTHER CELL PRODUCT";
  }
  return "OTHER CELL PRODUCT";
}

std::string_view RouteLocation(core::Route route) {
  switch (route) {
    case core::Route::kPeripheralVein: return "PERIPHERAL VEIN";
    case core::Route::kPortalVein: return "PORTAL VEIN";
    case core::Route::kHepaticArtery: return "HEPATIC ARTERY";
    case core::Route::kImplantedPort: return "HEPATIC ARTERY";
    case core::Route::kOther: return "";
  }
  return "";
}

std::string_view ProcedureName(core::ProcedureKind kind) {
  switch (kind) {
    case core::ProcedureKind::kBoneMarrowHarvest: return "BONE MARROW HARVEST";
    case core::ProcedureKind::kSplenectomy: return "SPLENECTOMY";
    case core::ProcedureKind::kPortImplantation: return "PORT IMPLANTATION";
    case core::ProcedureKind::kTips: return "TRANSJUGULAR INTRAHEPATIC PORTOSYSTEMIC SHUNT";
    case core::ProcedureKind::kParacentesis: return "PARACENTESIS";
    case core::ProcedureKind::kVaricealBandLigation: return "VARICEAL BAND LIGATION";
    case core::ProcedureKind::kLiverTransplant: return "LIVER TRANSPLANT";
    case core::ProcedureKind::kLiverUltrasound: return "ABDOMINAL ULTRASOUND";
    case core::ProcedureKind::kOther: return "OTHER";
  }
  return "OTHER";
}

std::string_view DeathCauseText(core::DeathCause cause) {
  switch (cause) {
    case core::DeathCause::kLiverFailure: return "LIVER FAILURE";
    case core::DeathCause::kInfection: return "INFECTION";
    case core::DeathCause::kBleeding: return "BLEEDING";
    case core::DeathCause::kHcc: return "HEPATOCELLULAR CARCINOMA";
    case core::DeathCause::kOther: return "OTHER";
    case core::DeathCause::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string_view MissingText(core::MissingReason reason) {
  switch (reason) {
    case core::MissingReason::kNotDone: return "NOT DONE";
    case core::MissingReason::kSampleLost: return "SAMPLE LOST";
    case core::MissingReason::kUnknown: return "UNKNOWN";
    case core::MissingReason::kNotApplicable: return "NOT APPLICABLE";
  }
  return "UNKNOWN";
}

// What one subject contributes to every domain: identifiers and the
// reference start date that --DY counts from.
struct Subject {
  std::string studyid;
  std::string usubjid;
  std::optional<Date> reference;
};

class Writer {
 public:
  Writer(const core::RegistryBatch& batch, const SdtmOptions& options) : batch_(batch), options_(options) {
    for (const core::Patient& p : batch.patients) patients_.emplace(p.code, &p);
    for (const core::Infusion& x : batch.infusions) {
      auto& [first, last] = infusion_span_[x.patient];
      if (!first || x.date < *first) first = x.date;
      if (!last || x.date > *last) last = x.date;
    }
  }

  const Subject& SubjectOf(const std::string& code) {
    auto it = subjects_.find(code);
    if (it != subjects_.end()) return it->second;
    Subject s;
    const auto p = patients_.find(code);
    s.studyid = options_.study_id.empty() && p != patients_.end() ? p->second->study : options_.study_id;
    s.usubjid = s.studyid.empty() ? code : s.studyid + "-" + code;
    // RFSTDTC: the first infusion; for a patient never infused (a control
    // arm), the enrolment date.
    const auto span = infusion_span_.find(code);
    if (span != infusion_span_.end()) {
      s.reference = span->second.first;
    } else if (p != patients_.end()) {
      s.reference = p->second->enrolment;
    }
    return subjects_.emplace(code, std::move(s)).first->second;
  }

  std::string Dtc(std::optional<Date> date) const {
    if (!date || options_.dates == SdtmDates::kStudyDaysOnly) return {};
    return core::FormatDate(*date);
  }
  static std::string Dy(const Subject& s, std::optional<Date> date) {
    if (!date || !s.reference) return {};
    return std::to_string(SdtmStudyDay(*date, *s.reference));
  }

  void Common(Table& t, Table::Row& row, const Subject& s) const {
    t.Set(row, "STUDYID", s.studyid);
    t.Set(row, "DOMAIN", t.domain);
    t.Set(row, "USUBJID", s.usubjid);
  }

  std::string Dm() {
    Table t("DM", {"STUDYID", "DOMAIN", "USUBJID", "SUBJID", "RFSTDTC", "RFXSTDTC", "RFXENDTC", "RFICDTC", "DTHDTC",
                   "DTHFL", "SITEID", "BRTHDTC", "SEX", "ARMCD", "ARM", "ACTARMCD", "ACTARM", "COUNTRY"});
    std::map<std::string, const core::OutcomeEvent*> deaths;
    for (const core::OutcomeEvent& e : batch_.events) {
      if (e.kind != core::OutcomeKind::kDeath) continue;
      auto [it, inserted] = deaths.emplace(e.patient, &e);
      if (!inserted && e.date < it->second->date) it->second = &e;
    }
    for (const core::Patient& p : batch_.patients) {
      const Subject& s = SubjectOf(p.code);
      Table::Row& row = t.Add(s.usubjid, std::nullopt);
      Common(t, row, s);
      t.Set(row, "SUBJID", p.code);
      t.Set(row, "RFSTDTC", Dtc(s.reference));
      const auto span = infusion_span_.find(p.code);
      if (span != infusion_span_.end()) {
        t.Set(row, "RFXSTDTC", Dtc(span->second.first));
        t.Set(row, "RFXENDTC", Dtc(span->second.second));
      }
      t.Set(row, "RFICDTC", Dtc(p.enrolment));
      const auto death = deaths.find(p.code);
      if (death != deaths.end()) t.Set(row, "DTHDTC", Dtc(death->second->date));
      if (death != deaths.end() || p.status == core::PatientStatus::kDead) t.Set(row, "DTHFL", "Y");
      t.Set(row, "SITEID", p.site);
      if (p.birth_year) t.Set(row, "BRTHDTC", std::to_string(*p.birth_year));
      if (p.sex) t.Set(row, "SEX", std::string(SexCode(*p.sex)));
      std::string armcd = p.arm;
      std::string arm;
      if (armcd.empty()) {
        armcd = "NOTASSGN";
        arm = "Not Assigned";
      } else {
        arm = armcd;
        for (const core::Arm& a : batch_.arms) {
          if (a.study == p.study && a.code == p.arm && !a.name.empty()) arm = a.name;
        }
      }
      t.Set(row, "ARMCD", armcd);
      t.Set(row, "ARM", arm);
      t.Set(row, "ACTARMCD", armcd);
      t.Set(row, "ACTARM", arm);
      for (const core::Site& site : batch_.sites) {
        if (site.code == p.site) t.Set(row, "COUNTRY", site.country);
      }
    }
    return t.Text();
  }

  std::string Ex() {
    Table t("EX", {"STUDYID", "DOMAIN", "USUBJID", "EXSEQ", "EXSPID", "EXTRT", "EXCAT", "EXDOSE", "EXDOSU", "EXROUTE",
                   "EXLOC", "EXSTDTC", "EXENDTC", "EXSTDY", "EXENDY"});
    for (const core::Infusion& x : batch_.infusions) {
      const Subject& s = SubjectOf(x.patient);
      Table::Row& row = t.Add(s.usubjid, x.date);
      Common(t, row, s);
      t.Set(row, "EXSPID", std::to_string(x.number));
      t.Set(row, "EXTRT", std::string(ProductName(x.product)));
      t.Set(row, "EXCAT", Upper(core::Code(x.source)));
      if (x.dose) t.Set(row, "EXDOSE", DecimalText(*x.dose));
      t.Set(row, "EXDOSU", x.dose_unit == core::DoseUnit::kCells ? "CELLS" : "CELLS/kg");
      t.Set(row, "EXROUTE", std::string(SdtmRoute(x.route)));
      t.Set(row, "EXLOC", std::string(RouteLocation(x.route)));
      t.Set(row, "EXSTDTC", Dtc(x.date));
      t.Set(row, "EXENDTC", Dtc(x.date));
      t.Set(row, "EXSTDY", Dy(s, x.date));
      t.Set(row, "EXENDY", Dy(s, x.date));
    }
    return t.Text();
  }

  std::string Lb() {
    Table t("LB", {"STUDYID", "DOMAIN", "USUBJID", "LBSEQ", "LBTESTCD", "LBTEST", "LBORRES", "LBORRESU", "LBSTRESC",
                   "LBSTRESN", "LBSTRESU", "LBSTAT", "LBREASND", "LBLOINC", "LBDTC", "LBDY"});
    for (const core::LabResult& x : batch_.labs) {
      const Subject& s = SubjectOf(x.patient);
      Table::Row& row = t.Add(s.usubjid, x.date);
      Common(t, row, s);
      const core::AnalyteInfo& info = core::Info(x.analyte);
      const core::UnitInfo& canonical = core::CanonicalUnit(x.analyte);
      t.Set(row, "LBTESTCD", std::string(core::Code(x.analyte)));
      std::string test(info.name);
      if (!test.empty() && test[0] >= 'a' && test[0] <= 'z') test[0] = static_cast<char>(test[0] - 'a' + 'A');
      t.Set(row, "LBTEST", test);
      // The comparator is part of a result as reported: "<0.5".
      const std::string op = x.op == core::LabOperator::kEqual ? std::string() : std::string(core::Code(x.op));
      if (x.value) {
        // A value stored without its text as entered (e.g. from FHIR) is reported as the canonical number.
        t.Set(row, "LBORRES", op + (x.value_as_entered.empty() ? DecimalText(*x.value) : x.value_as_entered));
        const bool as_entered = !x.value_as_entered.empty() && !x.unit_as_entered.empty();
        std::string unit = as_entered ? x.unit_as_entered : std::string(canonical.display);
        if (as_entered) {
          if (auto found = core::FindUnit(x.analyte, x.unit_as_entered)) unit = std::string((*found)->display);
        }
        t.Set(row, "LBORRESU", unit);
        t.Set(row, "LBSTRESC", op + DecimalText(*x.value));
        // LBSTRESN holds only exact numbers; "<0.5" stays character-only.
        if (x.op == core::LabOperator::kEqual) t.Set(row, "LBSTRESN", DecimalText(*x.value));
        t.Set(row, "LBSTRESU", std::string(canonical.display));
      } else {
        t.Set(row, "LBSTAT", "NOT DONE");
        if (x.missing) t.Set(row, "LBREASND", std::string(MissingText(*x.missing)));
      }
      t.Set(row, "LBLOINC", std::string(info.loinc));
      t.Set(row, "LBDTC", Dtc(x.date));
      t.Set(row, "LBDY", Dy(s, x.date));
    }
    return t.Text();
  }

  std::string Ae() {
    Table t("AE", {"STUDYID", "DOMAIN", "USUBJID", "AESEQ", "AESPID", "AETERM", "AESTDTC", "AEENDTC", "AESTDY",
                   "AEENDY", "AETOXGR", "AESER", "AESDTH", "AEREL", "AEOUT"});
    for (const core::AdverseEvent& x : batch_.adverse_events) {
      const Subject& s = SubjectOf(x.patient);
      Table::Row& row = t.Add(s.usubjid, x.onset);
      Common(t, row, s);
      // AESPID: the suspected infusion's number (its EXSPID), the link a RELREC would make.
      if (x.infusion) t.Set(row, "AESPID", std::to_string(*x.infusion));
      t.Set(row, "AETERM", x.term);
      t.Set(row, "AESTDTC", Dtc(x.onset));
      t.Set(row, "AEENDTC", Dtc(x.end));
      t.Set(row, "AESTDY", Dy(s, x.onset));
      t.Set(row, "AEENDY", Dy(s, x.end));
      t.Set(row, "AETOXGR", std::to_string(x.grade));
      t.Set(row, "AESER", x.serious ? "Y" : "N");
      t.Set(row, "AESDTH", x.outcome == core::AeOutcome::kFatal ? "Y" : "N");
      t.Set(row, "AEREL", std::string(SdtmRelatedness(x.relatedness)));
      t.Set(row, "AEOUT", std::string(SdtmAeOutcome(x.outcome)));
    }
    return t.Text();
  }

  std::string Ds() {
    Table t("DS", {"STUDYID", "DOMAIN", "USUBJID", "DSSEQ", "DSTERM", "DSDECOD", "DSCAT", "DSSTDTC", "DSSTDY"});
    auto add = [&](const std::string& patient, std::string term, std::string_view decod, std::string_view cat,
                   std::optional<Date> date) {
      const Subject& s = SubjectOf(patient);
      Table::Row& row = t.Add(s.usubjid, date);
      Common(t, row, s);
      t.Set(row, "DSTERM", std::move(term));
      t.Set(row, "DSDECOD", std::string(decod));
      t.Set(row, "DSCAT", std::string(cat));
      t.Set(row, "DSSTDTC", Dtc(date));
      t.Set(row, "DSSTDY", Dy(s, date));
    };
    for (const core::Patient& p : batch_.patients) {
      if (p.enrolment) {
        add(p.code, "INFORMED CONSENT OBTAINED", "INFORMED CONSENT OBTAINED", "PROTOCOL MILESTONE", p.enrolment);
      }
    }
    std::map<std::string, Date> last_alive;
    for (const core::OutcomeEvent& e : batch_.events) {
      if (e.kind == core::OutcomeKind::kLastKnownAlive) {
        auto [it, inserted] = last_alive.emplace(e.patient, e.date);
        if (!inserted && e.date > it->second) it->second = e.date;
      }
      const auto decod = SdtmDisposition(e.kind);
      if (!decod) continue;
      add(e.patient, e.detail.empty() ? std::string(*decod) : e.detail, *decod, "DISPOSITION EVENT", e.date);
    }
    // A completed patient has no event of its own; its date is the last
    // contact (the latest last-known-alive event), blank when there is none.
    for (const core::Patient& p : batch_.patients) {
      if (p.status != core::PatientStatus::kCompleted) continue;
      const auto it = last_alive.find(p.code);
      add(p.code, "COMPLETED", "COMPLETED", "DISPOSITION EVENT",
          it == last_alive.end() ? std::nullopt : std::optional<Date>(it->second));
    }
    return t.Text();
  }

  std::string Dd() {
    Table t("DD",
            {"STUDYID", "DOMAIN", "USUBJID", "DDSEQ", "DDTESTCD", "DDTEST", "DDORRES", "DDSTRESC", "DDDTC", "DDDY"});
    for (const core::OutcomeEvent& e : batch_.events) {
      if (e.kind != core::OutcomeKind::kDeath || !e.death_cause) continue;
      const Subject& s = SubjectOf(e.patient);
      Table::Row& row = t.Add(s.usubjid, e.date);
      Common(t, row, s);
      t.Set(row, "DDTESTCD", "PRCDTH");
      t.Set(row, "DDTEST", "Primary Cause of Death");
      t.Set(row, "DDORRES", e.detail.empty() ? std::string(DeathCauseText(*e.death_cause)) : e.detail);
      t.Set(row, "DDSTRESC", std::string(DeathCauseText(*e.death_cause)));
      t.Set(row, "DDDTC", Dtc(e.date));
      t.Set(row, "DDDY", Dy(s, e.date));
    }
    return t.Text();
  }

  std::string Pr() {
    Table t("PR", {"STUDYID", "DOMAIN", "USUBJID", "PRSEQ", "PRTRT", "PRDECOD", "PRSTDTC", "PRSTDY"});
    auto add = [&](const std::string& patient, std::string trt, std::string_view decod, Date date) {
      const Subject& s = SubjectOf(patient);
      Table::Row& row = t.Add(s.usubjid, date);
      Common(t, row, s);
      t.Set(row, "PRTRT", std::move(trt));
      t.Set(row, "PRDECOD", std::string(decod));
      t.Set(row, "PRSTDTC", Dtc(date));
      t.Set(row, "PRSTDY", Dy(s, date));
    };
    for (const core::Procedure& x : batch_.procedures) {
      const std::string_view decod = ProcedureName(x.kind);
      add(x.patient, x.kind == core::ProcedureKind::kOther && !x.detail.empty() ? x.detail : std::string(decod), decod,
          x.date);
    }
    // A transplant recorded only as an outcome event is a procedure too.
    for (const core::OutcomeEvent& e : batch_.events) {
      if (e.kind != core::OutcomeKind::kLiverTransplant) continue;
      const bool recorded = std::any_of(batch_.procedures.begin(), batch_.procedures.end(), [&](const auto& x) {
        return x.patient == e.patient && x.kind == core::ProcedureKind::kLiverTransplant && x.date == e.date;
      });
      if (!recorded) add(e.patient, "LIVER TRANSPLANT", "LIVER TRANSPLANT", e.date);
    }
    return t.Text();
  }

 private:
  const core::RegistryBatch& batch_;
  const SdtmOptions& options_;
  std::unordered_map<std::string, const core::Patient*> patients_;
  std::unordered_map<std::string, std::pair<std::optional<Date>, std::optional<Date>>> infusion_span_;
  std::unordered_map<std::string, Subject> subjects_;
};

}  // namespace

int SdtmStudyDay(Date date, Date reference) {
  const int diff = date - reference;
  return diff >= 0 ? diff + 1 : diff;
}

std::string_view SdtmRoute(core::Route route) {
  switch (route) {
    case core::Route::kPeripheralVein: return "INTRAVENOUS";
    case core::Route::kPortalVein: return "INTRAPORTAL";
    case core::Route::kHepaticArtery: return "INTRA-ARTERIAL";
    case core::Route::kImplantedPort: return "INTRA-ARTERIAL";
    case core::Route::kOther: return "OTHER";
  }
  return "OTHER";
}

std::string_view SdtmAeOutcome(core::AeOutcome outcome) {
  switch (outcome) {
    case core::AeOutcome::kRecovered: return "RECOVERED/RESOLVED";
    case core::AeOutcome::kRecovering: return "RECOVERING/RESOLVING";
    case core::AeOutcome::kNotRecovered: return "NOT RECOVERED/NOT RESOLVED";
    case core::AeOutcome::kRecoveredWithSequelae: return "RECOVERED/RESOLVED WITH SEQUELAE";
    case core::AeOutcome::kFatal: return "FATAL";
    case core::AeOutcome::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string_view SdtmRelatedness(core::Relatedness relatedness) {
  switch (relatedness) {
    case core::Relatedness::kNotRelated: return "NOT RELATED";
    case core::Relatedness::kUnlikely: return "UNLIKELY RELATED";
    case core::Relatedness::kPossible: return "POSSIBLY RELATED";
    case core::Relatedness::kProbable: return "PROBABLY RELATED";
    case core::Relatedness::kDefinite: return "RELATED";
  }
  return "NOT RELATED";
}

std::optional<std::string_view> SdtmDisposition(core::OutcomeKind kind) {
  switch (kind) {
    case core::OutcomeKind::kDeath: return "DEATH";
    case core::OutcomeKind::kLostToFollowUp: return "LOST TO FOLLOW-UP";
    case core::OutcomeKind::kWithdrawal: return "WITHDRAWAL BY SUBJECT";
    default: return std::nullopt;
  }
}

namespace {
// The files of WriteSdtm, in its order: each domain's name and ".csv".
constexpr std::array<std::string_view, 7> kSdtmFiles = {"DM.csv", "EX.csv", "LB.csv", "AE.csv",
                                                        "DS.csv", "DD.csv", "PR.csv"};
}  // namespace

std::span<const std::string_view> SdtmFileNames() { return kSdtmFiles; }

Status WriteSdtm(const core::RegistryBatch& batch, const std::string& directory, const SdtmOptions& options) {
  Writer writer(batch, options);
  // Domains in the order they are built: DM first so that every subject's
  // identifiers come from the patient record.
  const std::array<std::pair<std::string_view, std::string>, 7> files = {{
      {"DM", writer.Dm()},
      {"EX", writer.Ex()},
      {"LB", writer.Lb()},
      {"AE", writer.Ae()},
      {"DS", writer.Ds()},
      {"DD", writer.Dd()},
      {"PR", writer.Pr()},
  }};
  std::vector<AtomicOutputFile> outputs;
  outputs.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& [name, text] = files[i];
    CIRRUS_ASSERT(kSdtmFiles[i] == std::string(name) + ".csv", "kSdtmFiles lists the domains in writing order");
    CIRRUS_ASSIGN_OR_RETURN(AtomicOutputFile out,
                            AtomicOutputFile::Create((std::filesystem::path(directory) / kSdtmFiles[i]).string()));
    CIRRUS_RETURN_IF_ERROR(out.Write(text));
    outputs.push_back(std::move(out));
  }
  for (AtomicOutputFile& out : outputs) CIRRUS_RETURN_IF_ERROR(out.Commit());
  return {};
}

}  // namespace cirrus::io
