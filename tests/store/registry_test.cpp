// The registry over every backend (tests/store/backends.hpp): import is all or
// nothing and idempotent, changes need a reason and are audited in a hash
// chain, derived scores follow the facts, and the checks find what they name.
#include "cirrus/store/registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "backends.hpp"
#include "cirrus_matchers.hpp"
#include "internal/database.hpp"

namespace cirrus::store {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

core::Date D(const char* text) { return *core::ParseDate(text); }

core::LabResult Lab(const std::string& patient, const char* date, core::Analyte analyte, double canonical,
                    std::string as_entered, std::string unit, std::uint32_t line) {
  core::LabResult lab;
  lab.patient = patient;
  lab.date = D(date);
  lab.analyte = analyte;
  lab.value = canonical;
  lab.value_as_entered = std::move(as_entered);
  lab.unit_as_entered = std::move(unit);
  lab.origin = {0, line};
  return lab;
}

// Two sites, one study with two arms, two patients with a first visit.
core::RegistryBatch SmallBatch() {
  core::RegistryBatch b;
  b.sources = {"batch.csv"};
  b.sites = {{"FR01", "Hopital A", "FR", {0, 2}}, {"CN02", "Hospital B", "CN", {0, 3}}};
  b.studies = {{"UCMSC-1", "UC-MSC in decompensated cirrhosis", "NCT01220492", {0, 4}}};
  b.arms = {{"UCMSC-1", "UC", "UC-MSC", core::CellProduct::kUcMsc, core::Route::kPeripheralVein, {0, 5}},
            {"UCMSC-1", "CTRL", "standard care", std::nullopt, std::nullopt, {0, 6}}};
  b.schedule = {{"UCMSC-1", "W4", "week 4", 28, 3, 7, core::ScheduleAnchor::kEnrolment, {0, 7}}};
  core::Patient p1;
  p1.code = "FR01-001";
  p1.site = "FR01";
  p1.study = "UCMSC-1";
  p1.arm = "UC";
  p1.sex = core::Sex::kMale;
  p1.birth_year = 1965;
  p1.aetiologies.Add(core::Aetiology::kHbv);
  p1.enrolment = D("2024-01-10");
  p1.origin = {0, 8};
  core::Patient p2 = p1;
  p2.code = "CN02-001";
  p2.site = "CN02";
  p2.arm = "CTRL";
  p2.sex = core::Sex::kFemale;
  p2.origin = {0, 9};
  b.patients = {p1, p2};
  core::Infusion inf;
  inf.patient = "FR01-001";
  inf.number = 1;
  inf.date = D("2024-01-12");
  inf.product = core::CellProduct::kUcMsc;
  inf.source = core::CellSource::kAllogeneic;
  inf.dose = 1e6;
  inf.route = core::Route::kPeripheralVein;
  inf.origin = {0, 10};
  b.infusions = {inf};
  b.visits = {{"FR01-001", D("2024-01-10"), "BL", core::VisitStatus::kCompleted, {0, 11}}};
  // Bilirubin 34.2 umol/L is 2.0 mg/dL (34.2 / 17.1); albumin 30 g/L is 3.0 g/dL.
  b.labs = {Lab("FR01-001", "2024-01-10", core::Analyte::kBilirubin, 2.0, "34.2", "umol/L", 12),
            Lab("FR01-001", "2024-01-10", core::Analyte::kAlbumin, 3.0, "30", "g/L", 13),
            Lab("FR01-001", "2024-01-10", core::Analyte::kInr, 1.5, "1.5", "", 14),
            Lab("FR01-001", "2024-01-10", core::Analyte::kCreatinine, 1.0, "1.0", "mg/dL", 15),
            Lab("FR01-001", "2024-01-10", core::Analyte::kSodium, 130, "130", "mmol/L", 16)};
  core::Assessment a;
  a.patient = "FR01-001";
  a.date = D("2024-01-10");
  a.ascites = core::Ascites::kMild;
  a.encephalopathy_grade = 0;
  a.dialysis = core::Dialysis::kNone;  // MELD needs to know; it is never assumed
  a.origin = {0, 17};
  b.assessments = {a};
  return b;
}

ImportOptions Options(std::string reason = "") {
  ImportOptions o;
  o.actor = "tester";
  o.reason = std::move(reason);
  o.today = D("2024-06-01");
  return o;
}

// Clears where each record came from, which an export cannot know.
void ClearOrigins(core::RegistryBatch& b) {
  auto clear = [](auto& records) {
    for (auto& r : records) r.origin = {};
  };
  clear(b.sites), clear(b.studies), clear(b.arms), clear(b.schedule), clear(b.patients), clear(b.infusions);
  clear(b.procedures), clear(b.medications), clear(b.visits), clear(b.labs), clear(b.assessments);
  clear(b.events), clear(b.adverse_events);
  b.sources.clear();
}

std::int64_t Inserted(const ImportReport& r) {
  std::int64_t n = 0;
  for (const auto& t : r.tables) n += t.inserted;
  return n;
}

class RegistryTest : public backends::BackendTest {};

TEST_P(RegistryTest, OpenRefusesAnUninitialisedDatabaseAndInitIsIdempotent) {
  {
    auto raw = Open();
    ASSERT_THAT(raw, IsOk());
  }
  auto opened = Registry::Open(location());
  ASSERT_FALSE(opened);
  EXPECT_THAT(opened.error().message, HasSubstr("cirrus init"));
  ASSERT_THAT(Registry::Create(location()), IsOk());
  ASSERT_THAT(Registry::Create(location()), IsOk());
  EXPECT_THAT(Registry::Open(location()), IsOk());
}

TEST_P(RegistryTest, ImportWritesEverythingAndASecondImportChangesNothing) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  const core::RegistryBatch batch = SmallBatch();
  auto first = registry->Import(batch, Options());
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(first->problems, SizeIs(0));
  EXPECT_TRUE(first->written);
  // 2 sites + 1 study + 2 arms + 1 scheduled visit + 2 patients + 1 infusion + 1 visit + 5 labs + 1 assessment.
  EXPECT_EQ(Inserted(*first), 16);

