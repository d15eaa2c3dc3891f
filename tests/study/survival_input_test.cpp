// From table columns to survival arrays (study/survival_input.hpp): event
// coding, R's factor order for group and stratum labels, rows dropped for
// missing values (as na.omit), the landmark subset, and the errors that name
// file, line, column and value. Tables come from io::ParseColumns on CSV text.
#include "cirrus/study/survival_input.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "cirrus/io/table.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::study {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Result<SurvivalInput> Build(std::string_view csv, const SurvivalSpec& spec) {
  Result<io::ColumnTable> table = io::ParseColumns(csv, "trial.csv", spec.Requests());
  EXPECT_THAT(table, IsOk());
  if (!table) return Fail(table.error());
  return BuildSurvivalInput(*table, spec);
}

SurvivalSpec Spec() {
  SurvivalSpec spec;
  spec.time = "time";
  spec.event = "status";
  return spec;
}

// ---- Requests ------------------------------------------------------------------------

TEST(SurvivalSpec, RequestsColumnsInFixedOrder) {
  SurvivalSpec spec = Spec();
  spec.weights = "w";
  spec.strata = "sex";
  spec.group = "arm";
  spec.entry = "start";
  const std::vector<io::ColumnRequest> r = spec.Requests();
  ASSERT_EQ(r.size(), 6u);
  EXPECT_EQ(r[0].name, "time");
  EXPECT_EQ(r[0].kind, io::ColumnKind::kNumber);
  EXPECT_EQ(r[1].name, "status");
  EXPECT_EQ(r[1].kind, io::ColumnKind::kText);  // text, so --event-value can match labels
  EXPECT_EQ(r[2].name, "start");
  EXPECT_EQ(r[2].kind, io::ColumnKind::kNumber);
  EXPECT_EQ(r[3].name, "arm");
  EXPECT_EQ(r[3].kind, io::ColumnKind::kText);
  EXPECT_EQ(r[4].name, "sex");
  EXPECT_EQ(r[4].kind, io::ColumnKind::kText);
  EXPECT_EQ(r[5].name, "w");
  EXPECT_EQ(r[5].kind, io::ColumnKind::kNumber);
  EXPECT_EQ(Spec().Requests().size(), 2u);
}

// ---- Event coding ----------------------------------------------------------------------

TEST(SurvivalInput, EventIsAnyNonZeroNumberByDefault) {
  const auto in = Build("time,status\n1,0\n2,1\n3,2\n4,0.5\n5,-1\n6,0.0\n", Spec());
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->time, ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(in->event, ElementsAre(0, 1, 1, 1, 1, 0));
  EXPECT_THAT(in->entry, IsEmpty());
  EXPECT_THAT(in->weight, IsEmpty());
  // No group column: everyone in one group, labelled "all".
  EXPECT_THAT(in->group, ElementsAre(0, 0, 0, 0, 0, 0));
  EXPECT_THAT(in->group_labels, ElementsAre("all"));
  EXPECT_EQ(in->GroupCount(), 1);
  EXPECT_THAT(in->strata, IsEmpty());
  EXPECT_EQ(in->StrataCount(), 1);
  EXPECT_EQ(in->dropped_missing, 0u);
}

TEST(SurvivalInput, NonNumericEventWithoutEventValueIsAnError) {
  const auto in = Build("time,status\n1,0\n2,dead\n", Spec());
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(in, HasErrorMessage(HasSubstr("trial.csv:3: column status, value \"dead\": expected a number")));
  EXPECT_THAT(in, HasErrorMessage(HasSubstr("--event-value")));
  EXPECT_EQ(in.error().field, "status");
}

