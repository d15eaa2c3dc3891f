#include "cirrus/core/clinical.hpp"

#include <array>
#include <string>

#include "internal/lookup.hpp"

namespace cirrus::core {
namespace {

using internal::Folded;
using internal::Lookup;
using internal::Spelling;

using std::string_view_literals::operator""sv;

// No numeric codes for sex or ascites: 0/1/2 mean different things in
// different exports (and 1-3 are Child-Pugh points), so guessing would be unsafe.
constexpr std::array<Spelling<Sex, 3>, 2> kSexSpellings = {{
    {Sex::kMale, {"male"sv, "m"sv, "man"sv}},
    {Sex::kFemale, {"female"sv, "f"sv, "woman"sv}},
}};

constexpr std::array<Spelling<Ascites, 7>, 3> kAscitesSpellings = {{
    {Ascites::kNone, {"none"sv, "no"sv, "absent"sv, "nil"sv, ""sv, ""sv, ""sv}},
    // International Ascites Club grade 1 is mild; grades 2-3 are moderate and severe.
    {Ascites::kMild, {"mild"sv, "slight"sv, "controlled"sv, "grade1"sv, ""sv, ""sv, ""sv}},
    {Ascites::kModerateSevere,
     {"moderatesevere"sv, "moderate"sv, "severe"sv, "moderatetosevere"sv, "tense"sv, "grade2"sv, "grade3"sv}},
}};

constexpr std::array<Spelling<Encephalopathy, 8>, 3> kEncephalopathySpellings = {{
    {Encephalopathy::kNone, {"none"sv, "no"sv, "absent"sv, "0"sv, "grade0"sv, "nil"sv, ""sv, ""sv}},
    {Encephalopathy::kGrade1To2, {"grade12"sv, "12"sv, "1"sv, "2"sv, "grade1"sv, "grade2"sv, "mild"sv, "controlled"sv}},
    {Encephalopathy::kGrade3To4,
     {"grade34"sv, "34"sv, "3"sv, "4"sv, "grade3"sv, "grade4"sv, "severe"sv, "refractory"sv}},
}};

constexpr std::array<Spelling<Dialysis, 4>, 2> kDialysisSpellings = {{
    {Dialysis::kNone, {"0"sv, "no"sv, "false"sv, "n"sv}},
    {Dialysis::kDialysis, {"1"sv, "yes"sv, "true"sv, "y"sv}},
}};

constexpr std::array<Spelling<Aetiology, 5>, 10> kAetiologySpellings = {{
    {Aetiology::kHbv, {"hbv"sv, "hepatitisb"sv, ""sv, ""sv, ""sv}},
    {Aetiology::kHcv, {"hcv"sv, "hepatitisc"sv, ""sv, ""sv, ""sv}},
    {Aetiology::kHdv, {"hdv"sv, "hepatitisd"sv, ""sv, ""sv, ""sv}},
    {Aetiology::kAlcohol, {"alcohol"sv, "alcoholic"sv, "ald"sv, "alcd"sv, "arld"sv}},
    {Aetiology::kMasld, {"masld"sv, "mash"sv, "nafld"sv, "nash"sv, "mafld"sv}},
    {Aetiology::kAutoimmune, {"autoimmune"sv, "aih"sv, "autoimmunehepatitis"sv, ""sv, ""sv}},
    {Aetiology::kPbc, {"pbc"sv, "primarybiliarycholangitis"sv, "primarybiliarycirrhosis"sv, ""sv, ""sv}},
    {Aetiology::kPsc, {"psc"sv, "primarysclerosingcholangitis"sv, ""sv, ""sv, ""sv}},
    {Aetiology::kHaemochromatosis, {"haemochromatosis"sv, "hemochromatosis"sv, ""sv, ""sv, ""sv}},
    {Aetiology::kOther, {"other"sv, "cryptogenic"sv, ""sv, ""sv, ""sv}},
}};

}  // namespace

Result<Sex> ParseSex(std::string_view text) { return Lookup<Sex>(text, kSexSpellings, "sex", "male or female (M/F)"); }

Result<Ascites> ParseAscites(std::string_view text) {
  return Lookup<Ascites>(text, kAscitesSpellings, "ascites", "none, mild (slight) or moderate-severe");
}

Result<Encephalopathy> ParseEncephalopathy(std::string_view text) {
  // "1-2" folds to "12", so a bare "12" must be refused here rather than read as grade 1-2.
  const Folded folded_text(text);
  const std::string_view folded = folded_text.view();
  if (folded.size() > 1 && folded.find_first_not_of("0123456789") == std::string_view::npos &&
      text.find('-') == std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                "encephalopathy \"" + std::string(text) +
                    "\" is not recognised; expected none, grade1-2, grade3-4, or a West Haven grade 0-4",
                "encephalopathy");
  }
  return Lookup<Encephalopathy>(text, kEncephalopathySpellings, "encephalopathy",
                                "none, grade1-2, grade3-4, or a West Haven grade 0-4");
}