  auto second = registry->Import(batch, Options());
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(Inserted(*second), 0);
  for (const auto& t : second->tables) EXPECT_EQ(t.updated, 0) << t.table;
  EXPECT_EQ(second->scores_written, 0);
  auto audit = registry->Audit(std::nullopt);
  ASSERT_THAT(audit, IsOk());
  // An entry per design row and patient (8), and one per patient and table
  // for that patient's new facts (FR01-001: infusions, visits, labs,
  // assessments); none for the repeat.
  EXPECT_THAT(*audit, SizeIs(12));

  auto exported = registry->Export(std::nullopt);
  ASSERT_THAT(exported, IsOk());
  core::RegistryBatch expected = batch;
  ClearOrigins(expected);
  // Export is in natural-key order: CN02 sorts before FR01, CTRL before UC.
  std::swap(expected.sites[0], expected.sites[1]);
  std::swap(expected.patients[0], expected.patients[1]);
  std::swap(expected.arms[0], expected.arms[1]);
  std::sort(expected.labs.begin(), expected.labs.end(),
            [](const auto& a, const auto& b) { return core::Code(a.analyte) < core::Code(b.analyte); });
  EXPECT_EQ(exported->sites, expected.sites);
  EXPECT_EQ(exported->studies, expected.studies);
  EXPECT_EQ(exported->arms, expected.arms);
  EXPECT_EQ(exported->schedule, expected.schedule);
  EXPECT_EQ(exported->patients, expected.patients);
  EXPECT_EQ(exported->infusions, expected.infusions);
  EXPECT_EQ(exported->visits, expected.visits);
  EXPECT_EQ(exported->labs, expected.labs);
  EXPECT_EQ(exported->assessments, expected.assessments);
}

TEST_P(RegistryTest, DerivedScoresFollowTheFactsOfTheVisit) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  ASSERT_THAT(registry->Import(SmallBatch(), Options()), IsOk());
  auto record = registry->LoadPatient("FR01-001");
  ASSERT_THAT(record, IsOk());
  std::map<std::string, DerivedScore> scores;
  for (const auto& s : record->scores) scores[s.score] = s;
  // Child-Pugh (Pugh 1973): bilirubin 2.0 mg/dL -> 2, albumin 3.0 g/dL -> 2,
  // INR 1.5 -> 1, mild ascites -> 2, no encephalopathy -> 1: 8 points, class B.
  EXPECT_EQ(scores["child-pugh"].value, 8);
  EXPECT_EQ(scores["child-pugh"].score_class, "B");
  // MELD = 10 (0.957 ln 1 + 0.378 ln 2 + 1.120 ln 1.5 + 0.643) = 13.59 -> 14.
  EXPECT_EQ(scores["meld"].value, 14);
  // MELD-Na = 14 + 1.32 (137 - 130) - 0.033 * 14 * (137 - 130) = 20.006 -> 20.
  EXPECT_EQ(scores["meld-na"].value, 20);
  // ALBI = 0.66 log10(34.2 umol/L) - 0.085 * 30 g/L = -1.537543 (grade 2: -2.60 < ALBI <= -1.39).
  EXPECT_NEAR(scores["albi"].value, 0.66 * std::log10(34.2) - 0.085 * 30, 1e-9);
  EXPECT_EQ(scores["albi"].score_class, "2");

  // Albumin corrected to 36 g/L: Child-Pugh albumin points 2 -> 1 (> 3.5 g/dL).
  core::RegistryBatch fix;
  fix.sources = {"fix.csv"};
  fix.labs = {Lab("FR01-001", "2024-01-10", core::Analyte::kAlbumin, 3.6, "36", "g/L", 2)};
  auto refused = registry->Import(fix, Options());
  ASSERT_THAT(refused, IsOk());
  ASSERT_THAT(refused->problems, SizeIs(1));
  EXPECT_THAT(refused->problems[0].reason, HasSubstr("needs a reason"));
  EXPECT_EQ(refused->problems[0].file, "fix.csv");
  EXPECT_EQ(refused->problems[0].line, 2U);
  EXPECT_FALSE(refused->written);

  auto changed = registry->Import(fix, Options("transcription error, lab report re-read"));
  ASSERT_THAT(changed, IsOk());
  ASSERT_THAT(changed->problems, SizeIs(0));
  EXPECT_GT(changed->scores_written, 0);
  record = registry->LoadPatient("FR01-001");
  ASSERT_THAT(record, IsOk());
  for (const auto& s : record->scores) scores[s.score] = s;
  EXPECT_EQ(scores["child-pugh"].value, 7);
  EXPECT_NEAR(scores["albi"].value, 0.66 * std::log10(34.2) - 0.085 * 36, 1e-9);

  auto audit = registry->Audit(std::string("FR01-001"));
  ASSERT_THAT(audit, IsOk());
  const AuditEntry& last = audit->back();
  EXPECT_EQ(last.action, "update");
  EXPECT_EQ(last.entity, "lab");
  EXPECT_EQ(last.entity_key, "FR01-001/2024-01-10/ALB");
  EXPECT_EQ(last.reason, "transcription error, lab report re-read");
  EXPECT_THAT(last.before, HasSubstr("\"value_as_entered\":\"30\""));
  EXPECT_THAT(last.after, HasSubstr("\"value_as_entered\":\"36\""));
}

