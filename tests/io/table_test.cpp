// Selected columns of a CSV file (io/table.hpp): columns by name (exact,
// then ignoring case), numbers and text, missing values, and the errors that
// name file, line, column and value.
#include "cirrus/io/table.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const std::vector<ColumnRequest> kTimeStatus = {{"time", ColumnKind::kNumber}, {"status", ColumnKind::kText}};

Result<ColumnTable> Parse(std::string_view csv, const std::vector<ColumnRequest>& requests = kTimeStatus) {
  return ParseColumns(csv, "trial.csv", requests);
}

// ---- Selecting columns -------------------------------------------------------------------

TEST(ColumnTable, KeepsOnlyRequestedColumnsInRequestOrder) {
  const auto table = Parse(
      "id,status,time,arm\n"
      "p1,1,12.5,a\n"
      "p2,0,30,b\n");
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->source, "trial.csv");
  EXPECT_EQ(table->rows(), 2u);
  EXPECT_THAT(table->lines, ElementsAre(2, 3));
  ASSERT_THAT(table->columns, SizeIs(2));
  const Column& time = table->columns[0];
  EXPECT_EQ(time.name, "time");
  EXPECT_EQ(time.kind, ColumnKind::kNumber);
  EXPECT_THAT(time.numbers, ElementsAre(12.5, 30));
  EXPECT_THAT(time.texts, IsEmpty());
  EXPECT_THAT(time.present, ElementsAre(1, 1));
  const Column& status = table->columns[1];
  EXPECT_EQ(status.name, "status");
  EXPECT_EQ(status.kind, ColumnKind::kText);
  EXPECT_THAT(status.texts, ElementsAre("1", "0"));
  EXPECT_THAT(status.numbers, IsEmpty());
}

TEST(ColumnTable, MatchesNamesIgnoringCaseWhenNoExactMatch) {
  const auto table = Parse("TIME,Status\n1,0\n");
  ASSERT_THAT(table, IsOk());
  // The column keeps the requested name.
  EXPECT_EQ(table->columns[0].name, "time");
  EXPECT_THAT(table->columns[0].numbers, ElementsAre(1));
  EXPECT_THAT(table->columns[1].texts, ElementsAre("0"));
}

TEST(ColumnTable, HeaderNamesAreMatchedWithoutSurroundingSpaces) {
  // Regression: "time, status" (a space after the comma) could not find "status".
  const auto table = ParseColumns("time, status\n1, 0\n", "t.csv", {{"status", ColumnKind::kText}});
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->columns[0].texts[0], "0");
}

TEST(ColumnTable, ExactMatchWinsOverCaseInsensitiveOne) {
  // "Time" comes first but "time" matches exactly.
  const auto table = Parse("Time,time,status\n1,2,0\n");
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->columns[0].numbers, ElementsAre(2));
}

TEST(ColumnTable, SameColumnMayBeReadAsNumberAndText) {
  const std::vector<ColumnRequest> both = {{"status", ColumnKind::kNumber}, {"status", ColumnKind::kText}};
  const auto table = Parse("time,status\n1,2\n", both);
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->columns[0].numbers, ElementsAre(2));
  EXPECT_THAT(table->columns[1].texts, ElementsAre("2"));
}

TEST(ColumnTable, UnknownColumnListsTheColumns) {
  const std::vector<ColumnRequest> requests = {{"time", ColumnKind::kNumber}, {"age", ColumnKind::kNumber}};
  const auto table = Parse("id,time,status\np1,1,0\n", requests);
  EXPECT_THAT(table, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(table, HasErrorMessage("trial.csv:1: no column \"age\"; the columns are id, time, status"));
  EXPECT_EQ(table.error().field, "age");
}

TEST(ColumnTable, DuplicateRequestIsAnError) {
  const std::vector<ColumnRequest> twice = {{"time", ColumnKind::kNumber}, {"time", ColumnKind::kNumber}};
  const auto table = Parse("time\n1\n", twice);
  EXPECT_THAT(table, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(table, HasErrorMessage("column time is requested twice"));
}

TEST(ColumnTable, NoRequestsReadsOnlyTheRowCount) {
  const auto table = Parse("a,b\n1,2\n3,4\n", {});
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->columns, IsEmpty());
  EXPECT_EQ(table->rows(), 2u);
}

// ---- Numbers -------------------------------------------------------------------------

TEST(ColumnTable, ParsesNumbersWithSignsExponentsAndSpaces) {
  const auto table = Parse("time,status\n+5,0\n-3,0\n1e3,0\n 7 ,0\n0.25,0\n\t8\t,0\n", kTimeStatus);
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->columns[0].numbers, ElementsAre(5, -3, 1000, 7, 0.25, 8));
}

