// Unit conversion and plausibility checks of core/units.hpp.
//
// Expected conversions come from the published factors of
// docs/reference/scores.md section 8, not from the table under test:
//   bilirubin   1 mg/dL = 17.1 umol/L
//   creatinine  1 mg/dL = 88.4 umol/L
//   albumin     1 g/dL  = 10 g/L
//   sodium      1 mmol/L = 1 mEq/L (monovalent)
//   platelets   1 x 10^9/L = 1 x 10^3/uL = 1000 /uL
//   enzymes     1 ukat/L = 60 U/L (1 U = 1 umol/min, 1 kat = 1 mol/s)
//   AFP         1 IU/mL = 1.21 ng/mL (WHO standard 72/225)
// LOINC codes are those of loinc.org for the canonical (mass/volume) measurement.
#include "cirrus/core/units.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::core {
namespace {

using ::testing::DoubleEq;
using ::testing::DoubleNear;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::Not;

// Each Convert rounds its result to 14 significant digits (at most 5e-14
// relative), so a round trip through two calls stays within 1e-13; 1e-12 is
// the contract callers rely on.
constexpr double kRoundTripRelative = 1e-12;
// "Just outside" a plausible range: far above the conversion rounding (1e-14
// relative), far below any lab's reporting precision.
constexpr double kJustOutsideRelative = 1e-6;

// The micro sign as people type it: U+00B5 MICRO SIGN and U+03BC GREEK SMALL
// LETTER MU, written as UTF-8 bytes so the source stays ASCII.
constexpr std::string_view kMicroSign = "\xC2\xB5";
constexpr std::string_view kGreekMu = "\xCE\xBC";

constexpr double kInfinity = std::numeric_limits<double>::infinity();

std::string Text(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
  std::string out(a);
  out += b;
  out += c;
  return out;
}

// ---- The analyte table --------------------------------------------------------

TEST(AnalyteTable, IsInEnumOrder) {
  // Info() indexes the table by the enumerator's value.
  const std::span<const Analyte> all = AllAnalytes();
  ASSERT_EQ(all.size(), 13U);
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(all[i]), i);
    EXPECT_EQ(Info(all[i]).analyte, all[i]) << Info(all[i]).name;
  }
  EXPECT_EQ(all.front(), Analyte::kBilirubin);
  EXPECT_EQ(all.back(), Analyte::kAfp);
}

TEST(AnalyteTable, LoincCodesAreThoseOfLoincOrg) {
  EXPECT_EQ(Info(Analyte::kBilirubin).loinc, "1975-2");
  EXPECT_EQ(Info(Analyte::kAlbumin).loinc, "1751-7");
  EXPECT_EQ(Info(Analyte::kCreatinine).loinc, "2160-0");
  EXPECT_EQ(Info(Analyte::kSodium).loinc, "2951-2");
  EXPECT_EQ(Info(Analyte::kPlatelets).loinc, "777-3");
  EXPECT_EQ(Info(Analyte::kAst).loinc, "1920-8");
  EXPECT_EQ(Info(Analyte::kAlt).loinc, "1742-6");
  EXPECT_EQ(Info(Analyte::kInr).loinc, "6301-6");
}

TEST(AnalyteTable, NamesAreThoseUsedInMessages) {
  EXPECT_EQ(Info(Analyte::kBilirubin).name, "bilirubin");
  EXPECT_EQ(Info(Analyte::kAlbumin).name, "albumin");
  EXPECT_EQ(Info(Analyte::kCreatinine).name, "creatinine");
  EXPECT_EQ(Info(Analyte::kSodium).name, "sodium");
  EXPECT_EQ(Info(Analyte::kPlatelets).name, "platelets");
  EXPECT_EQ(Info(Analyte::kAst).name, "AST");
  EXPECT_EQ(Info(Analyte::kAlt).name, "ALT");
  EXPECT_EQ(Info(Analyte::kInr).name, "INR");
  EXPECT_EQ(Info(Analyte::kAfp).name, "AFP");
}

TEST(AnalyteTable, CanonicalUnitIsTheFirstAndHasFactorOne) {
  for (const Analyte a : AllAnalytes()) {
    const AnalyteInfo& info = Info(a);
    SCOPED_TRACE(info.name);
    ASSERT_FALSE(info.units.empty());
    EXPECT_EQ(&CanonicalUnit(a), &info.units[0]);
    EXPECT_EQ(CanonicalUnit(a).multiply_by, 1.0);
    EXPECT_EQ(CanonicalUnit(a).divide_by, 1.0);
    EXPECT_LT(info.plausible_min, info.plausible_max);
    EXPECT_FALSE(info.name.empty());
  }
}