// SmallBatch with a third patient and more visits: dates with every lab,
// with a censored value ("<", which no score uses), with a missing value,
// with an assessment alone, labs in no particular order, and an age near
// MELD 3.0's adolescent edge (left unknown).
core::RegistryBatch ThreePatientsVisits() {
  core::RegistryBatch facts = SmallBatch();
  core::Patient young = facts.patients[1];
  young.code = "CN02-002";
  young.birth_year = 2006;  // 18 in 2024: the age is not known to within MELD 3.0's edges
  young.origin = {0, 50};
  facts.patients.push_back(young);
  core::LabResult censored = Lab("FR01-001", "2024-02-09", core::Analyte::kBilirubin, 0.3, "5", "umol/L", 20);
  censored.op = core::LabOperator::kLess;
  core::LabResult missing = Lab("FR01-001", "2024-02-09", core::Analyte::kSodium, 0, "", "", 21);
  missing.value.reset();
  missing.missing = core::MissingReason::kSampleLost;
  std::uint32_t line = 22;
  for (const std::string patient : {"CN02-002", "CN02-001"}) {
    for (const char* date : {"2024-03-01", "2024-02-01"}) {
      facts.labs.push_back(Lab(patient, date, core::Analyte::kSodium, 128, "128", "mmol/L", line++));
      facts.labs.push_back(Lab(patient, date, core::Analyte::kInr, 1.9, "1.9", "", line++));
      facts.labs.push_back(Lab(patient, date, core::Analyte::kBilirubin, 3.1, "53", "umol/L", line++));
      facts.labs.push_back(Lab(patient, date, core::Analyte::kAlbumin, 2.7, "27", "g/L", line++));
      facts.labs.push_back(Lab(patient, date, core::Analyte::kCreatinine, 1.4, "1.4", "mg/dL", line++));
    }
  }
  facts.labs.insert(facts.labs.begin() + 2, censored);
  facts.labs.push_back(Lab("FR01-001", "2024-02-09", core::Analyte::kAlbumin, 2.9, "29", "g/L", line++));
  facts.labs.push_back(Lab("FR01-001", "2024-02-09", core::Analyte::kInr, 1.4, "1.4", "", line++));
  facts.labs.push_back(missing);
  core::Assessment alone = facts.assessments[0];
  alone.patient = "CN02-001";
  alone.date = D("2024-02-15");
  alone.ascites = core::Ascites::kModerateSevere;
  alone.origin = {0, line++};
  facts.assessments.push_back(alone);
  core::Assessment with_labs = alone;
  with_labs.patient = "CN02-002";
  with_labs.date = D("2024-03-01");
  with_labs.encephalopathy_grade = 2;
  with_labs.origin = {0, line++};
  facts.assessments.push_back(with_labs);

  return facts;
}

// The same facts imported twice: into at_once_ in one batch (every patient
// new), and into in_steps_ with the patients first, so that their labs and
// assessments go to patients already stored.
class NewAndStoredPatientsTest : public RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto at_once = Registry::Create(location());
    ASSERT_THAT(at_once, IsOk());
    at_once_.emplace(std::move(at_once).value());
    auto second_db = backends::FreshDatabase::Create(backend());
    ASSERT_THAT(second_db, IsOk());
    second_db_ = std::move(second_db).value();
    auto in_steps = Registry::Create(second_db_->location());
    ASSERT_THAT(in_steps, IsOk());
    in_steps_.emplace(std::move(in_steps).value());

    auto imported = at_once_->Import(facts_, Options());
    ASSERT_THAT(imported, IsOk());
    ASSERT_THAT(imported->problems, SizeIs(0));
    at_once_report_ = *imported;
    core::RegistryBatch people = facts_;
    people.labs.clear();
    people.assessments.clear();
    ASSERT_THAT(in_steps_->Import(people, Options()), IsOk());
    core::RegistryBatch rest;
    rest.sources = facts_.sources;
    rest.labs = facts_.labs;
    rest.assessments = facts_.assessments;
    imported = in_steps_->Import(rest, Options());
    ASSERT_THAT(imported, IsOk());
    ASSERT_THAT(imported->problems, SizeIs(0));
    in_steps_report_ = *imported;
  }

  const core::RegistryBatch facts_ = ThreePatientsVisits();
  std::unique_ptr<backends::FreshDatabase> second_db_;  // declared first: outlives the registries
  std::optional<Registry> at_once_;
  std::optional<Registry> in_steps_;
  ImportReport at_once_report_;
  ImportReport in_steps_report_;
};

