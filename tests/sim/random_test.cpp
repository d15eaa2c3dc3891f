// The simulator's random streams: the generators against their authors'
// reference outputs, and the stream keys.
#include "cirrus/sim/random.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace cirrus::sim {
namespace {

TEST(RandomTest, XoshiroMatchesTheReferenceImplementation) {
  // xoshiro256starstar.c (Blackman and Vigna) from the state {1, 2, 3, 4}.
  Xoshiro256StarStar engine({1, 2, 3, 4});
  EXPECT_EQ(engine(), 11520U);
  EXPECT_EQ(engine(), 0U);
  EXPECT_EQ(engine(), 1509978240U);
  EXPECT_EQ(engine(), 1215971899390074240U);
}

TEST(RandomTest, SplitMixMatchesTheReferenceImplementation) {
  // splitmix64.c (Vigna) seeded with 1234567.
  std::uint64_t state = 1234567;
  EXPECT_EQ(SplitMix64(state), 6457827717110365317U);
  EXPECT_EQ(SplitMix64(state), 3203168211198807973U);
  EXPECT_EQ(SplitMix64(state), 9817491932198370423U);
}

TEST(RandomTest, SameKeysSameStreamOtherKeysOtherStream) {
  Random a(42, 7, 0);
  Random b(42, 7, 0);
  Random other_stream(42, 8, 0);
  Random other_substream(42, 7, 1);
  Random other_seed(43, 7, 0);
  const double first = a.Uniform();
  EXPECT_EQ(first, b.Uniform());
  EXPECT_NE(first, other_stream.Uniform());
  EXPECT_NE(first, other_substream.Uniform());
  EXPECT_NE(first, other_seed.Uniform());
}

TEST(RandomTest, DistributionsHaveTheirMoments) {
  Random rng(2024, 1, 0);
  constexpr int kDraws = 200000;
  double u_sum = 0;
  double z_sum = 0;
  double z_sq = 0;
  double e_sum = 0;
  double u_min = 1;
  for (int i = 0; i < kDraws; ++i) {
    const double u = rng.Uniform();
    u_min = std::min(u_min, u);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    u_sum += u;
    const double z = rng.Normal();
    z_sum += z;
    z_sq += z * z;
    e_sum += rng.Exponential();
  }
  // Four standard errors of each mean.
  EXPECT_NEAR(u_sum / kDraws, 0.5, 4 * std::sqrt(1.0 / 12 / kDraws));
  EXPECT_NEAR(z_sum / kDraws, 0.0, 4 * std::sqrt(1.0 / kDraws));
  EXPECT_NEAR(z_sq / kDraws, 1.0, 4 * std::sqrt(2.0 / kDraws));
  EXPECT_NEAR(e_sum / kDraws, 1.0, 4 * std::sqrt(1.0 / kDraws));
}

TEST(RandomTest, ChooseFollowsTheWeights) {
  Random rng(5, 0, 0);
  const double weights[] = {0.2, 0.0, 0.8};
  int counts[3] = {};
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) ++counts[rng.Choose(weights, 3)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[0] / double{kDraws}, 0.2, 4 * std::sqrt(0.2 * 0.8 / kDraws));
}

}  // namespace
}  // namespace cirrus::sim
