// The RFC 4180 reader and writer of io/csv.hpp. Cases follow RFC 4180
// section 2 (https://www.rfc-editor.org/rfc/rfc4180): fields may be quoted,
// a quote inside a quoted field is doubled, quoted fields may hold commas and
// line breaks, and records end in CRLF (LF is accepted too).
#include "cirrus/io/csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus_matchers.hpp"

namespace cirrus::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One record as the reader saw it, copied out because the views die at Next().
struct Record {
  std::vector<std::string> fields;
  std::size_t line = 0;
  std::string text;
};

Result<std::vector<Record>> ReadAll(std::string_view input, std::string source = "test.csv") {
  CsvReader reader(input, std::move(source));
  std::vector<Record> records;
  while (true) {
    const Result<bool> more = reader.Next();
    if (!more) return Fail(more.error());
    if (!*more) break;
    Record record;
    for (const std::string_view field : reader.fields()) record.fields.emplace_back(field);
    record.line = reader.line();
    record.text = std::string(reader.record_text());
    records.push_back(std::move(record));
  }
  return records;
}

// Only the fields of each record, for the common case.
std::vector<std::vector<std::string>> Fields(std::string_view input) {
  const Result<std::vector<Record>> records = ReadAll(input);
  EXPECT_THAT(records, IsOk());
  std::vector<std::vector<std::string>> out;
  if (!records) return out;
  for (const Record& r : *records) out.push_back(r.fields);
  return out;
}

using Row = std::vector<std::string>;

// ---- Reading --------------------------------------------------------------------

TEST(CsvReader, SplitsPlainRecordsOnCommas) {
  EXPECT_THAT(Fields("sex,age\nM,64\nF,57\n"), ElementsAre(Row{"sex", "age"}, Row{"M", "64"}, Row{"F", "57"}));
}

TEST(CsvReader, LastRecordNeedsNoLineEnding) {
  EXPECT_THAT(Fields("a,b\n1,2"), ElementsAre(Row{"a", "b"}, Row{"1", "2"}));
  EXPECT_THAT(Fields("\"a\",\"b\""), ElementsAre(Row{"a", "b"}));
}

TEST(CsvReader, EmptyInputHasNoRecords) {
  for (const std::string_view input : {"", "\n", "\r\n", "\n\n\r\n", "\xEF\xBB\xBF", "\xEF\xBB\xBF\r\n"}) {
    EXPECT_THAT(Fields(input), IsEmpty()) << "\"" << input << "\"";
  }
}

TEST(CsvReader, NextKeepsReturningFalseAtTheEnd) {
  CsvReader reader("a\n", "test.csv");
  EXPECT_THAT(reader.Next(), IsOkAndHolds(true));
  EXPECT_THAT(reader.Next(), IsOkAndHolds(false));
  EXPECT_THAT(reader.Next(), IsOkAndHolds(false));
}

TEST(CsvReader, QuotedFieldsMayHoldCommas) {
  EXPECT_THAT(Fields("\"Smith, J\",64,\"a,b,c\"\n"), ElementsAre(Row{"Smith, J", "64", "a,b,c"}));
}

TEST(CsvReader, DoubledQuotesAreOneQuote) {
  EXPECT_THAT(Fields("\"say \"\"hi\"\"\",x\n"), ElementsAre(Row{"say \"hi\"", "x"}));
  EXPECT_THAT(Fields("\"\"\"\"\n"), ElementsAre(Row{"\""}));
  EXPECT_THAT(Fields("\"\",x\n"), ElementsAre(Row{"", "x"}));
}

TEST(CsvReader, QuotedFieldsMayHoldLineBreaks) {
  const Result<std::vector<Record>> records = ReadAll("id,note\n1,\"first line\nsecond line\"\n2,plain\n");
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 3U);
  EXPECT_THAT((*records)[1].fields, ElementsAre("1", "first line\nsecond line"));
  EXPECT_THAT((*records)[2].fields, ElementsAre("2", "plain"));
}

