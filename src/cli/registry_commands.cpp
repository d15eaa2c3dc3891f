#include "registry_commands.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cirrus/core/registry.hpp"
#include "cirrus/io/files.hpp"
#include "cirrus/io/registry_csv.hpp"
#include "cirrus/io/registry_fhir.hpp"
#include "cirrus/io/registry_redcap.hpp"
#include "cirrus/io/registry_sdtm.hpp"
#include "cirrus/store/deidentify.hpp"
#include "cirrus/store/registry.hpp"
#include "exit_codes.hpp"
#include "internal/environment.hpp"

namespace cirrus::cli {
namespace {

using Json = nlohmann::ordered_json;

void AddDb(CLI::App* app, RegistryOptions& o) {
  app->add_option("--db", o.db, "registry: a SQLite file (created by init), or postgresql://user@host:port/db")
      ->envname("CIRRUS_DB")
      ->required();
}

void AddListingFormat(CLI::App* app, RegistryOptions& o, std::vector<std::string> formats) {
  o.format = formats.front();
  app->add_option("--format", o.format, "output format")->check(CLI::IsMember(formats))->capture_default_str();
}

std::string OptionalDate(const std::optional<core::Date>& date) { return date ? core::FormatDate(*date) : ""; }

Json JsonOrNull(const std::optional<core::Date>& date) { return date ? Json(core::FormatDate(*date)) : Json(nullptr); }

// `text` with control characters as \xHH: a problem quotes cells of the
// input, and a terminal escape sequence in one must not reach the terminal.
std::string WithoutControlCharacters(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      out += fmt::format("\\x{:02X}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

// Problems, one per line, then how many more there were.
std::string ProblemList(const std::vector<core::RecordProblem>& problems, std::size_t count) {
  std::string out;
  for (const auto& p : problems) out += "  " + WithoutControlCharacters(core::Describe(p)) + "\n";
  if (count > problems.size()) out += fmt::format("  ... and {} more\n", count - problems.size());
  return out;
}

Result<io::RegistryRead> ReadInput(const RegistryOptions& o) {
  if (o.format == "csv") {
    io::RegistryReadOptions options;
    options.max_problems = o.max_errors;
    return io::ReadRegistryCsv(o.paths, options);
  }
  if (o.format == "redcap") return io::ReadRedcapProject(o.paths, o.max_errors);
  return io::ReadFhirBundles(o.paths, o.max_errors);
}

std::string Actor(const RegistryOptions& o) { return cli::Actor(o.actor); }

Result<std::optional<core::Date>> TodayOption(const RegistryOptions& o) { return ParseTodayOption(o.today); }

Result<int> RunInit(const RegistryOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Create(o.db));
  (void)registry;
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(fmt::format("registry ready: {}\n", o.db)));
  return kExitOk;
}

Result<int> RunImport(const RegistryOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(io::RegistryRead input, ReadInput(o));
  if (input.problem_count > 0) {
    std::fprintf(stderr, "cirrus: import refused, nothing was written: %zu problem%s in the input\n%s",
                 input.problem_count, input.problem_count == 1 ? "" : "s",
                 ProblemList(input.problems, input.problem_count).c_str());
    return kExitBadInput;
  }
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Open(o.db));
  store::ImportOptions options;
  options.actor = Actor(o);
  options.reason = o.reason;
  options.mode = o.dry_run ? store::ImportMode::kDryRun : store::ImportMode::kApply;
  options.max_problems = o.max_errors;
  CIRRUS_ASSIGN_OR_RETURN(options.today, TodayOption(o));
  CIRRUS_ASSIGN_OR_RETURN(const store::ImportReport report, registry.Import(input.batch, options));
  if (report.problem_count > 0) {
    std::fprintf(stderr, "cirrus: import refused, nothing was written: %zu problem%s against the registry\n%s",
                 report.problem_count, report.problem_count == 1 ? "" : "s",
                 ProblemList(report.problems, report.problem_count).c_str());
    return kExitBadInput;
  }
  std::string out =
      fmt::format("{} {} rows from {} file{}{}\n", o.dry_run ? "checked" : "imported", core::RowCount(input.batch),
                  input.batch.sources.size(), input.batch.sources.size() == 1 ? "" : "s",
                  o.dry_run ? " (dry run: nothing written)" : "");
  out += fmt::format("{:<16} {:>9} {:>9} {:>9}\n", "table", "inserted", "updated", "unchanged");
  for (const auto& t : report.tables) {
    if (t.inserted + t.updated + t.unchanged == 0) continue;
    out += fmt::format("{:<16} {:>9} {:>9} {:>9}\n", t.table, t.inserted, t.updated, t.unchanged);
  }
  out += fmt::format("derived score rows written: {}\n", report.scores_written);
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(out));
  return kExitOk;
}

