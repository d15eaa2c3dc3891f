// cirrus/store/deidentify.hpp: a research copy of a registry batch with the
// HIPAA Safe Harbor identifiers the registry holds removed or replaced.
//
// - Patient codes become keyed pseudonyms ("P" and 12 hex digits of a keyed
//   BLAKE2b hash): the same patient gets the same pseudonym in every table of
//   one export, and nobody without the key can link them back or across exports.
// - Every date of a patient moves back by the same number of days, 0-364,
//   drawn from the same keyed hash, so intervals (survival times, study days,
//   visit windows) are exact and calendar dates are not.
// - Birth years of patients who would be over 89 at the export date are set
//   to make them 90 (Safe Harbor aggregates ages over 89).
// - Free text that may carry names or places (procedure and event details,
//   medication dose text) is blanked; coded values are kept.
// Site, study and arm codes are kept: they are not personal identifiers and
// analyses group by them. With a random key (the default) an export cannot
// be re-identified, not even by cirrus.
#pragma once

#include <array>
#include <cstdint>

#include "cirrus/base/result.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/registry.hpp"

namespace cirrus::store {

struct DeidentifyOptions {
  std::array<std::uint8_t, 32> key{};  ///< keep it secret, or use RandomDeidentifyKey()
  core::Date export_date;              ///< for the over-89 rule
};

/// 32 bytes from the operating system's random source. Errors: kUnavailable
/// when there is none.
Result<std::array<std::uint8_t, 32>> RandomDeidentifyKey();

/// The de-identified copy of `batch` (see the file comment).
core::RegistryBatch Deidentify(const core::RegistryBatch& batch, const DeidentifyOptions& options);

}  // namespace cirrus::store