TEST(AnalyteTable, CanonicalUnitsAreThoseOfTheScoreFormulas) {
  // The MELD, Child-Pugh and ALBI formulas take these units (docs/scores.md).
  EXPECT_EQ(CanonicalUnit(Analyte::kBilirubin).ucum, "mg/dL");
  EXPECT_EQ(CanonicalUnit(Analyte::kAlbumin).ucum, "g/dL");
  EXPECT_EQ(CanonicalUnit(Analyte::kCreatinine).ucum, "mg/dL");
  EXPECT_EQ(CanonicalUnit(Analyte::kSodium).ucum, "mmol/L");
  EXPECT_EQ(CanonicalUnit(Analyte::kPlatelets).ucum, "10*9/L");
  EXPECT_EQ(CanonicalUnit(Analyte::kAst).ucum, "U/L");
  EXPECT_EQ(CanonicalUnit(Analyte::kAlt).ucum, "U/L");
  EXPECT_EQ(CanonicalUnit(Analyte::kInr).ucum, "{INR}");
  EXPECT_EQ(CanonicalUnit(Analyte::kAfp).ucum, "ng/mL");
}

TEST(AnalyteTable, EveryUcumCodeAndAliasFindsItsOwnUnit) {
  // An alias shared by two units of one analyte would make FindUnit ambiguous.
  for (const Analyte a : AllAnalytes()) {
    for (const UnitInfo& unit : Info(a).units) {
      SCOPED_TRACE(std::string(Info(a).name) + " " + std::string(unit.ucum));
      EXPECT_THAT(FindUnit(a, unit.ucum), IsOkAndHolds(Eq(&unit)));
      for (const std::string_view alias : unit.aliases) {
        EXPECT_THAT(FindUnit(a, alias), IsOkAndHolds(Eq(&unit))) << alias;
      }
    }
  }
}

// ---- Conversions, analyte by analyte --------------------------------------------

TEST(Convert, BilirubinUsesSeventeenPointOne) {
  EXPECT_THAT(Convert(Analyte::kBilirubin, 1.0, "mg/dL", "umol/L"), IsOkAndHolds(DoubleEq(17.1)));
  // 2 x 17.1 = 34.2; 3 x 17.1 = 51.3
  EXPECT_THAT(Convert(Analyte::kBilirubin, 2.0, "mg/dL", "umol/L"), IsOkAndHolds(DoubleEq(34.2)));
  EXPECT_THAT(Convert(Analyte::kBilirubin, 3.0, "mg/dL", "umol/L"), IsOkAndHolds(DoubleEq(51.3)));
  // 51.3 / 17.1 = 3 exactly: the residue of the division is removed.
  EXPECT_THAT(Convert(Analyte::kBilirubin, 51.3, "umol/L", "mg/dL"), IsOkAndHolds(3.0));
  EXPECT_THAT(Convert(Analyte::kBilirubin, 34.2, "umol/L", "mg/dL"), IsOkAndHolds(2.0));
}

TEST(Convert, CreatinineUsesEightyEightPointFour) {
  EXPECT_THAT(Convert(Analyte::kCreatinine, 1.0, "mg/dL", "umol/L"), IsOkAndHolds(DoubleEq(88.4)));
  // The MELD caps of docs/scores.md section 8: 4.0 x 88.4 = 353.6, 3.0 x 88.4 = 265.2.
  EXPECT_THAT(Convert(Analyte::kCreatinine, 4.0, "mg/dL", "umol/L"), IsOkAndHolds(DoubleEq(353.6)));
  EXPECT_THAT(Convert(Analyte::kCreatinine, 3.0, "mg/dL", "umol/L"), IsOkAndHolds(DoubleEq(265.2)));
  EXPECT_THAT(Convert(Analyte::kCreatinine, 353.6, "umol/L", "mg/dL"), IsOkAndHolds(4.0));
  EXPECT_THAT(Convert(Analyte::kCreatinine, 265.2, "umol/L", "mg/dL"), IsOkAndHolds(3.0));
  EXPECT_THAT(Convert(Analyte::kCreatinine, 88.4, "umol/L", "mg/dL"), IsOkAndHolds(1.0));
}

TEST(Convert, AlbuminGramsPerLitreAreTenTimesGramsPerDecilitre) {
  // 3.5 g/dL x 10 = 35 g/L; MELD 3.0 bounds 1.5-3.5 g/dL = 15-35 g/L.
  EXPECT_THAT(Convert(Analyte::kAlbumin, 3.5, "g/dL", "g/L"), IsOkAndHolds(DoubleEq(35.0)));
  EXPECT_THAT(Convert(Analyte::kAlbumin, 15.0, "g/L", "g/dL"), IsOkAndHolds(DoubleEq(1.5)));
  EXPECT_THAT(Convert(Analyte::kAlbumin, 31.0, "g/L", "g/dL"), IsOkAndHolds(DoubleEq(3.1)));
}

