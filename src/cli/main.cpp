// The `cirrus` command: parses arguments, dispatches to a subcommand, and
// turns errors into messages and exit codes (docs/errors.md). No clinical or
// statistical logic lives here.
#include <CLI/CLI.hpp>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cif_command.hpp"
#include "cox_command.hpp"
#include "exit_codes.hpp"
#include "finegray_command.hpp"
#include "longitudinal_commands.hpp"
#include "registry_commands.hpp"
#include "report_command.hpp"
#include "rmst_command.hpp"
#include "score_command.hpp"
#include "sim_commands.hpp"
#include "survival_commands.hpp"

namespace {

// Edits (insertions, deletions, substitutions) between two words.
std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "cirrus foo": CLI11 would say "A subcommand is required"; say which word
// is not a command and the nearest one, or list them all.
std::string UnknownCommandMessage(const CLI::App& app, const std::string& word) {
  std::string nearest;
  std::size_t best = std::string::npos;
  std::string all;
  for (const CLI::App* sub : app.get_subcommands({})) {
    const std::string& name = sub->get_name();
    all += (all.empty() ? "" : ", ") + name;
    const std::size_t d = EditDistance(word, name);
    if (d < best) {
      best = d;
      nearest = name;
    }
  }
  const std::string shown = word.size() > 40 ? word.substr(0, 40) + "..." : word;
  if (best <= std::max<std::size_t>(1, nearest.size() / 3)) {
    return "unknown command '" + shown + "'; did you mean '" + nearest + "'?";
  }
  return "unknown command '" + shown + "'; the commands are " + all;
}

int Run(int argc, char** argv) {
  CLI::App app{"cirrus: follow-up, scores, survival and longitudinal analysis for cell therapy in liver cirrhosis"};
  app.name("cirrus");
  app.require_subcommand(1);
  cirrus::cli::ScoreOptions score_options;
  CLI::App* score = cirrus::cli::AddScoreCommand(app, score_options);
  cirrus::cli::SurvivalOptions km_options;
  CLI::App* km = cirrus::cli::AddKmCommand(app, km_options);
  cirrus::cli::SurvivalOptions logrank_options;
  CLI::App* logrank = cirrus::cli::AddLogRankCommand(app, logrank_options);
  cirrus::cli::CifOptions cif_options;
  CLI::App* cif = cirrus::cli::AddCifCommand(app, cif_options);
  cirrus::cli::RmstCommandOptions rmst_options;
  CLI::App* rmst = cirrus::cli::AddRmstCommand(app, rmst_options);
  cirrus::cli::CoxOptions cox_options;
  CLI::App* cox = cirrus::cli::AddCoxCommand(app, cox_options);
  cirrus::cli::FineGrayCommandOptions finegray_options;
  CLI::App* finegray = cirrus::cli::AddFineGrayCommand(app, finegray_options);
  cirrus::cli::RegistryCommands registry_commands;
  cirrus::cli::AddRegistryCommands(app, registry_commands);
  cirrus::cli::SimCommands sim_commands;
  cirrus::cli::AddSimCommands(app, sim_commands);
  cirrus::cli::LongitudinalCommands longitudinal_commands;
  cirrus::cli::AddLongitudinalCommands(app, longitudinal_commands);
  cirrus::cli::ReportOptions report_options;
  CLI::App* report = cirrus::cli::AddReportCommand(app, report_options);
  // The footer of a report names the command that made it.
  for (int i = 0; i < argc; ++i)
    report_options.command += (i == 0 ? std::string("cirrus") : " " + std::string(argv[i]));

  if (argc > 1 && argv[1][0] != '-') {
    const std::string word = argv[1];
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->get_name() == word;
    if (!known) {
      std::fprintf(stderr, "cirrus: %s\nRun 'cirrus --help' for usage.\n", UnknownCommandMessage(app, word).c_str());
      return cirrus::cli::kExitBadInput;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string command;
    for (const CLI::App* sub : app.get_subcommands({})) {
      if (argc > 1 && sub->get_name() == argv[1]) command = sub->get_name() + " ";
    }
    std::fprintf(stderr, "cirrus: %s\nRun 'cirrus %s--help' for usage.\n", e.what(), command.c_str());
    return cirrus::cli::kExitBadInput;
  }

  auto registry_exit = cirrus::cli::RunRegistryCommands(registry_commands);
  if (!registry_exit) {
    std::fprintf(stderr, "cirrus: %s\n", registry_exit.error().message.c_str());
    return cirrus::cli::ExitCodeFor(registry_exit.error().code);
  }
  if (registry_exit->has_value()) return **registry_exit;
  auto sim_exit = cirrus::cli::RunSimCommands(sim_commands);
  if (!sim_exit) {
    std::fprintf(stderr, "cirrus: %s\n", sim_exit.error().message.c_str());
    return cirrus::cli::ExitCodeFor(sim_exit.error().code);
  }
  if (sim_exit->has_value()) return **sim_exit;
  auto longitudinal_exit = cirrus::cli::RunLongitudinalCommands(longitudinal_commands);
  if (!longitudinal_exit) {
    std::fprintf(stderr, "cirrus: %s\n", longitudinal_exit.error().message.c_str());
    return cirrus::cli::ExitCodeFor(longitudinal_exit.error().code);
  }
  if (longitudinal_exit->has_value()) return **longitudinal_exit;

  cirrus::Status status;
  if (score->parsed()) status = cirrus::cli::RunScore(score_options);
  if (km->parsed()) status = cirrus::cli::RunKm(km_options);
  if (logrank->parsed()) status = cirrus::cli::RunLogRank(logrank_options);
  if (cif->parsed()) status = cirrus::cli::RunCif(cif_options);
  if (rmst->parsed()) status = cirrus::cli::RunRmst(rmst_options);
  if (cox->parsed()) status = cirrus::cli::RunCox(cox_options);
  if (finegray->parsed()) status = cirrus::cli::RunFineGray(finegray_options);
  if (report->parsed()) status = cirrus::cli::RunReport(report_options);
  if (!status) {
    std::fprintf(stderr, "cirrus: %s\n", status.error().message.c_str());
    return cirrus::cli::ExitCodeFor(status.error().code);
  }
  return cirrus::cli::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // Commands hold columns of millions of values and free them between
  // phases. By default glibc serves each block over 128 KiB with its own
  // mmap and unmaps it on free, so the next column faults in fresh zeroed
  // pages again (a third of a Cox run on 10^6 rows was page faults). Keeping
  // large blocks in the heap lets freed memory be reused.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
#endif
  try {
    return Run(argc, argv);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cirrus: internal error: %s\n", e.what());
    return cirrus::cli::kExitInternal;
  }
}
