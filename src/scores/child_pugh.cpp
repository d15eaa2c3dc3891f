#include "cirrus/scores/child_pugh.hpp"

#include "cirrus/base/check.hpp"
#include "internal/rounding.hpp"

namespace cirrus::scores {
namespace {

constexpr std::string_view kFunction = "scores::ComputeChildPugh";

// A three-band item where low values are good: 1 point below `lower`, 2 points
// from `lower` to `upper` inclusive, 3 points above.
int RisingBands(double value, double lower, double upper) {
  if (value < lower) return 1;
  if (value <= upper) return 2;
  return 3;
}

int AscitesPoints(core::Ascites ascites) {
  switch (ascites) {
    case core::Ascites::kNone: return 1;
    case core::Ascites::kMild: return 2;
    case core::Ascites::kModerateSevere: return 3;
  }
  return 3;
}

int EncephalopathyPoints(core::Encephalopathy grade) {
  switch (grade) {
    case core::Encephalopathy::kNone: return 1;
    case core::Encephalopathy::kGrade1To2: return 2;
    case core::Encephalopathy::kGrade3To4: return 3;
  }
  return 3;
}

}  // namespace

Result<ChildPughResult> ComputeChildPugh(const ChildPughInputs& inputs) {
  CIRRUS_RETURN_IF_ERROR(internal::CheckNonNegative(kFunction, "bilirubin_mg_dl", inputs.bilirubin_mg_dl));
  CIRRUS_RETURN_IF_ERROR(internal::CheckNonNegative(kFunction, "albumin_g_dl", inputs.albumin_g_dl));

  ChildPughResult r;
  r.bilirubin_points = inputs.bilirubin_cutoffs == BilirubinCutoffs::kCholestatic
                           ? RisingBands(inputs.bilirubin_mg_dl, 4.0, 10.0)
                           : RisingBands(inputs.bilirubin_mg_dl, 2.0, 3.0);
  // Albumin falls as the liver fails: >3.5 is 1 point, 2.8-3.5 is 2, <2.8 is 3.
  if (inputs.albumin_g_dl > 3.5) {
    r.albumin_points = 1;
  } else if (inputs.albumin_g_dl >= 2.8) {
    r.albumin_points = 2;
  } else {
    r.albumin_points = 3;
  }
  if (const auto* inr = std::get_if<Inr>(&inputs.coagulation)) {
    CIRRUS_RETURN_IF_ERROR(internal::CheckPositive(kFunction, "inr", inr->value));
    r.coagulation_points = RisingBands(inr->value, 1.7, 2.3);
  } else {
    const double seconds = std::get<ProthrombinTimeProlonged>(inputs.coagulation).seconds;
    CIRRUS_RETURN_IF_ERROR(internal::CheckFinite(kFunction, "pt_prolonged_s", seconds));
    r.coagulation_points = RisingBands(seconds, 4.0, 6.0);
  }
  r.ascites_points = AscitesPoints(inputs.ascites);
  r.encephalopathy_points = EncephalopathyPoints(inputs.encephalopathy);
  r.points = r.bilirubin_points + r.albumin_points + r.coagulation_points + r.ascites_points + r.encephalopathy_points;
  CIRRUS_ASSERT(r.points >= 5 && r.points <= 15, "five items of 1-3 points each");
  if (r.points <= 6) {
    r.grade = ChildPughClass::kA;
  } else if (r.points <= 9) {
    r.grade = ChildPughClass::kB;
  } else {
    r.grade = ChildPughClass::kC;
  }
  return r;
}

std::string_view Name(ChildPughClass grade) {
  switch (grade) {
    case ChildPughClass::kA: return "A";
    case ChildPughClass::kB: return "B";
    case ChildPughClass::kC: return "C";
  }
  return "?";
}

}  // namespace cirrus::scores
