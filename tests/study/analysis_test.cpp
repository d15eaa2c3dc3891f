#include "cirrus/study/analysis.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace cirrus::study {
namespace {

using core::OutcomeKind;
using ::testing::HasSubstr;

constexpr double kDaysPerMonth = 365.25 / 12;

core::Date D(const char* text) { return *core::ParseDate(text); }

// Two arms of a study "S" enrolled on 2020-01-01 (days below count from it):
//   P1 a: death on day 182                          OS event at 182
//   P2 a: lost to follow-up on day 91               censored at 91
//   P3 a: transplant on day 60, a visit on day 121  OS censored at 121 (followed after a transplant)
//   P4 b: visit on day 274, a visit planned later   censored at 274 (a planned visit is no contact)
//   P5 b: HCC on day 14, death on day 31            OS event at 31
//   P6 b: no enrolment date                         not analysed
//   P8 b: enrolled 2021-06-01, visit a month later  censored at 30
//   Q1: another study's patient                     ignored
core::RegistryBatch Registry() {
  core::RegistryBatch b;
  b.studies = {{"S", "Study S", "", {}}, {"T", "Other", "", {}}};
  b.arms = {{"S", "a", "Arm A", std::nullopt, std::nullopt, {}}, {"S", "b", "Arm B", std::nullopt, std::nullopt, {}}};
  auto patient = [&](const char* code, const char* arm, std::optional<core::Date> enrolment, const char* study = "S") {
    core::Patient p;
    p.code = code;
    p.site = "X";
    p.study = study;
    p.arm = arm;
    p.enrolment = enrolment;
    p.sex = core::Sex::kMale;
    p.birth_year = 1960;
    b.patients.push_back(p);
  };
  const core::Date start = D("2020-01-01");
  patient("P1", "a", start);
  patient("P2", "a", start);
  patient("P3", "a", start);
  patient("P4", "b", start);
  patient("P5", "b", start);
  patient("P6", "b", std::nullopt);
  patient("P8", "b", D("2021-06-01"));
  patient("Q1", "a", start, "T");
  auto event = [&](const char* code, OutcomeKind kind, core::Date date) {
    core::OutcomeEvent e;
    e.patient = code;
    e.kind = kind;
    e.date = date;
    b.events.push_back(e);
  };
  event("P1", OutcomeKind::kDeath, start.PlusDays(182));
  event("P2", OutcomeKind::kLostToFollowUp, start.PlusDays(91));
  event("P3", OutcomeKind::kLiverTransplant, start.PlusDays(60));
  event("P5", OutcomeKind::kHcc, start.PlusDays(14));
  event("P5", OutcomeKind::kDeath, start.PlusDays(31));
  event("Q1", OutcomeKind::kDeath, start.PlusDays(5));
  auto visit = [&](const char* code, core::Date date, core::VisitStatus status) {
    b.visits.push_back({code, date, "", status, {}});
  };
  visit("P3", start.PlusDays(121), core::VisitStatus::kCompleted);
  visit("P4", start.PlusDays(274), core::VisitStatus::kCompleted);
  visit("P4", start.PlusDays(400), core::VisitStatus::kScheduled);
  visit("P8", D("2021-07-01"), core::VisitStatus::kCompleted);
  return b;
}

StudyDefinition Definition() {
  StudyDefinition d;
  d.code = "S";
  d.design = StudyDesign::kRandomised;
  d.groups = Grouping::kArm;
  EndpointDefinition os;
  os.name = "OS";
  os.events = {OutcomeKind::kDeath};
  os.at = {3, 6};
  d.endpoints.push_back(os);
  return d;
}

TEST(AnalyseStudy, FollowUpEndsAsTheDefinitionSays) {
  auto r = AnalyseStudy(Registry(), Definition());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->groups.size(), 2U);
  EXPECT_EQ(r->groups[0].code, "a");
  EXPECT_EQ(r->groups[0].label, "Arm A");
  EXPECT_EQ(r->groups[1].n, 3U);  // P4, P5, P8
  const EndpointResult& os = r->endpoints[0];
  const EndpointGroup& a = os.groups[0];
  EXPECT_EQ(a.n, 3U);
  EXPECT_EQ(a.events, 1U);
  EXPECT_EQ(a.censored, 2U);
  // Censored at 91 and 121 days, the death at 182 with one left at risk.
  EXPECT_THAT(a.censor_times, ::testing::ElementsAre(91 / kDaysPerMonth, 121 / kDaysPerMonth));
  ASSERT_EQ(a.at.size(), 2U);
  EXPECT_EQ(a.at[0].n_risk, 2U);  // 91 days is 2.99 months: P2 is no longer followed at 3
  EXPECT_DOUBLE_EQ(*a.at[0].estimate, 1.0);
  EXPECT_EQ(a.at[1].n_risk, 0U);                   // 6 months = 182.6 days, after P1's death at 182
  EXPECT_FALSE(a.at[1].estimate.has_value());      // past the last follow-up
  EXPECT_DOUBLE_EQ(a.curve.back().estimate, 0.0);  // 1 at risk, 1 death
  const EndpointGroup& b = os.groups[1];
  EXPECT_EQ(b.events, 1U);  // P5 at 31 days
  EXPECT_THAT(b.censor_times, ::testing::ElementsAre(30 / kDaysPerMonth, 274 / kDaysPerMonth));
  EXPECT_EQ(os.test.method, "log-rank");
  EXPECT_TRUE(os.test.p.has_value());
}