// Patients new to the registry get their scores computed from the batch;
// patients already stored get them recomputed from what is stored. The same
// facts must give the same scores either way.
TEST_P(NewAndStoredPatientsTest, ScoresFromTheBatchEqualScoresFromTheStore) {
  EXPECT_EQ(at_once_report_.scores_written, in_steps_report_.scores_written);

  for (const char* code : {"FR01-001", "CN02-001", "CN02-002"}) {
    auto a = at_once_->LoadPatient(code);
    auto b = in_steps_->LoadPatient(code);
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    ASSERT_EQ(a->scores.size(), b->scores.size()) << code;
    ASSERT_FALSE(a->scores.empty()) << code;
    for (std::size_t i = 0; i < a->scores.size(); ++i) {
      const DerivedScore& x = a->scores[i];
      const DerivedScore& y = b->scores[i];
      EXPECT_EQ(x.date, y.date) << code << " " << i;
      EXPECT_EQ(x.score, y.score) << code << " " << i;
      EXPECT_EQ(x.value, y.value) << code << " " << x.score;
      EXPECT_EQ(x.score_class, y.score_class) << code << " " << x.score;
      EXPECT_EQ(x.version, y.version) << code << " " << x.score;
    }
  }
  // And both agree with a recomputation from the store.
  CheckOptions options;
  options.today = D("2024-06-01");
  for (Registry* registry : {&*at_once_, &*in_steps_}) {
    auto findings = registry->Check(options);
    ASSERT_THAT(findings, IsOk());
    for (const Finding& f : *findings) EXPECT_NE(f.check, "stale-score") << f.patient << ": " << f.message;
  }
}

// New patients' insert images are built beside the inserts; stored patients'
// in the insert loop. The same rows must give the same image either way.
TEST_P(NewAndStoredPatientsTest, InsertImagesOfNewPatientsEqualThoseOfStoredPatients) {
  for (const char* code : {"FR01-001", "CN02-001", "CN02-002"}) {
    auto a = at_once_->Audit(std::string(code));
    auto b = in_steps_->Audit(std::string(code));
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    std::map<std::string, const AuditEntry*> inserts;  // entity -> in_steps' insert entry
    for (const AuditEntry& e : *b) {
      if (e.action == "insert") inserts[e.entity] = &e;
    }
    std::size_t compared = 0;
    for (const AuditEntry& e : *a) {
      if (e.action != "insert" || (e.entity != "lab" && e.entity != "assessment")) continue;
      ASSERT_TRUE(inserts.count(e.entity) > 0) << code << " " << e.entity;
      const AuditEntry& other = *inserts[e.entity];
      EXPECT_EQ(e.entity_key, other.entity_key) << code << " " << e.entity;
      EXPECT_EQ(e.site, other.site) << code << " " << e.entity;
      EXPECT_EQ(e.after, other.after) << code << " " << e.entity;
      ++compared;
    }
    EXPECT_GE(compared, 1U) << code;
  }
}

