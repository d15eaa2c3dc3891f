// Study definitions from TOML (io/toml_config does the reading); every key is
// in docs/studies.md.
#include "cirrus/study/definition.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "cirrus/io/toml_config.hpp"

namespace cirrus::study {
namespace {

namespace tc = io::toml_config;

constexpr tc::NameTable<StudyDesign, 3> kDesigns = {{
    {"single-arm", StudyDesign::kSingleArm},
    {"randomised", StudyDesign::kRandomised},
    {"cohort", StudyDesign::kCohort},
}};
constexpr tc::NameTable<TimeOrigin, 2> kOrigins = {{
    {"enrolment", TimeOrigin::kEnrolment},
    {"first-infusion", TimeOrigin::kFirstInfusion},
}};
constexpr tc::NameTable<TimeUnit, 4> kUnits = {{
    {"days", TimeUnit::kDays},
    {"weeks", TimeUnit::kWeeks},
    {"months", TimeUnit::kMonths},
    {"years", TimeUnit::kYears},
}};
constexpr tc::NameTable<Grouping, 5> kGroupings = {{
    {"none", Grouping::kNone},
    {"arm", Grouping::kArm},
    {"product", Grouping::kProduct},
    {"route", Grouping::kRoute},
    {"courses", Grouping::kCourses},
}};
constexpr tc::NameTable<EndpointKind, 2> kKinds = {{
    {"survival", EndpointKind::kSurvival},
    {"cumulative-incidence", EndpointKind::kCumulativeIncidence},
}};
// The outcomes an endpoint can end at; loss to follow-up, withdrawal and
// "last known alive" always censor, so they are not events.
constexpr tc::NameTable<core::OutcomeKind, 5> kEndpointOutcomes = {{
    {"death", core::OutcomeKind::kDeath},
    {"liver-transplant", core::OutcomeKind::kLiverTransplant},
    {"hcc", core::OutcomeKind::kHcc},
    {"other-cancer", core::OutcomeKind::kOtherCancer},
    {"decompensation", core::OutcomeKind::kDecompensation},
}};

template <typename T, std::size_t N>
std::string_view NameOf(T value, const tc::NameTable<T, N>& table) {
  for (const auto& [name, v] : table) {
    if (v == value) return name;
  }
  return "?";
}

// The most of everything a report can show: beyond these a file is a mistake.
constexpr std::size_t kMaxEndpoints = 50;
constexpr std::size_t kMaxTimes = 100;
constexpr std::size_t kMaxTextBytes = 500;

std::optional<std::vector<core::OutcomeKind>> Outcomes(const tc::Section& s, std::string_view key) {
  return tc::ChoicesOf(s, key, kEndpointOutcomes, "outcome");
}

bool Overlap(const std::vector<core::OutcomeKind>& a, const std::vector<core::OutcomeKind>& b) {
  return std::any_of(a.begin(), a.end(),
                     [&b](core::OutcomeKind k) { return std::find(b.begin(), b.end(), k) != b.end(); });
}

void ReadText(const tc::Section& s, std::string_view key, std::string& out, tc::Required required) {
  s.String(key, out, required);
  if (out.size() > kMaxTextBytes) {
    s.Fail(*s.Find(key), key, "is " + std::to_string(out.size()) + " bytes, at most " + std::to_string(kMaxTextBytes));
    out.clear();
  }
}

void ReadStudy(tc::Problems& problems, const ::toml::table& table, StudyDefinition& d) {
  tc::Section s(problems, table, "study", {"code", "title", "design", "origin", "time_unit", "groups", "group_order"});
  if (s.Find("code") == nullptr) {
    problems.Bad(table, "study", "needs code = \"...\", the registry's study code");
  }
  ReadText(s, "code", d.code, tc::Required::kNonEmpty);
  ReadText(s, "title", d.title, tc::Required::kAny);
  if (auto v = tc::ChoiceOf(s, "design", kDesigns)) d.design = *v;
  if (auto v = tc::ChoiceOf(s, "origin", kOrigins)) d.origin = *v;
  if (auto v = tc::ChoiceOf(s, "time_unit", kUnits)) d.time_unit = *v;
  if (auto v = tc::ChoiceOf(s, "groups", kGroupings)) d.groups = *v;
  if (auto v = s.Strings("group_order")) d.group_order = std::move(*v);
}

void ReadEndpoints(tc::Problems& problems, const ::toml::node& node, StudyDefinition& d) {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables() || array->empty()) {
    problems.Bad(node, "endpoints", "must be one or more tables written [[endpoints]]");
    return;
  }
  if (array->size() > kMaxEndpoints) {
    problems.Bad(node, "endpoints", "at most " + std::to_string(kMaxEndpoints) + " endpoints");
    return;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string name = "endpoints[" + std::to_string(i) + "]";
    const ::toml::table* table = (*array)[i].as_table();
    if (table == nullptr) continue;  // is_array_of_tables() above
    tc::Section s(problems, *table, name, {"name", "kind", "events", "competing", "censor", "at", "landmark"});
    EndpointDefinition e;
    if (s.Find("name") == nullptr) problems.Bad(*table, name, "needs name = \"...\"");
    ReadText(s, "name", e.name, tc::Required::kNonEmpty);
    if (auto v = tc::ChoiceOf(s, "kind", kKinds)) e.kind = *v;
    if (auto v = Outcomes(s, "events")) e.events = std::move(*v);
    if (auto v = Outcomes(s, "competing")) e.competing = std::move(*v);
    if (auto v = Outcomes(s, "censor")) e.censor = std::move(*v);
    if (s.Find("events") == nullptr) {
      problems.Bad(*table, name, "needs events = [...], the outcomes that are the event");
    } else if (e.events.empty()) {
      s.Fail(*s.Find("events"), "events", "must name at least one outcome");
    }
    if (const ::toml::node* c = s.Find("competing")) {
      if (e.kind != EndpointKind::kCumulativeIncidence && !e.competing.empty()) {
        s.Fail(*c, "competing", "competing events need kind = \"cumulative-incidence\"");
      } else if (Overlap(e.events, e.competing)) {
        s.Fail(*c, "competing", "an outcome cannot be both an event and a competing event");
      }
    }
    if (const ::toml::node* c = s.Find("censor")) {
      if (Overlap(e.censor, e.events) || Overlap(e.censor, e.competing)) {
        s.Fail(*c, "censor", "an outcome that censors cannot also be an event or a competing event");
      }
    }
    if (auto v = s.AscendingNumbers("at", tc::Above(0))) {
      if (v->size() > kMaxTimes) {
        s.Fail(*s.Find("at"), "at", "at most " + std::to_string(kMaxTimes) + " times");
      } else {
        e.at = std::move(*v);
      }
    }
    e.landmark = s.Number("landmark", tc::Above(0));
    for (std::size_t j = 0; j < d.endpoints.size(); ++j) {
      if (d.endpoints[j].name == e.name && !e.name.empty()) {
        s.Fail(*s.Find("name"), "name", "duplicate of endpoints[" + std::to_string(j) + "]");
      }
    }
    d.endpoints.push_back(std::move(e));
  }
}

void ReadLabs(tc::Problems& problems, const ::toml::node& node, StudyDefinition& d) {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables() || array->empty()) {
    problems.Bad(node, "labs", "must be one or more tables written [[labs]]");
    return;
  }
  if (array->size() > kMaxEndpoints) {
    problems.Bad(node, "labs", "at most " + std::to_string(kMaxEndpoints) + " labs");
    return;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string name = "labs[" + std::to_string(i) + "]";
    const ::toml::table* table = (*array)[i].as_table();
    if (table == nullptr) continue;  // is_array_of_tables() above
    tc::Section s(problems, *table, name, {"analyte", "visits", "until_day"});
    LabDefinition lab;
    if (const ::toml::node* a = s.Find("analyte")) {
      std::optional<core::Analyte> analyte;
      if (const auto* text = a->as_string()) {
        if (Result<core::Analyte> parsed = core::ParseAnalyte(text->get())) analyte = *parsed;
      }
      if (analyte) {
        lab.analyte = *analyte;
      } else {
        std::vector<std::string_view> names;
        for (core::Analyte known : core::AllAnalytes()) names.push_back(core::Info(known).name);
        s.Fail(*a, "analyte", "must be an analyte (" + tc::Join(names) + ", or a lab code or LOINC code)");
      }
    } else {
      problems.Bad(*table, name, "needs analyte = \"...\", e.g. \"albumin\"");
    }
    if (auto v = s.Strings("visits")) {
      if (v->size() > kMaxTimes) {
        s.Fail(*s.Find("visits"), "visits", "at most " + std::to_string(kMaxTimes) + " visits");
      } else {
        lab.visits = std::move(*v);
      }
    }
    s.Integer("until_day", 0, 36525, lab.until_day);
    d.labs.push_back(std::move(lab));
  }
}

}  // namespace