TEST(AnalyseStudy, GroupOrderPutsTheListedGroupsFirst) {
  StudyDefinition d = Definition();
  d.group_order = {"b"};
  auto r = AnalyseStudy(Registry(), d);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->groups[0].code, "b");
  EXPECT_EQ(r->groups[1].code, "a");
  EXPECT_EQ(r->endpoints[0].groups[0].group, "b");
  EXPECT_EQ(r->endpoints[0].groups[0].n, 3U);
  d.group_order = {"contrl"};
  auto bad = AnalyseStudy(Registry(), d);
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("\"contrl\", which is no group of study \"S\" (its groups: a, b)"));
}

TEST(AnalyseStudy, PatientFlowPartitionsEachGroup) {
  auto r = AnalyseStudy(Registry(), Definition());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->flow.in_registry, 7U);
  EXPECT_EQ(r->flow.without_origin, 1U);
  const FlowGroup& a = r->flow.groups[0];
  EXPECT_EQ(a.dead, 1U);
  EXPECT_EQ(a.transplanted, 1U);
  EXPECT_EQ(a.lost, 1U);
  EXPECT_EQ(a.followed, 0U);
  for (const FlowGroup& g : r->flow.groups) EXPECT_EQ(g.dead + g.transplanted + g.lost + g.followed, g.enrolled);
}

TEST(AnalyseStudy, ACensoringOutcomeAndACompetingEvent) {
  StudyDefinition d = Definition();
  d.endpoints[0].censor = {OutcomeKind::kLiverTransplant};
  EndpointDefinition hcc;
  hcc.name = "HCC";
  hcc.kind = EndpointKind::kCumulativeIncidence;
  hcc.events = {OutcomeKind::kHcc};
  hcc.competing = {OutcomeKind::kDeath};
  hcc.at = {1};
  d.endpoints.push_back(hcc);
  auto r = AnalyseStudy(Registry(), d);
  ASSERT_TRUE(r.has_value());
  EXPECT_THAT(r->endpoints[0].groups[0].censor_times, ::testing::ElementsAre(60 / kDaysPerMonth, 91 / kDaysPerMonth));
  const EndpointResult& e = r->endpoints[1];
  EXPECT_EQ(e.groups[0].competing, 1U);  // P1's death
  EXPECT_EQ(e.groups[1].events, 1U);     // P5's HCC on day 14, before the death
  // Arm B at 1 month: 1 HCC of 3 patients before any censoring.
  EXPECT_NEAR(*e.groups[1].at[0].estimate, 1.0 / 3, 1e-12);
  EXPECT_EQ(e.test.method, "Gray");
}

TEST(AnalyseStudy, TheDataCutLeavesOutLaterFacts) {
  auto r = AnalyseStudy(Registry(), Definition(), {.as_of = D("2020-06-01")});
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->groups[1].n, 2U);  // P8 was enrolled after the cut
  const EndpointGroup& a = r->endpoints[0].groups[0];
  EXPECT_EQ(a.events, 0U);  // P1's death (day 182) is after the cut
  // P1 has no fact after enrolment before the cut: followed for no time.
  EXPECT_THAT(a.censor_times, ::testing::ElementsAre(0.0, 91 / kDaysPerMonth, 121 / kDaysPerMonth));
  EXPECT_EQ(*r->last_fact, D("2020-05-01"));  // P3's visit on day 121
}

