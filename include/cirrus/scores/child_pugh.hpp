// cirrus/scores/child_pugh.hpp: the Child-Pugh (Child-Turcotte-Pugh) score.
//
// Source: Pugh RNH, Murray-Lyon IM, Dawson JL, Pietroni MC, Williams R.
// Transection of the oesophagus for bleeding oesophageal varices. Br J Surg
// 1973;60(8):646-649. INR row as in modern tables (MSD Manual, CCJM); PBC/PSC
// bilirubin row as in the same tables. Version "Pugh 1973, closed middle bands"
// (docs/scores.md): each middle band includes both of its edges, so bilirubin
// 2.0 and 3.0, albumin 2.8 and 3.5, INR 1.7 and 2.3, PT 4 and 6 s score 2.
// Albumin uses Pugh's 2.8 g/dL cut-off, not Harrison's 3.0.
//
// Example:
//   ChildPughInputs in{.bilirubin_mg_dl = 2.5, .albumin_g_dl = 3.1,
//                      .coagulation = Inr{1.5}, .ascites = Ascites::kMild,
//                      .encephalopathy = Encephalopathy::kNone};
//   auto r = ComputeChildPugh(in);   // r->points == 8, r->grade == ChildPughClass::kB
#pragma once

#include <string_view>
#include <variant>

#include "cirrus/base/result.hpp"
#include "cirrus/core/clinical.hpp"

namespace cirrus::scores {

inline constexpr std::string_view kChildPughVersion = "Child-Pugh (Pugh 1973, closed middle bands)";

enum class ChildPughClass { kA, kB, kC };

/// Which bilirubin cut-offs apply: the standard 2/3 mg/dL, or the cholestatic
/// 4/10 mg/dL used when the aetiology is PBC or PSC.
enum class BilirubinCutoffs { kStandard, kCholestatic };

/// Coagulation is scored from the INR when there is one, otherwise from the
/// prothrombin time prolonged over the lab's control (Pugh's original row).
struct Inr {
  double value;
};
struct ProthrombinTimeProlonged {
  double seconds;
};
using Coagulation = std::variant<Inr, ProthrombinTimeProlonged>;

struct ChildPughInputs {
  double bilirubin_mg_dl = 0;
  double albumin_g_dl = 0;
  Coagulation coagulation = Inr{0};
  core::Ascites ascites = core::Ascites::kNone;
  core::Encephalopathy encephalopathy = core::Encephalopathy::kNone;
  BilirubinCutoffs bilirubin_cutoffs = BilirubinCutoffs::kStandard;
};

/// Points per item (each 1-3), their total (5-15) and the class.
struct ChildPughResult {
  int points = 0;
  ChildPughClass grade = ChildPughClass::kA;
  int bilirubin_points = 0;
  int albumin_points = 0;
  int coagulation_points = 0;
  int ascites_points = 0;
  int encephalopathy_points = 0;
};

/// Computes the score. Bands: bilirubin <2 / 2-3 / >3 mg/dL (cholestatic
/// <4 / 4-10 / >10); albumin >3.5 / 2.8-3.5 / <2.8 g/dL; INR <1.7 / 1.7-2.3 /
/// >2.3; PT prolonged <4 / 4-6 / >6 s; class A 5-6, B 7-9, C 10-15.
/// Errors: kInvalidArgument when a lab value is not finite or is negative.
Result<ChildPughResult> ComputeChildPugh(const ChildPughInputs& inputs);

/// "A", "B" or "C".
std::string_view Name(ChildPughClass grade);

}  // namespace cirrus::scores