TEST(CsvReader, LineNumbersCountLineBreaksInsideQuotes) {
  // Record 2 starts on line 2 and spans lines 2-4, so record 3 starts on line 5.
  const Result<std::vector<Record>> records = ReadAll("h\n\"a\nb\nc\"\nnext\n\"x\r\ny\"\nlast");
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 5U);
  EXPECT_EQ((*records)[0].line, 1U);
  EXPECT_EQ((*records)[1].line, 2U);
  EXPECT_EQ((*records)[2].line, 5U);
  EXPECT_EQ((*records)[3].line, 6U);
  EXPECT_EQ((*records)[3].fields[0], "x\r\ny");  // a quoted CRLF is kept as data
  EXPECT_EQ((*records)[4].line, 8U);
}

TEST(CsvReader, AcceptsCrlfLineEndings) {
  const Result<std::vector<Record>> records = ReadAll("a,b\r\n1,2\r\n\"3\",\"4\"\r\n5,\r\n");
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 4U);
  EXPECT_THAT((*records)[0].fields, ElementsAre("a", "b"));
  EXPECT_THAT((*records)[1].fields, ElementsAre("1", "2"));
  EXPECT_THAT((*records)[2].fields, ElementsAre("3", "4"));
  EXPECT_THAT((*records)[3].fields, ElementsAre("5", ""));
  EXPECT_EQ((*records)[1].text, "1,2");
  EXPECT_EQ((*records)[2].text, "\"3\",\"4\"");
  EXPECT_EQ((*records)[3].line, 4U);
}

TEST(CsvReader, IgnoresAByteOrderMark) {
  EXPECT_THAT(Fields("\xEF\xBB\xBFsex,age\nM,64\n"), ElementsAre(Row{"sex", "age"}, Row{"M", "64"}));
  EXPECT_THAT(Fields("\xEF\xBB\xBF\"sex\",age\n"), ElementsAre(Row{"sex", "age"}));
  const Result<std::vector<Record>> records = ReadAll("\xEF\xBB\xBFsex\n");
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 1U);
  EXPECT_EQ((*records)[0].text, "sex");
  EXPECT_EQ((*records)[0].line, 1U);
}

TEST(CsvReader, ABomLaterInTheTextIsData) {
  EXPECT_THAT(Fields("a\n\xEF\xBB\xBF"
                     "b\n"),
              ElementsAre(Row{"a"}, Row{"\xEF\xBB\xBF"
                                        "b"}));
}

TEST(CsvReader, SkipsBlankLinesButCountsThem) {
  const Result<std::vector<Record>> records = ReadAll("\n\na,b\n\n\r\n1,2\n\n");
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 2U);
  EXPECT_EQ((*records)[0].line, 3U);
  EXPECT_EQ((*records)[1].line, 6U);
  EXPECT_THAT((*records)[1].fields, ElementsAre("1", "2"));
}

TEST(CsvReader, KeepsEmptyFields) {
  EXPECT_THAT(Fields("a,b,\n"), ElementsAre(Row{"a", "b", ""}));
  EXPECT_THAT(Fields(",\n"), ElementsAre(Row{"", ""}));
  EXPECT_THAT(Fields(",,x,,\n"), ElementsAre(Row{"", "", "x", "", ""}));
  EXPECT_THAT(Fields("\"a\",\n"), ElementsAre(Row{"a", ""}));
  EXPECT_THAT(Fields("\"a\",,\"\"\n"), ElementsAre(Row{"a", "", ""}));
  EXPECT_THAT(Fields("a,b,"), ElementsAre(Row{"a", "b", ""}));
}

TEST(CsvReader, KeepsSpacesAroundFields) {
  // RFC 4180: spaces are part of a field.
  EXPECT_THAT(Fields(" a , b \n"), ElementsAre(Row{" a ", " b "}));
}

