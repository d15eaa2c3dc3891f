#include "score_command.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cirrus/core/clinical.hpp"
#include "cirrus/core/snapshot.hpp"
#include "cirrus/core/units.hpp"
#include "cirrus/io/csv.hpp"
#include "cirrus/io/files.hpp"
#include "cirrus/io/visit_csv.hpp"
#include "cirrus/scores/panel.hpp"
#include "cirrus/study/visit_scoring.hpp"

namespace cirrus::cli {
namespace {

using core::Analyte;
using scores::PanelScores;

// ---- parsing single-patient flags ------------------------------------------

Error FlagError(std::string_view flag, const Error& error) {
  return Error{ErrorCode::kInvalidArgument, "--" + std::string(flag) + ": " + error.message, std::string(flag)};
}

Status ParseLabFlag(const std::optional<std::string>& text, std::string_view flag, Analyte analyte,
                    std::optional<double>& out) {
  if (!text.has_value()) return {};
  auto value = core::ParseLabValue(analyte, *text);
  if (!value) return Fail(FlagError(flag, value.error()));
  out = *value;
  return {};
}

template <typename T, typename Parser>
Status ParseCategoryFlag(const std::optional<std::string>& text, std::string_view flag, Parser parse,
                         std::optional<T>& out) {
  if (!text.has_value()) return {};
  auto value = parse(*text);
  if (!value) return Fail(FlagError(flag, value.error()));
  out = *value;
  return {};
}

Result<core::ClinicalSnapshot> SnapshotFromFlags(const ScoreOptions& o) {
  core::ClinicalSnapshot s;
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.bilirubin, "bilirubin", Analyte::kBilirubin, s.bilirubin_mg_dl));
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.albumin, "albumin", Analyte::kAlbumin, s.albumin_g_dl));
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.inr, "inr", Analyte::kInr, s.inr));
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.creatinine, "creatinine", Analyte::kCreatinine, s.creatinine_mg_dl));
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.sodium, "sodium", Analyte::kSodium, s.sodium_mmol_l));
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.platelets, "platelets", Analyte::kPlatelets, s.platelets_10e9_l));
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.ast, "ast", Analyte::kAst, s.ast_u_l));
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.alt, "alt", Analyte::kAlt, s.alt_u_l));
  CIRRUS_RETURN_IF_ERROR(ParseLabFlag(o.ast_uln, "ast-uln", Analyte::kAstUpperLimitOfNormal, s.ast_uln_u_l));
  CIRRUS_RETURN_IF_ERROR(ParseCategoryFlag(o.sex, "sex", core::ParseSex, s.sex));
  CIRRUS_RETURN_IF_ERROR(ParseCategoryFlag(o.ascites, "ascites", core::ParseAscites, s.ascites));
  CIRRUS_RETURN_IF_ERROR(
      ParseCategoryFlag(o.encephalopathy, "encephalopathy", core::ParseEncephalopathy, s.encephalopathy));
  CIRRUS_RETURN_IF_ERROR(ParseCategoryFlag(o.age, "age", core::ParseAgeYears, s.age_years));
  CIRRUS_RETURN_IF_ERROR(
      ParseCategoryFlag(o.pt_prolonged, "pt-prolonged", core::ParsePtProlongedSeconds, s.pt_prolonged_s));
  if (o.aetiology.has_value()) {
    auto aetiologies = core::ParseAetiologies(*o.aetiology);
    if (!aetiologies) return Fail(FlagError("aetiology", aetiologies.error()));
    s.aetiologies = *aetiologies;
  }
  // On the command line dialysis is a flag, so its absence is an explicit "no".
  s.dialysis = o.dialysis ? core::Dialysis::kDialysis : core::Dialysis::kNone;
  return s;
}

// ---- output -----------------------------------------------------------------

std::vector<std::string> MissingNames(const PanelScores& scores) {
  std::vector<std::string> names;
  scores.missing.ForEach([&](core::SnapshotField f) { names.emplace_back(core::Name(f)); });
  return names;
}

std::string JoinNames(const core::FieldSet& fields, std::string_view separator) {
  std::string out;
  fields.ForEach([&](core::SnapshotField f) {
    if (!out.empty()) out += separator;
    out += core::Name(f);
  });
  return out;
}

