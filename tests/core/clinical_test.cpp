// Parsing of the categorical visit facts of core/clinical.hpp. Categories
// follow Pugh RNH et al., Br J Surg 1973;60:646-649 (ascites none/slight/
// moderate, encephalopathy none/grade 1-2/grade 3-4) and the West Haven
// criteria (grades 0-4; Conn HO et al. 1977) for encephalopathy.
#include "cirrus/core/clinical.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "cirrus_matchers.hpp"

namespace cirrus::core {
namespace {

using ::testing::HasSubstr;

constexpr Aetiology kAllAetiologies[] = {
    Aetiology::kHbv,        Aetiology::kHcv, Aetiology::kHdv, Aetiology::kAlcohol,          Aetiology::kMasld,
    Aetiology::kAutoimmune, Aetiology::kPbc, Aetiology::kPsc, Aetiology::kHaemochromatosis, Aetiology::kOther,
};

// ---- Sex ------------------------------------------------------------------------

TEST(ParseSex, AcceptsWordsAndLettersInAnyCase) {
  for (const std::string_view text : {"male", "m", "man", "Male", "MALE", "M", " m ", "Man"}) {
    EXPECT_THAT(ParseSex(text), IsOkAndHolds(Sex::kMale)) << text;
  }
  for (const std::string_view text : {"female", "f", "woman", "Female", "FEMALE", "F", "\tf", "WOMAN"}) {
    EXPECT_THAT(ParseSex(text), IsOkAndHolds(Sex::kFemale)) << text;
  }
}

TEST(ParseSex, RefusesNumericCodes) {
  // 0/1/2 mean male in one export and female in another: guessing is unsafe.
  for (const std::string_view text : {"0", "1", "2"}) {
    EXPECT_THAT(ParseSex(text), HasErrorCode(ErrorCode::kInvalidArgument)) << text;
  }
  EXPECT_THAT(ParseSex("1"), HasErrorMessage("sex \"1\" is not recognised; expected male or female (M/F)"));
}

TEST(ParseSex, RefusesAnythingElse) {
  for (const std::string_view text : {"", " ", "x", "mf", "males", "men", "unknown", "-m"}) {
    EXPECT_THAT(ParseSex(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
  const Result<Sex> r = ParseSex("x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "sex");
}

// ---- Ascites --------------------------------------------------------------------

TEST(ParseAscites, AcceptsNone) {
  for (const std::string_view text : {"none", "no", "absent", "nil", "None", "NO", " absent "}) {
    EXPECT_THAT(ParseAscites(text), IsOkAndHolds(Ascites::kNone)) << text;
  }
}

TEST(ParseAscites, SlightMeansMild) {
  // Pugh's "slight" ascites; International Ascites Club grade 1 is mild.
  for (const std::string_view text :
       {"mild", "slight", "controlled", "Slight", "MILD", "grade1", "Grade 1", "grade_1", "grade-1"}) {
    EXPECT_THAT(ParseAscites(text), IsOkAndHolds(Ascites::kMild)) << text;
  }
}

TEST(ParseAscites, AcceptsModerateSevere) {
  for (const std::string_view text : {"moderate-severe", "moderate", "severe", "moderate to severe", "tense",
                                      "Moderate-Severe", "moderate_severe", "grade2", "grade 3", "SEVERE"}) {
    EXPECT_THAT(ParseAscites(text), IsOkAndHolds(Ascites::kModerateSevere)) << text;
  }
}

TEST(ParseAscites, RefusesNumericCodes) {
  // A bare 1-3 may be a grade or the Child-Pugh points (1 = none): ambiguous.
  for (const std::string_view text : {"0", "1", "2", "3"}) {
    EXPECT_THAT(ParseAscites(text), HasErrorCode(ErrorCode::kInvalidArgument)) << text;
  }
  EXPECT_THAT(ParseAscites("2"),
              HasErrorMessage("ascites \"2\" is not recognised; expected none, mild (slight) or moderate-severe"));
}

TEST(ParseAscites, RefusesAnythingElse) {
  for (const std::string_view text : {"", "yes", "present", "grade4", "grade0", "massive", "-"}) {
    EXPECT_THAT(ParseAscites(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
}

// ---- Encephalopathy ---------------------------------------------------------------

TEST(ParseEncephalopathy, AcceptsChildPughCategories) {
  for (const std::string_view text : {"none", "no", "absent", "nil", "grade0", "grade 0", "NONE"}) {
    EXPECT_THAT(ParseEncephalopathy(text), IsOkAndHolds(Encephalopathy::kNone)) << text;
  }
  for (const std::string_view text :
       {"grade1-2", "grade 1-2", "Grade 1-2", "grade_1_2", "1-2", "grade1", "grade2", "mild", "controlled"}) {
    EXPECT_THAT(ParseEncephalopathy(text), IsOkAndHolds(Encephalopathy::kGrade1To2)) << text;
  }
  for (const std::string_view text :
       {"grade3-4", "grade 3-4", "GRADE 3-4", "3-4", "grade3", "grade4", "severe", "refractory"}) {
    EXPECT_THAT(ParseEncephalopathy(text), IsOkAndHolds(Encephalopathy::kGrade3To4)) << text;
  }
}

TEST(ParseEncephalopathy, WestHavenGradesMapToChildPughCategories) {
  // West Haven 0 -> none, 1-2 -> grade 1-2, 3-4 -> grade 3-4; text and number agree.
  const Encephalopathy expected[] = {Encephalopathy::kNone, Encephalopathy::kGrade1To2, Encephalopathy::kGrade1To2,
                                     Encephalopathy::kGrade3To4, Encephalopathy::kGrade3To4};
  for (int grade = 0; grade <= 4; ++grade) {
    const auto want = expected[static_cast<std::size_t>(grade)];
    EXPECT_THAT(ParseEncephalopathy(std::to_string(grade)), IsOkAndHolds(want)) << grade;
    EXPECT_THAT(EncephalopathyFromWestHaven(grade), IsOkAndHolds(want)) << grade;
  }
  EXPECT_THAT(ParseEncephalopathy("3"), IsOkAndHolds(Encephalopathy::kGrade3To4));
}

TEST(EncephalopathyFromWestHaven, RefusesGradesOutsideZeroToFour) {
  for (const int grade : {-1, 5, 10}) {
    EXPECT_THAT(EncephalopathyFromWestHaven(grade), HasErrorCode(ErrorCode::kOutOfRange)) << grade;
  }
  EXPECT_THAT(EncephalopathyFromWestHaven(5), HasErrorMessage("West Haven grade 5 is outside 0-4"));
}

TEST(ParseEncephalopathy, RefusesAnythingElse) {
  // "2-3" straddles the two categories, so it cannot be placed.
  for (const std::string_view text : {"", "5", "yes", "2-3", "grade5", "grade 2-3", "1.5", "coma"}) {
    EXPECT_THAT(ParseEncephalopathy(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
  EXPECT_THAT(ParseEncephalopathy("5"),
              HasErrorMessage("encephalopathy \"5\" is not recognised; expected none, grade1-2, grade3-4, or a "
                              "West Haven grade 0-4"));
}

TEST(ParseEncephalopathy, RefusesNumbersThatOnlyFoldIntoACategory) {
  // Regression: "12" folded like "1-2" and was read as grade 1-2; "34" as grade 3-4.
  for (const std::string_view text : {"12", "34", "10"}) {
    EXPECT_THAT(ParseEncephalopathy(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
  EXPECT_THAT(ParseEncephalopathy("1-2"), IsOkAndHolds(Encephalopathy::kGrade1To2));
}

TEST(ParseEncephalopathy, RefusesNegativeNumbers) {
  // Regression: hyphens were dropped everywhere, so "-1" (a common SPSS
  // missing-value code) read as West Haven 1 and "-3" as grade 3-4.
  for (const std::string_view text : {"-1", "-3", " -1 ", "- 1", "1-", "-0"}) {
    EXPECT_THAT(ParseEncephalopathy(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
}

// ---- Dialysis -------------------------------------------------------------------

TEST(ParseDialysis, AcceptsYesAndNoSpellings) {
  for (const std::string_view text : {"0", "no", "false", "n", "No", "FALSE", "N", " 0 "}) {
    EXPECT_THAT(ParseDialysis(text), IsOkAndHolds(Dialysis::kNone)) << text;
  }
  for (const std::string_view text : {"1", "yes", "true", "y", "YES", "True", "Y", "\t1"}) {
    EXPECT_THAT(ParseDialysis(text), IsOkAndHolds(Dialysis::kDialysis)) << text;
  }
}

TEST(ParseDialysis, RefusesAnythingElse) {
  for (const std::string_view text : {"", "2", "maybe", "01", "1.0", "on", "hd"}) {
    EXPECT_THAT(ParseDialysis(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
  EXPECT_THAT(ParseDialysis("2"), HasErrorMessage("dialysis \"2\" is not recognised; expected 0 or 1 (no or yes)"));
}

TEST(ParseDialysis, RefusesMinusOne) {
  // Regression: "-1" folded to "1" and meant dialysis, which sets MELD creatinine to 4.0.
  EXPECT_THAT(ParseDialysis("-1"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseDialysis("_1"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseDialysis("1-"), HasErrorCode(ErrorCode::kInvalidArgument));
}

// ---- Aetiology --------------------------------------------------------------------

TEST(ParseAetiology, AcceptsNamesAndSynonyms) {
  struct Case {
    std::string_view text;
    Aetiology want;
  };
  const Case cases[] = {
      {"HBV", Aetiology::kHbv},
      {"hepatitis B", Aetiology::kHbv},
      {"Hepatitis-B", Aetiology::kHbv},
      {"hcv", Aetiology::kHcv},
      {"Hepatitis C", Aetiology::kHcv},
      {"HDV", Aetiology::kHdv},
      {"hepatitis_d", Aetiology::kHdv},
      {"alcohol", Aetiology::kAlcohol},
      {"Alcoholic", Aetiology::kAlcohol},
      {"ALD", Aetiology::kAlcohol},
      {"alcd", Aetiology::kAlcohol},
      {"ARLD", Aetiology::kAlcohol},
      {"MASLD", Aetiology::kMasld},
      {"MASH", Aetiology::kMasld},
      {"NAFLD", Aetiology::kMasld},
      {"nash", Aetiology::kMasld},
      {"MAFLD", Aetiology::kMasld},
      {"autoimmune", Aetiology::kAutoimmune},
      {"AIH", Aetiology::kAutoimmune},
      {"Autoimmune hepatitis", Aetiology::kAutoimmune},
      {"PBC", Aetiology::kPbc},
      {"primary biliary cholangitis", Aetiology::kPbc},
      {"Primary Biliary Cirrhosis", Aetiology::kPbc},
      {"psc", Aetiology::kPsc},
      {"primary sclerosing cholangitis", Aetiology::kPsc},
      {"haemochromatosis", Aetiology::kHaemochromatosis},
      {"Hemochromatosis", Aetiology::kHaemochromatosis},
      {"other", Aetiology::kOther},
      {"OTHER", Aetiology::kOther},
      {"cryptogenic", Aetiology::kOther},
  };
  for (const Case& c : cases) EXPECT_THAT(ParseAetiology(c.text), IsOkAndHolds(c.want)) << c.text;
}

TEST(ParseAetiology, NameOfEachValueParsesBack) {
  for (const Aetiology a : kAllAetiologies) EXPECT_THAT(ParseAetiology(Name(a)), IsOkAndHolds(a)) << Name(a);
}

TEST(ParseAetiology, RefusesUnknownCauses) {
  for (const std::string_view text : {"", "hev", "wilson", "alpha-1", "hbv;hcv", "1"}) {
    EXPECT_THAT(ParseAetiology(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
  EXPECT_THAT(ParseAetiology("wilson"), HasErrorMessage(HasSubstr("aetiology \"wilson\" is not recognised")));
}

TEST(ParseAetiologies, SplitsOnSemicolonAndPlus) {
  const Result<AetiologySet> r = ParseAetiologies("HBV;alcohol");
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->Contains(Aetiology::kHbv));
  EXPECT_TRUE(r->Contains(Aetiology::kAlcohol));
  for (const Aetiology a : kAllAetiologies) {
    if (a != Aetiology::kHbv && a != Aetiology::kAlcohol) {
      EXPECT_FALSE(r->Contains(a)) << Name(a);
    }
  }

  AetiologySet three;
  three.Add(Aetiology::kHbv);
  three.Add(Aetiology::kHdv);
  three.Add(Aetiology::kMasld);
  EXPECT_THAT(ParseAetiologies("HBV+HDV+NASH"), IsOkAndHolds(three));
  EXPECT_THAT(ParseAetiologies(" hbv ; hdv + masld "), IsOkAndHolds(three));
}

TEST(ParseAetiologies, OneCauseAndRepeatsGiveASet) {
  AetiologySet hcv;
  hcv.Add(Aetiology::kHcv);
  EXPECT_THAT(ParseAetiologies("HCV"), IsOkAndHolds(hcv));
  EXPECT_THAT(ParseAetiologies("HCV;hepatitis C"), IsOkAndHolds(hcv));
}

TEST(ParseAetiologies, RefusesEmptyEntries) {
  for (const std::string_view text : {"", ";", "HBV;", ";HBV", "HBV;;HCV", "HBV+ +HCV"}) {
    EXPECT_THAT(ParseAetiologies(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
  EXPECT_THAT(ParseAetiologies("HBV;"),
              HasErrorMessage("aetiology \"HBV;\" has an empty entry; separate several with ';'"));
}

TEST(ParseAetiologies, RefusesAnUnknownEntryNamingIt) {
  EXPECT_THAT(ParseAetiologies("HBV;wilson"), HasErrorMessage(HasSubstr("\"wilson\" is not recognised")));
  // A comma is not a separator: the whole text is one unknown entry.
  EXPECT_THAT(ParseAetiologies("HBV,HCV"), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(AetiologySet, IsCholestaticOnlyWithPbcOrPsc) {
  EXPECT_FALSE(AetiologySet().IsCholestatic());
  for (const Aetiology a : kAllAetiologies) {
    AetiologySet one;
    one.Add(a);
    EXPECT_EQ(one.IsCholestatic(), a == Aetiology::kPbc || a == Aetiology::kPsc) << Name(a);
  }
  EXPECT_THAT(ParseAetiologies("PSC+alcohol"), IsOkAndHolds(::testing::Property(&AetiologySet::IsCholestatic, true)));
  EXPECT_THAT(ParseAetiologies("autoimmune;PBC"),
              IsOkAndHolds(::testing::Property(&AetiologySet::IsCholestatic, true)));
  EXPECT_THAT(ParseAetiologies("HBV;alcohol"), IsOkAndHolds(::testing::Property(&AetiologySet::IsCholestatic, false)));
}

TEST(AetiologySet, AddsContainsAndCompares) {
  AetiologySet set;
  EXPECT_TRUE(set.empty());
  set.Add(Aetiology::kOther);
  EXPECT_FALSE(set.empty());
  EXPECT_TRUE(set.Contains(Aetiology::kOther));
  EXPECT_FALSE(set.Contains(Aetiology::kHbv));
  set.Add(Aetiology::kOther);
  AetiologySet same;
  same.Add(Aetiology::kOther);
  EXPECT_EQ(set, same);
  same.Add(Aetiology::kHbv);
  EXPECT_NE(set, same);
  // Every aetiology has its own bit.
  AetiologySet all;
  for (const Aetiology a : kAllAetiologies) {
    EXPECT_FALSE(all.Contains(a)) << Name(a);
    all.Add(a);
    EXPECT_TRUE(all.Contains(a)) << Name(a);
  }
}

// ---- Age and PT ---------------------------------------------------------------------

TEST(ParseAgeYears, AcceptsZeroToOneHundredTwentyInclusive) {
  EXPECT_THAT(ParseAgeYears("0"), IsOkAndHolds(0.0));
  EXPECT_THAT(ParseAgeYears("120"), IsOkAndHolds(120.0));
  EXPECT_THAT(ParseAgeYears("64.5"), IsOkAndHolds(64.5));
  EXPECT_THAT(ParseAgeYears(" 45 "), IsOkAndHolds(45.0));
}

TEST(ParseAgeYears, RefusesOutOfRangeAndNonNumbers) {
  EXPECT_THAT(ParseAgeYears("-0.1"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseAgeYears("120.1"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseAgeYears("121"), HasErrorMessage("age 121 years is outside the plausible range 0 to 120 years"));
  EXPECT_THAT(ParseAgeYears("sixty"), HasErrorMessage("age \"sixty\" is not a number of years"));
  EXPECT_THAT(ParseAgeYears(""), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseAgeYears("45 years"), HasErrorCode(ErrorCode::kInvalidArgument));
  const Result<double> r = ParseAgeYears("200");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().field, "age");
}

TEST(ParsePtProlongedSeconds, AcceptsMinusTenToOneHundredFiftyInclusive) {
  EXPECT_THAT(ParsePtProlongedSeconds("-10"), IsOkAndHolds(-10.0));
  EXPECT_THAT(ParsePtProlongedSeconds("150"), IsOkAndHolds(150.0));
  EXPECT_THAT(ParsePtProlongedSeconds("4.5"), IsOkAndHolds(4.5));
  EXPECT_THAT(ParsePtProlongedSeconds("0"), IsOkAndHolds(0.0));
}

TEST(ParsePtProlongedSeconds, RefusesOutOfRangeAndNonNumbers) {
  EXPECT_THAT(ParsePtProlongedSeconds("-10.5"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParsePtProlongedSeconds("151"),
              HasErrorMessage("PT prolonged 151 s is outside the plausible range -10 to 150 s"));
  EXPECT_THAT(ParsePtProlongedSeconds("4 s"), HasErrorMessage("PT prolonged \"4 s\" is not a number of s"));
}

// ---- Names --------------------------------------------------------------------------

TEST(Name, OfEachEnumValue) {
  EXPECT_EQ(Name(Sex::kMale), "male");
  EXPECT_EQ(Name(Sex::kFemale), "female");
  EXPECT_EQ(Name(Ascites::kNone), "none");
  EXPECT_EQ(Name(Ascites::kMild), "mild");
  EXPECT_EQ(Name(Ascites::kModerateSevere), "moderate-severe");
  EXPECT_EQ(Name(Encephalopathy::kNone), "none");
  EXPECT_EQ(Name(Encephalopathy::kGrade1To2), "grade1-2");
  EXPECT_EQ(Name(Encephalopathy::kGrade3To4), "grade3-4");
  EXPECT_EQ(Name(Dialysis::kNone), "no");
  EXPECT_EQ(Name(Dialysis::kDialysis), "yes");
  EXPECT_EQ(Name(Aetiology::kHbv), "HBV");
  EXPECT_EQ(Name(Aetiology::kHcv), "HCV");
  EXPECT_EQ(Name(Aetiology::kHdv), "HDV");
  EXPECT_EQ(Name(Aetiology::kAlcohol), "alcohol");
  EXPECT_EQ(Name(Aetiology::kMasld), "MASLD");
  EXPECT_EQ(Name(Aetiology::kAutoimmune), "autoimmune");
  EXPECT_EQ(Name(Aetiology::kPbc), "PBC");
  EXPECT_EQ(Name(Aetiology::kPsc), "PSC");
  EXPECT_EQ(Name(Aetiology::kHaemochromatosis), "haemochromatosis");
  EXPECT_EQ(Name(Aetiology::kOther), "other");
}

TEST(Name, ParsesBackToTheSameValue) {
  // What cirrus writes it can read again.
  for (const Sex v : {Sex::kMale, Sex::kFemale}) EXPECT_THAT(ParseSex(Name(v)), IsOkAndHolds(v));
  for (const Ascites v : {Ascites::kNone, Ascites::kMild, Ascites::kModerateSevere}) {
    EXPECT_THAT(ParseAscites(Name(v)), IsOkAndHolds(v));
  }
  for (const Encephalopathy v : {Encephalopathy::kNone, Encephalopathy::kGrade1To2, Encephalopathy::kGrade3To4}) {
    EXPECT_THAT(ParseEncephalopathy(Name(v)), IsOkAndHolds(v));
  }
  for (const Dialysis v : {Dialysis::kNone, Dialysis::kDialysis}) EXPECT_THAT(ParseDialysis(Name(v)), IsOkAndHolds(v));
}

}  // namespace
}  // namespace cirrus::core