constexpr std::string_view kFhirBundleFile = "bundle.json";

// Every file name an export of any format writes: a folder holding only these
// holds an earlier export, which a new one may replace.
std::vector<std::string_view> ExportFileNames() {
  std::vector<std::string_view> names;
  for (const auto& list : {io::RegistryCsvFileNames(), io::RedcapFileNames(), io::SdtmFileNames()}) {
    names.insert(names.end(), list.begin(), list.end());
  }
  names.push_back(kFhirBundleFile);
  return names;
}

Result<int> RunExport(const RegistryOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Open(o.db));
  std::optional<std::string> site;
  if (!o.site.empty()) site = o.site;
  CIRRUS_ASSIGN_OR_RETURN(core::RegistryBatch batch, registry.Export(site));
  if (o.deidentify) {
    store::DeidentifyOptions options;
    CIRRUS_ASSIGN_OR_RETURN(options.key, store::RandomDeidentifyKey());
    CIRRUS_ASSIGN_OR_RETURN(const std::optional<core::Date> today, TodayOption(o));
    options.export_date = today.value_or(TodayUtc());
    batch = store::Deidentify(batch, options);
  }
  // The export is built in a folder beside --out and swapped in whole, so the
  // folder ends up holding exactly this export: an earlier export's files (a
  // record deleted since, other sites' identified data) do not survive it,
  // and a failed export leaves the earlier folder as it was.
  CIRRUS_ASSIGN_OR_RETURN(io::OutputDirectory out, io::OutputDirectory::Create(o.out, ExportFileNames()));
  if (o.format == "csv") {
    CIRRUS_RETURN_IF_ERROR(io::WriteRegistryCsv(batch, out.staging()));
  } else if (o.format == "redcap") {
    CIRRUS_RETURN_IF_ERROR(io::WriteRedcapProject(batch, out.staging()));
  } else if (o.format == "fhir") {
    CIRRUS_RETURN_IF_ERROR(io::WriteFhirBundleFile(batch, out.staging() + "/" + std::string(kFhirBundleFile)));
  } else {
    io::SdtmOptions options;
    if (o.deidentify) options.dates = io::SdtmDates::kStudyDaysOnly;
    CIRRUS_RETURN_IF_ERROR(io::WriteSdtm(batch, out.staging(), options));
  }
  CIRRUS_RETURN_IF_ERROR(out.Commit());
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(fmt::format("exported {} rows of {} patients to {} ({})\n",
                                                     core::RowCount(batch), batch.patients.size(), o.out, o.format)));
  return kExitOk;
}

Result<int> RunPatients(const RegistryOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Open(o.db));
  std::optional<std::string> site;
  if (!o.site.empty()) site = o.site;
  CIRRUS_ASSIGN_OR_RETURN(const auto patients, registry.ListPatients(site));
  std::string out;
  if (o.format == "json") {
    Json list = Json::array();
    for (const auto& p : patients) {
      list.push_back({{"patient", p.code},
                      {"site", p.site},
                      {"study", p.study},
                      {"arm", p.arm},
                      {"status", p.status},
                      {"enrolment", JsonOrNull(p.enrolment)},
                      {"last_contact", JsonOrNull(p.last_contact)}});
    }
    out = Json{{"patients", list}}.dump(2) + "\n";
  } else if (o.format == "csv") {
    out = "patient,site,study,arm,status,enrolment,last_contact\n";
    for (const auto& p : patients) {
      out += fmt::format("{},{},{},{},{},{},{}\n", p.code, p.site, p.study, p.arm, p.status, OptionalDate(p.enrolment),
                         OptionalDate(p.last_contact));
    }
  } else {
    out = fmt::format("{:<12} {:<6} {:<10} {:<10} {:<18} {:<10}  {}\n", "patient", "site", "study", "arm", "status",
                      "enrolment", "last contact");
    for (const auto& p : patients) {
      out += fmt::format("{:<12} {:<6} {:<10} {:<10} {:<18} {:<10}  {}\n", p.code, p.site, p.study, p.arm, p.status,
                         OptionalDate(p.enrolment), OptionalDate(p.last_contact));
    }
    out += fmt::format("{} patient{}\n", patients.size(), patients.size() == 1 ? "" : "s");
  }
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(out));
  return kExitOk;
}

