// report/internal/step_path.hpp: a step function in pixel space as the
// corners of an axis-aligned polyline, exact when it is small and simplified
// per pixel column when it has more steps than the plot has columns, so that
// a curve of a million subjects costs a few kilobytes of path data.
//
// Why the column rule keeps the picture: within one column of width w the
// true path runs between the values it takes there, joined by vertical
// risers. Drawing one vertical through the lowest and highest of them (and
// the values entering and leaving the column) at the column's first step
// covers exactly the same y range, and moves no point more than w in x. The
// simplified line never leaves the true curve's envelope.
//
// Example:
//   std::vector<PixelStep> steps = {{0, 10}, {50, 20}, {50.2, 30}};
//   StepCorners(steps, 100, 0.5);
//   // exact (3 steps, 200 columns): (0,10) (50,10) (50,20) (50.2,20) (50.2,30) (100,30)
#pragma once

#include <algorithm>
#include <cmath>
#include <span>
#include <vector>

#include "internal/svg_writer.hpp"

namespace cirrus::report::svg::internal {

/// One step: the function is `y` from `x` to the next step's x (px).
struct PixelStep {
  double x = 0;
  double y = 0;
};

/// The corners of the step function `steps` (x non-decreasing) that ends at
/// x_end >= the last x. Steps that do not change y are dropped (lossless).
/// When more steps change y than there are columns of `column_px` between
/// the first x and x_end, each column becomes one vertical (see the banner).
inline std::vector<Point> StepCorners(std::span<const PixelStep> steps, double x_end, double column_px) {
  std::vector<Point> corners;
  if (steps.empty()) return corners;
  const double x0 = steps.front().x;
  std::size_t changes = 0;
  for (std::size_t i = 1; i < steps.size(); ++i) changes += steps[i].y != steps[i - 1].y ? 1U : 0U;
  const double columns = std::floor((x_end - x0) / column_px) + 1;
  double current = steps.front().y;
  corners.push_back({x0, current});
  if (static_cast<double>(changes) <= columns) {
    corners.reserve(2 * changes + 2);
    for (std::size_t i = 1; i < steps.size(); ++i) {
      if (steps[i].y == current) continue;
      corners.push_back({steps[i].x, current});
      current = steps[i].y;
      corners.push_back({steps[i].x, current});
    }
  } else {
    corners.reserve(4 * static_cast<std::size_t>(columns) + 2);
    const auto column = [&](double x) { return std::floor((x - x0) / column_px); };
    std::size_t i = 1;
    while (i < steps.size()) {
      if (steps[i].y == current) {
        ++i;
        continue;
      }
      const double x = steps[i].x;
      const double here = column(x);
      const double enter = current;
      double lo = enter;
      double hi = enter;
      double leave = enter;
      for (; i < steps.size() && column(steps[i].x) == here; ++i) {
        lo = std::min(lo, steps[i].y);
        hi = std::max(hi, steps[i].y);
        leave = steps[i].y;
      }
      corners.push_back({x, enter});
      // From enter, through both extremes, to leave: go first to the extreme
      // on the far side of enter from leave.
      if (leave >= enter) {
        if (lo < enter) corners.push_back({x, lo});
        if (hi > leave) corners.push_back({x, hi});
      } else {
        if (hi > enter) corners.push_back({x, hi});
        if (lo < leave) corners.push_back({x, lo});
      }
      corners.push_back({x, leave});
      current = leave;
    }
  }
  corners.push_back({x_end, current});
  return corners;
}

}  // namespace cirrus::report::svg::internal
