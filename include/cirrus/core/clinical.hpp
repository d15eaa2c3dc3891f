// cirrus/core/clinical.hpp: the categorical facts a hepatologist records at a
// visit (sex, ascites, hepatic encephalopathy, dialysis, aetiology), and their
// parsing from the words sites actually use.
//
// Example:
//   auto ascites = cirrus::core::ParseAscites("slight");   // Ascites::kMild
//   auto he = cirrus::core::ParseEncephalopathy("3");      // West Haven 3 -> kGrade3To4
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "cirrus/base/result.hpp"
#include "cirrus/core/units.hpp"

namespace cirrus::core {

/// Sex as recorded for score equations (MELD 3.0 has a female term).
enum class Sex { kMale, kFemale };

/// Ascites as graded for Child-Pugh (Pugh 1973): none, slight (mild, or
/// controlled with diuretics), moderate-severe (despite diuretics).
enum class Ascites { kNone, kMild, kModerateSevere };

/// Hepatic encephalopathy as graded for Child-Pugh. West Haven grade 0 is
/// kNone, grades 1-2 kGrade1To2, grades 3-4 kGrade3To4.
enum class Encephalopathy { kNone, kGrade1To2, kGrade3To4 };

/// Renal replacement as the MELD rules define it: kDialysis means at least two
/// dialysis treatments, or 24 hours of CVVHD, within the week before the
/// creatinine was drawn (OPTN Policy 9.1.D).
enum class Dialysis { kNone, kDialysis };

/// Cause of the liver disease. A patient may have more than one.
enum class Aetiology : std::uint8_t {
  kHbv,
  kHcv,
  kHdv,
  kAlcohol,
  kMasld,
  kAutoimmune,
  kPbc,
  kPsc,
  kHaemochromatosis,
  kOther,
};

/// A set of aetiologies (a bit per Aetiology).
class AetiologySet {
 public:
  constexpr AetiologySet() = default;
  constexpr void Add(Aetiology a) { bits_ = static_cast<std::uint16_t>(bits_ | Bit(a)); }
  [[nodiscard]] constexpr bool Contains(Aetiology a) const { return (bits_ & Bit(a)) != 0; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  /// True when PBC or PSC is present: Child-Pugh then uses the cholestatic bilirubin cut-offs.
  [[nodiscard]] constexpr bool IsCholestatic() const { return Contains(Aetiology::kPbc) || Contains(Aetiology::kPsc); }
  friend constexpr bool operator==(AetiologySet, AetiologySet) = default;

 private:
  static constexpr std::uint16_t Bit(Aetiology a) { return static_cast<std::uint16_t>(1U << static_cast<unsigned>(a)); }
  std::uint16_t bits_ = 0;
};

/// Accepts male/m/man and female/f/woman, any case. Errors: kInvalidArgument.
Result<Sex> ParseSex(std::string_view text);

/// Accepts none/no/absent, mild/slight/controlled, moderate/severe/
/// moderate-severe/tense, and International Ascites Club grades 1-3, any case.
/// Errors: kInvalidArgument.
Result<Ascites> ParseAscites(std::string_view text);

/// Accepts none/no/absent, grade1-2 ("1-2", "grade 1-2"), grade3-4, or a West
/// Haven grade 0-4. Errors: kInvalidArgument.
Result<Encephalopathy> ParseEncephalopathy(std::string_view text);

/// Maps a West Haven grade (0-4) to the Child-Pugh category. Errors:
/// kOutOfRange for grades outside 0-4.
Result<Encephalopathy> EncephalopathyFromWestHaven(int grade);

/// Accepts 0/1, no/yes, false/true, n/y. Errors: kInvalidArgument.
Result<Dialysis> ParseDialysis(std::string_view text);

/// Accepts one aetiology (hbv, hcv, hdv, alcohol, masld, autoimmune, pbc,
/// psc, haemochromatosis, other, and common synonyms such as nafld, ald, cryptogenic,
/// aih, hemochromatosis). Errors: kInvalidArgument.
Result<Aetiology> ParseAetiology(std::string_view text);

/// Accepts several aetiologies separated by ';' or '+' ("HBV;alcohol").
Result<AetiologySet> ParseAetiologies(std::string_view text);

/// Parses an age in years (decimals allowed) and checks it lies in 0-120.
/// Errors: kInvalidArgument.
Result<double> ParseAgeYears(std::string_view text);

/// Parses prothrombin time prolonged over the lab's control, in seconds
/// (Pugh's Child-Pugh row), and checks it lies in -10 to 150 s.
/// Errors: kInvalidArgument.
Result<double> ParsePtProlongedSeconds(std::string_view text);

std::string_view Name(Sex sex);               ///< "male", "female"
std::string_view Name(Ascites ascites);       ///< "none", "mild", "moderate-severe"
std::string_view Name(Encephalopathy grade);  ///< "none", "grade1-2", "grade3-4"
std::string_view Name(Dialysis dialysis);     ///< "no", "yes"
std::string_view Name(Aetiology aetiology);   ///< "HBV", "alcohol", "PBC", ...

}  // namespace cirrus::core
