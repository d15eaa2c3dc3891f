// cirrus/io/registry_csv.hpp: the registry's long-format CSV files, read into
// a core::RegistryBatch and written back out.
//
// One file per record type, one row per fact, units in their own column:
//   sites.csv studies.csv arms.csv schedule.csv patients.csv infusions.csv
//   procedures.csv medications.csv visits.csv labs.csv assessments.csv
//   events.csv adverse_events.csv
// docs/data-model.md lists the columns of each file. A file's kind comes from
// its name; header names match in any case; a column the file kind does not
// have is reported (a typo must not silently drop data).
//
// Reading never stops at a bad cell: every bad row or cell becomes a
// core::RecordProblem (file, line, column, value, reason) and the rest is read
// on, so that a site sees every fault of its export at once. Only failures
// that stop reading (a missing file, an unknown file name) are an Error.
//
// Example:
//   std::vector<std::string> paths = {"export/"};   // every *.csv in it
//   auto read = cirrus::io::ReadRegistryCsv(paths);
//   if (!read) return Fail(read.error());
//   for (const auto& p : read->problems) std::cerr << core::Describe(p) << '\n';
//   CIRRUS_RETURN_IF_ERROR(cirrus::io::WriteRegistryCsv(read->batch, "copy/"));
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/core/registry.hpp"
#include "cirrus/io/registry_read.hpp"

namespace cirrus::io {

struct RegistryReadOptions {
  /// Problems kept in RegistryRead::problems; later ones are only counted.
  std::size_t max_problems = 100;
};

/// The accepted file names ("sites.csv", ..., "adverse_events.csv"), in dependency order.
std::span<const std::string_view> RegistryCsvFileNames();

/// Reads registry CSV files. `paths` are files and/or directories (a directory
/// means every *.csv file in it, in name order). A file's kind comes from its
/// name (RegistryCsvFileNames, any case). batch.sources holds each file's path
/// as given, and each record's Origin points into it.
///
/// Every bad row or cell is collected in the result's problems, and reading
/// goes on: a bad header (unknown, repeated or missing column), a row with the
/// wrong number of fields, an unclosed quote, bytes that are not UTF-8, a bad
/// value (reasons are those of the core parsers), and a natural key that
/// appears twice in the batch (the later row is dropped; the reason names the
/// earlier line). A UTF-8 byte-order mark and CRLF line ends are accepted; an
/// empty or header-only file holds no rows. Dates must be YYYY-MM-DD; whether
/// they lie in the future is the registry's check, not this one.
///
/// Errors: kNotFound for a path that does not exist; kInvalidArgument for an
/// unknown file name (listing the accepted names) or a file that cannot be read.
///
/// Example:
///   std::vector<std::string> paths = {"examples/registry"};
///   auto read = ReadRegistryCsv(paths);   // read->batch.labs, read->problems
Result<RegistryRead> ReadRegistryCsv(std::span<const std::string> paths, const RegistryReadOptions& options = {});

/// Writes one file per non-empty table of `batch` into `directory` (created if
/// needed), each atomically (io::AtomicOutputFile), with every column of the
/// file kind and rows sorted by natural key, so equal batches give equal bytes.
/// ReadRegistryCsv reads the files back to an equal batch (apart from Origin).
/// A lab with a value but no value_as_entered is written as its canonical value.
/// No file is written for an empty table, and an older file of that name in
/// `directory` is left as it is (write into an empty directory for a copy).
///
/// Errors: kInvalidArgument when the directory cannot be created; kDataLoss
/// when a write fails. Tables written before a failure stay written.
///
/// Example:
///   CIRRUS_RETURN_IF_ERROR(WriteRegistryCsv(batch, "out/registry"));
Status WriteRegistryCsv(const core::RegistryBatch& batch, const std::string& directory);

/// Each table that has rows as the CSV text WriteRegistryCsv writes for it, in
/// the files' order: a canonical form of the batch (what a content hash reads).
void ForEachRegistryCsvText(const core::RegistryBatch& batch,
                            const std::function<void(std::string_view file, std::string_view text)>& visit);

}  // namespace cirrus::io