// A follow-up import brings new rows for patients who have rows stored.
// Each patient's stored rows are read once, only those within the range of
// the batch's rows (by the key's second column); rows outside that range
// must not be missed when the batch holds them, and rows inside must be
// found: unchanged, changed (which needs a reason) or new. Adverse-event
// terms differ in case, where byte order and a language's order disagree
// ("Fever" < "anaemia" in bytes).
TEST_P(RegistryTest, AFollowUpImportFindsTheStoredRowsOfItsRange) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  core::RegistryBatch first = SmallBatch();
  first.labs.push_back(Lab("FR01-001", "2024-03-01", core::Analyte::kAlbumin, 3.1, "31", "g/L", 20));
  first.labs.push_back(Lab("FR01-001", "2024-05-01", core::Analyte::kAlbumin, 3.3, "33", "g/L", 21));
  core::AdverseEvent fever;
  fever.patient = "FR01-001";
  fever.term = "Fever";
  fever.onset = D("2024-01-12");
  fever.grade = 1;
  fever.infusion = 1;
  fever.relatedness = core::Relatedness::kProbable;
  fever.origin = {0, 22};
  core::AdverseEvent anaemia = fever;
  anaemia.term = "anaemia";
  anaemia.infusion.reset();
  anaemia.relatedness = core::Relatedness::kNotRelated;
  anaemia.origin = {0, 23};
  first.adverse_events = {fever, anaemia};
  core::Assessment stored_assessment = first.assessments[0];
  stored_assessment.date = D("2024-05-01");
  stored_assessment.origin = {0, 24};
  first.assessments.push_back(stored_assessment);
  ASSERT_THAT(registry->Import(first, Options()), IsOk());

  core::RegistryBatch follow_up;
  follow_up.sources = {"follow-up.csv"};
  // 2024-03-01 as stored, a new date between the stored ones, and a new analyte on a stored date.
  follow_up.labs = {Lab("FR01-001", "2024-03-01", core::Analyte::kAlbumin, 3.1, "31", "g/L", 2),
                    Lab("FR01-001", "2024-04-01", core::Analyte::kAlbumin, 3.2, "32", "g/L", 3),
                    Lab("FR01-001", "2024-03-01", core::Analyte::kInr, 1.4, "1.4", "", 4)};
  core::AdverseEvent ascites = anaemia;
  ascites.term = "ascites";
  ascites.origin = {0, 5};
  fever.origin = {0, 6};
  follow_up.adverse_events = {ascites, fever};  // the range "Fever" to "ascites" holds "anaemia" too
  // Assessments keep their file order within a patient: the stored date
  // (the range's upper end) comes between two new ones.
  core::Assessment before = stored_assessment;
  before.date = D("2024-03-01");
  before.origin = {0, 7};
  core::Assessment between = stored_assessment;
  between.date = D("2024-04-01");
  between.origin = {0, 9};
  stored_assessment.origin = {0, 8};
  follow_up.assessments = {before, stored_assessment, between};
  auto report = registry->Import(follow_up, Options());
  ASSERT_THAT(report, IsOk());
  ASSERT_THAT(report->problems, SizeIs(0));
  std::map<std::string, TableCounts> counts;
  for (const TableCounts& t : report->tables) counts[t.table] = t;
  EXPECT_EQ(counts["labs"].inserted, 2);
  EXPECT_EQ(counts["labs"].unchanged, 1);
  EXPECT_EQ(counts["adverse_events"].inserted, 1);
  EXPECT_EQ(counts["adverse_events"].unchanged, 1);
  EXPECT_EQ(counts["assessments"].inserted, 2);
  EXPECT_EQ(counts["assessments"].unchanged, 1);

  // A changed value at the end of the range is found, and needs a reason.
  core::RegistryBatch change;
  change.sources = {"change.csv"};
  change.labs = {Lab("FR01-001", "2024-02-01", core::Analyte::kAlbumin, 3.4, "34", "g/L", 2),
                 Lab("FR01-001", "2024-04-01", core::Analyte::kAlbumin, 3.0, "30", "g/L", 3)};
  auto refused = registry->Import(change, Options());
  ASSERT_THAT(refused, IsOk());
  ASSERT_THAT(refused->problems, SizeIs(1));
  EXPECT_EQ(refused->problems[0].line, 3U);
  EXPECT_THAT(refused->problems[0].reason, HasSubstr("needs a reason"));
  auto changed = registry->Import(change, Options("lab report re-read"));
  ASSERT_THAT(changed, IsOk());
  ASSERT_THAT(changed->problems, SizeIs(0));
  counts.clear();
  for (const TableCounts& t : changed->tables) counts[t.table] = t;
  EXPECT_EQ(counts["labs"].updated, 1);
  EXPECT_EQ(counts["labs"].inserted, 1);
  auto record = registry->LoadPatient("FR01-001");
  ASSERT_THAT(record, IsOk());
  EXPECT_EQ(record->facts.labs.size(), 5U + 5U);  // SmallBatch's 5, then 02-01, 03-01 x2, 04-01, 05-01
  EXPECT_EQ(record->facts.adverse_events.size(), 3U);
}

TEST_P(RegistryTest, ABatchWithAnyProblemWritesNothing) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  core::RegistryBatch batch = SmallBatch();
  batch.labs.push_back(Lab("XX99-404", "2024-01-10", core::Analyte::kInr, 1.2, "1.2", "", 40));
  batch.visits.push_back({"CN02-001", D("2031-05-01"), "W4", core::VisitStatus::kCompleted, {0, 41}});
  auto report = registry->Import(batch, Options());
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->written);
  ASSERT_THAT(report->problems, SizeIs(2));
  EXPECT_EQ(report->problems[0].line, 41U);
  EXPECT_EQ(report->problems[0].column, "date");
  EXPECT_THAT(report->problems[0].reason, HasSubstr("future"));
  EXPECT_EQ(report->problems[1].line, 40U);
  EXPECT_EQ(report->problems[1].value, "XX99-404");
  auto patients = registry->ListPatients(std::nullopt);
  ASSERT_THAT(patients, IsOk());
  EXPECT_THAT(*patients, SizeIs(0));
  auto audit = registry->Audit(std::nullopt);
  ASSERT_THAT(audit, IsOk());
  EXPECT_THAT(*audit, SizeIs(0));
}

// Issue 14: a code with a terminal escape sequence used to be stored, and
// cirrus patients then printed it raw to the reader's terminal.
TEST_P(RegistryTest, ACodeWithAControlCharacterIsAProblem) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  core::RegistryBatch batch = SmallBatch();
  batch.patients[1].code = "CN02-\x1b[2J";
  batch.sites[1].code = "CN\x7f";
  batch.patients[1].site = batch.sites[1].code;
  auto report = registry->Import(batch, Options());
  ASSERT_THAT(report, IsOk());
  EXPECT_FALSE(report->written);
  ASSERT_GE(report->problems.size(), 2U);
  EXPECT_EQ(core::Describe(report->problems[0]),
            "batch.csv:3: site \"CN\\x7F\": holds a control character (byte 0x7F at 3); a code may not hold "
            "control characters");
  EXPECT_EQ(core::Describe(report->problems[1]),
            "batch.csv:9: patient \"CN02-\\x1B[2J\": holds a control character (byte 0x1B at 6); a code may not "
            "hold control characters");
}

