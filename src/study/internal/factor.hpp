#pragma once

// Group labels as R orders the levels of a factor, shared by the readers of
// flat tables (survival input, longitudinal input).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cirrus::study::internal {

/// The cell as a finite number, or nothing (R's as.numeric on a label).
std::optional<double> AsNumber(std::string_view text);

/// Labels in R's factor order, and each value's code.
struct Levels {
  std::vector<std::string> labels;
  std::vector<int> codes;
};

/// When every value is a number the column is numeric, as R reads it: values
/// are ordered and merged by number ("2" and "2.0" are one group, labelled
/// "2"). Otherwise labels are the texts in byte order.
Levels Factor(const std::vector<std::string_view>& values);

}  // namespace cirrus::study::internal