TEST(Convert, SodiumMillimolesEqualMilliequivalents) {
  EXPECT_THAT(Convert(Analyte::kSodium, 137.0, "mEq/L", "mmol/L"), IsOkAndHolds(137.0));
  EXPECT_THAT(Convert(Analyte::kSodium, 125.0, "mmol/L", "mEq/L"), IsOkAndHolds(125.0));
}

TEST(Convert, PlateletsPerMicrolitreAreAThousandTimesTenToTheNinePerLitre) {
  // 150 x 10^9/L = 150 x 10^3/uL = 150 x 1000 /uL = 150000 /uL
  EXPECT_THAT(Convert(Analyte::kPlatelets, 150.0, "10*9/L", "10*3/uL"), IsOkAndHolds(DoubleEq(150.0)));
  EXPECT_THAT(Convert(Analyte::kPlatelets, 150.0, "10*9/L", "/uL"), IsOkAndHolds(DoubleEq(150000.0)));
  EXPECT_THAT(Convert(Analyte::kPlatelets, 87000.0, "/uL", "10*9/L"), IsOkAndHolds(DoubleEq(87.0)));
  EXPECT_THAT(Convert(Analyte::kPlatelets, 87000.0, "/uL", "10^3/uL"), IsOkAndHolds(DoubleEq(87.0)));
}

TEST(Convert, EnzymeMicrokatalsAreSixtyUnits) {
  // 1 ukat/L = 60 U/L: 0.5 ukat/L = 30 U/L; 90 U/L = 1.5 ukat/L.
  for (const Analyte a : {Analyte::kAst, Analyte::kAlt, Analyte::kAstUpperLimitOfNormal}) {
    SCOPED_TRACE(Info(a).name);
    EXPECT_THAT(Convert(a, 1.0, "ukat/L", "U/L"), IsOkAndHolds(DoubleEq(60.0)));
    EXPECT_THAT(Convert(a, 0.5, "ukat/L", "U/L"), IsOkAndHolds(DoubleEq(30.0)));
    EXPECT_THAT(Convert(a, 90.0, "U/L", "ukat/L"), IsOkAndHolds(DoubleEq(1.5)));
  }
}

TEST(Convert, CholinesteraseKilounitsAndMicrokatals) {
  // 5 kU/L = 5000 U/L; 6 kU/L = 6000 U/L = 6000 / 60 ukat/L = 100 ukat/L.
  EXPECT_THAT(Convert(Analyte::kCholinesterase, 5.0, "kU/L", "U/L"), IsOkAndHolds(DoubleEq(5000.0)));
  EXPECT_THAT(Convert(Analyte::kCholinesterase, 6.0, "kU/L", "ukat/L"), IsOkAndHolds(DoubleEq(100.0)));
  EXPECT_THAT(Convert(Analyte::kCholinesterase, 120.0, "ukat/L", "U/L"), IsOkAndHolds(DoubleEq(7200.0)));
  EXPECT_THAT(Convert(Analyte::kCholinesterase, 7200.0, "U/L", "kU/L"), IsOkAndHolds(DoubleEq(7.2)));
}

TEST(Convert, AfpInternationalUnitsAreOnePointTwoOneNanograms) {
  // 10 IU/mL x 1.21 = 12.1 ng/mL; 1.21 ng/mL = 1 IU/mL; 400 ng/mL / 1.21 = 330.5785... IU/mL.
  EXPECT_THAT(Convert(Analyte::kAfp, 10.0, "[IU]/mL", "ng/mL"), IsOkAndHolds(DoubleEq(12.1)));
  EXPECT_THAT(Convert(Analyte::kAfp, 1.21, "ng/mL", "IU/mL"), IsOkAndHolds(1.0));
  EXPECT_THAT(Convert(Analyte::kAfp, 400.0, "ng/mL", "IU/mL"), IsOkAndHolds(DoubleEq(330.57851239669)));
}

TEST(Convert, SingleUnitAnalytesAcceptTheirAliases) {
  EXPECT_THAT(Convert(Analyte::kInr, 1.3, "{INR}", "ratio"), IsOkAndHolds(1.3));
  EXPECT_THAT(Convert(Analyte::kProthrombinTime, 14.2, "s", "seconds"), IsOkAndHolds(14.2));
  EXPECT_THAT(Convert(Analyte::kProthrombinActivity, 45.0, "%", "%"), IsOkAndHolds(45.0));
}