TEST_P(RegistryTest, DryRunCountsButWritesNothing) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  ImportOptions options = Options();
  options.mode = ImportMode::kDryRun;
  auto report = registry->Import(SmallBatch(), options);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(Inserted(*report), 16);
  EXPECT_FALSE(report->written);
  auto patients = registry->ListPatients(std::nullopt);
  ASSERT_THAT(patients, IsOk());
  EXPECT_THAT(*patients, SizeIs(0));
}

TEST_P(RegistryTest, TheAuditChainDetectsAnEditedEntry) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  ASSERT_THAT(registry->Import(SmallBatch(), Options()), IsOk());
  auto verified = registry->VerifyAudit();
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->entries, 12);
  EXPECT_FALSE(verified->first_bad_seq.has_value());

  auto raw = Open();
  ASSERT_THAT(raw, IsOk());
  // The database itself refuses to change the log...
  EXPECT_FALSE((*raw)->Execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5"));
  // ...and when someone with the power to drop the guard does, the chain shows it.
  if ((*raw)->dialect() == internal::Dialect::kSqlite) {
    ASSERT_THAT((*raw)->Execute("DROP TRIGGER audit_log_no_update"), IsOk());
  } else {
    ASSERT_THAT((*raw)->Execute("DROP TRIGGER audit_log_no_change ON audit_log"), IsOk());
  }
  ASSERT_THAT((*raw)->Execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5"), IsOk());
  verified = registry->VerifyAudit();
  ASSERT_THAT(verified, IsOk());
  ASSERT_TRUE(verified->first_bad_seq.has_value());
  EXPECT_EQ(*verified->first_bad_seq, 5);
  EXPECT_THAT(verified->problem, HasSubstr("changed after it was written"));
}

TEST_P(RegistryTest, ConcurrentImportersLoseNoUpdate) {
  {
    auto registry = Registry::Create(location());
    ASSERT_THAT(registry, IsOk());
    ASSERT_THAT(registry->Import(SmallBatch(), Options()), IsOk());
  }
  // Two writers, each adding labs for its own patient on 20 days.
  auto writer = [&](std::string patient, int offset, bool& ok) {
    auto registry = Registry::Open(location());
    ok = registry.has_value();
    for (int day = 0; day < 20 && ok; ++day) {
      core::RegistryBatch b;
      b.sources = {"w.csv"};
      core::LabResult lab = Lab(patient, "2024-02-01", core::Analyte::kAfp, 3 + offset, "3", "", 2);
      lab.date = D("2024-02-01").PlusDays(day);
      b.labs = {lab};
      auto report = registry->Import(b, Options());
      ok = report.has_value() && report->written;
    }
  };
  bool ok1 = false;
  bool ok2 = false;
  std::thread t1(writer, "FR01-001", 0, std::ref(ok1));
  std::thread t2(writer, "CN02-001", 1, std::ref(ok2));
  t1.join();
  t2.join();
  EXPECT_TRUE(ok1);
  EXPECT_TRUE(ok2);
  auto registry = Registry::Open(location());
  ASSERT_THAT(registry, IsOk());
  auto exported = registry->Export(std::nullopt);
  ASSERT_THAT(exported, IsOk());
  EXPECT_EQ(std::count_if(exported->labs.begin(), exported->labs.end(),
                          [](const auto& l) { return l.analyte == core::Analyte::kAfp; }),
            40);
  auto verified = registry->VerifyAudit();
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->entries, 12 + 40);
  EXPECT_FALSE(verified->first_bad_seq.has_value()) << verified->problem;
}

TEST_P(RegistryTest, AKilledImportLeavesTheRegistryAsItWas) {
  {
    auto registry = Registry::Create(location());
    ASSERT_THAT(registry, IsOk());
    ASSERT_THAT(registry->Import(SmallBatch(), Options()), IsOk());
  }
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A large import that is still running when the parent kills it.
    auto registry = Registry::Open(location());
    core::RegistryBatch big;
    big.sources = {"big.csv"};
    for (int i = 0; i < 200000; ++i) {
      core::LabResult lab = Lab("FR01-001", "2020-01-01", core::Analyte::kAfp, 4, "4", "", 2);
      lab.date = D("2020-01-01").PlusDays(i % 1500);
      lab.analyte = core::AllAnalytes()[static_cast<std::size_t>(i / 1500) % 13];
      lab.value = core::Info(lab.analyte).plausible_min;
      if (i / 1500 >= 13) break;
      big.labs.push_back(lab);
    }
    const char byte = 1;
    (void)!write(ready[1], &byte, 1);
    (void)registry->Import(big, Options());
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  usleep(200000);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(ready[0]);
  close(ready[1]);

  auto registry = Registry::Open(location());
  ASSERT_THAT(registry, IsOk());
  auto exported = registry->Export(std::nullopt);
  ASSERT_THAT(exported, IsOk());
  EXPECT_THAT(exported->labs, SizeIs(5));
  auto verified = registry->VerifyAudit();
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->entries, 12);
  EXPECT_FALSE(verified->first_bad_seq.has_value());
}

