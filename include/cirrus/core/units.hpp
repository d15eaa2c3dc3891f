// cirrus/core/units.hpp: laboratory analytes, their UCUM units, conversion to
// the canonical unit, and plausibility ranges that catch unit confusion.
//
// Every value enters cirrus through ParseLabValue (or ToCanonical when the
// unit is known from a column name), is converted to the analyte's canonical
// unit once, and is never re-parsed downstream.
//
// Example:
//   auto albumin = cirrus::core::ParseLabValue(Analyte::kAlbumin, "31 g/L");
//   // *albumin == 3.1 (g/dL, the canonical unit)
//   auto wrong = cirrus::core::ParseLabValue(Analyte::kAlbumin, "31 g/dL");
//   // wrong.error().message ==
//   //   "albumin 31 g/dL is outside the plausible range 0.5-7 g/dL; did you mean 31 g/L?"
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "cirrus/base/result.hpp"

namespace cirrus::core {

/// The laboratory quantities cirrus understands. kAstUpperLimitOfNormal is the
/// lab's reference limit for AST, carried with each AST result because APRI
/// depends on it.
enum class Analyte {
  kBilirubin,
  kAlbumin,
  kCreatinine,
  kSodium,
  kPlatelets,
  kAst,
  kAstUpperLimitOfNormal,
  kAlt,
  kInr,
  kProthrombinTime,
  kProthrombinActivity,
  kCholinesterase,
  kAfp,
};

/// All analytes, in declaration order.
std::span<const Analyte> AllAnalytes();

/// One accepted unit of an analyte: canonical = value * multiply_by / divide_by.
/// The factor is kept as a fraction so that published divisors (bilirubin
/// umol/L / 17.1) are applied exactly as published, not as a rounded reciprocal.
struct UnitInfo {
  std::string_view ucum;     ///< UCUM code, e.g. "umol/L", "10*9/L", "[IU]/mL"
  std::string_view display;  ///< how people write it, e.g. "umol/L", "10^9/L", "IU/mL"
  double multiply_by;
  double divide_by;
  std::span<const std::string_view> aliases;  ///< other spellings accepted on input (lower case, u for micro)

  [[nodiscard]] double ToCanonical(double value) const { return value * multiply_by / divide_by; }
  [[nodiscard]] double FromCanonical(double value) const { return value * divide_by / multiply_by; }
};

/// What cirrus knows about an analyte.
struct AnalyteInfo {
  Analyte analyte;
  std::string_view name;            ///< short name used in flags and messages: "bilirubin"
  std::string_view loinc;           ///< LOINC code of the canonical measurement ("" when none)
  std::span<const UnitInfo> units;  ///< units[0] is the canonical unit
  double plausible_min;             ///< canonical unit; values outside are refused as likely unit confusion
  double plausible_max;             ///< canonical unit
};

/// Static facts about `analyte`.
const AnalyteInfo& Info(Analyte analyte);

/// The canonical unit of `analyte` (units[0]).
const UnitInfo& CanonicalUnit(Analyte analyte);

/// Finds a unit of `analyte` by UCUM code or alias, ignoring case and the
/// micro sign's spelling (u, µ, μ). Errors: kInvalidArgument naming the units
/// that are accepted.
Result<const UnitInfo*> FindUnit(Analyte analyte, std::string_view unit_text);

/// A number with its unit as entered, before conversion.
struct Quantity {
  double value = 0;
  const UnitInfo* unit = nullptr;
};

/// Parses "46 umol/L", "46umol/L" or a bare "46" (which means the canonical
/// unit). Errors: kInvalidArgument for an unparsable number or unknown unit.
Result<Quantity> ParseQuantity(Analyte analyte, std::string_view text);

/// Converts to the canonical unit and checks plausibility. When the value is
/// implausible in its unit but plausible in another unit of the analyte, the
/// message asks "did you mean ...?". Errors: kInvalidArgument.
Result<double> ToCanonical(Analyte analyte, Quantity quantity);

/// ParseQuantity followed by ToCanonical: the one call for text input.
Result<double> ParseLabValue(Analyte analyte, std::string_view text);

/// Converts `value` between two units of `analyte`, with no plausibility check.
/// Errors: kInvalidArgument if either unit is unknown.
Result<double> Convert(Analyte analyte, double value, std::string_view from_unit, std::string_view to_unit);

/// Removes the floating-point residue that unit factors leave behind
/// (51.3 / 17.1 == 2.9999999999999996) by rounding to 14 significant digits,
/// far below any lab's reporting precision, so that a value entered exactly on
/// a cut-off in one unit stays on it in another. 14 digits, not fewer, so that
/// a Convert round trip returns the original to 1e-13 relative (12 digits
/// turned 0.3 ng/mL AFP into 0.300000000001 via IU/mL); a residue of a few
/// ulp (about 1e-15 relative) is still far below the rounding step.
double RoundConversionResidue(double value);

/// Parses a decimal number ("3.5", "-2", "1e3"); the whole text must be the
/// number, apart from surrounding spaces. Errors: kInvalidArgument.
Result<double> ParseNumber(std::string_view text);

/// Formats a number for messages: shortest form, no trailing zeros ("0.5", "7", "1250").
std::string FormatNumber(double value);

}  // namespace cirrus::core