std::string_view Code(StudyDesign value) { return NameOf(value, kDesigns); }
std::string_view Code(TimeOrigin value) { return NameOf(value, kOrigins); }
std::string_view Code(TimeUnit value) { return NameOf(value, kUnits); }
std::string_view Code(Grouping value) { return NameOf(value, kGroupings); }
std::string_view Code(EndpointKind value) { return NameOf(value, kKinds); }

double DaysPerUnit(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kDays: return 1;
    case TimeUnit::kWeeks: return 7;
    case TimeUnit::kMonths: return 365.25 / 12;
    case TimeUnit::kYears: return 365.25;
  }
  return 1;
}

Result<StudyDefinition> ParseStudyDefinition(std::string_view text, std::string_view file_name) {
  Result<::toml::table> root = tc::ParseDocument(text, file_name);
  if (!root) return Fail(root.error());
  tc::Problems problems(text, file_name);
  tc::Section top(problems, *root, "", {"study", "endpoints", "labs"});
  StudyDefinition definition;
  if (const ::toml::table* study = tc::TableOrReport(problems, *root, "study", "study")) {
    ReadStudy(problems, *study, definition);
  }
  if (const ::toml::node* endpoints = root->get("endpoints")) ReadEndpoints(problems, *endpoints, definition);
  if (const ::toml::node* labs = root->get("labs")) ReadLabs(problems, *labs, definition);
  // What is missing is said only when what is there is right: a mistake in a
  // line comes first.
  if (!problems.any() && root->get("study") == nullptr) {
    problems.Add({1, 1}, "[study] is missing: a study definition starts with [study] and code = \"...\"");
  }
  if (!problems.any() && root->get("endpoints") == nullptr) {
    problems.Add({1, 1}, "no [[endpoints]]: a study definition needs at least one endpoint");
  }
  if (problems.any()) return Fail(ErrorCode::kInvalidArgument, problems.first_message());
  return definition;
}

}  // namespace cirrus::study
