#include "cirrus/scores/panel.hpp"

namespace cirrus::scores {
namespace {

using core::SnapshotField;

// Collects the fields a score needs that the snapshot lacks.
class Requirements {
 public:
  template <typename T>
  Requirements& Need(const std::optional<T>& value, SnapshotField field) {
    if (!value.has_value()) missing_.Add(field);
    return *this;
  }
  [[nodiscard]] bool satisfied() const { return missing_.empty(); }
  [[nodiscard]] NotComputable why_not() const { return NotComputable{missing_, {}}; }

 private:
  core::FieldSet missing_;
};

template <typename T>
void Record(Scored<T>& slot, Scored<T> value, core::FieldSet& missing) {
  if (!value.has_value()) missing.Add(value.why_not().missing);
  slot = std::move(value);
}

}  // namespace

std::string_view Describe(Note note) {
  switch (note) {
    case Note::kCholestaticBilirubinCutoffs: return "Child-Pugh used the PBC/PSC bilirubin cut-offs (4 and 10 mg/dL)";
    case Note::kCoagulationFromPtSeconds:
      return "Child-Pugh scored prothrombin time prolonged in seconds (no INR given)";
    case Note::kDefaultAstUln: return "APRI used the default AST upper limit of normal, 40 U/L";
    case Note::kMeld3AgeUnknownAssumedAdult: return "MELD 3.0 used the adult equation because no age was given";
    case Note::kMeld3Adolescent:
      return "MELD 3.0 used the adolescent intercept (age 12-17: 1.33 points whatever the sex)";
    case Note::kMeld3UnderTwelve: return "MELD 3.0 is not defined under 12 years (PELD applies)";
    case Note::kDialysisCreatinine: return "creatinine was set to the MELD cap because of dialysis";
  }
  return "?";
}

Result<PanelScores> ScorePanel(const core::ClinicalSnapshot& s) {
  PanelScores out;

  // Child-Pugh: the INR when there is one, else PT seconds prolonged.
  {
    Requirements need;
    need.Need(s.bilirubin_mg_dl, SnapshotField::kBilirubin)
        .Need(s.albumin_g_dl, SnapshotField::kAlbumin)
        .Need(s.ascites, SnapshotField::kAscites)
        .Need(s.encephalopathy, SnapshotField::kEncephalopathy);
    if (!s.inr.has_value() && !s.pt_prolonged_s.has_value()) need.Need(s.inr, SnapshotField::kInr);
    if (need.satisfied()) {
      ChildPughInputs in;
      in.bilirubin_mg_dl = *s.bilirubin_mg_dl;
      in.albumin_g_dl = *s.albumin_g_dl;
      if (s.inr.has_value()) {
        in.coagulation = Inr{*s.inr};
      } else {
        in.coagulation = ProthrombinTimeProlonged{*s.pt_prolonged_s};
        out.notes.Add(Note::kCoagulationFromPtSeconds);
      }
      in.ascites = *s.ascites;
      in.encephalopathy = *s.encephalopathy;
      if (s.aetiologies.IsCholestatic()) {
        in.bilirubin_cutoffs = BilirubinCutoffs::kCholestatic;
        out.notes.Add(Note::kCholestaticBilirubinCutoffs);
      }
      CIRRUS_ASSIGN_OR_RETURN(ChildPughResult cp, ComputeChildPugh(in));
      out.child_pugh = cp;
    } else {
      Record(out.child_pugh, Scored<ChildPughResult>(need.why_not()), out.missing);
    }
  }

  // MELD and MELD-Na. MELD-Na needs sodium even when MELD(i) <= 11 makes it
  // irrelevant to the number, so that a missing sodium is never silent.
  {
    Requirements need;
    need.Need(s.bilirubin_mg_dl, SnapshotField::kBilirubin)
        .Need(s.creatinine_mg_dl, SnapshotField::kCreatinine)
        .Need(s.inr, SnapshotField::kInr)
        .Need(s.dialysis, SnapshotField::kDialysis);
    if (need.satisfied()) {
      const MeldInputs in{*s.bilirubin_mg_dl, *s.creatinine_mg_dl, *s.inr, *s.dialysis};
      if (*s.dialysis == core::Dialysis::kDialysis) out.notes.Add(Note::kDialysisCreatinine);
      CIRRUS_ASSIGN_OR_RETURN(MeldResult meld, ComputeMeld(in));
      out.meld = meld;
      if (s.sodium_mmol_l.has_value()) {
        CIRRUS_ASSIGN_OR_RETURN(MeldResult meld_na, ComputeMeldNa(meld, *s.sodium_mmol_l));
        out.meld_na = meld_na;
      } else {
        Requirements sodium;
        sodium.Need(s.sodium_mmol_l, SnapshotField::kSodium);
        Record(out.meld_na, Scored<MeldResult>(sodium.why_not()), out.missing);
      }
    } else {
      Record(out.meld, Scored<MeldResult>(need.why_not()), out.missing);
      need.Need(s.sodium_mmol_l, SnapshotField::kSodium);
      Record(out.meld_na, Scored<MeldResult>(need.why_not()), out.missing);
    }
  }

  // MELD 3.0: sex matters only for adults; age decides adult or adolescent.
  {
    Requirements need;
    need.Need(s.bilirubin_mg_dl, SnapshotField::kBilirubin)
        .Need(s.creatinine_mg_dl, SnapshotField::kCreatinine)
        .Need(s.inr, SnapshotField::kInr)
        .Need(s.sodium_mmol_l, SnapshotField::kSodium)
        .Need(s.albumin_g_dl, SnapshotField::kAlbumin)
        .Need(s.dialysis, SnapshotField::kDialysis);
    const bool adolescent = s.age_years.has_value() && *s.age_years >= 12 && *s.age_years < 18;
    const bool child = s.age_years.has_value() && *s.age_years < 12;
    if (!adolescent && !child) need.Need(s.sex, SnapshotField::kSex);
    if (child) {
      out.notes.Add(Note::kMeld3UnderTwelve);
      out.meld3 = NotComputable{{}, Describe(Note::kMeld3UnderTwelve)};
    } else if (need.satisfied()) {
      Meld3Inputs in;
      in.bilirubin_mg_dl = *s.bilirubin_mg_dl;
      in.creatinine_mg_dl = *s.creatinine_mg_dl;
      in.inr = *s.inr;
      in.sodium_mmol_l = *s.sodium_mmol_l;
      in.albumin_g_dl = *s.albumin_g_dl;
      in.dialysis = *s.dialysis;
      if (adolescent) {
        in.candidate = Meld3Candidate::kAdolescent;
        out.notes.Add(Note::kMeld3Adolescent);
      } else {
        in.candidate = *s.sex == core::Sex::kFemale ? Meld3Candidate::kAdultFemale : Meld3Candidate::kAdultMale;
        if (!s.age_years.has_value()) out.notes.Add(Note::kMeld3AgeUnknownAssumedAdult);
      }
      CIRRUS_ASSIGN_OR_RETURN(Meld3Result meld3, ComputeMeld3(in));
      out.meld3 = meld3;
    } else {
      Record(out.meld3, Scored<Meld3Result>(need.why_not()), out.missing);
    }
  }

  {
    Requirements need;
    need.Need(s.bilirubin_mg_dl, SnapshotField::kBilirubin).Need(s.albumin_g_dl, SnapshotField::kAlbumin);
    if (need.satisfied()) {
      CIRRUS_ASSIGN_OR_RETURN(AlbiResult albi, ComputeAlbi(*s.bilirubin_mg_dl, *s.albumin_g_dl));
      out.albi = albi;
    } else {
      Record(out.albi, Scored<AlbiResult>(need.why_not()), out.missing);
    }
  }

  {
    Requirements need;
    need.Need(s.age_years, SnapshotField::kAge)
        .Need(s.ast_u_l, SnapshotField::kAst)
        .Need(s.alt_u_l, SnapshotField::kAlt)
        .Need(s.platelets_10e9_l, SnapshotField::kPlatelets);
    if (need.satisfied()) {
      CIRRUS_ASSIGN_OR_RETURN(double fib4, ComputeFib4({*s.age_years, *s.ast_u_l, *s.alt_u_l, *s.platelets_10e9_l}));
      out.fib4 = fib4;
    } else {
      Record(out.fib4, Scored<double>(need.why_not()), out.missing);
    }
  }

  {
    Requirements need;
    need.Need(s.ast_u_l, SnapshotField::kAst).Need(s.platelets_10e9_l, SnapshotField::kPlatelets);
    if (need.satisfied()) {
      double uln = kDefaultAstUlnUL;
      if (s.ast_uln_u_l.has_value()) {
        uln = *s.ast_uln_u_l;
      } else {
        out.notes.Add(Note::kDefaultAstUln);
      }
      CIRRUS_ASSIGN_OR_RETURN(double apri, ComputeApri({*s.ast_u_l, uln, *s.platelets_10e9_l}));
      out.apri = apri;
    } else {
      Record(out.apri, Scored<double>(need.why_not()), out.missing);
    }
  }
  return out;
}

}  // namespace cirrus::scores
