// cirrus/io/registry_redcap.hpp: a registry batch as a REDCap project (data
// dictionary + flat "raw" record export), in both directions.
//
// WriteRedcapProject writes the cirrus REDCap project: `dictionary.csv` (the
// 18-column data dictionary REDCap uploads and downloads) and `records.csv`
// (what REDCap's record export gives with rawOrLabel=raw, type=flat and
// exportDataAccessGroups=true). ReadRedcapProject reads such a pair back, and
// also recognises what it can of a foreign REDCap project: lab fields marked
// with `@LOINC=` in their Field Annotation, dated by a date field of the same
// instrument. docs/redcap-sdtm.md documents the project design field by field.
//
// Reading what was written gives back the same batch (every field of every
// record except Origin and the batch's source names).
//
// Example:
//   CIRRUS_RETURN_IF_ERROR(cirrus::io::WriteRedcapProject(batch, "out/redcap"));
//   const std::string paths[] = {"out/redcap"};
//   auto read = cirrus::io::ReadRedcapProject(paths);
//   if (!read) return Fail(read.error());
//   for (const auto& p : read->problems) std::cerr << cirrus::core::Describe(p) << "\n";
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/io/registry_read.hpp"

namespace cirrus::io {

/// The 18 data-dictionary headers, in REDCap's order ("Variable / Field Name" ... "Field Annotation").
std::span<const std::string_view> RedcapDictionaryHeaders();

/// The record id of the design record that carries sites, studies, arms and
/// the visit schedule as repeating instruments. A patient may have the same
/// code: design instruments are recognised by their fields, not by the id.
inline constexpr std::string_view kRedcapDesignRecord = "_design";

/// The files WriteRedcapProject writes: dictionary.csv and records.csv.
std::span<const std::string_view> RedcapFileNames();

/// Writes `dictionary.csv` and `records.csv` into `directory` (which must
/// exist). Each file is written atomically: until both are complete, neither
/// existing file is replaced. Errors: kInvalidArgument when the directory is
/// missing or not writable; kDataLoss when a write fails.
///
/// Example:
///   CIRRUS_RETURN_IF_ERROR(WriteRedcapProject(batch, "export/redcap"));
Status WriteRedcapProject(const core::RegistryBatch& batch, const std::string& directory);

/// What ReadRedcapProject found: each problem a bad cell with file, line, column, value and reason.
using RedcapRead = RegistryRead;

/// Reads a data dictionary and a flat record export. `paths` is either one
/// directory holding `dictionary.csv` and `records.csv`, or the two files in
/// any order (the dictionary is the one whose header is the 18 dictionary
/// headers, or the 18 API metadata keys field_name ... field_annotation).
/// Longitudinal exports (with redcap_event_name) are accepted; the event is
/// not kept. A bad cell becomes a RecordProblem and the record it belongs to
/// is left out; the rest is read.
///
/// Errors: kNotFound for a missing file; kInvalidArgument for an unreadable
/// file, CSV that cannot be parsed, a dictionary without the 18 headers, a
/// record file without the dictionary's record-id column, or `paths` that
/// is neither one directory nor two files.
///
/// Example:
///   const std::string paths[] = {"dictionary.csv", "records.csv"};
///   auto read = ReadRedcapProject(paths, 50);
Result<RedcapRead> ReadRedcapProject(std::span<const std::string> paths, std::size_t max_problems = 100);

}  // namespace cirrus::io
