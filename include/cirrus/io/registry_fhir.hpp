// cirrus/io/registry_fhir.hpp: the registry as HL7 FHIR R4 JSON Bundles, out
// and in.
//
// WriteFhirBundle turns a whole RegistryBatch into one Bundle of type
// "collection": Organization (site), ResearchStudy (study, arms, visit
// schedule), Patient + ResearchSubject, Condition, Procedure (infusions,
// procedures, liver transplant), MedicationStatement, Encounter, Observation
// (labs, bedside assessments, outcome events), AdverseEvent. docs/fhir.md has
// the table of every field. Entries are sorted by natural key and resource ids
// are derived from natural keys, so the same batch always gives the same bytes.
//
// ReadFhirBundles reads such Bundles back, and Bundles written by a site's own
// system: lab values are converted to cirrus's canonical units (LOINC or the
// cirrus analyte code picks the analyte, the UCUM code the unit). A bad entry
// does not stop the read; it becomes a RecordProblem and is left out.
// Reading what WriteFhirBundle wrote gives back the same batch, every field
// (apart from Origin and RegistryBatch::sources, which say where records came
// from).
//
// Example:
//   std::string json = cirrus::io::WriteFhirBundle(batch);
//   const std::vector<std::string> paths = {"export/"};
//   auto read = cirrus::io::ReadFhirBundles(paths);
//   if (!read) return Fail(read.error());
//   for (const auto& p : read->problems) std::cerr << core::Describe(p) << "\n";
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

/// The namespace of every cirrus extension, code system and identifier system
/// ("https://cirrus.example/fhir/"): extensions are
/// kFhirBase + "StructureDefinition/<name>", code systems
/// kFhirBase + "CodeSystem/<name>", identifier systems kFhirBase + "sid/<name>".
inline constexpr std::string_view kFhirBase = "https://cirrus.example/fhir/";

/// The batch as one FHIR R4 Bundle (type "collection"), pretty-printed JSON
/// ending in a newline. Entries are ordered by resource group and natural key
/// and ids are derived from natural keys, so equal batches give byte-identical
/// text whatever the order of their vectors. Strings that are not valid UTF-8
/// have their bad bytes replaced by U+FFFD (JSON must be UTF-8).
///
/// Example:
///   std::string json = cirrus::io::WriteFhirBundle(batch);
std::string WriteFhirBundle(const core::RegistryBatch& batch);

/// WriteFhirBundle into `path`, atomically (AtomicOutputFile): a failed write
/// leaves any earlier file untouched. Errors: kInvalidArgument when the
/// directory is missing or not writable, kDataLoss when the write fails.
Status WriteFhirBundleFile(const core::RegistryBatch& batch, const std::string& path);

/// What ReadFhirBundles found: in problems, file = the path, line = the entry's
/// index + 1 (0 for the Bundle itself), column = the FHIR path
/// ("entry[3].resource.valueQuantity.unit"); Origin.line is the entry's index + 1.
using FhirRead = RegistryRead;

/// Reads FHIR R4 Bundles (JSON). Each path is a file, or a directory meaning
/// every "*.json" file directly in it, in name order. A bad entry (unknown
/// LOINC code, unit confusion, a reference to a Patient not in the Bundle, a
/// resource cirrus does not read) becomes a problem and is left out; the rest
/// is read. Errors: kNotFound / kInvalidArgument when a file or directory
/// cannot be read; kInvalidArgument when a file is not JSON (the message names
/// the file, byte offset, line and column) or not a Bundle.
///
/// Example:
///   const std::vector<std::string> paths = {"site_fr01.json"};
///   auto read = cirrus::io::ReadFhirBundles(paths);
///   // read->batch.labs[0].value == 3.5 for albumin 35 g/L
Result<FhirRead> ReadFhirBundles(std::span<const std::string> paths, std::size_t max_problems = 100);

/// Reads one Bundle already in memory; `name` stands for the file in problems
/// and messages. Errors: as ReadFhirBundles for one file.
Result<FhirRead> ReadFhirBundleText(std::string_view json, const std::string& name, std::size_t max_problems = 100);

}  // namespace cirrus::io
