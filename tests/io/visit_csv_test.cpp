// The visits CSV layout of io/visit_csv.hpp: header resolution and row parsing.
// SI columns are converted with the factors of docs/reference/scores.md
// section 8 (bilirubin 17.1, creatinine 88.4 umol/L per mg/dL; albumin
// g/L = 10 x g/dL); the arithmetic is written beside each value.
#include "cirrus/io/visit_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/core/clinical.hpp"
#include "cirrus/core/snapshot.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::io {
namespace {

using core::Aetiology;
using core::Ascites;
using core::ClinicalSnapshot;
using core::Dialysis;
using core::Encephalopathy;
using core::Sex;
using ::testing::DoubleEq;
using ::testing::HasSubstr;
using ::testing::Optional;

// The thirteen required columns, with the canonical-unit spelling of each lab.
const std::vector<std::string> kRequired = {
    "sex",      "age_years", "bilirubin_mg_dl", "albumin_g_dl",     "inr",     "creatinine_mg_dl", "sodium_mmol_l",
    "dialysis", "ascites",   "encephalopathy",  "platelets_10e9_l", "ast_u_l", "alt_u_l",
};
// A plausible row for kRequired, in the same order.
const std::vector<std::string> kRow = {
    "M", "64", "2.7", "3.1", "1.5", "1.1", "131", "0", "mild", "none", "87", "112", "64",
};

std::vector<std::string_view> Views(const std::vector<std::string>& strings) {
  return {strings.begin(), strings.end()};
}

Result<VisitColumns> FromHeader(const std::vector<std::string>& header) {
  const std::vector<std::string_view> views = Views(header);
  return VisitColumns::FromHeader(views, "visits.csv");
}

// kRequired with `name` replaced by `replacement` ("" removes it).
std::vector<std::string> HeaderWith(std::string_view name, std::string_view replacement) {
  std::vector<std::string> header;
  for (const std::string& column : kRequired) {
    if (column != name) {
      header.push_back(column);
    } else if (!replacement.empty()) {
      header.emplace_back(replacement);
    }
  }
  return header;
}

std::vector<std::string> Plus(std::vector<std::string> v, const std::vector<std::string>& more) {
  v.insert(v.end(), more.begin(), more.end());
  return v;
}

// kRow with the value of column `name` replaced.
std::vector<std::string> RowWith(std::string_view name, std::string_view value) {
  std::vector<std::string> row = kRow;
  for (std::size_t i = 0; i < kRequired.size(); ++i) {
    if (kRequired[i] == name) row[i] = std::string(value);
  }
  return row;
}

Result<ClinicalSnapshot> ParseRow(const std::vector<std::string>& header, const std::vector<std::string>& row,
                                  std::size_t line = 2) {
  Result<VisitColumns> layout = FromHeader(header);
  if (!layout) return Fail(layout.error());
  const std::vector<std::string_view> views = Views(row);
  return layout->Parse(views, line);
}

// ---- FromHeader -----------------------------------------------------------------

TEST(VisitColumnsFromHeader, AcceptsTheRequiredColumns) {
  const Result<VisitColumns> layout = FromHeader(kRequired);
  ASSERT_THAT(layout, IsOk());
  EXPECT_EQ(layout->width(), kRequired.size());
}

TEST(VisitColumnsFromHeader, AcceptsColumnsInAnyOrderAndCase) {
  const std::vector<std::string> reversed(kRequired.rbegin(), kRequired.rend());
  EXPECT_THAT(FromHeader(reversed), IsOk());
  EXPECT_THAT(FromHeader(HeaderWith("bilirubin_mg_dl", "Bilirubin_MG_DL")), IsOk());
  EXPECT_THAT(FromHeader(HeaderWith("sex", "SEX")), IsOk());
}

TEST(VisitColumnsFromHeader, AcceptsSiUnitColumns) {
  std::vector<std::string> header = HeaderWith("bilirubin_mg_dl", "bilirubin_umol_l");
  for (std::string& column : header) {
    if (column == "albumin_g_dl") column = "albumin_g_l";
    if (column == "creatinine_mg_dl") column = "creatinine_umol_l";
  }
  EXPECT_THAT(FromHeader(header), IsOk());
}

TEST(VisitColumnsFromHeader, AcceptsExtraAndOptionalColumns) {
  const std::vector<std::string> header =
      Plus(kRequired, {"patient_id", "visit_date", "note", "bilirubin_comment", "ast_uln_u_l", "aetiology",
                       "pt_prolonged_s", "albumin_source"});
  const Result<VisitColumns> layout = FromHeader(header);
  ASSERT_THAT(layout, IsOk());
  EXPECT_EQ(layout->width(), kRequired.size() + 8);
}

TEST(VisitColumnsFromHeader, MissingRequiredColumnNamesTheAlternatives) {
  EXPECT_THAT(FromHeader(HeaderWith("bilirubin_mg_dl", "")),
              HasErrorMessage("visits.csv:1: missing required column bilirubin_mg_dl or bilirubin_umol_l"));
  EXPECT_THAT(FromHeader(HeaderWith("albumin_g_dl", "")),
              HasErrorMessage("visits.csv:1: missing required column albumin_g_dl or albumin_g_l"));
  EXPECT_THAT(FromHeader(HeaderWith("creatinine_mg_dl", "")),
              HasErrorMessage("visits.csv:1: missing required column creatinine_mg_dl or creatinine_umol_l"));
  EXPECT_THAT(FromHeader(HeaderWith("sex", "")), HasErrorMessage("visits.csv:1: missing required column sex"));
}

TEST(VisitColumnsFromHeader, EveryRequiredColumnIsRequired) {
  for (const std::string& column : kRequired) {
    const Result<VisitColumns> layout = FromHeader(HeaderWith(column, ""));
    EXPECT_THAT(layout, HasErrorCode(ErrorCode::kInvalidArgument)) << column;
    EXPECT_THAT(layout, HasErrorMessage(HasSubstr("missing required column " + column))) << column;
  }
}

TEST(VisitColumnsFromHeader, RefusesADuplicateColumn) {
  EXPECT_THAT(FromHeader(Plus(kRequired, {"sex"})), HasErrorMessage("visits.csv:1: column \"sex\" appears twice"));
  EXPECT_THAT(FromHeader(Plus(kRequired, {"INR"})), HasErrorMessage("visits.csv:1: column \"INR\" appears twice"));
}

TEST(VisitColumnsFromHeader, PassThroughColumnsMayRepeat) {
  // Trailing commas give empty header cells; exports repeat free-text columns. Neither is read.
  EXPECT_THAT(FromHeader(Plus(kRequired, {"note", "note"})), IsOk());
  EXPECT_THAT(FromHeader(Plus(kRequired, {"", ""})), IsOk());
}

TEST(VisitColumnsFromHeader, RefusesBothUnitsOfOneInput) {
  EXPECT_THAT(FromHeader(Plus(kRequired, {"bilirubin_umol_l"})),
              HasErrorMessage("visits.csv:1: both \"bilirubin_mg_dl\" and \"bilirubin_umol_l\" are given; keep one"));
  EXPECT_THAT(FromHeader(Plus(kRequired, {"albumin_g_l"})),
              HasErrorMessage(HasSubstr("both \"albumin_g_dl\" and \"albumin_g_l\" are given")));
  EXPECT_THAT(FromHeader(Plus(kRequired, {"creatinine_umol_l"})),
              HasErrorMessage(HasSubstr("both \"creatinine_mg_dl\" and \"creatinine_umol_l\" are given")));
}

TEST(VisitColumnsFromHeader, RefusesAnInputWithAnUnknownUnit) {
  EXPECT_THAT(FromHeader(Plus(kRequired, {"albumin_mg_dl"})),
              HasErrorMessage("visits.csv:1: unknown column \"albumin_mg_dl\": cirrus reads albumin from "
                              "albumin_g_dl or albumin_g_l"));
  EXPECT_THAT(FromHeader(Plus(kRequired, {"creatinine_mmol_l"})),
              HasErrorMessage(HasSubstr("cirrus reads creatinine from creatinine_mg_dl or creatinine_umol_l")));
  EXPECT_THAT(FromHeader(Plus(kRequired, {"platelets_10e3_ul"})),
              HasErrorMessage(HasSubstr("cirrus reads platelets from platelets_10e9_l")));
  EXPECT_THAT(FromHeader(Plus(kRequired, {"sodium_meq_l"})),
              HasErrorMessage(HasSubstr("cirrus reads sodium from sodium_mmol_l")));
  // The optional ULN column is not offered as where AST comes from.
  EXPECT_THAT(FromHeader(Plus(kRequired, {"ast_ukat_l"})),
              HasErrorMessage("visits.csv:1: unknown column \"ast_ukat_l\": cirrus reads ast from ast_u_l"));
  // Replacing the good column gives the same error, not "missing column".
  EXPECT_THAT(FromHeader(HeaderWith("albumin_g_dl", "albumin_mg_dl")),
              HasErrorMessage(HasSubstr("unknown column \"albumin_mg_dl\"")));
}

TEST(VisitColumnsFromHeader, RefusesABareLabName) {
  EXPECT_THAT(FromHeader(Plus(kRequired, {"bilirubin"})),
              HasErrorMessage("visits.csv:1: unknown column \"bilirubin\": cirrus reads bilirubin from "
                              "bilirubin_mg_dl or bilirubin_umol_l"));
  EXPECT_THAT(FromHeader(Plus(kRequired, {"Albumin"})), HasErrorMessage(HasSubstr("unknown column \"Albumin\"")));
}

// ---- Parse ----------------------------------------------------------------------

TEST(VisitColumnsParse, FillsEveryField) {
  const Result<ClinicalSnapshot> s = ParseRow(kRequired, kRow);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->sex, Sex::kMale);
  EXPECT_THAT(s->age_years, Optional(64.0));
  EXPECT_THAT(s->bilirubin_mg_dl, Optional(2.7));
  EXPECT_THAT(s->albumin_g_dl, Optional(3.1));
  EXPECT_THAT(s->inr, Optional(1.5));
  EXPECT_THAT(s->creatinine_mg_dl, Optional(1.1));
  EXPECT_THAT(s->sodium_mmol_l, Optional(131.0));
  EXPECT_EQ(s->dialysis, Dialysis::kNone);
  EXPECT_EQ(s->ascites, Ascites::kMild);
  EXPECT_EQ(s->encephalopathy, Encephalopathy::kNone);
  EXPECT_THAT(s->platelets_10e9_l, Optional(87.0));
  EXPECT_THAT(s->ast_u_l, Optional(112.0));
  EXPECT_THAT(s->alt_u_l, Optional(64.0));
  // Optional columns that are absent stay missing.
  EXPECT_FALSE(s->ast_uln_u_l.has_value());
  EXPECT_FALSE(s->pt_prolonged_s.has_value());
  EXPECT_TRUE(s->aetiologies.empty());
}

