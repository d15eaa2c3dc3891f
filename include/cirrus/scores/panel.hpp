// cirrus/scores/panel.hpp: every liver score that a clinical snapshot allows,
// each either computed or "not computable" with the inputs it lacks.
//
// This is where the rules about incomplete data live, in one place: no score
// is ever computed from a default in place of a missing value. The only
// documented defaults are the AST upper limit of normal (40 U/L, as APRI's
// authors used) and the adult MELD 3.0 equation when age is unknown; each is
// reported as a Note.
//
// Example:
//   core::ClinicalSnapshot s = ...;
//   auto scores = ScorePanel(s);
//   if (scores && scores->meld.has_value()) use(scores->meld.value().score);
//   scores->missing.ForEach([](core::SnapshotField f) { ... });
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <variant>

#include "cirrus/base/result.hpp"
#include "cirrus/core/snapshot.hpp"
#include "cirrus/scores/albi.hpp"
#include "cirrus/scores/child_pugh.hpp"
#include "cirrus/scores/fibrosis.hpp"
#include "cirrus/scores/meld.hpp"

namespace cirrus::scores {

/// Why a score has no value.
struct NotComputable {
  core::FieldSet missing;        ///< inputs the score needs that the snapshot lacks
  std::string_view reason = {};  ///< when not a missing input, why (static text)
};

/// A score's value, or why there is none.
template <typename T>
class Scored {
 public:
  Scored(T value) : state_(std::move(value)) {}  // NOLINT: implicit, like optional
  Scored(NotComputable why) : state_(why) {}     // NOLINT
  [[nodiscard]] bool has_value() const { return state_.index() == 0; }
  [[nodiscard]] const T& value() const { return std::get<0>(state_); }
  [[nodiscard]] const NotComputable& why_not() const { return std::get<1>(state_); }

 private:
  std::variant<T, NotComputable> state_;
};

/// Facts about how the panel was scored that a reader must see.
enum class Note : std::uint8_t {
  kCholestaticBilirubinCutoffs,  ///< Child-Pugh used the PBC/PSC bilirubin cut-offs
  kCoagulationFromPtSeconds,     ///< Child-Pugh scored PT seconds prolonged (no INR)
  kDefaultAstUln,                ///< APRI used the default AST upper limit of normal, 40 U/L
  kMeld3AgeUnknownAssumedAdult,  ///< MELD 3.0 used the adult equation: no age given
  kMeld3Adolescent,              ///< MELD 3.0 used the adolescent intercept (age 12-17)
  kMeld3UnderTwelve,             ///< MELD 3.0 is not defined under 12 (PELD applies)
  kDialysisCreatinine,           ///< creatinine set to the MELD cap because of dialysis
};
inline constexpr int kNoteCount = 7;

/// One sentence describing the note.
std::string_view Describe(Note note);

class NoteSet {
 public:
  constexpr void Add(Note n) { bits_ = static_cast<std::uint16_t>(bits_ | Bit(n)); }
  [[nodiscard]] constexpr bool Contains(Note n) const { return (bits_ & Bit(n)) != 0; }
  [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (int i = 0; i < kNoteCount; ++i) {
      if (Contains(static_cast<Note>(i))) fn(static_cast<Note>(i));
    }
  }

 private:
  static constexpr std::uint16_t Bit(Note n) { return static_cast<std::uint16_t>(1U << static_cast<unsigned>(n)); }
  std::uint16_t bits_ = 0;
};

/// The AST upper limit of normal used when the lab's own is not recorded.
inline constexpr double kDefaultAstUlnUL = 40.0;

struct PanelScores {
  Scored<ChildPughResult> child_pugh = NotComputable{};
  Scored<MeldResult> meld = NotComputable{};
  Scored<MeldResult> meld_na = NotComputable{};
  Scored<Meld3Result> meld3 = NotComputable{};
  Scored<AlbiResult> albi = NotComputable{};
  Scored<double> fib4 = NotComputable{};
  Scored<double> apri = NotComputable{};
  core::FieldSet missing;  ///< union of what every score lacks
  NoteSet notes;
};

/// Computes every score the snapshot allows. Child-Pugh takes the INR when
/// present, else PT seconds prolonged; the cholestatic bilirubin cut-offs
/// when the aetiologies include PBC or PSC. MELD 3.0 needs sex for adults.
/// Errors: kInvalidArgument when a present value is outside a formula's
/// domain (not finite, not positive where a logarithm or division needs it).
Result<PanelScores> ScorePanel(const core::ClinicalSnapshot& snapshot);

}  // namespace cirrus::scores
