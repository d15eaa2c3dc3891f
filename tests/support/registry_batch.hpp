// Comparing registry batches in tests: every field of every record (the
// records' own operator==, so a field added to a record is compared without
// touching this file), ignoring where each record was read from and the
// order of each table.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cirrus/core/registry.hpp"

namespace cirrus::testing {

namespace internal {
template <typename Record>
::testing::AssertionResult SameRecords(std::vector<Record> a, std::vector<Record> b, const char* table) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure() << table << ": " << a.size() << " records against " << b.size();
  }
  for (auto& r : a) r.origin = {};
  for (auto& r : b) r.origin = {};
  std::vector<bool> used(b.size(), false);
  for (std::size_t i = 0; i < a.size(); ++i) {
    bool found = false;
    for (std::size_t j = 0; j < b.size() && !found; ++j) {
      if (!used[j] && a[i] == b[j]) used[j] = found = true;
    }
    if (!found) return ::testing::AssertionFailure() << table << "[" << i << "] has no equal in the other batch";
  }
  return ::testing::AssertionSuccess();
}
}  // namespace internal

/// Success when `a` and `b` hold the same records; else names the first table and record that differ.
inline ::testing::AssertionResult SameBatch(const core::RegistryBatch& a, const core::RegistryBatch& b) {
  for (auto result :
       {internal::SameRecords(a.sites, b.sites, "sites"), internal::SameRecords(a.studies, b.studies, "studies"),
        internal::SameRecords(a.arms, b.arms, "arms"), internal::SameRecords(a.schedule, b.schedule, "schedule"),
        internal::SameRecords(a.patients, b.patients, "patients"),
        internal::SameRecords(a.infusions, b.infusions, "infusions"),
        internal::SameRecords(a.procedures, b.procedures, "procedures"),
        internal::SameRecords(a.medications, b.medications, "medications"),
        internal::SameRecords(a.visits, b.visits, "visits"), internal::SameRecords(a.labs, b.labs, "labs"),
        internal::SameRecords(a.assessments, b.assessments, "assessments"),
        internal::SameRecords(a.events, b.events, "events"),
        internal::SameRecords(a.adverse_events, b.adverse_events, "adverse_events")}) {
    if (!result) return result;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace cirrus::testing
