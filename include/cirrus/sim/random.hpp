// cirrus/sim/random.hpp: reproducible random streams for the simulator.
//
// Every patient of a cohort and every simulated trial draws from its own
// stream, keyed by (seed, stream, substream), so results do not depend on
// the order in which threads or processes take the work. The generator is
// xoshiro256** (Blackman and Vigna 2018), seeded through SplitMix64 as its
// authors recommend; Boost.Random supplies the distributions because, unlike
// the standard library's, they give the same numbers on every platform.
// Boost 1.74 has no xoshiro, and the Mersenne Twister's 2.5 KB state costs
// more to seed than a 220-patient trial costs to simulate.
//
// Example:
//   cirrus::sim::Random rng(seed, trial_index);
//   double u = rng.Uniform();      // [0, 1)
//   double z = rng.Normal();       // N(0, 1)
//   double e = rng.Exponential();  // rate 1
#pragma once

#include <array>
#include <cstdint>
#include <limits>

namespace cirrus::sim {

/// SplitMix64 (Steele, Lea and Flood 2014): one step of the generator that
/// seeds xoshiro, also used to hash stream keys.
constexpr std::uint64_t SplitMix64(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// xoshiro256**: a UniformRandomBitGenerator with 256 bits of state.
class Xoshiro256StarStar {
 public:
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  /// The state as given (for the published test vectors); must not be all zero.
  explicit constexpr Xoshiro256StarStar(const std::array<std::uint64_t, 4>& state) : s_(state) {}

  constexpr result_type operator()() {
    const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

 private:
  static constexpr std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_;
};

/// The stream (seed, stream, substream): the three keys are hashed into a
/// SplitMix64 state whose first four outputs seed xoshiro256**.
class Random {
 public:
  explicit Random(std::uint64_t seed, std::uint64_t stream = 0, std::uint64_t substream = 0);

  Xoshiro256StarStar& engine() { return engine_; }

  double Uniform();      ///< [0, 1), 53 random bits
  double Normal();       ///< standard normal (Boost's ziggurat)
  double Exponential();  ///< rate 1 (Boost's ziggurat)
  /// Index drawn with probability weights[i] / sum(weights).
  int Choose(const double* weights, int count);

 private:
  static std::array<std::uint64_t, 4> SeedState(std::uint64_t seed, std::uint64_t stream, std::uint64_t substream);
  Xoshiro256StarStar engine_;
};

}  // namespace cirrus::sim
