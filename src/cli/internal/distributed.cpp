#include "distributed.hpp"

#include <mpi.h>

#include <cstdlib>
#include <numeric>

namespace cirrus::cli {
namespace {

// mpirun (Open MPI) and other launchers set these in every process they start.
bool LaunchedByMpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

// One trial as doubles: the endpoint events, then per analysis rejected,
// computed, estimate and p.
std::vector<double> Pack(const std::vector<sim::TrialOutcome>& outcomes) {
  std::vector<double> packed;
  for (const auto& t : outcomes) {
    packed.push_back(t.events);
    for (const auto& a : t.analyses) {
      packed.insert(packed.end(), {a.rejected ? 1.0 : 0.0, a.computed ? 1.0 : 0.0, a.estimate, a.p});
    }
  }
  return packed;
}

std::vector<sim::TrialOutcome> Unpack(const std::vector<double>& packed, std::size_t analyses) {
  const std::size_t width = 1 + 4 * analyses;
  std::vector<sim::TrialOutcome> outcomes(packed.size() / width);
  for (std::size_t t = 0; t < outcomes.size(); ++t) {
    const double* row = packed.data() + t * width;
    outcomes[t].events = static_cast<int>(row[0]);
    outcomes[t].analyses.resize(analyses);
    for (std::size_t k = 0; k < analyses; ++k) {
      const double* a = row + 1 + 4 * k;
      outcomes[t].analyses[k] = {a[0] != 0, a[1] != 0, a[2], a[3]};
    }
  }
  return outcomes;
}

}  // namespace

TrialProcesses::TrialProcesses() {
  if (!LaunchedByMpirun()) return;
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (initialised == 0) MPI_Init(nullptr, nullptr);
  mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

TrialProcesses::~TrialProcesses() {
  if (mpi_) MPI_Finalize();
}

Result<std::vector<sim::TrialOutcome>> TrialProcesses::Run(const sim::TrialDesign& design,
                                                           const sim::TrialRange& range) const {
  if (!mpi_ || size_ == 1) return sim::SimulateTrials(design, range);
  // Contiguous blocks, the first (count mod size) one trial longer.
  const std::int64_t count = range.end - range.begin;
  std::vector<std::int64_t> first(static_cast<std::size_t>(size_) + 1, range.begin);
  for (int r = 0; r < size_; ++r) {
    first[static_cast<std::size_t>(r) + 1] =
        first[static_cast<std::size_t>(r)] + count / size_ + (r < count % size_ ? 1 : 0);
  }
  sim::TrialRange mine = range;
  mine.begin = first[static_cast<std::size_t>(rank_)];
  mine.end = first[static_cast<std::size_t>(rank_) + 1];
  if (rank_ != 0) mine.progress = nullptr;
  auto outcomes = sim::SimulateTrials(design, mine);
  // Every process must take part in the gather; a failure is the same on
  // all of them (same design), so each reports it after the collective.
  int ok = outcomes ? 1 : 0;
  int all_ok = 0;
  MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!outcomes) return outcomes;
  if (all_ok == 0) return Fail(ErrorCode::kInternal, "a process of the MPI job failed to simulate its trials");

  const std::size_t analyses = sim::AnalysisNames(design.analysis).size();
  const std::vector<double> packed = Pack(*outcomes);
  const int width = static_cast<int>(1 + 4 * analyses);
  std::vector<int> counts(static_cast<std::size_t>(size_));
  std::vector<int> offsets(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) {
    const auto i = static_cast<std::size_t>(r);
    counts[i] = static_cast<int>(first[i + 1] - first[i]) * width;
    offsets[i] = static_cast<int>(first[i] - range.begin) * width;
  }
  std::vector<double> all(static_cast<std::size_t>(count) * static_cast<std::size_t>(width));
  MPI_Allgatherv(packed.data(), static_cast<int>(packed.size()), MPI_DOUBLE, all.data(), counts.data(), offsets.data(),
                 MPI_DOUBLE, MPI_COMM_WORLD);
  return Unpack(all, analyses);
}

}  // namespace cirrus::cli