TEST(VisitColumnsParse, ReadsOptionalColumnsAndIgnoresExtraOnes) {
  const std::vector<std::string> header =
      Plus(kRequired, {"patient_id", "ast_uln_u_l", "aetiology", "pt_prolonged_s", "note"});
  const std::vector<std::string> row = Plus(kRow, {"P-0017", "40", "HBV;alcohol", "4.5", "anything, at all"});
  const Result<ClinicalSnapshot> s = ParseRow(header, row);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(s->ast_uln_u_l, Optional(40.0));
  EXPECT_THAT(s->pt_prolonged_s, Optional(4.5));
  EXPECT_TRUE(s->aetiologies.Contains(Aetiology::kHbv));
  EXPECT_TRUE(s->aetiologies.Contains(Aetiology::kAlcohol));
  EXPECT_FALSE(s->aetiologies.Contains(Aetiology::kHcv));
}

TEST(VisitColumnsParse, FollowsTheHeaderOrder) {
  const std::vector<std::string> header = {
      "alt_u_l",          "sex",          "ast_u_l",          "age_years",      "inr",
      "ascites",          "dialysis",     "platelets_10e9_l", "encephalopathy", "sodium_mmol_l",
      "creatinine_mg_dl", "albumin_g_dl", "bilirubin_mg_dl"};
  const std::vector<std::string> row = {"33",  "F",         "45",  "51",  "1.2", "none", "yes",
                                        "150", "grade 1-2", "138", "0.8", "4.0", "1.0"};
  const Result<ClinicalSnapshot> s = ParseRow(header, row);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(s->alt_u_l, Optional(33.0));
  EXPECT_EQ(s->sex, Sex::kFemale);
  EXPECT_THAT(s->ast_u_l, Optional(45.0));
  EXPECT_EQ(s->dialysis, Dialysis::kDialysis);
  EXPECT_EQ(s->encephalopathy, Encephalopathy::kGrade1To2);
  EXPECT_THAT(s->bilirubin_mg_dl, Optional(1.0));
  EXPECT_THAT(s->albumin_g_dl, Optional(4.0));
}