nlohmann::ordered_json ScoresAsJson(const PanelScores& s) {
  using Json = nlohmann::ordered_json;
  Json j;
  auto put = [&](const char* key, bool present, auto value) {
    if (present) {
      j[key] = value;
    } else {
      j[key] = nullptr;
    }
  };
  const bool cp = s.child_pugh.has_value();
  put("child_pugh_points", cp, cp ? s.child_pugh.value().points : 0);
  put("child_pugh_class", cp, cp ? std::string(scores::Name(s.child_pugh.value().grade)) : std::string());
  put("meld", s.meld.has_value(), s.meld.has_value() ? s.meld.value().score : 0);
  put("meld_na", s.meld_na.has_value(), s.meld_na.has_value() ? s.meld_na.value().score : 0);
  put("meld3", s.meld3.has_value(), s.meld3.has_value() ? s.meld3.value().score : 0);
  put("meld3_90d_survival", s.meld3.has_value(), s.meld3.has_value() ? s.meld3.value().survival_90d : 0.0);
  put("albi", s.albi.has_value(), s.albi.has_value() ? s.albi.value().score : 0.0);
  put("albi_grade", s.albi.has_value(), s.albi.has_value() ? s.albi.value().grade : 0);
  put("fib4", s.fib4.has_value(), s.fib4.has_value() ? s.fib4.value() : 0.0);
  put("apri", s.apri.has_value(), s.apri.has_value() ? s.apri.value() : 0.0);
  j["missing"] = MissingNames(s);
  Json notes = Json::array();
  s.notes.ForEach([&](scores::Note n) { notes.push_back(std::string(scores::Describe(n))); });
  j["notes"] = notes;
  return j;
}

template <typename T>
std::string WhyNot(const scores::Scored<T>& scored) {
  const scores::NotComputable& why = scored.why_not();
  if (!why.reason.empty()) return std::string(why.reason);
  return "not computable: missing " + JoinNames(why.missing, ", ");
}

std::string ScoresAsText(const PanelScores& s) {
  struct Row {
    std::string name, value, detail;
  };
  std::vector<Row> rows;
  auto add = [&](std::string_view name, const auto& scored, auto value_text, auto detail_text) {
    if (scored.has_value()) {
      rows.push_back({std::string(name), value_text(scored.value()), detail_text(scored.value())});
    } else {
      rows.push_back({std::string(name), "-", WhyNot(scored)});
    }
  };
  add(
      "Child-Pugh", s.child_pugh, [](const scores::ChildPughResult& r) { return std::to_string(r.points); },
      [](const scores::ChildPughResult& r) { return "class " + std::string(scores::Name(r.grade)); });
  add(
      "MELD (UNOS, pre-2016)", s.meld, [](const scores::MeldResult& r) { return std::to_string(r.score); },
      [](const scores::MeldResult&) { return std::string(); });
  add(
      "MELD-Na (OPTN 2016)", s.meld_na, [](const scores::MeldResult& r) { return std::to_string(r.score); },
      [](const scores::MeldResult&) { return std::string(); });
  add(
      "MELD 3.0 (OPTN 2023)", s.meld3, [](const scores::Meld3Result& r) { return std::to_string(r.score); },
      [](const scores::Meld3Result& r) { return fmt::format("90-day survival {:.1f}%", 100.0 * r.survival_90d); });
  add(
      "ALBI", s.albi, [](const scores::AlbiResult& r) { return fmt::format("{:.2f}", r.score); },
      [](const scores::AlbiResult& r) { return fmt::format("grade {}", r.grade); });
  add(
      "FIB-4", s.fib4, [](double v) { return fmt::format("{:.2f}", v); }, [](double) { return std::string(); });
  add(
      "APRI", s.apri, [](double v) { return fmt::format("{:.2f}", v); }, [](double) { return std::string(); });

  std::string out = fmt::format("{:<22}{:>7}  {}\n", "score", "value", "detail");
  for (const Row& row : rows) {
    std::string line = fmt::format("{:<22}{:>7}  {}", row.name, row.value, row.detail);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  s.notes.ForEach([&](scores::Note n) { out += fmt::format("note: {}\n", scores::Describe(n)); });
  return out;
}

// ---- the two modes ------------------------------------------------------------

Status RunSingle(const ScoreOptions& options) {
  CIRRUS_ASSIGN_OR_RETURN(const core::ClinicalSnapshot snapshot, SnapshotFromFlags(options));
  CIRRUS_ASSIGN_OR_RETURN(const PanelScores scores, scores::ScorePanel(snapshot));
  if (options.format == "json") return io::WriteStdout(ScoresAsJson(scores).dump(2) + "\n");
  return io::WriteStdout(ScoresAsText(scores));
}

Status RunBatch(const ScoreOptions& options) {
  const std::string& path = *options.input;
  CIRRUS_ASSIGN_OR_RETURN(const io::MappedFile input, io::MappedFile::Open(path));
  const std::string_view text = input.text();

  // --output streams into a temporary file that is renamed only on success;
  // standard output is held back until the whole file has been validated.
  std::optional<io::AtomicOutputFile> file;
  if (options.output.has_value()) {
    CIRRUS_ASSIGN_OR_RETURN(io::AtomicOutputFile created, io::AtomicOutputFile::Create(*options.output));
    file.emplace(std::move(created));
  }
  std::string held;
  const study::OutputSink sink = [&](std::string_view piece) -> Status {
    if (file) return file->Write(piece);
    held.append(piece);
    return {};
  };
  CIRRUS_ASSIGN_OR_RETURN(const study::VisitScoringReport report, study::ScoreVisitsCsv(text, path, sink));
  if (report.error_count > 0) {
    std::string message = fmt::format("{} has {} bad row{}; nothing was written:", path, report.error_count,
                                      report.error_count == 1 ? "" : "s");
    for (const std::string& e : report.errors) message += "\n  " + e;
    if (report.error_count > report.errors.size()) {
      message += fmt::format("\n  ... and {} more", report.error_count - report.errors.size());
    }
    return Fail(ErrorCode::kInvalidArgument, std::move(message));
  }
  if (file) return file->Commit();
  return io::WriteStdout(held);
}

}  // namespace