TEST_P(RegistryTest, ChecksFindWhatTheyName) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  core::RegistryBatch b = SmallBatch();
  // CN02-001: three bilirubins near 1.1 mg/dL and one of 18.8, which is
  // 1.1 x 17.1: a value in umol/L typed as mg/dL.
  b.labs.push_back(Lab("CN02-001", "2024-01-10", core::Analyte::kBilirubin, 1.0, "1.0", "mg/dL", 20));
  b.labs.push_back(Lab("CN02-001", "2024-01-20", core::Analyte::kBilirubin, 1.2, "1.2", "mg/dL", 21));
  b.labs.push_back(Lab("CN02-001", "2024-01-30", core::Analyte::kBilirubin, 1.1, "1.1", "mg/dL", 22));
  b.labs.push_back(Lab("CN02-001", "2024-02-09", core::Analyte::kBilirubin, 18.8, "18.8", "mg/dL", 23));
  // FR01-001 dies on 2024-03-01; an AFP after that is impossible.
  b.events = {{"FR01-001",
               core::OutcomeKind::kDeath,
               D("2024-03-01"),
               core::DeathCause::kLiverFailure,
               std::nullopt,
               "",
               {0, 30}}};
  b.labs.push_back(Lab("FR01-001", "2024-03-05", core::Analyte::kAfp, 5, "5", "", 31));
  ASSERT_THAT(registry->Import(b, Options()), IsOk());

  CheckOptions options;
  options.today = D("2025-06-01");
  auto findings = registry->Check(options);
  ASSERT_THAT(findings, IsOk());
  std::map<std::string, std::vector<std::string>> by_check;  // check -> patients
  for (const auto& f : *findings) by_check[f.check].push_back(f.patient);
  EXPECT_THAT(by_check["unit-confusion"], ::testing::ElementsAre("CN02-001"));
  EXPECT_THAT(by_check["after-death"], ::testing::ElementsAre("FR01-001"));
  // Both were enrolled 2024-01-10, so W4 was due by day 28 + 7 = 2024-02-14;
  // FR01-001 died on 2024-03-01, after the window closed: both are overdue.
  EXPECT_THAT(by_check["overdue-visit"], ::testing::ElementsAre("CN02-001", "FR01-001"));
  // Last contact of CN02-001 is 2024-02-09, 478 days before 2025-06-01.
  EXPECT_THAT(by_check["no-contact"], ::testing::ElementsAre("CN02-001"));
  // CN02-001 has had neither a liver ultrasound nor an AFP since enrolment:
  // one finding for each.
  EXPECT_THAT(by_check["hcc-surveillance"], ::testing::ElementsAre("CN02-001", "CN02-001"));
  // CN02-001 has no albumin, INR or creatinine at baseline.
  EXPECT_THAT(by_check["missing-baseline"], ::testing::ElementsAre("CN02-001"));
  EXPECT_TRUE(by_check["stale-score"].empty());

  // A stored score edited behind cirrus's back is found.
  auto raw = Open();
  ASSERT_THAT(raw, IsOk());
  ASSERT_THAT((*raw)->Execute("UPDATE derived_scores SET value = 9 WHERE patient = 'FR01-001' AND score = 'meld'"),
              IsOk());
  findings = registry->Check(options);
  ASSERT_THAT(findings, IsOk());
  by_check.clear();
  for (const auto& f : *findings) by_check[f.check].push_back(f.patient);
  EXPECT_THAT(by_check["stale-score"], ::testing::ElementsAre("FR01-001"));
}