TEST(VisitColumnsParse, ConvertsSiColumnsToCanonicalUnits) {
  std::vector<std::string> header = kRequired;
  std::vector<std::string> row = kRow;
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == "bilirubin_mg_dl") {
      header[i] = "bilirubin_umol_l";
      row[i] = "51.3";  // 51.3 / 17.1 = 3.0 mg/dL, exactly (no floating-point residue)
    } else if (header[i] == "albumin_g_dl") {
      header[i] = "albumin_g_l";
      row[i] = "35";  // 35 / 10 = 3.5 g/dL
    } else if (header[i] == "creatinine_mg_dl") {
      header[i] = "creatinine_umol_l";
      row[i] = "353.6";  // 353.6 / 88.4 = 4.0 mg/dL, the MELD cap
    }
  }
  const Result<ClinicalSnapshot> s = ParseRow(header, row);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(s->bilirubin_mg_dl, Optional(3.0));
  EXPECT_THAT(s->albumin_g_dl, Optional(DoubleEq(3.5)));
  EXPECT_THAT(s->creatinine_mg_dl, Optional(4.0));
}

TEST(VisitColumnsParse, MissingValuesStayMissing) {
  for (const std::string_view missing : {"", "NA", "N/A", "na", "n/a", "null", "NULL", " ", " NA "}) {
    std::vector<std::string> row(kRequired.size(), std::string(missing));
    const Result<ClinicalSnapshot> s = ParseRow(kRequired, row);
    ASSERT_THAT(s, IsOk()) << "\"" << missing << "\"";
    EXPECT_FALSE(s->sex.has_value());
    EXPECT_FALSE(s->age_years.has_value());
    EXPECT_FALSE(s->bilirubin_mg_dl.has_value());
    EXPECT_FALSE(s->albumin_g_dl.has_value());
    EXPECT_FALSE(s->inr.has_value());
    EXPECT_FALSE(s->creatinine_mg_dl.has_value());
    EXPECT_FALSE(s->sodium_mmol_l.has_value());
    EXPECT_FALSE(s->dialysis.has_value());
    EXPECT_FALSE(s->ascites.has_value());
    EXPECT_FALSE(s->encephalopathy.has_value());
    EXPECT_FALSE(s->platelets_10e9_l.has_value());
    EXPECT_FALSE(s->ast_u_l.has_value());
    EXPECT_FALSE(s->alt_u_l.has_value());
  }
}