Result<Encephalopathy> EncephalopathyFromWestHaven(int grade) {
  if (grade == 0) return Encephalopathy::kNone;
  if (grade == 1 || grade == 2) return Encephalopathy::kGrade1To2;
  if (grade == 3 || grade == 4) return Encephalopathy::kGrade3To4;
  return Fail(ErrorCode::kOutOfRange, "West Haven grade " + std::to_string(grade) + " is outside 0-4",
              "encephalopathy");
}

Result<Dialysis> ParseDialysis(std::string_view text) {
  return Lookup<Dialysis>(text, kDialysisSpellings, "dialysis", "0 or 1 (no or yes)");
}

Result<Aetiology> ParseAetiology(std::string_view text) {
  return Lookup<Aetiology>(text, kAetiologySpellings, "aetiology",
                           "HBV, HCV, HDV, alcohol, MASLD, autoimmune, PBC, PSC, haemochromatosis or other");
}

Result<AetiologySet> ParseAetiologies(std::string_view text) {
  AetiologySet set;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find_first_of(";+", start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(start, end - start);
    if (Folded(part).view().empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  "aetiology \"" + std::string(text) + "\" has an empty entry; separate several with ';'", "aetiology");
    }
    CIRRUS_ASSIGN_OR_RETURN(const Aetiology one, ParseAetiology(part));
    set.Add(one);
    start = end + 1;
  }
  return set;
}

namespace {
Result<double> ParseBounded(std::string_view text, std::string_view what, std::string_view unit, double low,
                            double high) {
  auto number = ParseNumber(text);
  if (!number) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) + " \"" + std::string(text) + "\" is not a number of " + std::string(unit),
                std::string(what));
  }
  if (*number < low || *number > high) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(what) + " " + FormatNumber(*number) + " " + std::string(unit) +
                    " is outside the plausible range " + FormatNumber(low) + " to " + FormatNumber(high) + " " +
                    std::string(unit),
                std::string(what));
  }
  return *number;
}
}  // namespace

Result<double> ParseAgeYears(std::string_view text) { return ParseBounded(text, "age", "years", 0, 120); }

Result<double> ParsePtProlongedSeconds(std::string_view text) {
  return ParseBounded(text, "PT prolonged", "s", -10, 150);
}

std::string_view Name(Sex sex) { return sex == Sex::kMale ? "male" : "female"; }

std::string_view Name(Ascites ascites) {
  switch (ascites) {
    case Ascites::kNone: return "none";
    case Ascites::kMild: return "mild";
    case Ascites::kModerateSevere: return "moderate-severe";
  }
  return "?";
}

std::string_view Name(Encephalopathy grade) {
  switch (grade) {
    case Encephalopathy::kNone: return "none";
    case Encephalopathy::kGrade1To2: return "grade1-2";
    case Encephalopathy::kGrade3To4: return "grade3-4";
  }
  return "?";
}

std::string_view Name(Dialysis dialysis) { return dialysis == Dialysis::kDialysis ? "yes" : "no"; }

std::string_view Name(Aetiology aetiology) {
  switch (aetiology) {
    case Aetiology::kHbv: return "HBV";
    case Aetiology::kHcv: return "HCV";
    case Aetiology::kHdv: return "HDV";
    case Aetiology::kAlcohol: return "alcohol";
    case Aetiology::kMasld: return "MASLD";
    case Aetiology::kAutoimmune: return "autoimmune";
    case Aetiology::kPbc: return "PBC";
    case Aetiology::kPsc: return "PSC";
    case Aetiology::kHaemochromatosis: return "haemochromatosis";
    case Aetiology::kOther: return "other";
  }
  return "?";
}

}  // namespace cirrus::core
