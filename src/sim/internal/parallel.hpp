// Work sharing over an index range: threads claim chunks from a shared
// counter. Callers write results by index, so the outcome does not depend on
// the thread count or on which thread ran which chunk.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace cirrus::sim::internal {

/// Calls body(first, last) on disjoint chunks covering [0, count), from
/// `threads` threads (0: one per hardware thread; 1: the calling thread).
template <typename Body>
void ParallelFor(std::size_t count, int threads, const Body& body, std::size_t chunk = 16) {
  if (threads <= 0) threads = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const auto workers = static_cast<std::size_t>(threads);
  if (workers == 1 || count <= chunk) {
    for (std::size_t first = 0; first < count; first += chunk) body(first, std::min(count, first + chunk));
    return;
  }
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (;;) {
      const std::size_t first = next.fetch_add(chunk);
      if (first >= count) return;
      body(first, std::min(count, first + chunk));
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (std::size_t w = 1; w < std::min(workers, (count + chunk - 1) / chunk); ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace cirrus::sim::internal