std::string LabValue(const core::LabResult& lab) {
  if (!lab.value) return fmt::format("missing ({})", core::Code(*lab.missing));
  const std::string op = lab.op == core::LabOperator::kEqual ? "" : std::string(core::Code(lab.op));
  std::string out = op + lab.value_as_entered + (lab.unit_as_entered.empty() ? "" : " " + lab.unit_as_entered);
  const auto& canonical = core::CanonicalUnit(lab.analyte);
  if (!lab.unit_as_entered.empty() && lab.unit_as_entered != canonical.ucum &&
      lab.unit_as_entered != canonical.display) {
    out += fmt::format(" (= {} {})", core::FormatNumber(*lab.value), canonical.display);
  }
  return out;
}

// Optional values as JSON: null when absent. Field names are those of the
// registry's CSV files (docs/data-model.md), so a script reads both alike.
template <typename T>
Json Opt(const std::optional<T>& value) {
  if (!value) return Json(nullptr);
  if constexpr (std::is_same_v<T, core::Date>) {
    return core::FormatDate(*value);
  } else if constexpr (std::is_arithmetic_v<T>) {
    return *value;
  } else {
    return std::string(core::Code(*value));
  }
}

Json PatientJson(const store::PatientRecord& record) {
  const core::RegistryBatch& f = record.facts;
  const core::Patient& p = f.patients.front();
  Json aetiology = Json::array();
  for (int i = 0; i <= static_cast<int>(core::Aetiology::kOther); ++i) {
    const auto a = static_cast<core::Aetiology>(i);
    if (p.aetiologies.Contains(a)) aetiology.push_back(std::string(core::Name(a)));
  }
  Json out = {{"patient", p.code},
              {"site", p.site},
              {"study", p.study},
              {"arm", p.arm.empty() ? Json(nullptr) : Json(p.arm)},
              {"sex", p.sex ? Json(std::string(core::Name(*p.sex))) : Json(nullptr)},
              {"birth_year", Opt(p.birth_year)},
              {"aetiology", aetiology},
              {"cirrhosis_diagnosis", Opt(p.cirrhosis_diagnosis)},
              {"first_decompensation", Opt(p.first_decompensation)},
              {"enrolment", Opt(p.enrolment)},
              {"status", std::string(core::Code(p.status))}};
  auto list = [&](const char* name, const auto& records, auto&& one) {
    Json items = Json::array();
    for (const auto& r : records) items.push_back(one(r));
    out[name] = std::move(items);
  };
  list("infusions", f.infusions, [](const core::Infusion& r) {
    return Json{{"infusion", r.number},
                {"course", r.course},
                {"date", core::FormatDate(r.date)},
                {"product", core::Code(r.product)},
                {"source", core::Code(r.source)},
                {"dose", Opt(r.dose)},
                {"dose_unit", core::Code(r.dose_unit)},
                {"route", core::Code(r.route)}};
  });
  list("procedures", f.procedures, [](const core::Procedure& r) {
    return Json{{"procedure", core::Code(r.kind)}, {"date", core::FormatDate(r.date)}, {"detail", r.detail}};
  });
  list("medications", f.medications, [](const core::Medication& r) {
    return Json{{"class", core::Code(r.medication_class)},
                {"name", r.name},
                {"start", core::FormatDate(r.start)},
                {"end", Opt(r.end)},
                {"dose", r.dose}};
  });
  list("visits", f.visits, [](const core::Visit& r) {
    return Json{{"date", core::FormatDate(r.date)}, {"visit", r.code}, {"status", core::Code(r.status)}};
  });
  list("labs", f.labs, [](const core::LabResult& r) {
    return Json{{"date", core::FormatDate(r.date)},
                {"analyte", core::Code(r.analyte)},
                {"value_as_entered", r.value_as_entered},
                {"unit_as_entered", r.unit_as_entered},
                {"value", Opt(r.value)},
                {"unit", core::CanonicalUnit(r.analyte).ucum},
                {"loinc", core::Info(r.analyte).loinc},
                {"operator", core::Code(r.op)},
                {"missing_reason", Opt(r.missing)}};
  });
  list("assessments", f.assessments, [](const core::Assessment& r) {
    return Json{{"date", core::FormatDate(r.date)},
                {"ascites", r.ascites ? Json(std::string(core::Name(*r.ascites))) : Json(nullptr)},
                {"encephalopathy_grade", Opt(r.encephalopathy_grade)},
                {"dialysis", r.dialysis ? Json(std::string(core::Name(*r.dialysis))) : Json(nullptr)},
                {"varices", Opt(r.varices)},
                {"weight_kg", Opt(r.weight_kg)},
                {"liver_volume_ml", Opt(r.liver_volume_ml)}};
  });
  list("events", f.events, [](const core::OutcomeEvent& r) {
    return Json{{"event", core::Code(r.kind)},
                {"date", core::FormatDate(r.date)},
                {"death_cause", Opt(r.death_cause)},
                {"decompensation", Opt(r.decompensation)},
                {"detail", r.detail}};
  });
  list("adverse_events", f.adverse_events, [](const core::AdverseEvent& r) {
    return Json{{"term", r.term},
                {"onset", core::FormatDate(r.onset)},
                {"end", Opt(r.end)},
                {"grade", r.grade},
                {"serious", r.serious},
                {"infusion", Opt(r.infusion)},
                {"relatedness", core::Code(r.relatedness)},
                {"outcome", core::Code(r.outcome)}};
  });
  list("scores", record.scores, [](const store::DerivedScore& s) {
    return Json{{"date", core::FormatDate(s.date)},
                {"score", s.score},
                {"value", s.value},
                {"class", s.score_class.empty() ? Json(nullptr) : Json(s.score_class)},
                {"version", s.version}};
  });
  return out;
}

