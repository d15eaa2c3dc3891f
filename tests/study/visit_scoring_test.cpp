// ScoreVisitsCsv: the output is the same whatever the thread count and chunk
// size, bad rows are listed in file order, and nothing reaches the sink after
// the first bad row. Score values themselves are pinned by tests/scores and
// the oracle; here the rows reuse Kim 2021 Table 4 (MELD 3.0 16 and 17).
#include "cirrus/study/visit_scoring.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "cirrus/io/csv.hpp"
#include "cirrus_matchers.hpp"

namespace cirrus::study {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view kHeader =
    "id,note,sex,age_years,bilirubin_mg_dl,albumin_g_dl,inr,creatinine_mg_dl,sodium_mmol_l,dialysis,ascites,"
    "encephalopathy,platelets_10e9_l,ast_u_l,alt_u_l\n";

// n rows alternating the two Kim rows; every seventh note spans two lines.
std::string Visits(int n) {
  std::string text(kHeader);
  for (int i = 0; i < n; ++i) {
    const std::string note = i % 7 == 0 ? "\"line one\nline two, with comma\"" : "plain";
    const std::string sex = i % 2 == 0 ? "male" : "female";
    text += std::to_string(i) + "," + note + "," + sex + ",50,2.5,3.8,1.0,1.2,131,0,none,none,100,40,40\n";
  }
  return text;
}

struct Collected {
  std::string output;
  Result<VisitScoringReport> report = VisitScoringReport{};
};

Collected ScoreText(const std::string& text, unsigned threads, std::size_t chunk_bytes) {
  Collected c;
  VisitScoringOptions options;
  options.threads = threads;
  options.chunk_bytes = chunk_bytes;
  c.report = ScoreVisitsCsv(
      text, "visits.csv",
      [&](std::string_view piece) {
        c.output.append(piece);
        return Status();
      },
      options);
  return c;
}

TEST(ScoreVisitsCsv, OutputDoesNotDependOnThreadsOrChunks) {
  const std::string text = Visits(500);
  const Collected one = ScoreText(text, 1, 1 << 20);
  ASSERT_THAT(one.report, IsOk());
  EXPECT_EQ(one.report->rows, 500U);
  for (unsigned threads : {1U, 2U, 4U}) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{64}, std::size_t{1000}}) {
      const Collected other = ScoreText(text, threads, chunk);
      ASSERT_THAT(other.report, IsOk());
      EXPECT_EQ(other.output, one.output) << threads << " threads, chunks of " << chunk;
    }
  }
}

TEST(ScoreVisitsCsv, AppendsTheScoreColumnsToEachRawRow) {
  const Collected c = ScoreText(Visits(2), 2, 16);
  ASSERT_THAT(c.report, IsOk());
  EXPECT_THAT(c.output, HasSubstr(std::string("alt_u_l,") + std::string(kScoreColumns) + "\n"));
  // Row 0 (male): MELD 3.0 16; row 1 (female): 17 (Kim 2021 Table 4, rows 1 and 2).
  EXPECT_THAT(c.output, HasSubstr("with comma\",male,50,2.5,3.8,1.0,1.2,131,0,none,none,100,40,40,6,A,12,18,16,"));
  EXPECT_THAT(c.output, HasSubstr("1,plain,female,50,2.5,3.8,1.0,1.2,131,0,none,none,100,40,40,6,A,12,18,17,"));
}

TEST(ScoreVisitsCsv, ListsBadRowsInFileOrderAcrossChunksAndStopsWriting) {
  std::string text = Visits(300);
  // Break rows 10 and 250 (file lines count the two-line notes).
  auto break_row = [&](const std::string& id) {
    const std::size_t at = text.find("\n" + id + ",plain,");
    ASSERT_NE(at, std::string::npos);
    const std::size_t value = text.find(",2.5,3.8,", at);
    text.replace(value, 9, ",2.5,38,");
  };
  break_row("10");
  break_row("250");
  for (unsigned threads : {1U, 2U}) {
    const Collected c = ScoreText(text, threads, 200);
    ASSERT_THAT(c.report, IsOk());
    EXPECT_EQ(c.report->error_count, 2U);
    ASSERT_EQ(c.report->errors.size(), 2U);
    // Row 10 is on line 14: the header, ten rows before it, and rows 0 and 7 take two lines each.
    EXPECT_THAT(c.report->errors[0], HasSubstr("visits.csv:14: column albumin_g_dl, value \"38\""));
    EXPECT_THAT(c.report->errors[1], HasSubstr("column albumin_g_dl, value \"38\""));
    // Only whole chunks before the first bad row may have reached the sink.
    EXPECT_EQ(c.output.find("\n10,plain"), std::string::npos);
  }
}

TEST(ScoreVisitsCsv, RefusesAnEmptyFileAndABadHeader) {
  EXPECT_THAT(ScoreText("", 1, 100).report, HasErrorMessage(HasSubstr("the file is empty")));
  EXPECT_THAT(ScoreText("id,sex\n1,male\n", 1, 100).report, HasErrorMessage(HasSubstr("missing required column")));
}

TEST(SplitCsvChunks, CutsOnlyAtRecordBoundariesOutsideQuotes) {
  const std::string body = "a,1\n\"b\nstill b\",2\nc,3\n\"d\"\"\n\",4\ne,5\n";
  for (std::size_t target : {1U, 3U, 5U, 8U, 100U}) {
    const auto chunks = io::SplitCsvChunks(body, target, 2);
    std::size_t covered = 0;
    for (const auto& chunk : chunks) {
      EXPECT_EQ(chunk.offset, covered);
      covered += chunk.size;
      const std::string_view piece = std::string_view(body).substr(chunk.offset, chunk.size);
      EXPECT_EQ(piece.back(), '\n');
      // Each chunk parses on its own into whole records.
      io::CsvReader reader(piece, "x", chunk.first_line);
      while (true) {
        auto more = reader.Next();
        ASSERT_THAT(more, IsOk()) << "target " << target;
        if (!*more) break;
        EXPECT_EQ(reader.fields().size(), 2U);
      }
    }
    EXPECT_EQ(covered, body.size());
  }
  // Line numbers: the record "c,3" is on line 2 + 3 = 5 of the file.
  const auto chunks = io::SplitCsvChunks(body, 1, 2);
  ASSERT_GE(chunks.size(), 3U);
  EXPECT_EQ(chunks[2].first_line, 5U);
}

}  // namespace
}  // namespace cirrus::study
