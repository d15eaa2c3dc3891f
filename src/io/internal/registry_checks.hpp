// Checks that every registry reader (CSV, REDCap, FHIR) makes alike, so that
// a batch means the same whatever format it came in. Implemented in
// registry_csv.cpp, beside the tables' natural keys.
#pragma once

#include <string>
#include <string_view>

#include "cirrus/io/registry_read.hpp"

namespace cirrus::io::internal {

/// Well-formed UTF-8 (Unicode 15, table 3-7): no overlong forms, no
/// surrogates, nothing above U+10FFFF.
bool IsValidUtf8(std::string_view text);

/// `text` for a message: each byte that is not part of well-formed UTF-8 as
/// \xHH, so the message stays UTF-8 and still shows the bad byte; at most the
/// first 200 bytes, then "...".
std::string EscapeInvalidUtf8(std::string_view text);

/// How a reader's Origin::line reads in a message.
enum class OriginLine {
  kFileLine,     ///< a line of the file: "records.csv:12"
  kBundleEntry,  ///< entry line - 1 of a FHIR Bundle: "bundle.json entry[11]"
};

/// Drops every record of `read.batch` whose natural key an earlier record of
/// the batch already has, with a problem in `read` naming both places
/// ("duplicate key; first on FILE:LINE"), at most `max_problems` listed. Without
/// it the store would let the last row win, or fail on its UNIQUE constraint.
void DropDuplicateKeys(RegistryRead& read, std::size_t max_problems, OriginLine lines);

}  // namespace cirrus::io::internal