Result<int> RunShow(const RegistryOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Open(o.db));
  CIRRUS_ASSIGN_OR_RETURN(const store::PatientRecord record, registry.LoadPatient(o.patient));
  if (o.format == "fhir") {
    CIRRUS_RETURN_IF_ERROR(io::WriteStdout(io::WriteFhirBundle(record.facts)));
    return kExitOk;
  }
  if (o.format == "json") {
    CIRRUS_RETURN_IF_ERROR(io::WriteStdout(PatientJson(record).dump(2) + "\n"));
    return kExitOk;
  }
  const core::RegistryBatch& f = record.facts;
  const core::Patient& p = f.patients.front();
  std::string out = fmt::format("patient {}  site {}  study {}{}  status {}\n", p.code, p.site, p.study,
                                p.arm.empty() ? "" : "  arm " + p.arm, core::Code(p.status));
  out += fmt::format("sex {}  born {}  aetiology {}\n", p.sex ? std::string(core::Name(*p.sex)) : "?",
                     p.birth_year ? std::to_string(*p.birth_year) : "?", [&] {
                       std::string a;
                       for (int i = 0; i <= static_cast<int>(core::Aetiology::kOther); ++i) {
                         const auto ae = static_cast<core::Aetiology>(i);
                         if (p.aetiologies.Contains(ae)) a += (a.empty() ? "" : ";") + std::string(core::Name(ae));
                       }
                       return a.empty() ? std::string("?") : a;
                     }());
  out +=
      fmt::format("cirrhosis diagnosed {}  first decompensation {}  enrolled {}\n", OptionalDate(p.cirrhosis_diagnosis),
                  OptionalDate(p.first_decompensation), OptionalDate(p.enrolment));
  if (!f.infusions.empty()) {
    out += "\ninfusions\n";
    for (const auto& r : f.infusions) {
      out += fmt::format("  #{} (course {})  {}  {} {}  {}  dose {}\n", r.number, r.course, core::FormatDate(r.date),
                         core::Code(r.product), core::Code(r.source), core::Code(r.route),
                         r.dose ? core::FormatNumber(*r.dose) + " " + std::string(core::Code(r.dose_unit)) : "?");
    }
  }
  if (!f.visits.empty()) {
    out += "\nvisits\n";
    for (const auto& r : f.visits) {
      out += fmt::format("  {}  {:<8} {}\n", core::FormatDate(r.date), r.code.empty() ? "-" : r.code,
                         core::Code(r.status));
    }
  }
  if (!f.labs.empty()) {
    out += "\nlabs\n";
    for (const auto& r : f.labs) {
      out += fmt::format("  {}  {:<7} {}\n", core::FormatDate(r.date), core::Code(r.analyte), LabValue(r));
    }
  }
  if (!f.assessments.empty()) {
    out += "\nassessments\n";
    for (const auto& r : f.assessments) {
      out += fmt::format("  {}  ascites {}  encephalopathy {}  dialysis {}\n", core::FormatDate(r.date),
                         r.ascites ? std::string(core::Name(*r.ascites)) : "?",
                         r.encephalopathy_grade ? std::to_string(*r.encephalopathy_grade) : "?",
                         r.dialysis ? std::string(core::Name(*r.dialysis)) : "?");
    }
  }
  if (!record.scores.empty()) {
    out += "\nderived scores\n";
    for (const auto& s : record.scores) {
      // ALBI is a continuous score reported to two decimals (Johnson 2015); the others are integers.
      const std::string value = s.score == "albi" ? fmt::format("{:.2f}", s.value) : core::FormatNumber(s.value);
      out += fmt::format("  {}  {:<10} {:>8}{}\n", core::FormatDate(s.date), s.score, value,
                         s.score_class.empty() ? "" : "  " + s.score_class);
    }
  }
  if (!f.procedures.empty()) {
    out += "\nprocedures\n";
    for (const auto& r : f.procedures) {
      out += fmt::format("  {}  {}{}\n", core::FormatDate(r.date), core::Code(r.kind),
                         r.detail.empty() ? "" : "  " + r.detail);
    }
  }
  if (!f.medications.empty()) {
    out += "\nmedications\n";
    for (const auto& r : f.medications) {
      out += fmt::format("  {} to {}  {} ({})  {}\n", core::FormatDate(r.start),
                         r.end ? core::FormatDate(*r.end) : "ongoing", r.name, core::Code(r.medication_class), r.dose);
    }
  }
  if (!f.events.empty()) {
    out += "\nevents\n";
    for (const auto& r : f.events) {
      std::string detail = r.death_cause      ? std::string(core::Code(*r.death_cause))
                           : r.decompensation ? std::string(core::Code(*r.decompensation))
                                              : "";
      if (!r.detail.empty()) detail += (detail.empty() ? "" : "; ") + r.detail;
      out += fmt::format("  {}  {}{}\n", core::FormatDate(r.date), core::Code(r.kind),
                         detail.empty() ? "" : "  " + detail);
    }
  }
  if (!f.adverse_events.empty()) {
    out += "\nadverse events\n";
    for (const auto& r : f.adverse_events) {
      out += fmt::format("  {} to {}  {}  grade {}{}  {}  {}\n", core::FormatDate(r.onset),
                         r.end ? core::FormatDate(*r.end) : "ongoing", r.term, r.grade, r.serious ? " serious" : "",
                         core::Code(r.relatedness), core::Code(r.outcome));
    }
  }
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(out));
  return kExitOk;
}

