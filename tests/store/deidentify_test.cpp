#include "cirrus/store/deidentify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cirrus_matchers.hpp"

namespace cirrus::store {
namespace {

core::Date D(const char* text) { return *core::ParseDate(text); }

core::RegistryBatch TwoPatients() {
  core::RegistryBatch b;
  core::Patient p;
  p.code = "FR01-0001";
  p.site = "FR01";
  p.study = "S";
  p.birth_year = 1930;  // 94 at a 2024 export: over 89
  p.enrolment = D("2024-01-10");
  core::Patient q = p;
  q.code = "FR01-0002";
  q.birth_year = 1960;
  q.enrolment = D("2024-02-01");
  b.patients = {p, q};
  core::LabResult lab;
  lab.patient = "FR01-0001";
  lab.date = D("2024-03-10");
  lab.value = 3.1;
  b.labs = {lab};
  core::Procedure proc;
  proc.patient = "FR01-0001";
  proc.kind = core::ProcedureKind::kParacentesis;
  proc.date = D("2024-01-20");
  proc.detail = "done by Dr Martin at Clichy";
  b.procedures = {proc};
  core::OutcomeEvent death;
  death.patient = "FR01-0002";
  death.kind = core::OutcomeKind::kDeath;
  death.date = D("2024-05-01");
  death.detail = "at home, rue de la Paix";
  b.events = {death};
  return b;
}

DeidentifyOptions Options(std::uint8_t fill) {
  DeidentifyOptions o;
  o.key.fill(fill);
  o.export_date = D("2024-06-01");
  return o;
}

TEST(Deidentify, ReplacesCodesConsistentlyAndKeepsIntervals) {
  const core::RegistryBatch in = TwoPatients();
  const core::RegistryBatch out = Deidentify(in, Options(7));
  const std::string code = out.patients[0].code;
  EXPECT_THAT(code, ::testing::MatchesRegex("P[0-9a-f]{12}"));
  EXPECT_NE(code, out.patients[1].code);
  EXPECT_EQ(out.labs[0].patient, code);
  EXPECT_EQ(out.procedures[0].patient, code);
  EXPECT_EQ(out.events[0].patient, out.patients[1].code);
  // Every date of a patient moves by the same 0-364 days: intervals are exact.
  const int shift = in.patients[0].enrolment.value() - out.patients[0].enrolment.value();
  EXPECT_GE(shift, 0);
  EXPECT_LE(shift, 364);
  EXPECT_EQ(in.labs[0].date - out.labs[0].date, shift);
  EXPECT_EQ(in.procedures[0].date - out.procedures[0].date, shift);
  EXPECT_EQ(out.labs[0].date - out.patients[0].enrolment.value(), 60);  // 2024-01-10 to 2024-03-10
}

TEST(Deidentify, DropsFreeTextAndAggregatesAgesOverEightyNine) {
  const core::RegistryBatch out = Deidentify(TwoPatients(), Options(7));
  EXPECT_EQ(out.procedures[0].detail, "");
  EXPECT_EQ(out.events[0].detail, "");
  EXPECT_EQ(out.patients[0].birth_year, 2024 - 90);  // 1930 would be 94
  EXPECT_EQ(out.patients[1].birth_year, 1960);
  EXPECT_EQ(out.patients[0].site, "FR01");
}

TEST(Deidentify, TheSameKeyGivesTheSamePseudonymsAndAnotherKeyOthers) {
  const core::RegistryBatch a = Deidentify(TwoPatients(), Options(7));
  const core::RegistryBatch b = Deidentify(TwoPatients(), Options(7));
  const core::RegistryBatch c = Deidentify(TwoPatients(), Options(8));
  EXPECT_EQ(a.patients[0].code, b.patients[0].code);
  EXPECT_NE(a.patients[0].code, c.patients[0].code);
}

TEST(Deidentify, RandomKeysDiffer) {
  auto k1 = RandomDeidentifyKey();
  auto k2 = RandomDeidentifyKey();
  ASSERT_THAT(k1, IsOk());
  ASSERT_THAT(k2, IsOk());
  EXPECT_NE(*k1, *k2);
}

}  // namespace
}  // namespace cirrus::store
