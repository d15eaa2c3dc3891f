#include "cirrus/io/visit_csv.hpp"

#include <array>
#include <optional>

#include "cirrus/base/text.hpp"
#include "cirrus/core/clinical.hpp"
#include "cirrus/core/units.hpp"

namespace cirrus::io {
namespace {

using core::Analyte;
using core::ClinicalSnapshot;
using core::SnapshotField;

enum class Kind { kLab, kSex, kAge, kAscites, kEncephalopathy, kDialysis, kAetiology, kPtProlonged };

// One column cirrus understands. Lab columns carry their analyte, the unit
// the column name promises, and the snapshot member they fill.
struct ColumnSpec {
  std::string_view name;
  Kind kind;
  std::optional<SnapshotField> input;  // the required input it satisfies; nullopt when optional
  Analyte analyte = Analyte::kBilirubin;
  std::string_view ucum = {};
  std::optional<double> ClinicalSnapshot::*member = nullptr;
};

constexpr std::array kSpecs = {
    ColumnSpec{"sex", Kind::kSex, SnapshotField::kSex},
    ColumnSpec{"age_years", Kind::kAge, SnapshotField::kAge},
    ColumnSpec{"ascites", Kind::kAscites, SnapshotField::kAscites},
    ColumnSpec{"encephalopathy", Kind::kEncephalopathy, SnapshotField::kEncephalopathy},
    ColumnSpec{"dialysis", Kind::kDialysis, SnapshotField::kDialysis},
    ColumnSpec{"aetiology", Kind::kAetiology, std::nullopt},
    ColumnSpec{"pt_prolonged_s", Kind::kPtProlonged, std::nullopt},
    ColumnSpec{"bilirubin_mg_dl", Kind::kLab, SnapshotField::kBilirubin, Analyte::kBilirubin, "mg/dL",
               &ClinicalSnapshot::bilirubin_mg_dl},
    ColumnSpec{"bilirubin_umol_l", Kind::kLab, SnapshotField::kBilirubin, Analyte::kBilirubin, "umol/L",
               &ClinicalSnapshot::bilirubin_mg_dl},
    ColumnSpec{"albumin_g_dl", Kind::kLab, SnapshotField::kAlbumin, Analyte::kAlbumin, "g/dL",
               &ClinicalSnapshot::albumin_g_dl},
    ColumnSpec{"albumin_g_l", Kind::kLab, SnapshotField::kAlbumin, Analyte::kAlbumin, "g/L",
               &ClinicalSnapshot::albumin_g_dl},
    ColumnSpec{"inr", Kind::kLab, SnapshotField::kInr, Analyte::kInr, "{INR}", &ClinicalSnapshot::inr},
    ColumnSpec{"creatinine_mg_dl", Kind::kLab, SnapshotField::kCreatinine, Analyte::kCreatinine, "mg/dL",
               &ClinicalSnapshot::creatinine_mg_dl},
    ColumnSpec{"creatinine_umol_l", Kind::kLab, SnapshotField::kCreatinine, Analyte::kCreatinine, "umol/L",
               &ClinicalSnapshot::creatinine_mg_dl},
    ColumnSpec{"sodium_mmol_l", Kind::kLab, SnapshotField::kSodium, Analyte::kSodium, "mmol/L",
               &ClinicalSnapshot::sodium_mmol_l},
    ColumnSpec{"platelets_10e9_l", Kind::kLab, SnapshotField::kPlatelets, Analyte::kPlatelets, "10*9/L",
               &ClinicalSnapshot::platelets_10e9_l},
    ColumnSpec{"ast_u_l", Kind::kLab, SnapshotField::kAst, Analyte::kAst, "U/L", &ClinicalSnapshot::ast_u_l},
    ColumnSpec{"ast_uln_u_l", Kind::kLab, std::nullopt, Analyte::kAstUpperLimitOfNormal, "U/L",
               &ClinicalSnapshot::ast_uln_u_l},
    ColumnSpec{"alt_u_l", Kind::kLab, SnapshotField::kAlt, Analyte::kAlt, "U/L", &ClinicalSnapshot::alt_u_l},
};

constexpr std::array<SnapshotField, 13> kRequired = {
    SnapshotField::kSex,       SnapshotField::kAge,
    SnapshotField::kBilirubin, SnapshotField::kAlbumin,
    SnapshotField::kInr,       SnapshotField::kCreatinine,
    SnapshotField::kSodium,    SnapshotField::kDialysis,
    SnapshotField::kAscites,   SnapshotField::kEncephalopathy,
    SnapshotField::kPlatelets, SnapshotField::kAst,
    SnapshotField::kAlt,
};

// Column-name stems of the numeric inputs, the columns cirrus reads for each,
// and unit suffixes people use. A column "<stem>" or "<stem>_<unit>" that is
// not a known column is almost certainly an input in a unit cirrus does not
// read; passing it through silently would leave a score uncomputed or, for
// the optional AST ULN, computed from the default.
struct Stem {
  std::string_view stem;
  std::string_view reads;
};
// Longer stems first: "ast_uln" must match before "ast".
constexpr std::array kStems = {
    Stem{"bilirubin", "bilirubin_mg_dl or bilirubin_umol_l"},
    Stem{"albumin", "albumin_g_dl or albumin_g_l"},
    Stem{"creatinine", "creatinine_mg_dl or creatinine_umol_l"},
    Stem{"sodium", "sodium_mmol_l"},
    Stem{"platelets", "platelets_10e9_l"},
    Stem{"ast_uln", "ast_uln_u_l"},
    Stem{"ast", "ast_u_l"},
    Stem{"alt", "alt_u_l"},
    Stem{"inr", "inr"},
    Stem{"age", "age_years"},
};
constexpr std::array kUnitSuffixes = {"mg_dl", "g_dl",   "g_l",     "mg_l",    "umol_l", "mmol_l", "meq_l",  "u_l",
                                      "iu_l",  "ukat_l", "10e9_l",  "10e3_ul", "ul",     "per_ul", "k_ul",   "mg_100ml",
                                      "ratio", "pct",    "percent", "y",       "yrs",    "years",  "months", "days"};

std::string ExpectedColumns(SnapshotField field) {
  std::string list;
  for (const ColumnSpec& spec : kSpecs) {
    if (spec.input == field) {
      if (!list.empty()) list += " or ";
      list += spec.name;
    }
  }
  return list;
}

// The stem a column name looks like an input of, or nullptr.
const Stem* LooksLikeInputWithUnknownUnit(std::string_view name) {
  for (const Stem& stem : kStems) {
    if (name == stem.stem) return &stem;
    if (name.size() > stem.stem.size() + 1 && name.substr(0, stem.stem.size()) == stem.stem &&
        name[stem.stem.size()] == '_') {
      const std::string_view suffix = name.substr(stem.stem.size() + 1);
      for (std::string_view unit : kUnitSuffixes) {
        if (suffix == unit) return &stem;
      }
    }
  }
  return nullptr;
}

}  // namespace

bool IsMissingValue(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return true;
  if (text.size() > 4 || (text[0] >= '0' && text[0] <= '9')) return false;  // numbers, decided at once
  char lower[4];
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view folded(lower, text.size());
  return folded == "na" || folded == "n/a" || folded == "null";
}

Result<VisitColumns> VisitColumns::FromHeader(std::span<const std::string_view> header, std::string source) {
  VisitColumns layout;
  layout.source_ = std::move(source);
  layout.width_ = header.size();
  std::array<std::optional<std::size_t>, kSpecs.size()> seen{};
  auto fail = [&](const std::string& why) { return Fail(ErrorCode::kInvalidArgument, layout.source_ + ":1: " + why); };

  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string name = ToLowerAscii(header[i]);
    bool known = false;
    for (std::size_t s = 0; s < kSpecs.size(); ++s) {
      if (kSpecs[s].name == name) {
        // Only the columns cirrus reads must be unique; pass-through columns may repeat.
        if (seen[s].has_value()) return fail("column \"" + std::string(header[i]) + "\" appears twice");
        seen[s] = i;
        const core::UnitInfo* unit = nullptr;
        if (kSpecs[s].kind == Kind::kLab) unit = *core::FindUnit(kSpecs[s].analyte, kSpecs[s].ucum);
        layout.columns_.push_back(Column{i, static_cast<int>(s), unit});
        known = true;
        break;
      }
    }
    if (known) continue;
    if (const Stem* stem = LooksLikeInputWithUnknownUnit(name)) {
      return fail("unknown column \"" + std::string(header[i]) + "\": cirrus reads " +
                  std::string(stem->stem == "ast_uln" ? "the AST upper limit of normal" : stem->stem) + " from " +
                  std::string(stem->reads));
    }
  }