TEST(AnalyseStudy, TheLandmarkKeepsThoseStillFollowed) {
  StudyDefinition d = Definition();
  d.endpoints[0].landmark = 3;
  auto r = AnalyseStudy(Registry(), d);
  ASSERT_TRUE(r.has_value());
  const LandmarkResult& lm = *r->endpoints[0].landmark;
  EXPECT_EQ(lm.excluded, 3U);  // P2 (2.99 months), P5 (1.02), P8 (0.99)
  EXPECT_EQ(lm.groups[0].n, 2U);
  EXPECT_EQ(lm.groups[0].events, 1U);
  EXPECT_THAT(lm.groups[0].censor_times, ::testing::ElementsAre(121 / kDaysPerMonth - 3));
}

TEST(AnalyseStudy, OnePatientAndNoEvents) {
  core::RegistryBatch b = Registry();
  StudyDefinition d = Definition();
  d.groups = Grouping::kNone;
  d.code = "T";
  d.endpoints[0].events = {OutcomeKind::kHcc};
  auto r = AnalyseStudy(b, d);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->groups.size(), 1U);
  EXPECT_EQ(r->endpoints[0].groups[0].n, 1U);
  EXPECT_EQ(r->endpoints[0].groups[0].events, 0U);
  EXPECT_EQ(r->endpoints[0].test.not_computable, "one group");
}

TEST(AnalyseStudy, UnknownStudyNamesThoseThatExist) {
  StudyDefinition d = Definition();
  d.code = "NOPE";
  auto r = AnalyseStudy(Registry(), d);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message, HasSubstr("no study \"NOPE\" (it holds: S, T)"));
}

TEST(AnalyseStudy, BaselineHasNoDifferencesInARandomisedTrial) {
  auto r = AnalyseStudy(Registry(), Definition());
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->baseline.empty());
  EXPECT_EQ(r->baseline[0].variable, "Age (years)");
  EXPECT_DOUBLE_EQ(*r->baseline[0].groups[0].median, 60.0);
  for (const BaselineRow& row : r->baseline) EXPECT_FALSE(row.standardised_difference.has_value());
  StudyDefinition cohort = Definition();
  cohort.design = StudyDesign::kCohort;
  auto c = AnalyseStudy(Registry(), cohort);
  ASSERT_TRUE(c.has_value());
  // Age: arm A 60, 60, 60; arm B 60, 60, 61 (P8 enrolled a year later):
  // (60 - 60.333) / sqrt((0 + 1/3) / 2) = -0.8165. Sex: all male, no SD to divide by.
  EXPECT_NEAR(*c->baseline[0].standardised_difference, -(1.0 / 3) / std::sqrt(1.0 / 6), 1e-12);
  EXPECT_EQ(c->baseline[1].level, "male");
  EXPECT_FALSE(c->baseline[1].standardised_difference.has_value());
}

// Arm A's labs at W0 (day 0): 3.0, 3.4, 3.2; at W4 (day 28) only P3's 3.6.
// P3 is transplanted on day 60 and P5 dies on day 31, before W12 (day 84).
// P1 has two infusions (days 0 and 28) and three adverse events.
core::RegistryBatch WithLabsAndSafety() {
  core::RegistryBatch b = Registry();
  const core::Date start = D("2020-01-01");
  for (auto [code, day] : {std::pair<const char*, int>{"W0", 0}, {"W4", 28}, {"W12", 84}}) {
    core::ScheduledVisit v;
    v.study = "S";
    v.code = code;
    v.day = day;
    v.window_after = 7;
    b.schedule.push_back(v);
  }
  auto lab = [&](const char* patient, const char* visit, int day, double albumin) {
    b.visits.push_back({patient, start.PlusDays(day), visit, core::VisitStatus::kCompleted, {}});
    core::LabResult l;
    l.patient = patient;
    l.date = start.PlusDays(day);
    l.analyte = core::Analyte::kAlbumin;
    l.value = albumin;
    b.labs.push_back(l);
  };
  lab("P1", "W0", 0, 3.0);
  lab("P2", "W0", 0, 3.4);
  lab("P3", "W0", 0, 3.2);
  lab("P3", "W4", 28, 3.6);
  for (int number : {1, 2}) {
    core::Infusion infusion;
    infusion.patient = "P1";
    infusion.number = number;
    infusion.date = start.PlusDays(number == 1 ? 0 : 28);
    b.infusions.push_back(infusion);
  }
  auto ae = [&](const char* term, int day, int grade, bool serious, core::Relatedness related) {
    core::AdverseEvent a;
    a.patient = "P1";
    a.term = term;
    a.onset = start.PlusDays(day);
    a.grade = grade;
    a.serious = serious;
    a.relatedness = related;
    b.adverse_events.push_back(a);
  };
  ae("fever", 1, 2, false, core::Relatedness::kProbable);
  ae("fever", 29, 1, false, core::Relatedness::kUnlikely);
  ae("rash", 40, 3, true, core::Relatedness::kNotRelated);
  return b;
}

