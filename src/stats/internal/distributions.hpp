#pragma once

// Thin wrappers over Boost.Math, so that only these two functions know which
// library supplies the distributions.
namespace cirrus::stats::internal {

/// z such that P(Z <= z) = p for a standard normal Z.
double NormalQuantile(double p);

/// P(X > x) for X chi-squared with `df` degrees of freedom (the p-value).
double ChiSquaredUpperTail(double x, double df);

/// P(|Z| > |z|) for a standard normal Z (two-sided p-value).
double NormalTwoSided(double z);

}  // namespace cirrus::stats::internal
