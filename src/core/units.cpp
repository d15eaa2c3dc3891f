#include "cirrus/core/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include "cirrus/base/text.hpp"

namespace cirrus::core {
namespace {

using std::string_view_literals::operator""sv;

// Aliases are written normalised (see NormaliseUnit): lower case, no spaces,
// "u" for the micro sign.
constexpr std::array kMgDlAliases = {"mg/dl"sv, "mg/100ml"sv, "mg%"sv};
constexpr std::array kUmolLAliases = {"umol/l"sv, "micromol/l"sv};
constexpr std::array kGDlAliases = {"g/dl"sv, "g/100ml"sv};
constexpr std::array kGLAliases = {"g/l"sv};
constexpr std::array kMmolLAliases = {"mmol/l"sv};
constexpr std::array kMeqLAliases = {"meq/l"sv};
constexpr std::array k10e9LAliases = {"10*9/l"sv, "10^9/l"sv, "x10^9/l"sv, "x10*9/l"sv, "10e9/l"sv, "g/l"sv};
constexpr std::array k10e3UlAliases = {"10*3/ul"sv, "10^3/ul"sv, "x10^3/ul"sv, "x10*3/ul"sv,
                                       "10e3/ul"sv, "k/ul"sv,    "10*3/mm3"sv, "10^3/mm3"sv};
constexpr std::array kPerUlAliases = {"/ul"sv, "1/ul"sv, "/mm3"sv, "cells/ul"sv};
constexpr std::array kUnitsLAliases = {"u/l"sv, "iu/l"sv};
constexpr std::array kKUnitsLAliases = {"ku/l"sv, "kiu/l"sv};
constexpr std::array kUkatLAliases = {"ukat/l"sv};
constexpr std::array kInrAliases = {"{inr}"sv, "inr"sv, "1"sv, "ratio"sv};
constexpr std::array kSecondsAliases = {"s"sv, "sec"sv, "secs"sv, "second"sv, "seconds"sv};
constexpr std::array kPercentAliases = {"%"sv};
constexpr std::array kNgMlAliases = {"ng/ml"sv, "ug/l"sv};
constexpr std::array kIuMlAliases = {"[iu]/ml"sv, "iu/ml"sv, "kiu/l"sv, "[iu]/l"sv};

// Bilirubin 17.1 and creatinine 88.4 umol/L per mg/dL are the factors of
// docs/scores.md section 8 (molar masses 584.66 and 113.12 g/mol, rounded as
// every published score table rounds them). 1 ukat/L = 60 U/L by definition
// (1 U = 1 umol/min). AFP: 1 IU/mL = 1.21 ng/mL (WHO standard 72/225).
constexpr std::array kBilirubinUnits = {
    UnitInfo{"mg/dL", "mg/dL", 1.0, 1.0, kMgDlAliases},
    UnitInfo{"umol/L", "umol/L", 1.0, 17.1, kUmolLAliases},
};
constexpr std::array kAlbuminUnits = {
    UnitInfo{"g/dL", "g/dL", 1.0, 1.0, kGDlAliases},
    UnitInfo{"g/L", "g/L", 1.0, 10.0, kGLAliases},
};
constexpr std::array kCreatinineUnits = {
    UnitInfo{"mg/dL", "mg/dL", 1.0, 1.0, kMgDlAliases},
    UnitInfo{"umol/L", "umol/L", 1.0, 88.4, kUmolLAliases},
};
constexpr std::array kSodiumUnits = {
    UnitInfo{"mmol/L", "mmol/L", 1.0, 1.0, kMmolLAliases},
    UnitInfo{"meq/L", "mEq/L", 1.0, 1.0, kMeqLAliases},
};
constexpr std::array kPlateletUnits = {
    UnitInfo{"10*9/L", "10^9/L", 1.0, 1.0, k10e9LAliases},
    UnitInfo{"10*3/uL", "10^3/uL", 1.0, 1.0, k10e3UlAliases},
    UnitInfo{"/uL", "/uL", 1.0, 1000.0, kPerUlAliases},
};
constexpr std::array kEnzymeUnits = {
    UnitInfo{"U/L", "U/L", 1.0, 1.0, kUnitsLAliases},
    UnitInfo{"ukat/L", "ukat/L", 60.0, 1.0, kUkatLAliases},
};
constexpr std::array kCholinesteraseUnits = {
    UnitInfo{"U/L", "U/L", 1.0, 1.0, kUnitsLAliases},
    UnitInfo{"kU/L", "kU/L", 1000.0, 1.0, kKUnitsLAliases},
    UnitInfo{"ukat/L", "ukat/L", 60.0, 1.0, kUkatLAliases},
};
constexpr std::array kInrUnits = {UnitInfo{"{INR}", "", 1.0, 1.0, kInrAliases}};
constexpr std::array kSecondsUnits = {UnitInfo{"s", "s", 1.0, 1.0, kSecondsAliases}};
constexpr std::array kPercentUnits = {UnitInfo{"%", "%", 1.0, 1.0, kPercentAliases}};
constexpr std::array kAfpUnits = {
    UnitInfo{"ng/mL", "ng/mL", 1.0, 1.0, kNgMlAliases},
    UnitInfo{"[IU]/mL", "IU/mL", 1.21, 1.0, kIuMlAliases},
};

// Plausibility ranges are deliberately wide: they bound what a living patient
// can have (docs/units.md gives the reasoning for each), so that only unit
// confusion and typing errors fall outside, never a sick patient.
constexpr std::array kAnalytes = {
    AnalyteInfo{Analyte::kBilirubin, "bilirubin", "1975-2", kBilirubinUnits, 0.05, 75.0},
    AnalyteInfo{Analyte::kAlbumin, "albumin", "1751-7", kAlbuminUnits, 0.5, 7.0},
    AnalyteInfo{Analyte::kCreatinine, "creatinine", "2160-0", kCreatinineUnits, 0.1, 25.0},
    AnalyteInfo{Analyte::kSodium, "sodium", "2951-2", kSodiumUnits, 100.0, 180.0},
    AnalyteInfo{Analyte::kPlatelets, "platelets", "777-3", kPlateletUnits, 1.0, 2000.0},
    AnalyteInfo{Analyte::kAst, "AST", "1920-8", kEnzymeUnits, 1.0, 20000.0},
    AnalyteInfo{Analyte::kAstUpperLimitOfNormal, "AST upper limit of normal", "", kEnzymeUnits, 10.0, 200.0},
    AnalyteInfo{Analyte::kAlt, "ALT", "1742-6", kEnzymeUnits, 1.0, 20000.0},
    AnalyteInfo{Analyte::kInr, "INR", "6301-6", kInrUnits, 0.5, 20.0},
    AnalyteInfo{Analyte::kProthrombinTime, "prothrombin time", "5902-2", kSecondsUnits, 5.0, 200.0},
    AnalyteInfo{Analyte::kProthrombinActivity, "prothrombin activity", "5894-1", kPercentUnits, 1.0, 200.0},
    AnalyteInfo{Analyte::kCholinesterase, "cholinesterase", "2098-2", kCholinesteraseUnits, 100.0, 25000.0},
    AnalyteInfo{Analyte::kAfp, "AFP", "1834-1", kAfpUnits, 0.0, 5.0e6},
};

constexpr std::array kAllAnalytes = {
    Analyte::kBilirubin,
    Analyte::kAlbumin,
    Analyte::kCreatinine,
    Analyte::kSodium,
    Analyte::kPlatelets,
    Analyte::kAst,
    Analyte::kAstUpperLimitOfNormal,
    Analyte::kAlt,
    Analyte::kInr,
    Analyte::kProthrombinTime,
    Analyte::kProthrombinActivity,
    Analyte::kCholinesterase,
    Analyte::kAfp,
};

// Lower case, no spaces, and both micro signs (U+00B5, U+03BC) spelled "u".
std::string NormaliseUnit(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == ' ' || c == '\t') continue;
    if (i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if ((c == 0xC2 && next == 0xB5) || (c == 0xCE && next == 0xBC)) {
        out.push_back('u');
        ++i;
        continue;
      }
    }
    out.push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c));
  }
  return out;
}

