#include "cirrus/sim/random.hpp"

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/normal_distribution.hpp>

namespace cirrus::sim {

std::array<std::uint64_t, 4> Random::SeedState(std::uint64_t seed, std::uint64_t stream, std::uint64_t substream) {
  // Each key goes through its own SplitMix64 step before they are combined,
  // so that neighbouring keys (trial 1, trial 2) give unrelated states.
  std::uint64_t a = seed;
  std::uint64_t b = stream ^ 0x6a09e667f3bcc909ULL;
  std::uint64_t c = substream ^ 0xbb67ae8584caa73bULL;
  std::uint64_t state = SplitMix64(a) ^ (SplitMix64(b) * 3) ^ (SplitMix64(c) * 5);
  std::array<std::uint64_t, 4> words{};
  for (auto& w : words) w = SplitMix64(state);
  return words;
}

Random::Random(std::uint64_t seed, std::uint64_t stream, std::uint64_t substream)
    : engine_(SeedState(seed, stream, substream)) {}

double Random::Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Random::Normal() {
  boost::random::normal_distribution<double> normal;
  return normal(engine_);
}

double Random::Exponential() {
  boost::random::exponential_distribution<double> exponential;
  return exponential(engine_);
}

int Random::Choose(const double* weights, int count) {
  double total = 0;
  for (int i = 0; i < count; ++i) total += weights[i];
  double u = Uniform() * total;
  for (int i = 0; i < count - 1; ++i) {
    if (u < weights[i]) return i;
    u -= weights[i];
  }
  return count - 1;
}

}  // namespace cirrus::sim
