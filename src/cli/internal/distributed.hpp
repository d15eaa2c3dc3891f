// Trials split across processes: under `mpirun -np K cirrus power ...` each
// process simulates its share of the trials and every process receives all
// outcomes, in trial order. Each trial has its own random stream, so the
// numbers equal those of one process with the same seed. Started without
// mpirun, nothing of MPI is touched.
#pragma once

#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/sim/power.hpp"

namespace cirrus::cli {

class TrialProcesses {
 public:
  /// Joins the MPI job when the process was launched by mpirun.
  TrialProcesses();
  ~TrialProcesses();
  TrialProcesses(const TrialProcesses&) = delete;
  TrialProcesses& operator=(const TrialProcesses&) = delete;

  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  /// Output is written by one process only.
  [[nodiscard]] bool writes_output() const { return rank_ == 0; }

  /// This process's part of `range`, simulated here, then everyone's parts
  /// gathered on every process, in trial order.
  Result<std::vector<sim::TrialOutcome>> Run(const sim::TrialDesign& design, const sim::TrialRange& range) const;

 private:
  bool mpi_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace cirrus::cli