std::string AcceptedUnits(const AnalyteInfo& info) {
  std::string list;
  for (const UnitInfo& unit : info.units) {
    if (unit.display.empty()) continue;
    if (!list.empty()) list += ", ";
    list += unit.display;
  }
  return list.empty() ? "no unit" : list;
}

std::string WithUnit(double value, const UnitInfo& unit) {
  std::string text = FormatNumber(value);
  if (!unit.display.empty()) {
    text += ' ';
    text += unit.display;
  }
  return text;
}

}  // namespace

std::span<const Analyte> AllAnalytes() { return kAllAnalytes; }

const AnalyteInfo& Info(Analyte analyte) {
  // kAnalytes is in enum order; the test AnalyteTable.IsInEnumOrder pins that.
  return kAnalytes[static_cast<std::size_t>(analyte)];
}

const UnitInfo& CanonicalUnit(Analyte analyte) { return Info(analyte).units[0]; }

Result<const UnitInfo*> FindUnit(Analyte analyte, std::string_view unit_text) {
  const AnalyteInfo& info = Info(analyte);
  const std::string wanted = NormaliseUnit(unit_text);
  for (const UnitInfo& unit : info.units) {
    if (NormaliseUnit(unit.ucum) == wanted) return &unit;
    for (std::string_view alias : unit.aliases) {
      if (alias == wanted) return &unit;
    }
  }
  return Fail(ErrorCode::kInvalidArgument,
              "unknown unit \"" + std::string(unit_text) + "\" for " + std::string(info.name) + "; expected " +
                  AcceptedUnits(info),
              std::string(info.name));
}