// Competing risks (cirrus cif): 0 = censored, every other number a cause,
// labelled by its shortest text in numeric order, "2" and "2.0" one cause.
TEST(SurvivalInput, CausesAreCodedInNumericOrder) {
  SurvivalSpec spec = Spec();
  spec.event_coding = EventCoding::kCauses;
  const auto in = Build("time,status\n1,0\n2,10\n3,2\n4,2.0\n5,0\n6,-1\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->cause_labels, ElementsAre("-1", "2", "10"));
  EXPECT_THAT(in->cause, ElementsAre(0, 3, 2, 2, 0, 1));
  EXPECT_THAT(in->event, ElementsAre(0, 1, 1, 1, 0, 1));
  EXPECT_THAT(Build("time,status\n1,0\n2,1\n", Spec())->cause, IsEmpty());  // kIndicator: no causes
}

TEST(SurvivalInput, NonNumericCauseIsAnError) {
  SurvivalSpec spec = Spec();
  spec.event_coding = EventCoding::kCauses;
  const auto in = Build("time,status\n1,0\n2,death\n", spec);
  EXPECT_THAT(in, HasErrorMessage(HasSubstr(
                      "trial.csv:3: column status, value \"death\": expected a number (0 = censored, any other "
                      "number = the cause)")));
  EXPECT_EQ(in.error().field, "status");
}

TEST(SurvivalInput, EventValueMatchesOnlyTheListedValues) {
  // pbc coding: 0 censored, 1 transplant, 2 death; --event-value 2 makes
  // transplant a censoring, as Surv(time, status == 2).
  SurvivalSpec spec = Spec();
  spec.event_values = {"2"};
  const auto in = Build("time,status\n1,0\n2,1\n3,2\n4,2\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->event, ElementsAre(0, 0, 1, 1));
}

TEST(SurvivalInput, EventValueListAcceptsSeveral) {
  SurvivalSpec spec = Spec();
  spec.event_values = {"1", "2"};
  const auto in = Build("time,status\n1,0\n2,1\n3,2\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->event, ElementsAre(0, 1, 1));
}

TEST(SurvivalInput, EventValueComparesNumbersNumerically) {
  // "2" matches the cell "2.0" and "2.00" matches the cell "2": both are the number 2.
  SurvivalSpec spec = Spec();
  spec.event_values = {"2"};
  const auto in = Build("time,status\n1,2.0\n2,1\n3,2e0\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->event, ElementsAre(1, 0, 1));
  spec.event_values = {"2.00"};
  const auto again = Build("time,status\n1,2\n2,1\n", spec);
  ASSERT_THAT(again, IsOk());
  EXPECT_THAT(again->event, ElementsAre(1, 0));
}

TEST(SurvivalInput, EventValueMatchesText) {
  // Text cells that are not listed are censorings; they are not an error.
  SurvivalSpec spec = Spec();
  spec.event_values = {"dead"};
  const auto in = Build("time,status\n1,alive\n2,dead\n3,lost\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->event, ElementsAre(0, 1, 0));
}

TEST(SurvivalInput, EventValueThatNeverOccursIsAnError) {
  // A typo such as --event-value Dead against cells "dead" must not silently censor everyone.
  SurvivalSpec spec = Spec();
  spec.event_values = {"dead", "Dead"};
  const auto in = Build("time,status\n1,alive\n2,dead\n", spec);
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(in, HasErrorMessage("trial.csv: column status: the event value \"Dead\" never occurs"));
  EXPECT_EQ(in.error().field, "status");
}

// ---- Labels in R's factor order ------------------------------------------------------------

TEST(SurvivalInput, NumericLabelsSortNumerically) {
  // R: levels(factor(c(10, 9, 2))) is "2" "9" "10", not the byte order "10" "2" "9".
  SurvivalSpec spec = Spec();
  spec.group = "dose";
  const auto in = Build("time,status,dose\n1,1,10\n2,0,9\n3,1,2\n4,1,10\n5,1,-1.5\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->group_labels, ElementsAre("-1.5", "2", "9", "10"));
  EXPECT_THAT(in->group, ElementsAre(3, 2, 1, 3, 0));
  EXPECT_EQ(in->GroupCount(), 4);
}

TEST(SurvivalInput, EqualNumbersAreOneGroup) {
  // Regression: "2" and "2.0" made two groups; R reads the column as numbers and makes one.
  SurvivalSpec spec = Spec();
  spec.group = "arm";
  const auto in = Build("time,status,arm\n1,1,2\n2,0,2.0\n3,1,1\n4,1,1.50\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->group_labels, ElementsAre("1", "1.5", "2"));
  EXPECT_THAT(in->group, ElementsAre(2, 2, 0, 1));
}

TEST(SurvivalInput, TextLabelsSortByBytes) {
  // Byte order: upper case before lower case; any non-number makes the whole column text.
  SurvivalSpec spec = Spec();
  spec.group = "arm";
  const auto in = Build("time,status,arm\n1,1,b\n2,0,B\n3,1,a\n4,1,10\n5,1,9\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->group_labels, ElementsAre("10", "9", "B", "a", "b"));
  EXPECT_THAT(in->group, ElementsAre(4, 2, 3, 0, 1));
}

TEST(SurvivalInput, StrataGetTheirOwnCodes) {
  SurvivalSpec spec = Spec();
  spec.group = "arm";
  spec.strata = "sex";
  const auto in = Build("time,status,arm,sex\n1,1,x,m\n2,0,y,f\n3,1,x,f\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->group_labels, ElementsAre("x", "y"));
  EXPECT_THAT(in->group, ElementsAre(0, 1, 0));
  EXPECT_THAT(in->strata_labels, ElementsAre("f", "m"));
  EXPECT_THAT(in->strata, ElementsAre(1, 0, 0));
  EXPECT_EQ(in->StrataCount(), 2);
}

TEST(SurvivalInput, DataViewsTheArrays) {
  SurvivalSpec spec = Spec();
  spec.entry = "start";
  spec.weights = "w";
  const auto in = Build("time,status,start,w\n3,1,1,2\n4,0,0,0.5\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->entry, ElementsAre(1, 0));
  EXPECT_THAT(in->weight, ElementsAre(2, 0.5));
  const stats::SurvivalData data = in->Data();
  EXPECT_EQ(data.time.data(), in->time.data());
  EXPECT_EQ(data.event.size(), 2u);
  EXPECT_EQ(data.entry.data(), in->entry.data());
  EXPECT_EQ(data.weight.data(), in->weight.data());
}

// ---- Missing values ------------------------------------------------------------------

TEST(SurvivalInput, RowsWithMissingValuesAreDroppedAndCounted) {
  // Lines 3, 4 and 5 each miss one used value (time NA, event empty, group null);
  // line 6 misses only `note`, which is not used, and stays.
  SurvivalSpec spec = Spec();
  spec.group = "arm";
  const auto in = Build(
      "time,status,arm,note\n"
      "1,1,a,x\n"
      "NA,1,a,x\n"
      "3,,b,x\n"
      "4,1,null,x\n"
      "5,0,b,\n",
      spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->dropped_missing, 3u);
  EXPECT_THAT(in->time, ElementsAre(1, 5));
  EXPECT_THAT(in->group_labels, ElementsAre("a", "b"));
}

TEST(SurvivalInput, MissingEntryOrWeightDropsTheRow) {
  SurvivalSpec spec = Spec();
  spec.entry = "start";
  spec.weights = "w";
  const auto in = Build("time,status,start,w\n3,1,N/A,1\n4,0,0,\n5,1,1,1\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->dropped_missing, 2u);
  EXPECT_THAT(in->time, ElementsAre(5));
}

TEST(SurvivalInput, NoRowsRemainingIsAnError) {
  const auto in = Build("time,status\nNA,1\n2,\n", Spec());
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(in, HasErrorMessage("trial.csv: no rows remain after dropping 2 with missing values"));
  // A header without rows.
  EXPECT_THAT(Build("time,status\n", Spec()),
              HasErrorMessage("trial.csv: no rows remain after dropping 0 with missing values"));
}

// ---- Landmark --------------------------------------------------------------------------

TEST(SurvivalInput, LandmarkKeepsTimesStrictlyAfterItAndShiftsThem) {
  // L = 2: the event exactly at 2 ended at the landmark and is excluded, as
  // R's subset(d, time > L). Kept times are measured from L: 3 -> 1, 5 -> 3.
  SurvivalSpec spec = Spec();
  spec.landmark = 2.0;
  const auto in = Build("time,status\n1,1\n2,1\n3,1\n5,0\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_EQ(in->excluded_by_landmark, 2u);
  EXPECT_THAT(in->time, ElementsAre(1, 3));
  EXPECT_THAT(in->event, ElementsAre(1, 0));
}

TEST(SurvivalInput, LandmarkShiftsEntryAndClampsAtZero) {
  // Entry 1 before L = 2 becomes 0 (at risk from the landmark); entry 3 becomes 1.
  SurvivalSpec spec = Spec();
  spec.entry = "start";
  spec.landmark = 2.0;
  const auto in = Build("time,status,start\n5,1,1\n6,0,3\n2.5,1,2.25\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->time, ElementsAre(3, 4, 0.5));
  EXPECT_THAT(in->entry, ElementsAre(0, 1, 0.25));
}

TEST(SurvivalInput, LandmarkLeavingNoRowsIsAnError) {
  SurvivalSpec spec = Spec();
  spec.landmark = 10.0;
  const auto in = Build("time,status\n1,1\n10,1\nNA,0\n", spec);
  EXPECT_THAT(in, HasErrorMessage("trial.csv: no rows remain after dropping 1 with missing values and those not at "
                                  "risk at the landmark"));
}

TEST(SurvivalInput, LandmarkDoesNotHideAnEventValueThatOccursBeforeIt) {
  // The event value occurs (at time 1), just not after the landmark: no error.
  SurvivalSpec spec = Spec();
  spec.event_values = {"2"};
  spec.landmark = 1.5;
  const auto in = Build("time,status\n1,2\n3,0\n", spec);
  ASSERT_THAT(in, IsOk());
  EXPECT_THAT(in->event, ElementsAre(0));
}

// ---- Bad values ------------------------------------------------------------------------

TEST(SurvivalInput, NegativeTimeNamesFileLineColumnAndValue) {
  const auto in = Build("time,status\n1,1\n-2,1\n", Spec());
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(in, HasErrorMessage("trial.csv:3: column time, value \"-2\": a time must be >= 0"));
  EXPECT_EQ(in.error().field, "time");
}

TEST(SurvivalInput, LineNumbersCountFileLines) {
  // A quoted field with a line break spans lines 2-3, so the bad row is on line 4.
  SurvivalSpec spec = Spec();
  spec.group = "arm";
  const auto in = Build("time,status,arm\n1,1,\"a\nb\"\n-0.5,1,c\n", spec);
  EXPECT_THAT(in, HasErrorMessage("trial.csv:4: column time, value \"-0.5\": a time must be >= 0"));
}

TEST(SurvivalInput, EntryNotBeforeTimeIsAnError) {
  SurvivalSpec spec = Spec();
  spec.entry = "start";
  const auto in = Build("time,status,start\n5,1,0\n5,1,5\n", spec);
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(in,
              HasErrorMessage("trial.csv:3: column start, value \"5\": the entry time must be before the time (5)"));
  EXPECT_EQ(in.error().field, "start");
  EXPECT_THAT(Build("time,status,start\n5,1,7\n", spec), HasErrorMessage(HasSubstr("trial.csv:2: column start")));
}

TEST(SurvivalInput, NegativeEntryIsAnError) {
  SurvivalSpec spec = Spec();
  spec.entry = "start";
  EXPECT_THAT(Build("time,status,start\n5,1,-1\n", spec),
              HasErrorMessage("trial.csv:2: column start, value \"-1\": an entry time must be >= 0"));
}

TEST(SurvivalInput, WeightNotPositiveIsAnError) {
  SurvivalSpec spec = Spec();
  spec.weights = "w";
  const auto in = Build("time,status,w\n1,1,1\n2,1,2\n3,0,0\n", spec);
  EXPECT_THAT(in, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(in, HasErrorMessage("trial.csv:4: column w, value \"0\": a weight must be > 0"));
  EXPECT_EQ(in.error().field, "w");
  EXPECT_THAT(Build("time,status,w\n1,1,-3\n", spec),
              HasErrorMessage("trial.csv:2: column w, value \"-3\": a weight must be > 0"));
}

}  // namespace
}  // namespace cirrus::study
