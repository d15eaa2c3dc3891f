#include "cirrus/core/snapshot.hpp"

namespace cirrus::core {

std::optional<double> AgeFromBirthYear(std::optional<int> birth_year, Date date) {
  if (!birth_year) return std::nullopt;
  const int years = YearOf(date) - *birth_year;
  if (years >= 19 || years <= 11) return static_cast<double>(years);
  return std::nullopt;
}

void SetLab(ClinicalSnapshot& snapshot, Analyte analyte, double value) {
  switch (analyte) {
    case Analyte::kBilirubin: snapshot.bilirubin_mg_dl = value; break;
    case Analyte::kAlbumin: snapshot.albumin_g_dl = value; break;
    case Analyte::kCreatinine: snapshot.creatinine_mg_dl = value; break;
    case Analyte::kSodium: snapshot.sodium_mmol_l = value; break;
    case Analyte::kPlatelets: snapshot.platelets_10e9_l = value; break;
    case Analyte::kAst: snapshot.ast_u_l = value; break;
    case Analyte::kAstUpperLimitOfNormal: snapshot.ast_uln_u_l = value; break;
    case Analyte::kAlt: snapshot.alt_u_l = value; break;
    case Analyte::kInr: snapshot.inr = value; break;
    default: break;  // PT, PT activity, cholinesterase and AFP enter no score
  }
}

void SetAssessment(ClinicalSnapshot& snapshot, std::optional<Ascites> ascites,
                   std::optional<Encephalopathy> encephalopathy, std::optional<Dialysis> dialysis) {
  if (ascites) snapshot.ascites = *ascites;
  if (encephalopathy) snapshot.encephalopathy = *encephalopathy;
  if (dialysis) snapshot.dialysis = *dialysis;
}

std::string_view Name(SnapshotField field) {
  switch (field) {
    case SnapshotField::kSex: return "sex";
    case SnapshotField::kAge: return "age";
    case SnapshotField::kBilirubin: return "bilirubin";
    case SnapshotField::kAlbumin: return "albumin";
    case SnapshotField::kInr: return "inr";
    case SnapshotField::kCreatinine: return "creatinine";
    case SnapshotField::kSodium: return "sodium";
    case SnapshotField::kDialysis: return "dialysis";
    case SnapshotField::kAscites: return "ascites";
    case SnapshotField::kEncephalopathy: return "encephalopathy";
    case SnapshotField::kPlatelets: return "platelets";
    case SnapshotField::kAst: return "ast";
    case SnapshotField::kAlt: return "alt";
  }
  return "?";
}

}  // namespace cirrus::core