TEST(Convert, SameUnitReturnsTheValueUntouched) {
  // No rounding either: 0.1 + 0.2 keeps all its 17 digits.
  const double value = 0.1 + 0.2;
  EXPECT_THAT(Convert(Analyte::kBilirubin, value, "mg/dL", "mg/dl"), IsOkAndHolds(value));
}

TEST(Convert, RoundTripsEveryUnitPairOfEveryAnalyte) {
  // Lab-like values of every size, plus some with many digits.
  const std::vector<double> values = {0.01, 0.3,   0.855, 1.0,    2.7,      7.77,       17.1,       51.3,
                                      99.9, 140.0, 999.9, 1234.5, 150000.0, 0.12345679, 3.14159265, 2.0 / 3.0};
  for (const Analyte a : AllAnalytes()) {
    for (const UnitInfo& from : Info(a).units) {
      for (const UnitInfo& to : Info(a).units) {
        SCOPED_TRACE(std::string(Info(a).name) + ": " + std::string(from.ucum) + " -> " + std::string(to.ucum));
        for (const double value : values) {
          const Result<double> there = Convert(a, value, from.ucum, to.ucum);
          ASSERT_THAT(there, IsOk());
          const Result<double> back = Convert(a, *there, to.ucum, from.ucum);
          ASSERT_THAT(back, IsOk());
          EXPECT_NEAR(*back, value, kRoundTripRelative * value) << "value " << value << " via " << *there;
        }
      }
    }
  }
}

TEST(Convert, RoundTripOfOrdinaryValuesKeepsThirteenDigits) {
  // Regression: Convert rounded to 12 significant digits, so 0.3 ng/mL AFP went
  // to 0.247933884298 IU/mL and came back as 0.300000000001 (3e-12 relative),
  // and 99.9 umol/L creatinine came back as 99.9000000002 (2e-12). With 14
  // digits two roundings move a value by at most 1e-13 relative.
  constexpr double kTwoRoundings = 1e-13;
  const Result<double> afp = Convert(Analyte::kAfp, 0.3, "ng/mL", "IU/mL");
  ASSERT_THAT(afp, IsOk());
  EXPECT_THAT(Convert(Analyte::kAfp, *afp, "IU/mL", "ng/mL"), IsOkAndHolds(0.3));
  const Result<double> creatinine = Convert(Analyte::kCreatinine, 99.9, "umol/L", "mg/dL");
  ASSERT_THAT(creatinine, IsOk());
  EXPECT_THAT(Convert(Analyte::kCreatinine, *creatinine, "mg/dL", "umol/L"),
              IsOkAndHolds(DoubleNear(99.9, kTwoRoundings * 99.9)));
}

TEST(Convert, UnknownUnitIsAnErrorNamingTheAcceptedUnits) {
  EXPECT_THAT(Convert(Analyte::kBilirubin, 1.0, "mg/dL", "g/L"),
              HasErrorMessage("unknown unit \"g/L\" for bilirubin; expected mg/dL, umol/L"));
  EXPECT_THAT(Convert(Analyte::kBilirubin, 1.0, "furlong", "mg/dL"), HasErrorCode(ErrorCode::kInvalidArgument));
}

// ---- FindUnit -------------------------------------------------------------------

TEST(FindUnit, IgnoresCaseAndSpaces) {
  const UnitInfo* umol = &Info(Analyte::kBilirubin).units[1];
  EXPECT_THAT(FindUnit(Analyte::kBilirubin, "UMOL/L"), IsOkAndHolds(Eq(umol)));
  EXPECT_THAT(FindUnit(Analyte::kBilirubin, "umol / l"), IsOkAndHolds(Eq(umol)));
  EXPECT_THAT(FindUnit(Analyte::kBilirubin, "Micromol/L"), IsOkAndHolds(Eq(umol)));
  EXPECT_THAT(FindUnit(Analyte::kBilirubin, "MG/DL"), IsOkAndHolds(Eq(&CanonicalUnit(Analyte::kBilirubin))));
}

TEST(FindUnit, AcceptsBothMicroSigns) {
  const UnitInfo* umol = &Info(Analyte::kBilirubin).units[1];
  EXPECT_THAT(FindUnit(Analyte::kBilirubin, Text(kMicroSign, "mol/L")), IsOkAndHolds(Eq(umol)));
  EXPECT_THAT(FindUnit(Analyte::kBilirubin, Text(kGreekMu, "mol/L")), IsOkAndHolds(Eq(umol)));
  const UnitInfo* ukat = &Info(Analyte::kAst).units[1];
  EXPECT_THAT(FindUnit(Analyte::kAst, Text(kMicroSign, "kat/L")), IsOkAndHolds(Eq(ukat)));
  EXPECT_THAT(FindUnit(Analyte::kAst, Text(kGreekMu, "KAT/L")), IsOkAndHolds(Eq(ukat)));
  const UnitInfo* per_ul = &Info(Analyte::kPlatelets).units[2];
  EXPECT_THAT(FindUnit(Analyte::kPlatelets, Text("/", kMicroSign, "L")), IsOkAndHolds(Eq(per_ul)));
}