CLI::App* AddScoreCommand(CLI::App& app, ScoreOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "score",
      "Child-Pugh, MELD, MELD-Na, MELD 3.0, ALBI, FIB-4 and APRI for one patient (flags) or a visits file "
      "(--input). A bare number means the conventional unit (mg/dL, g/dL, mmol/L, 10^9/L, U/L).");
  cmd->add_option("--bilirubin", o.bilirubin, "total bilirubin, e.g. 2.7 or \"46 umol/L\"");
  cmd->add_option("--albumin", o.albumin, "albumin, e.g. 3.1 or \"31 g/L\"");
  cmd->add_option("--inr", o.inr, "INR");
  cmd->add_option("--pt-prolonged", o.pt_prolonged,
                  "prothrombin time prolonged over control, seconds (used when no INR)");
  cmd->add_option("--creatinine", o.creatinine, "creatinine, e.g. 1.1 or \"97 umol/L\"");
  cmd->add_option("--sodium", o.sodium, "sodium, mmol/L");
  cmd->add_option("--ascites", o.ascites, "none, mild (slight) or moderate-severe");
  cmd->add_option("--encephalopathy", o.encephalopathy, "none, grade1-2, grade3-4, or West Haven 0-4");
  cmd->add_option("--sex", o.sex, "male or female");
  cmd->add_flag("--dialysis", o.dialysis, "two or more dialysis sessions (or 24 h CVVHD) in the past week");
  cmd->add_option("--age", o.age, "age in years");
  cmd->add_option("--ast", o.ast, "AST, U/L");
  cmd->add_option("--alt", o.alt, "ALT, U/L");
  cmd->add_option("--ast-uln", o.ast_uln, "the lab's AST upper limit of normal, U/L (default 40)");
  cmd->add_option("--platelets", o.platelets, "platelets, 10^9/L");
  cmd->add_option("--aetiology", o.aetiology,
                  "aetiologies separated by ';' (PBC or PSC selects the cholestatic "
                  "Child-Pugh bilirubin cut-offs)");
  cmd->add_option("--format", o.format, "text or json (single patient)")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--input", o.input, "visits CSV to score (see docs/cli.md for its columns)");
  cmd->add_option("--output", o.output, "where to write the scored CSV (default: standard output)");
  return cmd;
}

Status RunScore(const ScoreOptions& o) {
  if (o.input.has_value()) {
    const std::pair<const std::optional<std::string>*, const char*> single_flags[] = {
        {&o.bilirubin, "--bilirubin"},
        {&o.albumin, "--albumin"},
        {&o.inr, "--inr"},
        {&o.creatinine, "--creatinine"},
        {&o.sodium, "--sodium"},
        {&o.ascites, "--ascites"},
        {&o.encephalopathy, "--encephalopathy"},
        {&o.sex, "--sex"},
        {&o.age, "--age"},
        {&o.ast, "--ast"},
        {&o.alt, "--alt"},
        {&o.platelets, "--platelets"},
        {&o.ast_uln, "--ast-uln"},
        {&o.aetiology, "--aetiology"},
        {&o.pt_prolonged, "--pt-prolonged"}};
    for (const auto& [value, flag] : single_flags) {
      if (value->has_value()) {
        return Fail(ErrorCode::kInvalidArgument,
                    std::string(flag) + " cannot be combined with --input: the file's columns give every value");
      }
    }
    if (o.dialysis) return Fail(ErrorCode::kInvalidArgument, "--dialysis cannot be combined with --input");
    if (o.format == "json") {
      return Fail(ErrorCode::kInvalidArgument, "--format json is for a single patient; --input writes CSV");
    }
    return RunBatch(o);
  }
  if (o.output.has_value()) return Fail(ErrorCode::kInvalidArgument, "--output needs --input");
  return RunSingle(o);
}

}  // namespace cirrus::cli