Result<int> RunAudit(const RegistryOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Open(o.db));
  if (o.verify) {
    CIRRUS_ASSIGN_OR_RETURN(const store::AuditVerification v, registry.VerifyAudit());
    if (v.first_bad_seq) {
      std::fprintf(stderr, "cirrus: audit trail broken: %s\n", v.problem.c_str());
      return kExitCheckFailed;
    }
    CIRRUS_RETURN_IF_ERROR(io::WriteStdout(fmt::format("audit trail intact: {} entries\n", v.entries)));
    return kExitOk;
  }
  std::optional<std::string> patient;
  if (!o.patient.empty()) patient = o.patient;
  CIRRUS_ASSIGN_OR_RETURN(const auto entries, registry.Audit(patient));
  std::string out;
  if (o.format == "json") {
    Json list = Json::array();
    for (const auto& e : entries) {
      list.push_back({{"seq", e.seq},
                      {"recorded_at", e.recorded_at},
                      {"actor", e.actor},
                      {"action", e.action},
                      {"entity", e.entity},
                      {"key", e.entity_key},
                      {"patient", e.patient},
                      {"site", e.site},
                      {"before", e.before.empty() ? Json(nullptr) : Json::parse(e.before)},
                      {"after", e.after.empty() ? Json(nullptr) : Json::parse(e.after)},
                      {"reason", e.reason},
                      {"hash", e.hash}});
    }
    out = Json{{"entries", list}}.dump(2) + "\n";
  } else {
    for (const auto& e : entries) {
      out += fmt::format("{:>6}  {}  {:<10} {:<6} {:<14} {}{}\n", e.seq, e.recorded_at, e.actor, e.action, e.entity,
                         e.entity_key, e.reason.empty() ? "" : "  reason: " + e.reason);
    }
    out += fmt::format("{} entr{}\n", entries.size(), entries.size() == 1 ? "y" : "ies");
  }
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(out));
  return kExitOk;
}

