// cirrus/core/snapshot.hpp: what is known about a patient at one point in
// time, in canonical units: the input of every liver score.
//
// Every field is optional because real visits are incomplete; a score that
// needs a missing field reports it instead of assuming a value.
//
// Example:
//   cirrus::core::ClinicalSnapshot s;
//   s.bilirubin_mg_dl = 2.7;
//   s.albumin_g_dl = 3.1;
//   s.ascites = cirrus::core::Ascites::kMild;
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "cirrus/core/clinical.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/core/units.hpp"

namespace cirrus::core {

/// A patient's state at one visit. Lab values are in the canonical units of
/// core/units.hpp (the field names say which).
struct ClinicalSnapshot {
  std::optional<Sex> sex;
  std::optional<double> age_years;
  AetiologySet aetiologies;
  std::optional<Ascites> ascites;
  std::optional<Encephalopathy> encephalopathy;
  std::optional<Dialysis> dialysis;
  std::optional<double> bilirubin_mg_dl;
  std::optional<double> albumin_g_dl;
  std::optional<double> inr;
  std::optional<double> pt_prolonged_s;  ///< prothrombin time minus the lab's control, seconds
  std::optional<double> creatinine_mg_dl;
  std::optional<double> sodium_mmol_l;
  std::optional<double> platelets_10e9_l;
  std::optional<double> ast_u_l;
  std::optional<double> ast_uln_u_l;  ///< the lab's upper limit of normal for AST
  std::optional<double> alt_u_l;
};

/// The age in years at `date` from the birth year (all the registry records),
/// known to within a year. MELD 3.0 treats ages 12-17 differently; near those
/// edges the age is left unknown rather than guessed (the panel then notes the
/// adult equation).
std::optional<double> AgeFromBirthYear(std::optional<int> birth_year, Date date);

/// Puts a lab value (canonical unit) in its snapshot field. PT, PT activity,
/// cholinesterase and AFP enter no score and are left out.
void SetLab(ClinicalSnapshot& snapshot, Analyte analyte, double value);

/// Puts what an assessment recorded in the snapshot; absent values leave the
/// field as it is.
void SetAssessment(ClinicalSnapshot& snapshot, std::optional<Ascites> ascites,
                   std::optional<Encephalopathy> encephalopathy, std::optional<Dialysis> dialysis);

/// The snapshot fields a score may need, for naming what is missing.
enum class SnapshotField : std::uint8_t {
  kSex,
  kAge,
  kBilirubin,
  kAlbumin,
  kInr,
  kCreatinine,
  kSodium,
  kDialysis,
  kAscites,
  kEncephalopathy,
  kPlatelets,
  kAst,
  kAlt,
};
inline constexpr int kSnapshotFieldCount = 13;

/// Name used in flags, columns and messages: "bilirubin", "inr", "age", ...
std::string_view Name(SnapshotField field);

/// A set of snapshot fields (a bit per field), e.g. those a score lacks.
class FieldSet {
 public:
  constexpr FieldSet() = default;
  constexpr void Add(SnapshotField f) { bits_ |= Bit(f); }
  constexpr void Add(FieldSet other) { bits_ |= other.bits_; }
  [[nodiscard]] constexpr bool Contains(SnapshotField f) const { return (bits_ & Bit(f)) != 0; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  friend constexpr bool operator==(FieldSet, FieldSet) = default;

  /// Calls fn(field) for each member, in SnapshotField order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (int i = 0; i < kSnapshotFieldCount; ++i) {
      const auto f = static_cast<SnapshotField>(i);
      if (Contains(f)) fn(f);
    }
  }

 private:
  static constexpr std::uint32_t Bit(SnapshotField f) { return 1U << static_cast<unsigned>(f); }
  std::uint32_t bits_ = 0;
};

}  // namespace cirrus::core
