// cirrus/base/text.hpp: the few text helpers every module needs, so that
// trimming, case folding and number printing mean the same thing everywhere.
//
// Example:
//   cirrus::TrimBlanks("  NA ")            // "NA"
//   cirrus::EqualsIgnoringCase("Time", "time")   // true
//   cirrus::ShortestText(0.1 + 0.2)        // "0.30000000000000004"
#pragma once

#include <string>
#include <string_view>

namespace cirrus {

/// `text` without leading and trailing spaces and tabs.
std::string_view TrimBlanks(std::string_view text);

/// ASCII letters in lower case; other bytes (UTF-8 included) unchanged.
std::string ToLowerAscii(std::string_view text);

/// Equal after ASCII lower-casing, without allocating.
bool EqualsIgnoringCase(std::string_view a, std::string_view b);

/// The shortest text that reads back as the same double: "0.5", "7", "1e-300".
std::string ShortestText(double value);

}  // namespace cirrus