TEST(FindUnit, UnknownUnitNamesTheAcceptedUnits) {
  EXPECT_THAT(FindUnit(Analyte::kAst, "mg"), HasErrorMessage("unknown unit \"mg\" for AST; expected U/L, ukat/L"));
  EXPECT_THAT(FindUnit(Analyte::kPlatelets, "cells"),
              HasErrorMessage("unknown unit \"cells\" for platelets; expected 10^9/L, 10^3/uL, /uL"));
  // INR has no unit to show.
  EXPECT_THAT(FindUnit(Analyte::kInr, "x"), HasErrorMessage("unknown unit \"x\" for INR; expected no unit"));
  const Result<const UnitInfo*> r = FindUnit(Analyte::kAlbumin, "mg/dL");
  ASSERT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_EQ(r.error().field, "albumin");
}

// ---- ParseQuantity --------------------------------------------------------------

TEST(ParseQuantity, AcceptsNumberAndUnitWithOrWithoutASpace) {
  const UnitInfo* umol = &Info(Analyte::kBilirubin).units[1];
  for (const std::string_view text : {"46 umol/L", "46umol/L", "  46   umol/L  ", "46\tumol/L"}) {
    const Result<Quantity> q = ParseQuantity(Analyte::kBilirubin, text);
    ASSERT_THAT(q, IsOk()) << text;
    EXPECT_EQ(q->value, 46.0) << text;
    EXPECT_EQ(q->unit, umol) << text;
  }
}

TEST(ParseQuantity, AcceptsBothMicroSignsAndAnyCase) {
  const UnitInfo* umol = &Info(Analyte::kCreatinine).units[1];
  for (const std::string& text : {Text("88 ", kMicroSign, "mol/L"), Text("88", kGreekMu, "mol/L"), Text("88 UMOL/L"),
                                  Text("88 ", kMicroSign, "MOL/l"), Text("88 micromol/l")}) {
    const Result<Quantity> q = ParseQuantity(Analyte::kCreatinine, text);
    ASSERT_THAT(q, IsOk()) << text;
    EXPECT_EQ(q->value, 88.0) << text;
    EXPECT_EQ(q->unit, umol) << text;
  }
}

TEST(ParseQuantity, BareNumberMeansTheCanonicalUnit) {
  for (const Analyte a : AllAnalytes()) {
    const Result<Quantity> q = ParseQuantity(a, "3.25");
    ASSERT_THAT(q, IsOk()) << Info(a).name;
    EXPECT_EQ(q->value, 3.25);
    EXPECT_EQ(q->unit, &CanonicalUnit(a)) << Info(a).name;
  }
}

TEST(ParseQuantity, ReadsSignsAndExponents) {
  EXPECT_THAT(ParseQuantity(Analyte::kPlatelets, "1.5e5 /uL"),
              IsOkAndHolds(::testing::Field(&Quantity::value, 150000.0)));
  EXPECT_THAT(ParseQuantity(Analyte::kPlatelets, "1.5E5/uL"),
              IsOkAndHolds(::testing::Field(&Quantity::value, 150000.0)));
  EXPECT_THAT(ParseQuantity(Analyte::kAfp, "+12 ng/mL"), IsOkAndHolds(::testing::Field(&Quantity::value, 12.0)));
  EXPECT_THAT(ParseQuantity(Analyte::kBilirubin, "-1 mg/dL"), IsOkAndHolds(::testing::Field(&Quantity::value, -1.0)));
}

TEST(ParseQuantity, PlateletUnitsWithPowersOfTenFollowASpace) {
  const std::span<const UnitInfo> units = Info(Analyte::kPlatelets).units;
  EXPECT_THAT(ParseQuantity(Analyte::kPlatelets, "150 10^9/L"),
              IsOkAndHolds(::testing::Field(&Quantity::unit, &units[0])));
  EXPECT_THAT(ParseQuantity(Analyte::kPlatelets, "150 x10^9/L"),
              IsOkAndHolds(::testing::Field(&Quantity::unit, &units[0])));
  EXPECT_THAT(ParseQuantity(Analyte::kPlatelets, "150 G/L"),
              IsOkAndHolds(::testing::Field(&Quantity::unit, &units[0])));
  EXPECT_THAT(ParseQuantity(Analyte::kPlatelets, "150 10*3/uL"),
              IsOkAndHolds(::testing::Field(&Quantity::unit, &units[1])));
  EXPECT_THAT(ParseQuantity(Analyte::kPlatelets, "150 K/uL"),
              IsOkAndHolds(::testing::Field(&Quantity::unit, &units[1])));
  EXPECT_THAT(ParseQuantity(Analyte::kPlatelets, "150000 cells/uL"),
              IsOkAndHolds(::testing::Field(&Quantity::unit, &units[2])));
}