TEST(ColumnTable, NonNumericCellNamesFileLineColumnAndValue) {
  const auto table = Parse("time,status\n1,0\n12 days,1\n");
  EXPECT_THAT(table, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(table, HasErrorMessage("trial.csv:3: column time, value \"12 days\": expected a number"));
  EXPECT_EQ(table.error().field, "time");
}

TEST(ColumnTable, RefusesNonFiniteAndMalformedNumbers) {
  for (const std::string cell : {"inf", "nan", "-inf", "1e999", "+", "+-1", "1,5", "0x10", "1.2.3", "--1"}) {
    const std::string csv = "time,status\n\"" + cell + "\",0\n";
    const auto table = Parse(csv);
    EXPECT_THAT(table, HasErrorMessage(HasSubstr("trial.csv:2: column time, value \"" + cell + "\"")))
        << "cell " << cell;
  }
}

TEST(ColumnTable, TextColumnAcceptsAnything) {
  const auto table = Parse("time,status\n1,dead\n2, alive \n3,\"2, or 3\"\n");
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->columns[1].texts, ElementsAre("dead", "alive", "2, or 3"));
}

// ---- Missing values ------------------------------------------------------------------

TEST(ColumnTable, MissingValuesAreMarkedNotParsed) {
  // Empty, NA, N/A and null in any case are missing, in number and text columns alike.
  const auto table = Parse("time,status\n,NA\nNA,na\nn/a,N/A\nNULL,null\n  ,1\n4,  \n");
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->rows(), 6u);
  EXPECT_THAT(table->columns[0].present, ElementsAre(0, 0, 0, 0, 0, 1));
  EXPECT_THAT(table->columns[0].numbers, ElementsAre(0, 0, 0, 0, 0, 4));
  EXPECT_THAT(table->columns[1].present, ElementsAre(0, 0, 0, 0, 1, 0));
  EXPECT_THAT(table->columns[1].texts, ElementsAre("", "", "", "", "1", ""));
}

TEST(ColumnTable, MissingValueInAnUnrequestedColumnIsIgnored) {
  const auto table = Parse("time,status,note\n1,0,\n2,1,abc\n");
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->columns[0].present, ElementsAre(1, 1));
}

TEST(ColumnTable, CellsOfUnrequestedColumnsAreNotChecked) {
  // A non-number in a column nobody asked for is no error.
  const auto table = Parse("time,status,age\n1,0,old\n");
  ASSERT_THAT(table, IsOk());
}

// ---- Shape of the file -----------------------------------------------------------------

