#include "cirrus/core/snapshot.hpp"

namespace cirrus::core {

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