Result<double> ParseNumber(std::string_view text) {
  const std::string_view trimmed = TrimBlanks(text);
  std::string_view digits = trimmed;
  // from_chars refuses a leading '+', which people do write; accept exactly one.
  if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-' && digits[1] != '+') digits.remove_prefix(1);
  double value = 0;
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return Fail(ErrorCode::kInvalidArgument, "\"" + std::string(text) + "\" is not a number");
  }
  return value;
}

std::string FormatNumber(double value) { return ShortestText(value); }

double RoundConversionResidue(double value) {
  if (value == 0 || !std::isfinite(value)) return value;
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const double scale = std::pow(10.0, 13 - magnitude);
  // Below about 1e-294 the scale overflows to infinity (and inf / inf is NaN);
  // no lab reports such a value, so it is left as it is.
  if (!std::isfinite(scale)) return value;
  return std::round(value * scale) / scale;
}

Result<Quantity> ParseQuantity(Analyte analyte, std::string_view text) {
  const AnalyteInfo& info = Info(analyte);
  const std::string_view trimmed = TrimBlanks(text);
  // The number ends where the unit starts: the first character that cannot
  // continue a decimal number. "1e3" is a number; "10^9/L" after a space is a unit.
  std::size_t split = 0;
  while (split < trimmed.size()) {
    const char c = trimmed[split];
    const bool numeric = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' ||
                         ((c == 'e' || c == 'E') && split > 0 && split + 1 < trimmed.size() &&
                          (trimmed[split + 1] == '-' || trimmed[split + 1] == '+' ||
                           (trimmed[split + 1] >= '0' && trimmed[split + 1] <= '9')));
    if (!numeric) break;
    ++split;
  }
  const std::string_view number_text = trimmed.substr(0, split);
  const std::string_view unit_text = TrimBlanks(trimmed.substr(split));
  auto number = ParseNumber(number_text);
  if (!number) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(info.name) + " \"" + std::string(text) +
                    "\" is not a number; expected a number optionally followed by a unit (" + AcceptedUnits(info) + ")",
                std::string(info.name));
  }
  if (unit_text.empty()) return Quantity{*number, &info.units[0]};
  CIRRUS_ASSIGN_OR_RETURN(const UnitInfo* unit, FindUnit(analyte, unit_text));
  return Quantity{*number, unit};
}

Result<double> ToCanonical(Analyte analyte, Quantity quantity) {
  const AnalyteInfo& info = Info(analyte);
  const UnitInfo& unit = quantity.unit != nullptr ? *quantity.unit : info.units[0];
  double canonical = unit.ToCanonical(quantity.value);
  if (unit.multiply_by != 1.0 || unit.divide_by != 1.0) canonical = RoundConversionResidue(canonical);
  if (canonical >= info.plausible_min && canonical <= info.plausible_max) return canonical;

  std::string message = std::string(info.name) + " " + WithUnit(quantity.value, unit) +
                        " is outside the plausible range " +
                        FormatNumber(RoundConversionResidue(unit.FromCanonical(info.plausible_min))) + "-" +
                        WithUnit(RoundConversionResidue(unit.FromCanonical(info.plausible_max)), unit);
  std::string suggestions;
  for (const UnitInfo& other : info.units) {
    if (&other == &unit) continue;
    const double candidate = other.ToCanonical(quantity.value);
    if (candidate >= info.plausible_min && candidate <= info.plausible_max) {
      if (!suggestions.empty()) suggestions += " or ";
      suggestions += WithUnit(quantity.value, other);
    }
  }
  if (!suggestions.empty()) message += "; did you mean " + suggestions + "?";
  return Fail(ErrorCode::kInvalidArgument, std::move(message), std::string(info.name));
}

Result<double> ParseLabValue(Analyte analyte, std::string_view text) {
  CIRRUS_ASSIGN_OR_RETURN(const Quantity quantity, ParseQuantity(analyte, text));
  return ToCanonical(analyte, quantity);
}

Result<double> Convert(Analyte analyte, double value, std::string_view from_unit, std::string_view to_unit) {
  CIRRUS_ASSIGN_OR_RETURN(const UnitInfo* from, FindUnit(analyte, from_unit));
  CIRRUS_ASSIGN_OR_RETURN(const UnitInfo* to, FindUnit(analyte, to_unit));
  if (from == to) return value;
  return RoundConversionResidue(to->FromCanonical(from->ToCanonical(value)));
}

}  // namespace cirrus::core