TEST_P(RegistryTest, DeleteRemovesOneRecordAuditsItAndRescoresTheVisit) {
  auto registry = Registry::Create(location());
  ASSERT_THAT(registry, IsOk());
  ASSERT_THAT(registry->Import(SmallBatch(), Options()), IsOk());
  DeleteOptions options{"tester", "albumin entered for the wrong patient"};
  const std::vector<std::string> albumin = {"FR01-001", "2024-01-10", "ALB"};
  ASSERT_THAT(registry->Delete("labs", albumin, options), IsOk());

  auto record = registry->LoadPatient("FR01-001");
  ASSERT_THAT(record, IsOk());
  EXPECT_THAT(record->facts.labs, SizeIs(4));
  // Without albumin there is no Child-Pugh, ALBI or MELD 3.0; MELD and MELD-Na remain.
  std::vector<std::string> names;
  for (const auto& score : record->scores) names.push_back(score.score);
  EXPECT_THAT(names, ::testing::ElementsAre("meld", "meld-na"));

  auto audit = registry->Audit(std::string("FR01-001"));
  ASSERT_THAT(audit, IsOk());
  const AuditEntry& last = audit->back();
  EXPECT_EQ(last.action, "delete");
  EXPECT_EQ(last.entity_key, "FR01-001/2024-01-10/ALB");
  EXPECT_EQ(last.reason, "albumin entered for the wrong patient");
  EXPECT_THAT(last.before, HasSubstr("\"value_as_entered\":\"30\""));
  EXPECT_EQ(last.after, "");
  auto verified = registry->VerifyAudit();
  ASSERT_THAT(verified, IsOk());
  EXPECT_FALSE(verified->first_bad_seq.has_value());

  EXPECT_THAT(registry->Delete("labs", albumin, options), HasErrorCode(ErrorCode::kNotFound));
  const std::vector<std::string> patient = {"FR01-001"};
  EXPECT_THAT(registry->Delete("patients", patient, options), HasErrorCode(ErrorCode::kFailedPrecondition));
  const std::vector<std::string> short_key = {"FR01-001", "2024-01-10"};
  EXPECT_THAT(registry->Delete("labs", short_key, options), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(registry->Delete("lab", albumin, options), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(registry->Delete("labs", albumin, DeleteOptions{"tester", ""}),
              HasErrorCode(ErrorCode::kInvalidArgument));
  // A patient without facts can go, and takes nothing else with them.
  const std::vector<std::string> bare = {"CN02-001"};
  ASSERT_THAT(registry->Delete("patients", bare, options), IsOk());
  auto patients = registry->ListPatients(std::nullopt);
  ASSERT_THAT(patients, IsOk());
  ASSERT_THAT(*patients, SizeIs(1));
  EXPECT_EQ((*patients)[0].code, "FR01-001");
}

// ---- what --db names (issue 14) -------------------------------------------------
// A directory, a file that is not a registry and a read-only registry all
// used to end in an SQLite error reported as an internal error (exit 3).

class RegistryFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("cirrus_registry_file_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(dir_, ignored);
  }
  [[nodiscard]] std::string PathOf(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

TEST_F(RegistryFileTest, ADirectoryIsInvalidArgumentNamingIt) {
  for (auto open : {&Registry::Open, &Registry::Create}) {
    auto registry = open(dir_.string());
    ASSERT_THAT(registry, HasErrorCode(ErrorCode::kInvalidArgument));
    EXPECT_THAT(registry.error().message, HasSubstr(dir_.string() + " is a directory"));
  }
}

TEST_F(RegistryFileTest, AFileThatIsNotARegistryIsInvalidArgumentAndLeftAlone) {
  const std::string csv = PathOf("labs.csv");
  const std::string text = "patient,date,analyte,value\nFR01-001,2024-01-10,ALB,30\n";
  {
    std::ofstream out(csv);
    out << text;
  }
  for (auto open : {&Registry::Open, &Registry::Create}) {
    auto registry = open(csv);
    ASSERT_THAT(registry, HasErrorCode(ErrorCode::kInvalidArgument));
    EXPECT_THAT(registry.error().message, HasSubstr(csv + " is not a cirrus registry"));
  }
  // Left as it was: a stringstream copy, not istreambuf_iterator (GCC's -O3
  // -Wnull-dereference flags its inlined buffer pointers).
  std::ifstream in(csv);
  std::stringstream read_back;
  read_back << in.rdbuf();
  EXPECT_EQ(read_back.str(), text);
}

// What a read-only registry allows, as a failure text ("" when all holds): a
// read-only file in a writable directory, and one in a read-only directory.
std::string ReadOnlyRegistryFailure(const std::string& db) {
  auto registry = Registry::Open(db);
  if (!registry) return "open: " + registry.error().message;
  auto patients = registry->ListPatients(std::nullopt);
  if (!patients || patients->size() != 2) return "list patients";
  auto verified = registry->VerifyAudit();
  if (!verified || verified->first_bad_seq.has_value()) return "verify the audit trail";
  auto imported = registry->Import(SmallBatch(), Options("again"));
  if (imported || imported.error().code != ErrorCode::kFailedPrecondition ||
      imported.error().message.find("is read-only") == std::string::npos) {
    return "import: " + (imported ? std::string("succeeded") : imported.error().message);
  }
  return "";
}

TEST_F(RegistryFileTest, AReadOnlyRegistryReadsAndRefusesWrites) {
  const std::string db = PathOf("r.db");
  {
    auto registry = Registry::Create(db);
    ASSERT_THAT(registry, IsOk());
    ASSERT_THAT(registry->Import(SmallBatch(), Options()), IsOk());
  }
  std::filesystem::permissions(db, std::filesystem::perms::owner_read | std::filesystem::perms::group_read |
                                       std::filesystem::perms::others_read);
  // Root may write any file: the checks then run in a child as nobody.
  auto run = [&]() -> std::string {
    if (::geteuid() != 0) return ReadOnlyRegistryFailure(db);
    int fds[2];
    if (::pipe(fds) != 0) return "pipe";
    const pid_t child = ::fork();
    if (child == 0) {
      ::close(fds[0]);
      constexpr uid_t kNobody = 65534;
      const std::string failure =
          ::setgid(kNobody) == 0 && ::setuid(kNobody) == 0 ? ReadOnlyRegistryFailure(db) : "setuid";
      const ssize_t written = ::write(fds[1], failure.data(), failure.size());
      ::_exit(written == static_cast<ssize_t>(failure.size()) ? 0 : 1);
    }
    ::close(fds[1]);
    std::string failure;
    char buffer[512];
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) failure.append(buffer, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? failure : "child failed";
  };
  // The directory must be searchable by the child (nobody).
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                         std::filesystem::perms::others_exec | std::filesystem::perms::group_read |
                                         std::filesystem::perms::others_read);
  EXPECT_EQ(run(), "") << "in a read-only directory";
  std::filesystem::permissions(dir_, std::filesystem::perms::all);
  EXPECT_EQ(run(), "") << "in a writable directory";
}

INSTANTIATE_TEST_SUITE_P(AllBackends, RegistryTest, ::testing::ValuesIn(backends::TestBackends()),
                         backends::BackendName);
INSTANTIATE_TEST_SUITE_P(AllBackends, NewAndStoredPatientsTest, ::testing::ValuesIn(backends::TestBackends()),
                         backends::BackendName);

}  // namespace
}  // namespace cirrus::store