  for (SnapshotField field : kRequired) {
    std::optional<std::string_view> first;
    for (std::size_t s = 0; s < kSpecs.size(); ++s) {
      if (kSpecs[s].input != field || !seen[s].has_value()) continue;
      if (first.has_value()) {
        return fail("both \"" + std::string(*first) + "\" and \"" + std::string(kSpecs[s].name) +
                    "\" are given; keep one");
      }
      first = kSpecs[s].name;
    }
    if (!first.has_value()) return fail("missing required column " + ExpectedColumns(field));
  }
  return layout;
}

Result<core::ClinicalSnapshot> VisitColumns::Parse(std::span<const std::string_view> fields, std::size_t line) const {
  auto fail = [&](const ColumnSpec& spec, std::string_view value, const std::string& why) {
    return Fail(ErrorCode::kInvalidArgument,
                source_ + ":" + std::to_string(line) + ": column " + std::string(spec.name) + ", value \"" +
                    std::string(value) + "\": " + why,
                std::string(spec.name));
  };
  if (fields.size() != width_) {
    return Fail(ErrorCode::kInvalidArgument, source_ + ":" + std::to_string(line) + ": " +
                                                 std::to_string(fields.size()) + " fields, but the header has " +
                                                 std::to_string(width_));
  }

  ClinicalSnapshot s;
  for (const Column& column : columns_) {
    const ColumnSpec& spec = kSpecs[static_cast<std::size_t>(column.spec)];
    const std::string_view value = fields[column.index];
    if (IsMissingValue(value)) continue;
    switch (spec.kind) {
      case Kind::kLab: {
        auto number = core::ParseNumber(value);
        if (!number) {
          const std::string_view unit = column.unit->display.empty() ? "INR" : column.unit->display;
          return fail(spec, value, "expected a number in " + std::string(unit));
        }
        auto canonical = core::ToCanonical(spec.analyte, core::Quantity{*number, column.unit});
        if (!canonical) return fail(spec, value, canonical.error().message);
        s.*spec.member = *canonical;
        break;
      }
      case Kind::kSex: {
        auto sex = core::ParseSex(value);
        if (!sex) return fail(spec, value, sex.error().message);
        s.sex = *sex;
        break;
      }
      case Kind::kAge: {
        auto age = core::ParseAgeYears(value);
        if (!age) return fail(spec, value, age.error().message);
        s.age_years = *age;
        break;
      }
      case Kind::kAscites: {
        auto ascites = core::ParseAscites(value);
        if (!ascites) return fail(spec, value, ascites.error().message);
        s.ascites = *ascites;
        break;
      }
      case Kind::kEncephalopathy: {
        auto he = core::ParseEncephalopathy(value);
        if (!he) return fail(spec, value, he.error().message);
        s.encephalopathy = *he;
        break;
      }
      case Kind::kDialysis: {
        auto dialysis = core::ParseDialysis(value);
        if (!dialysis) return fail(spec, value, dialysis.error().message);
        s.dialysis = *dialysis;
        break;
      }
      case Kind::kAetiology: {
        auto aetiologies = core::ParseAetiologies(value);
        if (!aetiologies) return fail(spec, value, aetiologies.error().message);
        s.aetiologies = *aetiologies;
        break;
      }
      case Kind::kPtProlonged: {
        auto seconds = core::ParsePtProlongedSeconds(value);
        if (!seconds) return fail(spec, value, seconds.error().message);
        s.pt_prolonged_s = *seconds;
        break;
      }
    }
  }
  return s;
}

}  // namespace cirrus::io