TEST(ParseQuantity, UnknownUnitIsAnErrorNamingTheAcceptedUnits) {
  const Result<Quantity> q = ParseQuantity(Analyte::kBilirubin, "46 mmol/L");
  EXPECT_THAT(q, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(q, HasErrorMessage("unknown unit \"mmol/L\" for bilirubin; expected mg/dL, umol/L"));
  EXPECT_THAT(ParseQuantity(Analyte::kSodium, "140 mg"),
              HasErrorMessage("unknown unit \"mg\" for sodium; expected mmol/L, mEq/L"));
  // A decimal comma leaves ",5" as the unit: refused, not read as 1 or 15.
  EXPECT_THAT(ParseQuantity(Analyte::kInr, "1,5"), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(ParseQuantity, UnparsableNumberIsAnError) {
  EXPECT_THAT(ParseQuantity(Analyte::kBilirubin, "abc"),
              HasErrorMessage("bilirubin \"abc\" is not a number; expected a number optionally followed by a "
                              "unit (mg/dL, umol/L)"));
  for (const std::string_view text : {"", "   ", "mg/dL", "1.2.3 mg/dL", "--1", "- 1", "nan", "inf", "1e999", "."}) {
    const Result<Quantity> q = ParseQuantity(Analyte::kBilirubin, text);
    EXPECT_THAT(q, HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
  EXPECT_THAT(ParseQuantity(Analyte::kInr, "high"),
              HasErrorMessage(HasSubstr("expected a number optionally followed by a unit (no unit)")));
}

// ---- ParseLabValue and ToCanonical ----------------------------------------------

TEST(ParseLabValue, ConvertsToTheCanonicalUnit) {
  EXPECT_THAT(ParseLabValue(Analyte::kAlbumin, "31 g/L"), IsOkAndHolds(DoubleEq(3.1)));  // 31 / 10
  EXPECT_THAT(ParseLabValue(Analyte::kAlbumin, "3.1"), IsOkAndHolds(3.1));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "51.3 umol/L"), IsOkAndHolds(3.0));             // 51.3 / 17.1
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "34.2 umol/L"), IsOkAndHolds(2.0));             // 34.2 / 17.1
  EXPECT_THAT(ParseLabValue(Analyte::kCreatinine, "353.6 umol/L"), IsOkAndHolds(4.0));           // 353.6 / 88.4
  EXPECT_THAT(ParseLabValue(Analyte::kPlatelets, "150000 /uL"), IsOkAndHolds(DoubleEq(150.0)));  // / 1000
  EXPECT_THAT(ParseLabValue(Analyte::kAst, "0.8 ukat/L"), IsOkAndHolds(DoubleEq(48.0)));         // 0.8 x 60
  EXPECT_THAT(ParseLabValue(Analyte::kAfp, "100 IU/mL"), IsOkAndHolds(DoubleEq(121.0)));         // 100 x 1.21
  EXPECT_THAT(ParseLabValue(Analyte::kSodium, "131 mEq/L"), IsOkAndHolds(131.0));
  EXPECT_THAT(ParseLabValue(Analyte::kInr, "1.7"), IsOkAndHolds(1.7));
}

TEST(ParseLabValue, AlbuminInTheWrongUnitSuggestsTheRightOne) {
  const Result<double> r = ParseLabValue(Analyte::kAlbumin, "31 g/dL");
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r, HasErrorMessage("albumin 31 g/dL is outside the plausible range 0.5-7 g/dL; did you mean 31 g/L?"));
  EXPECT_EQ(r.error().field, "albumin");
}

TEST(ParseLabValue, BareCreatinineInMicromolesSuggestsMicromoles) {
  // 88 umol/L / 88.4 = 0.995 mg/dL is plausible; 88 mg/dL is not.
  EXPECT_THAT(ParseLabValue(Analyte::kCreatinine, "88"),
              HasErrorMessage("creatinine 88 mg/dL is outside the plausible range 0.1-25 mg/dL; did you mean 88 "
                              "umol/L?"));
}

