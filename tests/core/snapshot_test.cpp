// ClinicalSnapshot, SnapshotField and FieldSet of core/snapshot.hpp.
#include "cirrus/core/snapshot.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string_view>
#include <vector>

namespace cirrus::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr SnapshotField kAllFields[] = {
    SnapshotField::kSex,       SnapshotField::kAge,
    SnapshotField::kBilirubin, SnapshotField::kAlbumin,
    SnapshotField::kInr,       SnapshotField::kCreatinine,
    SnapshotField::kSodium,    SnapshotField::kDialysis,
    SnapshotField::kAscites,   SnapshotField::kEncephalopathy,
    SnapshotField::kPlatelets, SnapshotField::kAst,
    SnapshotField::kAlt,
};

std::vector<SnapshotField> Members(const FieldSet& set) {
  std::vector<SnapshotField> out;
  set.ForEach([&](SnapshotField f) { out.push_back(f); });
  return out;
}

TEST(SnapshotField, CountMatchesTheEnum) {
  // FieldSet::ForEach walks 0..kSnapshotFieldCount-1, so the last enumerator must be count - 1.
  EXPECT_EQ(kSnapshotFieldCount, 13);
  EXPECT_EQ(static_cast<int>(SnapshotField::kAlt), kSnapshotFieldCount - 1);
  EXPECT_EQ(std::size(kAllFields), static_cast<std::size_t>(kSnapshotFieldCount));
}

TEST(SnapshotField, NameOfEachField) {
  EXPECT_EQ(Name(SnapshotField::kSex), "sex");
  EXPECT_EQ(Name(SnapshotField::kAge), "age");
  EXPECT_EQ(Name(SnapshotField::kBilirubin), "bilirubin");
  EXPECT_EQ(Name(SnapshotField::kAlbumin), "albumin");
  EXPECT_EQ(Name(SnapshotField::kInr), "inr");
  EXPECT_EQ(Name(SnapshotField::kCreatinine), "creatinine");
  EXPECT_EQ(Name(SnapshotField::kSodium), "sodium");
  EXPECT_EQ(Name(SnapshotField::kDialysis), "dialysis");
  EXPECT_EQ(Name(SnapshotField::kAscites), "ascites");
  EXPECT_EQ(Name(SnapshotField::kEncephalopathy), "encephalopathy");
  EXPECT_EQ(Name(SnapshotField::kPlatelets), "platelets");
  EXPECT_EQ(Name(SnapshotField::kAst), "ast");
  EXPECT_EQ(Name(SnapshotField::kAlt), "alt");
}

TEST(SnapshotField, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (const SnapshotField f : kAllFields) names.insert(Name(f));
  EXPECT_EQ(names.size(), std::size(kAllFields));
}

TEST(FieldSet, StartsEmpty) {
  const FieldSet set;
  EXPECT_TRUE(set.empty());
  for (const SnapshotField f : kAllFields) EXPECT_FALSE(set.Contains(f)) << Name(f);
  EXPECT_THAT(Members(set), IsEmpty());
}

TEST(FieldSet, ContainsWhatWasAddedAndNothingElse) {
  FieldSet set;
  set.Add(SnapshotField::kInr);
  set.Add(SnapshotField::kAlbumin);
  EXPECT_FALSE(set.empty());
  for (const SnapshotField f : kAllFields) {
    EXPECT_EQ(set.Contains(f), f == SnapshotField::kInr || f == SnapshotField::kAlbumin) << Name(f);
  }
  set.Add(SnapshotField::kInr);  // adding twice changes nothing
  EXPECT_THAT(Members(set), ElementsAre(SnapshotField::kAlbumin, SnapshotField::kInr));
}

TEST(FieldSet, ForEachVisitsInFieldOrderWhateverTheOrderOfAdding) {
  FieldSet set;
  set.Add(SnapshotField::kAlt);
  set.Add(SnapshotField::kSex);
  set.Add(SnapshotField::kSodium);
  set.Add(SnapshotField::kBilirubin);
  EXPECT_THAT(Members(set),
              ElementsAre(SnapshotField::kSex, SnapshotField::kBilirubin, SnapshotField::kSodium, SnapshotField::kAlt));
}

TEST(FieldSet, HoldsEveryFieldAtOnce) {
  FieldSet set;
  for (const SnapshotField f : kAllFields) set.Add(f);
  const std::vector<SnapshotField> members = Members(set);
  EXPECT_EQ(members, std::vector<SnapshotField>(std::begin(kAllFields), std::end(kAllFields)));
}

TEST(FieldSet, AddingASetIsUnion) {
  FieldSet a;
  a.Add(SnapshotField::kSex);
  a.Add(SnapshotField::kAst);
  FieldSet b;
  b.Add(SnapshotField::kAst);
  b.Add(SnapshotField::kPlatelets);
  a.Add(b);
  EXPECT_THAT(Members(a), ElementsAre(SnapshotField::kSex, SnapshotField::kPlatelets, SnapshotField::kAst));
  a.Add(FieldSet());
  EXPECT_THAT(Members(a), ElementsAre(SnapshotField::kSex, SnapshotField::kPlatelets, SnapshotField::kAst));
}

TEST(FieldSet, ComparesByMembers) {
  FieldSet a;
  FieldSet b;
  EXPECT_EQ(a, b);
  a.Add(SnapshotField::kDialysis);
  EXPECT_FALSE(a == b);
  b.Add(SnapshotField::kDialysis);
  EXPECT_TRUE(a == b);
}

TEST(FieldSet, IsUsableAtCompileTime) {
  constexpr FieldSet kSet = [] {
    FieldSet s;
    s.Add(SnapshotField::kEncephalopathy);
    return s;
  }();
  static_assert(kSet.Contains(SnapshotField::kEncephalopathy));
  static_assert(!kSet.Contains(SnapshotField::kAscites));
  EXPECT_FALSE(kSet.empty());
}

TEST(ClinicalSnapshot, StartsWithEverythingMissing) {
  const ClinicalSnapshot s;
  EXPECT_FALSE(s.sex.has_value());
  EXPECT_FALSE(s.age_years.has_value());
  EXPECT_TRUE(s.aetiologies.empty());
  EXPECT_FALSE(s.ascites.has_value());
  EXPECT_FALSE(s.encephalopathy.has_value());
  EXPECT_FALSE(s.dialysis.has_value());
  EXPECT_FALSE(s.bilirubin_mg_dl.has_value());
  EXPECT_FALSE(s.albumin_g_dl.has_value());
  EXPECT_FALSE(s.inr.has_value());
  EXPECT_FALSE(s.pt_prolonged_s.has_value());
  EXPECT_FALSE(s.creatinine_mg_dl.has_value());
  EXPECT_FALSE(s.sodium_mmol_l.has_value());
  EXPECT_FALSE(s.platelets_10e9_l.has_value());
  EXPECT_FALSE(s.ast_u_l.has_value());
  EXPECT_FALSE(s.ast_uln_u_l.has_value());
  EXPECT_FALSE(s.alt_u_l.has_value());
}

}  // namespace
}  // namespace cirrus::core
