#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace cirrus::stats::internal {

// Subjects laid out contiguously by block (group or stratum), in increasing
// time within each block, with R's timefix applied to the times. One sort of
// (time, index) pairs, a linear timefix pass over the sorted times, and a
// stable counting sort by block: the scans that follow read memory in order.
struct SortedByTime {
  std::vector<double> time;
  std::vector<std::uint8_t> event;
  std::vector<double> weight;            // empty when no weights were given
  std::vector<int> label;                // empty when no labels were given
  std::vector<std::size_t> order;        // order[k]: the input row at sorted position k
  std::vector<std::size_t> block_start;  // block b is [block_start[b], block_start[b + 1])
};

SortedByTime SortByBlockAndTime(std::span<const double> time, std::span<const std::uint8_t> event,
                                std::span<const double> weight, std::span<const int> block, int block_count,
                                std::span<const int> label, bool apply_timefix = true);

}  // namespace cirrus::stats::internal