Result<int> RunDelete(const RegistryOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Open(o.db));
  store::DeleteOptions options;
  options.actor = Actor(o);
  options.reason = o.reason;
  const std::string& table = o.paths.front();
  const std::vector<std::string> key(o.paths.begin() + 1, o.paths.end());
  CIRRUS_RETURN_IF_ERROR(registry.Delete(table, key, options));
  std::string key_text;
  for (const auto& part : key) key_text += (key_text.empty() ? "" : "/") + part;
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(fmt::format("deleted from {}: {}\n", table, key_text)));
  return kExitOk;
}

Result<int> RunCheck(const RegistryOptions& o) {
  CIRRUS_ASSIGN_OR_RETURN(auto registry, store::Registry::Open(o.db));
  store::CheckOptions options;
  CIRRUS_ASSIGN_OR_RETURN(options.today, TodayOption(o));
  if (!o.site.empty()) options.site = o.site;
  CIRRUS_ASSIGN_OR_RETURN(const auto findings, registry.Check(options));
  std::string out;
  if (o.format == "json") {
    Json list = Json::array();
    for (const auto& f : findings) {
      list.push_back({{"check", f.check},
                      {"patient", f.patient},
                      {"site", f.site},
                      {"date", JsonOrNull(f.date)},
                      {"message", f.message}});
    }
    out = Json{{"findings", list}}.dump(2) + "\n";
  } else {
    for (const auto& f : findings) {
      out +=
          fmt::format("{:<22} {:<12} {:<6} {:<10}  {}\n", f.check, f.patient, f.site, OptionalDate(f.date), f.message);
    }
    out += findings.empty() ? "no problems found\n"
                            : fmt::format("{} finding{}\n", findings.size(), findings.size() == 1 ? "" : "s");
  }
  CIRRUS_RETURN_IF_ERROR(io::WriteStdout(out));
  return findings.empty() ? kExitOk : kExitCheckFailed;
}

}  // namespace

