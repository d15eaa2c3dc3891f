#include "internal/distributions.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <limits>

namespace cirrus::stats::internal {

double NormalQuantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }

double ChiSquaredUpperTail(double x, double df) {
  if (!(x > 0)) return 1.0;
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(df), x));
}

double NormalTwoSided(double z) {
  return 2.0 * boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), std::fabs(z)));
}

// Boost refuses a df that is not positive; R's qt and pt give NaN there,
// and the normal distribution at an infinite df.
double StudentTQuantile(double p, double df) {
  if (!(df > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(df)) return NormalQuantile(p);
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), p);
}

double StudentTTwoSided(double t, double df) {
  if (!(df > 0) || std::isnan(t)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(df)) return NormalTwoSided(t);
  return 2.0 * boost::math::cdf(boost::math::students_t_distribution<double>(df), -std::fabs(t));
}

}  // namespace cirrus::stats::internal