TEST(CsvReader, RecordTextIsTheRawBytesWithoutTheLineEnding) {
  const std::string quoted = "\"a, \"\"b\"\"\",c";
  const std::string multiline = "1,\"x\ny\"";
  const Result<std::vector<Record>> records = ReadAll(quoted + "\r\n" + multiline + "\nplain,row\n");
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 3U);
  EXPECT_EQ((*records)[0].text, quoted);
  EXPECT_THAT((*records)[0].fields, ElementsAre("a, \"b\"", "c"));
  EXPECT_EQ((*records)[1].text, multiline);
  EXPECT_EQ((*records)[2].text, "plain,row");
}

TEST(CsvReader, RecordTextPointsIntoTheInput) {
  // Callers pass columns through by slicing record_text(), so it must be the input's own bytes.
  const std::string input = "a,b\n\"c\",d\n";
  CsvReader reader(input, "test.csv");
  ASSERT_THAT(reader.Next(), IsOkAndHolds(true));
  EXPECT_EQ(reader.record_text().data(), input.data());
  ASSERT_THAT(reader.Next(), IsOkAndHolds(true));
  EXPECT_EQ(reader.record_text().data(), input.data() + 4);
}

TEST(CsvReader, ManyLongQuotedFieldsSurviveBufferGrowth) {
  // Unescaped fields share one buffer that grows while a record is read; the
  // views handed out must still point at the final copy.
  std::string input;
  Row expected;
  for (int i = 0; i < 200; ++i) {
    std::string field = std::string(static_cast<std::size_t>(50 + i), static_cast<char>('a' + i % 26)) + ",\"";
    expected.push_back(field);
    if (i > 0) input += ',';
    input += '"';
    for (const char c : field) {
      if (c == '"') input += '"';
      input += c;
    }
    input += '"';
  }
  input += "\nnext\n";
  EXPECT_THAT(Fields(input), ElementsAre(expected, Row{"next"}));
}

TEST(CsvReader, SourceNamesTheFile) {
  const CsvReader reader("", "visits.csv");
  EXPECT_EQ(reader.source(), "visits.csv");
}

// ---- Errors ---------------------------------------------------------------------

TEST(CsvReader, UnterminatedQuoteNamesFileAndLine) {
  const Result<std::vector<Record>> r = ReadAll("a,b\n1,2\n3,\"open\n4,5\n", "visits.csv");
  EXPECT_THAT(r, HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(r, HasErrorMessage("visits.csv:3: a quoted field is never closed"));
}

TEST(CsvReader, UnterminatedQuoteLineAccountsForEarlierMultilineRecords) {
  // The first record spans lines 1-2; the open quote is on line 3.
  EXPECT_THAT(ReadAll("\"a\nb\"\n\"never", "visits.csv"),
              HasErrorMessage("visits.csv:3: a quoted field is never closed"));
}

TEST(CsvReader, TextAfterAClosingQuoteIsAnError) {
  EXPECT_THAT(ReadAll("\"a\"b,c\n", "visits.csv"),
              HasErrorMessage("visits.csv:1: unexpected text after a closing quote"));
  EXPECT_THAT(ReadAll("x\n\"a\" ,c\n", "visits.csv"),
              HasErrorMessage("visits.csv:2: unexpected text after a closing quote"));
  // The line is where the stray text is, after the quoted line break.
  EXPECT_THAT(ReadAll("\"a\nb\"c\n", "visits.csv"),
              HasErrorMessage("visits.csv:2: unexpected text after a closing quote"));
}

TEST(CsvReader, AQuoteInsideAnUnquotedFieldIsAnError) {
  EXPECT_THAT(ReadAll("ab\"c,d\n", "visits.csv"),
              HasErrorMessage(HasSubstr("visits.csv:1: a quote inside an unquoted field")));
  EXPECT_THAT(ReadAll("x\ny,5\"\n", "visits.csv"), HasErrorMessage(HasSubstr("visits.csv:2:")));
}

// ---- Writing --------------------------------------------------------------------

std::string Quote(std::string_view field) {
  std::string out;
  AppendCsvField(out, field);
  return out;
}

TEST(AppendCsvField, LeavesPlainFieldsAlone) {
  EXPECT_EQ(Quote("abc"), "abc");
  EXPECT_EQ(Quote(""), "");
  EXPECT_EQ(Quote(" padded "), " padded ");
  EXPECT_EQ(Quote("3.5"), "3.5");
}

TEST(AppendCsvField, QuotesCommasQuotesAndLineBreaks) {
  EXPECT_EQ(Quote("a,b"), "\"a,b\"");
  EXPECT_EQ(Quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Quote("\""), "\"\"\"\"");
  EXPECT_EQ(Quote("a\nb"), "\"a\nb\"");
  EXPECT_EQ(Quote("a\r\nb"), "\"a\r\nb\"");
  EXPECT_EQ(Quote("a\rb"), "\"a\rb\"");
}

TEST(AppendCsvField, AppendsToWhatIsAlreadyThere) {
  std::string out = "x,";
  AppendCsvField(out, "y,z");
  EXPECT_EQ(out, "x,\"y,z\"");
}

TEST(AppendCsvField, WhatIsWrittenReadsBack) {
  const Row fields = {"plain", "", "a,b", "say \"hi\"", "two\nlines", "crlf\r\nend", " ", "\"", ","};
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) line += ',';
    AppendCsvField(line, fields[i]);
  }
  EXPECT_THAT(Fields(line + "\r\n"), ElementsAre(fields));
}