void AddRegistryCommands(CLI::App& app, RegistryCommands& c) {
  c.init_app = app.add_subcommand("init", "create a registry, or bring an existing one to the current schema");
  AddDb(c.init_app, c.init);

  c.import_app = app.add_subcommand("import", "import files into the registry: all or nothing");
  AddDb(c.import_app, c.import);
  c.import.format = "csv";
  c.import_app->add_option("--format", c.import.format, "input format")
      ->check(CLI::IsMember({"csv", "redcap", "fhir"}))
      ->capture_default_str();
  c.import_app->add_flag("--dry-run", c.import.dry_run, "validate and count only; write nothing");
  c.import_app->add_option("--actor", c.import.actor, "who imports, for the audit trail (default: $USER)");
  c.import_app->add_option("--reason", c.import.reason, "why: required when the import changes stored records");
  c.import_app->add_option("--max-errors", c.import.max_errors, "problems listed before counting only")
      ->capture_default_str();
  c.import_app->add_option("--today", c.import.today, "the date after which facts are refused (default: today)");
  c.import_app->add_option("paths", c.import.paths, "files or directories")->required();

  c.export_app = app.add_subcommand("export", "write the registry, or one site of it, in a file format");
  AddDb(c.export_app, c.export_);
  c.export_.format = "csv";
  c.export_app->add_option("--format", c.export_.format, "output format")
      ->check(CLI::IsMember({"csv", "redcap", "fhir", "sdtm"}))
      ->capture_default_str();
  c.export_app->add_option("--out", c.export_.out, "output directory")->required();
  c.export_app->add_option("--site", c.export_.site, "only this site's patients");
  c.export_app->add_option("--today", c.export_.today, "the export date for the over-89 rule (default: today)");
  c.export_app->add_flag("--deidentify", c.export_.deidentify,
                         "pseudonymous codes, dates shifted per patient, free text blanked (sdtm: study days only)");

  c.patients_app = app.add_subcommand("patients", "list patients with their last contact");
  AddDb(c.patients_app, c.patients);
  c.patients_app->add_option("--site", c.patients.site, "only this site's patients");
  AddListingFormat(c.patients_app, c.patients, {"text", "json", "csv"});

  c.show_app = app.add_subcommand("show", "everything stored about one patient");
  AddDb(c.show_app, c.show);
  c.show_app->add_option("patient", c.show.patient, "the patient's code")->required();
  AddListingFormat(c.show_app, c.show, {"text", "json", "fhir"});

  c.audit_app = app.add_subcommand("audit", "the audit trail, or --verify its hash chain");
  AddDb(c.audit_app, c.audit);
  c.audit_app->add_option("--patient", c.audit.patient, "only this patient's entries");
  c.audit_app->add_flag("--verify", c.audit.verify, "recompute the hash chain; exit 1 if it is broken");
  AddListingFormat(c.audit_app, c.audit, {"text", "json"});

  c.delete_app = app.add_subcommand("delete", "delete one stored record, audited with its reason");
  AddDb(c.delete_app, c.delete_);
  c.delete_app->add_option("--reason", c.delete_.reason, "why: required")->required();
  c.delete_app->add_option("--actor", c.delete_.actor, "who deletes, for the audit trail (default: $USER)");
  c.delete_app
      ->add_option("record", c.delete_.paths,
                   "the table, then the values of the record's key, e.g. labs FR01-0001 2024-03-01 ALB")
      ->required()
      ->expected(2, -1);

  c.check_app = app.add_subcommand("check", "data-quality checks; exit 1 when any finds a problem");
  AddDb(c.check_app, c.check);
  c.check_app->add_option("--site", c.check.site, "only this site's patients");
  c.check_app->add_option("--today", c.check.today, "the day the checks are made for (default: today)");
  AddListingFormat(c.check_app, c.check, {"text", "json"});
}

Result<std::optional<int>> RunRegistryCommands(const RegistryCommands& c) {
  auto wrap = [](Result<int> r) -> Result<std::optional<int>> {
    if (!r) return Fail(r.error());
    return std::optional<int>(*r);
  };
  if (c.init_app->parsed()) return wrap(RunInit(c.init));
  if (c.import_app->parsed()) return wrap(RunImport(c.import));
  if (c.export_app->parsed()) return wrap(RunExport(c.export_));
  if (c.patients_app->parsed()) return wrap(RunPatients(c.patients));
  if (c.show_app->parsed()) return wrap(RunShow(c.show));
  if (c.audit_app->parsed()) return wrap(RunAudit(c.audit));
  if (c.check_app->parsed()) return wrap(RunCheck(c.check));
  if (c.delete_app->parsed()) return wrap(RunDelete(c.delete_));
  return std::optional<int>{};
}

}  // namespace cirrus::cli
