// The simulator's commands: `simulate` (a virtual cohort into CSV files or a
// registry) and `power` (in-silico trials: power per analysis, type I error,
// sample size).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "cirrus/base/result.hpp"

namespace cirrus::cli {

struct SimulateOptions {
  std::string config;
  std::uint64_t seed = 1;
  std::string out;
  std::string db;
  int threads = 0;
  std::string today;
  std::string actor;
};

struct PowerOptions {
  std::string config;
  std::int64_t trials = 1000;
  std::int64_t null_trials = -1;  ///< trials of the null run; -1: as many as --trials, 0: none
  std::uint64_t seed = 1;
  int threads = 0;
  std::string format = "text";
  bool sample_size = false;
  std::string analysis = "logrank";
  double target = 0.8;
  int min_patients = 20;
  int max_patients = 2000;
};

struct SimCommands {
  SimulateOptions simulate;
  PowerOptions power;
  CLI::App* simulate_app = nullptr;
  CLI::App* power_app = nullptr;
};

void AddSimCommands(CLI::App& app, SimCommands& commands);

/// Runs the simulator command that was parsed and returns its exit code, or
/// nothing when neither was.
Result<std::optional<int>> RunSimCommands(const SimCommands& commands);

}  // namespace cirrus::cli