TEST(ColumnTable, WrongFieldCountNamesTheLine) {
  const auto table = Parse("time,status,arm\n1,0,a\n2,1\n");
  EXPECT_THAT(table, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(table, HasErrorMessage("trial.csv:3: 2 fields, but the header has 3"));
  EXPECT_THAT(Parse("time,status\n1,0,extra\n"), HasErrorMessage("trial.csv:2: 3 fields, but the header has 2"));
}

TEST(ColumnTable, EmptyFileIsAnError) {
  const auto table = Parse("");
  EXPECT_THAT(table, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(table, HasErrorMessage("trial.csv: the file is empty; expected a header row"));
  EXPECT_THAT(Parse("\n\n"), HasErrorMessage(HasSubstr("the file is empty")));
}

TEST(ColumnTable, HeaderOnlyGivesNoRows) {
  const auto table = Parse("time,status\n");
  ASSERT_THAT(table, IsOk());
  EXPECT_EQ(table->rows(), 0u);
  EXPECT_THAT(table->columns[0].numbers, IsEmpty());
}

TEST(ColumnTable, LinesSkipBlankLinesAndCountLineBreaksInQuotes) {
  const auto table = Parse("time,status\r\n1,0\r\n\r\n2,\"a\nb\"\r\n3,1\r\n");
  ASSERT_THAT(table, IsOk());
  EXPECT_THAT(table->lines, ElementsAre(2, 4, 6));
  EXPECT_THAT(table->columns[0].numbers, ElementsAre(1, 2, 3));
}

TEST(ColumnTable, UnclosedQuoteIsAnError) {
  EXPECT_THAT(Parse("time,status\n1,\"open\n"), HasErrorCode(ErrorCode::kInvalidArgument));
}

// ---- Large input ------------------------------------------------------------------------
// Files of a few hundred kilobytes are parsed in chunks (on several threads);
// rows, line numbers and the first error must still come out in file order.

struct LargeCsv {
  std::string text;
  std::vector<std::size_t> lines;  // the file line of each row
};

// `rows` rows of id,time,note; every 7th note is quoted and holds a comma
// and a line break, so records and lines differ and some span a chunk edge.
LargeCsv MakeLargeCsv(std::size_t rows) {
  LargeCsv csv;
  csv.text = "id,time,note\n";
  std::size_t line = 2;
  for (std::size_t i = 0; i < rows; ++i) {
    csv.lines.push_back(line);
    csv.text += "p" + std::to_string(i) + "," + std::to_string(i) + ".5,";
    if (i % 7 == 0) {
      csv.text += "\"note, with\na break\"\n";
      line += 2;
    } else {
      csv.text += "plain\n";
      line += 1;
    }
  }
  return csv;
}

const std::vector<ColumnRequest> kTimeNote = {{"time", ColumnKind::kNumber}, {"note", ColumnKind::kText}};

TEST(ColumnTable, LargeFileKeepsRowsAndLinesInOrder) {
  const LargeCsv csv = MakeLargeCsv(20000);
  ASSERT_GT(csv.text.size(), 400000u);
  const auto table = Parse(csv.text, kTimeNote);
  ASSERT_THAT(table, IsOk());
  ASSERT_EQ(table->rows(), 20000u);
  EXPECT_EQ(table->lines, csv.lines);
  for (std::size_t i = 0; i < 20000; ++i) {
    ASSERT_EQ(table->columns[0].numbers[i], static_cast<double>(i) + 0.5) << "row " << i;
    ASSERT_EQ(table->columns[1].texts[i], i % 7 == 0 ? "note, with\na break" : "plain") << "row " << i;
  }
}

TEST(ColumnTable, LargeFileReportsTheFirstBadCellInFileOrder) {
  LargeCsv csv = MakeLargeCsv(20000);
  // Spoil the time of rows 3001 and 15001, far apart in the file: the error names row 3001's line.
  for (const std::size_t row : {15001u, 3001u}) {
    const std::string cell = "," + std::to_string(row) + ".5,";
    const std::size_t at = csv.text.find("p" + std::to_string(row) + cell);
    ASSERT_NE(at, std::string::npos);
    csv.text.replace(at + 1 + std::to_string(row).size() + 1, std::to_string(row).size() + 2, "bad");
  }
  const auto table = Parse(csv.text, kTimeNote);
  EXPECT_THAT(table, HasErrorMessage("trial.csv:" + std::to_string(csv.lines[3001]) +
                                     ": column time, value \"bad\": expected a number"));
}

TEST(ColumnTable, LargeFileWrongFieldCountNamesItsLine) {
  LargeCsv csv = MakeLargeCsv(20000);
  const std::size_t at = csv.text.find("p18002,");
  ASSERT_NE(at, std::string::npos);
  csv.text.insert(at, "extra,");
  EXPECT_THAT(Parse(csv.text, kTimeNote),
              HasErrorMessage("trial.csv:" + std::to_string(csv.lines[18002]) + ": 4 fields, but the header has 3"));
}

// ---- Reading a file --------------------------------------------------------------------

TEST(ReadColumns, ReadsAFileAndNamesItInMessages) {
  namespace fs = std::filesystem;
  const fs::path path = fs::path(::testing::TempDir()) / ("cirrus_table_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(path);
    out << "time,status\n1,0\nx,1\n";
  }
  const auto table = ReadColumns(path.string(), kTimeStatus);
  EXPECT_THAT(table, HasErrorMessage(path.string() + ":3: column time, value \"x\": expected a number"));
  fs::remove(path);
}

TEST(ReadColumns, MissingFileIsNotFound) {
  const std::string path = ::testing::TempDir() + "/cirrus_no_such_table.csv";
  EXPECT_THAT(ReadColumns(path, kTimeStatus), HasErrorCode(ErrorCode::kNotFound));
}

}  // namespace
}  // namespace cirrus::io
