#include "report_command.hpp"

#include <sodium.h>

#include <array>
#include <string>
#include <string_view>

#include "cirrus/core/date.hpp"
#include "cirrus/io/files.hpp"
#include "cirrus/io/registry_csv.hpp"
#include "cirrus/report/study_report.hpp"
#include "cirrus/store/registry.hpp"
#include "cirrus/study/analysis.hpp"
#include "cirrus/study/definition.hpp"

namespace cirrus::cli {
namespace {

std::string Hex(const std::array<unsigned char, crypto_hash_sha256_BYTES>& digest) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : digest) {
    out += kDigits[byte >> 4U];
    out += kDigits[byte & 0xFU];
  }
  return out;
}

std::string Sha256(std::string_view bytes) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return Hex(digest);
}

// The registry's content as its canonical CSV export: each table's file name
// and text, so that the same facts give the same hash from SQLite or
// PostgreSQL, whatever the order they were imported in.
std::string ContentHash(const core::RegistryBatch& batch) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  io::ForEachRegistryCsvText(batch, [&state](std::string_view file, std::string_view text) {
    const std::string header = std::string(file) + "\n" + std::to_string(text.size()) + "\n";
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(header.data()), header.size());
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  });
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&state, digest.data());
  return Hex(digest);
}

}  // namespace

CLI::App* AddReportCommand(CLI::App& app, ReportOptions& o) {
  auto* cmd = app.add_subcommand(
      "report", "A study's report from the registry: one self-contained HTML file, or its numbers as JSON");
  cmd->add_option("--db", o.db, "registry: a SQLite file, or postgresql://user@host:port/db")
      ->envname("CIRRUS_DB")
      ->required();
  cmd->add_option("--study", o.study, "study definition (TOML; docs/studies.md)")->required();
  cmd->add_option("--out", o.out, "file to write (the HTML report; with --format json, the JSON)");
  cmd->add_option("--format", o.format, "html (needs --out) or json (standard output without --out)")
      ->check(CLI::IsMember({"html", "json"}))
      ->capture_default_str();
  cmd->add_option("--as-of", o.as_of, "data cut YYYY-MM-DD: facts dated after it are left out");
  return cmd;
}

Status RunReport(const ReportOptions& o) {
  if (o.format == "html" && o.out.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "report: an HTML report needs --out FILE (or give --format json)", "out");
  }
  study::AnalysisOptions options;
  if (!o.as_of.empty()) {
    Result<core::Date> cut = core::ParseDate(o.as_of);
    if (!cut) {
      return Fail(ErrorCode::kInvalidArgument, "--as-of \"" + o.as_of + "\": " + cut.error().message, "as-of");
    }
    options.as_of = *cut;
  }
  CIRRUS_ASSIGN_OR_RETURN(const std::string text, io::ReadFile(o.study));
  CIRRUS_ASSIGN_OR_RETURN(const study::StudyDefinition definition, study::ParseStudyDefinition(text, o.study));
  CIRRUS_ASSIGN_OR_RETURN(store::Registry registry, store::Registry::Open(o.db));
  CIRRUS_ASSIGN_OR_RETURN(const core::RegistryBatch batch, registry.Export(std::nullopt));
  CIRRUS_ASSIGN_OR_RETURN(const study::StudyResults results, study::AnalyseStudy(batch, definition, options));
  if (sodium_init() < 0) return Fail(ErrorCode::kInternal, "libsodium could not start");
  report::Provenance provenance;
  provenance.registry_hash = ContentHash(batch);
  provenance.study_hash = Sha256(text);
  provenance.study_file = o.study;
  provenance.version = CIRRUS_VERSION;
  provenance.command = o.command;
  const std::string output =
      o.format == "json" ? report::RenderStudyJson(results, provenance) : report::RenderStudyHtml(results, provenance);
  if (o.out.empty()) return io::WriteStdout(output);
  CIRRUS_ASSIGN_OR_RETURN(io::AtomicOutputFile file, io::AtomicOutputFile::Create(o.out));
  CIRRUS_RETURN_IF_ERROR(file.Write(output));
  CIRRUS_RETURN_IF_ERROR(file.Commit());
  std::size_t analysed = 0;
  for (const study::GroupInfo& g : results.groups) analysed += g.n;
  return io::WriteStdout("wrote " + o.out + " (" + results.code + ": " + std::to_string(analysed) +
                         (analysed == 1 ? " patient, " : " patients, ") + std::to_string(results.endpoints.size()) +
                         " endpoints)\n");
}

}  // namespace cirrus::cli