TEST(AnalyseStudy, LabTrajectoryCountsEveryPatientOncePerVisit) {
  StudyDefinition d = Definition();
  d.labs.push_back({core::Analyte::kAlbumin, {"W0", "W4", "W12"}, 365});
  auto r = AnalyseStudy(WithLabsAndSafety(), d);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->labs.size(), 1U);
  const auto& a = r->labs[0].groups[0];
  EXPECT_EQ(r->labs[0].unit, "g/dL");
  EXPECT_EQ(a[0].n, 3U);
  EXPECT_DOUBLE_EQ(*a[0].mean, 3.2);
  EXPECT_NEAR(*a[0].sd, 0.2, 1e-12);
  // R: t.test(c(3.0, 3.4, 3.2))$conf.int = 2.703172 3.696828
  EXPECT_NEAR(*a[0].lower, 2.703172, 1e-6);
  EXPECT_NEAR(*a[0].upper, 3.696828, 1e-6);
  EXPECT_EQ(a[1].n, 1U);
  EXPECT_EQ(a[1].missing, 2U);
  EXPECT_FALSE(a[1].sd.has_value());
  EXPECT_EQ(a[2].transplanted, 1U);  // P3, transplanted on day 60
  const auto& b = r->labs[0].groups[1];
  EXPECT_EQ(b[2].dead, 1U);  // P5, dead on day 31
  for (const auto& group : r->labs[0].groups) {
    for (const TrajectoryPoint& p : group) EXPECT_EQ(p.n + p.dead + p.transplanted + p.not_due + p.missing, 3U);
  }
  d.labs[0].visits = {"W0", "M6"};
  auto bad = AnalyseStudy(WithLabsAndSafety(), d);
  ASSERT_FALSE(bad.has_value());
  EXPECT_THAT(bad.error().message, HasSubstr("has no visit \"M6\" in its schedule (it has: W0, W4, W12)"));
}

TEST(AnalyseStudy, AdverseEventsByTermAndHighestGrade) {
  auto r = AnalyseStudy(WithLabsAndSafety(), Definition());
  ASSERT_TRUE(r.has_value());
  const SafetyResult& s = r->safety;
  EXPECT_EQ(s.infusions, (std::vector<std::size_t>{2, 0}));
  ASSERT_EQ(s.rows.size(), 3U);
  EXPECT_EQ(s.rows[0].term, "any adverse event");
  const AdverseEventCell& any = s.rows[0].groups[0];
  EXPECT_EQ(any.patients, 1U);
  EXPECT_EQ(any.events, 3U);
  EXPECT_EQ(any.serious, 1U);
  EXPECT_EQ(any.related, 1U);
  EXPECT_EQ(any.max_grade, (std::array<std::size_t, 5>{0, 0, 1, 0, 0}));
  EXPECT_DOUBLE_EQ(*any.per_100_infusions, 150.0);
  EXPECT_NEAR(*any.percent, 100.0 / 3, 1e-12);
  EXPECT_EQ(s.rows[1].term, "fever");
  EXPECT_EQ(s.rows[1].groups[0].max_grade, (std::array<std::size_t, 5>{0, 1, 0, 0, 0}));
  EXPECT_EQ(s.rows[2].term, "rash");
  EXPECT_FALSE(s.rows[0].groups[1].per_100_infusions.has_value());  // no infusions in arm B
}

}  // namespace
}  // namespace cirrus::study
