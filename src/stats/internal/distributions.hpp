#pragma once

// Thin wrappers over Boost.Math, so that only these functions know which
// library supplies the distributions.
namespace cirrus::stats::internal {

/// z such that P(Z <= z) = p for a standard normal Z.
double NormalQuantile(double p);

/// P(X > x) for X chi-squared with `df` degrees of freedom (the p-value).
double ChiSquaredUpperTail(double x, double df);

/// P(|Z| > |z|) for a standard normal Z (two-sided p-value).
double NormalTwoSided(double z);

/// t such that P(T <= t) = p for T Student's t with `df` degrees of freedom (R's qt).
double StudentTQuantile(double p, double df);

/// P(|T| > |t|) for T Student's t with `df` degrees of freedom: 2 pt(-|t|, df).
double StudentTTwoSided(double t, double df);

}  // namespace cirrus::stats::internal