TEST(VisitColumnsParse, OneMissingValueLeavesTheOthers) {
  const Result<ClinicalSnapshot> s = ParseRow(kRequired, RowWith("inr", "NA"));
  ASSERT_THAT(s, IsOk());
  EXPECT_FALSE(s->inr.has_value());
  EXPECT_THAT(s->bilirubin_mg_dl, Optional(2.7));
}

TEST(VisitColumnsParse, ErrorNamesFileLineColumnAndValue) {
  const Result<ClinicalSnapshot> s = ParseRow(kRequired, RowWith("bilirubin_mg_dl", "abc"), 7);
  EXPECT_THAT(s, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(s, HasErrorMessage("visits.csv:7: column bilirubin_mg_dl, value \"abc\": expected a number in mg/dL"));
  EXPECT_EQ(s.error().field, "bilirubin_mg_dl");
}

TEST(VisitColumnsParse, ImplausibleLabValueSaysWhatWasMeant) {
  EXPECT_THAT(ParseRow(kRequired, RowWith("albumin_g_dl", "31"), 3),
              HasErrorMessage("visits.csv:3: column albumin_g_dl, value \"31\": albumin 31 g/dL is outside the "
                              "plausible range 0.5-7 g/dL; did you mean 31 g/L?"));
}

TEST(VisitColumnsParse, UnitsInsideCellsAreRefused) {
  // The column name carries the unit; a cell that repeats it is not a number.
  EXPECT_THAT(ParseRow(kRequired, RowWith("bilirubin_mg_dl", "2.7 mg/dL")),
              HasErrorMessage(HasSubstr("column bilirubin_mg_dl, value \"2.7 mg/dL\": expected a number")));
  EXPECT_THAT(ParseRow(kRequired, RowWith("inr", "1.5 ratio")),
              HasErrorMessage(HasSubstr("column inr, value \"1.5 ratio\": expected a number in INR")));
}

TEST(VisitColumnsParse, CategoricalErrorsNameTheColumn) {
  EXPECT_THAT(ParseRow(kRequired, RowWith("sex", "1"), 4),
              HasErrorMessage("visits.csv:4: column sex, value \"1\": sex \"1\" is not recognised; expected male "
                              "or female (M/F)"));
  EXPECT_THAT(ParseRow(kRequired, RowWith("ascites", "2")),
              HasErrorMessage(HasSubstr("column ascites, value \"2\": ascites \"2\" is not recognised")));
  EXPECT_THAT(ParseRow(kRequired, RowWith("encephalopathy", "5")),
              HasErrorMessage(HasSubstr("column encephalopathy, value \"5\"")));
  EXPECT_THAT(ParseRow(kRequired, RowWith("dialysis", "-1")),
              HasErrorMessage(HasSubstr("column dialysis, value \"-1\"")));
  EXPECT_THAT(ParseRow(kRequired, RowWith("age_years", "130")),
              HasErrorMessage(HasSubstr("column age_years, value \"130\": age 130 years is outside")));
}

TEST(VisitColumnsParse, OptionalColumnErrorsNameTheColumn) {
  const std::vector<std::string> header = Plus(kRequired, {"aetiology", "pt_prolonged_s", "ast_uln_u_l"});
  EXPECT_THAT(ParseRow(header, Plus(kRow, {"wilson", "4", "40"})),
              HasErrorMessage(HasSubstr("column aetiology, value \"wilson\"")));
  EXPECT_THAT(ParseRow(header, Plus(kRow, {"HBV", "200", "40"})),
              HasErrorMessage(HasSubstr("column pt_prolonged_s, value \"200\"")));
  EXPECT_THAT(ParseRow(header, Plus(kRow, {"HBV", "4", "x"})),
              HasErrorMessage(HasSubstr("column ast_uln_u_l, value \"x\": expected a number in U/L")));
}

TEST(VisitColumnsParse, WrongFieldCountIsAnError) {
  std::vector<std::string> short_row = kRow;
  short_row.pop_back();
  EXPECT_THAT(ParseRow(kRequired, short_row, 4), HasErrorMessage("visits.csv:4: 12 fields, but the header has 13"));
  EXPECT_THAT(ParseRow(kRequired, Plus(kRow, {"extra"}), 5),
              HasErrorMessage("visits.csv:5: 14 fields, but the header has 13"));
  EXPECT_THAT(ParseRow(kRequired, {}, 6), HasErrorCode(ErrorCode::kInvalidArgument));
}

TEST(VisitColumnsParse, NotANumberIsNotMissing) {
  // "NaN" is not one of the missing spellings, and it is not a number either.
  EXPECT_THAT(ParseRow(kRequired, RowWith("inr", "NaN")), HasErrorMessage(HasSubstr("column inr, value \"NaN\"")));
}

// ---- IsMissingValue -------------------------------------------------------------

TEST(IsMissingValue, RecognisesTheExportSpellings) {
  for (const std::string_view text : {"", " ", "   ", "NA", "na", "Na", "N/A", "n/a", "null", "NULL", "Null", " NA "}) {
    EXPECT_TRUE(IsMissingValue(text)) << "\"" << text << "\"";
  }
}

TEST(IsMissingValue, EverythingElseIsAValue) {
  for (const std::string_view text : {"0", "none", "no", "NaN", "-", ".", "missing", "N.A.", "nulls", "NA1"}) {
    EXPECT_FALSE(IsMissingValue(text)) << "\"" << text << "\"";
  }
}

}  // namespace
}  // namespace cirrus::io