// ---- formula injection (issue 14) ---------------------------------------------
// Exported cells that began with =, +, -, @, tab or CR used to be written as
// they were, and a spreadsheet opening the export ran them as formulas.

std::string ExportCell(std::string_view field) {
  std::string out;
  AppendCsvExportField(out, field);
  return out;
}

TEST(CsvExportField, FormulaTriggersGetASingleQuote) {
  EXPECT_EQ(ExportCell("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(ExportCell("+1+cmd"), "'+1+cmd");
  EXPECT_EQ(ExportCell("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0");
  EXPECT_EQ(ExportCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(ExportCell("\t=1"), "'\t=1");
  EXPECT_EQ(ExportCell("\r=1"), "\"'\r=1\"");
}

TEST(CsvExportField, NumbersAndOtherTextAreLeftAsTheyAre) {
  for (const std::string_view cell : {"-1.5", "+3", "-0.25e-3", "2E+4", "-7", "FR01-0001", "a=b", "", "'quoted"}) {
    EXPECT_EQ(ExportCell(cell), std::string(cell)) << cell;
  }
  EXPECT_EQ(ExportCell("-"), "'-");
  EXPECT_EQ(ExportCell("-1.5.2"), "'-1.5.2");
  EXPECT_EQ(ExportCell("-1e"), "'-1e");
}

TEST(CsvExportField, RestoreGivesBackEveryCell) {
  for (const std::string_view cell :
       {"=1", "'=1", "''=1", "-1.5", "-x", "'", "'x", "@", "text", "\t", "'-1.5", "=", "''"}) {
    std::string out = ExportCell(cell);
    CsvReader reader(out, "t.csv");
    auto more = reader.Next();
    ASSERT_THAT(more, IsOk());
    ASSERT_TRUE(*more) << cell;
    EXPECT_EQ(RestoreCsvExportField(reader.fields()[0]), cell) << out;
  }
}

TEST(CsvExportField, RestoreReadsASpreadsheetsApostropheAsTheSpreadsheetShowsIt) {
  EXPECT_EQ(RestoreCsvExportField("'=SUM(1)"), "=SUM(1)");
  EXPECT_EQ(RestoreCsvExportField("'text"), "'text");
  EXPECT_EQ(RestoreCsvExportField("-1.5"), "-1.5");
}

}  // namespace
}  // namespace cirrus::io