TEST(ParseLabValue, BarePlateletCountPerMicrolitreSuggestsPerMicrolitre) {
  // 150000 /uL / 1000 = 150 x 10^9/L is plausible; 150000 x 10^9/L is not.
  EXPECT_THAT(ParseLabValue(Analyte::kPlatelets, "150000"),
              HasErrorMessage("platelets 150000 10^9/L is outside the plausible range 1-2000 10^9/L; did you mean "
                              "150000 /uL?"));
}

TEST(ParseLabValue, SuggestsEveryUnitInWhichTheValueIsPlausible) {
  // 8 U/L cholinesterase is implausible; 8 kU/L = 8000 U/L and 8 ukat/L = 480 U/L are both plausible.
  EXPECT_THAT(ParseLabValue(Analyte::kCholinesterase, "8"),
              HasErrorMessage(HasSubstr("; did you mean 8 kU/L or 8 ukat/L?")));
}

TEST(ParseLabValue, ImplausibleInEveryUnitMakesNoSuggestion) {
  // The range is shown in the unit entered: 0.05 x 17.1 = 0.855 and 75 x 17.1 = 1282.5 umol/L.
  const Result<double> r = ParseLabValue(Analyte::kBilirubin, "2000 umol/L");
  EXPECT_THAT(r, HasErrorMessage("bilirubin 2000 umol/L is outside the plausible range 0.855-1282.5 umol/L"));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "-1"), HasErrorMessage(Not(HasSubstr("did you mean"))));
  EXPECT_THAT(ParseLabValue(Analyte::kSodium, "0"), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(ParseLabValue, RangeEdgesAreInclusive) {
  // Canonical edges of the table, and the same edges typed in the other unit:
  // bilirubin 0.05-75 mg/dL = 0.855-1282.5 umol/L (x 17.1); albumin 0.5-7 g/dL
  // = 5-70 g/L (x 10); creatinine 0.1-25 mg/dL = 8.84-2210 umol/L (x 88.4).
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "0.05"), IsOkAndHolds(0.05));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "75"), IsOkAndHolds(75.0));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "0.855 umol/L"), IsOkAndHolds(0.05));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "1282.5 umol/L"), IsOkAndHolds(75.0));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "0.049"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "75.01"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "0.854 umol/L"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseLabValue(Analyte::kBilirubin, "1282.6 umol/L"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseLabValue(Analyte::kAlbumin, "5 g/L"), IsOkAndHolds(0.5));
  EXPECT_THAT(ParseLabValue(Analyte::kAlbumin, "70 g/L"), IsOkAndHolds(7.0));
  EXPECT_THAT(ParseLabValue(Analyte::kAlbumin, "70.1 g/L"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseLabValue(Analyte::kCreatinine, "8.84 umol/L"), IsOkAndHolds(0.1));
  EXPECT_THAT(ParseLabValue(Analyte::kCreatinine, "2210 umol/L"), IsOkAndHolds(25.0));
  EXPECT_THAT(ParseLabValue(Analyte::kCreatinine, "2211 umol/L"), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(ToCanonical, RangeEdgesAreInclusiveForEveryUnitOfEveryAnalyte) {
  for (const Analyte a : AllAnalytes()) {
    const AnalyteInfo& info = Info(a);
    for (const UnitInfo& unit : info.units) {
      SCOPED_TRACE(std::string(info.name) + " in " + std::string(unit.ucum));
      // The edge as a person would type it in this unit (a short decimal).
      const double low = RoundConversionResidue(unit.FromCanonical(info.plausible_min));
      const double high = RoundConversionResidue(unit.FromCanonical(info.plausible_max));
      EXPECT_THAT(ToCanonical(a, Quantity{low, &unit}), IsOkAndHolds(DoubleEq(info.plausible_min)));
      EXPECT_THAT(ToCanonical(a, Quantity{high, &unit}), IsOkAndHolds(DoubleEq(info.plausible_max)));
      const double below = low == 0 ? -kJustOutsideRelative : low * (1 - kJustOutsideRelative);
      EXPECT_THAT(ToCanonical(a, Quantity{below, &unit}), HasErrorCode(ErrorCode::kInvalidArgument));
      EXPECT_THAT(ToCanonical(a, Quantity{high * (1 + kJustOutsideRelative), &unit}),
                  HasErrorCode(ErrorCode::kInvalidArgument));
    }
  }
}

TEST(ToCanonical, NullUnitMeansTheCanonicalUnit) {
  EXPECT_THAT(ToCanonical(Analyte::kAlbumin, Quantity{3.1, nullptr}), IsOkAndHolds(3.1));
  EXPECT_THAT(ToCanonical(Analyte::kAlbumin, Quantity{31.0, nullptr}),
              HasErrorMessage(HasSubstr("did you mean 31 g/L?")));
}

TEST(ToCanonical, NonFiniteValuesAreRefused) {
  EXPECT_THAT(ToCanonical(Analyte::kInr, Quantity{std::nan(""), nullptr}), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ToCanonical(Analyte::kInr, Quantity{kInfinity, nullptr}), HasErrorCode(ErrorCode::kInvalidArgument));
}

// ---- RoundConversionResidue, ParseNumber, FormatNumber --------------------------

TEST(RoundConversionResidue, MakesBilirubinCutOffsExact) {
  // Plain division leaves a residue: 51.3 / 17.1 == 2.9999999999999996.
  const double residue = 51.3 / 17.1;
  EXPECT_NE(residue, 3.0);
  EXPECT_EQ(RoundConversionResidue(residue), 3.0);
  EXPECT_EQ(RoundConversionResidue(34.2 / 17.1), 2.0);
  EXPECT_EQ(RoundConversionResidue(353.6 / 88.4), 4.0);
}

TEST(RoundConversionResidue, KeepsFourteenSignificantDigits) {
  EXPECT_EQ(RoundConversionResidue(0.123456789012345678), 0.12345678901235);
  EXPECT_EQ(RoundConversionResidue(1234567.890123456789), 1234567.8901235);
  EXPECT_EQ(RoundConversionResidue(-51.3 / 17.1), -3.0);
  EXPECT_EQ(RoundConversionResidue(3.0), 3.0);
  EXPECT_EQ(RoundConversionResidue(RoundConversionResidue(2.0 / 3.0)), RoundConversionResidue(2.0 / 3.0));
}

TEST(RoundConversionResidue, LeavesZeroAndNonFiniteValuesAlone) {
  EXPECT_EQ(RoundConversionResidue(0.0), 0.0);
  EXPECT_EQ(RoundConversionResidue(kInfinity), kInfinity);
  EXPECT_TRUE(std::isnan(RoundConversionResidue(std::nan(""))));
}

TEST(RoundConversionResidue, TinyValuesStayFinite) {
  // Regression: below about 1e-294 the scale 10^(13 - magnitude) overflowed to
  // infinity and inf / inf made the result NaN, so Convert(1e-300) returned NaN.
  EXPECT_EQ(RoundConversionResidue(1e-300), 1e-300);
  EXPECT_EQ(RoundConversionResidue(5e-324), 5e-324);
  const Result<double> r = Convert(Analyte::kBilirubin, 1e-300, "umol/L", "mg/dL");
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(std::isfinite(*r));
  EXPECT_GT(*r, 0.0);
}

TEST(ParseNumber, AcceptsDecimalsSignsExponentsAndSurroundingSpaces) {
  EXPECT_THAT(ParseNumber("3.5"), IsOkAndHolds(3.5));
  EXPECT_THAT(ParseNumber(" -2 "), IsOkAndHolds(-2.0));
  EXPECT_THAT(ParseNumber("+4"), IsOkAndHolds(4.0));
  EXPECT_THAT(ParseNumber("1e3"), IsOkAndHolds(1000.0));
  EXPECT_THAT(ParseNumber(".5"), IsOkAndHolds(0.5));
  EXPECT_THAT(ParseNumber("\t7\t"), IsOkAndHolds(7.0));
}

TEST(ParseNumber, RefusesAnythingElse) {
  for (const std::string_view text :
       {"", " ", "abc", "3.5x", "3 5", "1,5", "nan", "inf", "1e999", "0x10", "++1", "+-3", "+"}) {
    EXPECT_THAT(ParseNumber(text), HasErrorCode(ErrorCode::kInvalidArgument)) << "\"" << text << "\"";
  }
  EXPECT_THAT(ParseNumber("3.5x"), HasErrorMessage("\"3.5x\" is not a number"));
}

TEST(ParseNumber, Issue2PlusMinusIsNotMinus) {
  // Regression: "+-3" lost its '+' and then parsed as -3.
  EXPECT_THAT(ParseNumber("+-3"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(ParseNumber("+3"), IsOkAndHolds(3.0));
}

TEST(FormatNumber, UsesTheShortestForm) {
  EXPECT_EQ(FormatNumber(0.5), "0.5");
  EXPECT_EQ(FormatNumber(7.0), "7");
  EXPECT_EQ(FormatNumber(1250.0), "1250");
  EXPECT_EQ(FormatNumber(0.855), "0.855");
  EXPECT_EQ(FormatNumber(-3.0), "-3");
}

}  // namespace
}  // namespace cirrus::core
