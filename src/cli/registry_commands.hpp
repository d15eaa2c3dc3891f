// The registry's commands: init, import, export, patients, show, audit, check, delete.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cirrus/base/result.hpp"

namespace cirrus::cli {

struct RegistryOptions {
  std::string db;
  std::string format;              // import/export: csv|redcap|fhir|sdtm; listings: text|json|csv
  std::vector<std::string> paths;  // import: files; delete: the table, then the key's values
  std::string out;
  std::string site;
  std::string patient;
  std::string actor;
  std::string reason;
  std::string today;
  std::size_t max_errors = 100;
  bool dry_run = false;
  bool verify = false;
  bool deidentify = false;
};

struct RegistryCommands {
  RegistryOptions init, import, export_, patients, show, audit, check, delete_;
  CLI::App* init_app = nullptr;
  CLI::App* import_app = nullptr;
  CLI::App* export_app = nullptr;
  CLI::App* patients_app = nullptr;
  CLI::App* show_app = nullptr;
  CLI::App* audit_app = nullptr;
  CLI::App* check_app = nullptr;
  CLI::App* delete_app = nullptr;
};

void AddRegistryCommands(CLI::App& app, RegistryCommands& commands);

/// Runs the registry command that was parsed and returns its exit code, or
/// nothing when none of them was. Errors: as the command's library calls.
Result<std::optional<int>> RunRegistryCommands(const RegistryCommands& commands);

}  // namespace cirrus::cli
