// cirrus/study/visit_scoring.hpp: scores every row of a visits CSV (the
// job behind `cirrus score --input`), in parallel, streaming the scored rows
// in input order to a sink.
//
// Each input row comes out unchanged (its raw bytes) followed by the score
// columns of kScoreColumns. Rows are independent, so the file is cut into
// chunks at record boundaries and chunks are scored on several threads; the
// output does not depend on the number of threads.
//
// Example:
//   std::string out;
//   auto report = ScoreVisitsCsv(text, "visits.csv",
//                                [&](std::string_view piece) { out += piece; return Status(); });
//   if (report && report->error_count == 0) WriteStdout(out);
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "cirrus/scores/panel.hpp"

namespace cirrus::study {

/// The score columns appended to each row, in order.
inline constexpr std::string_view kScoreColumns =
    "child_pugh_points,child_pugh_class,meld,meld_na,meld3,meld3_90d_survival,albi,albi_grade,fib4,apri,missing";

/// Appends ",v1,...,v11" for one row: empty where not computable; doubles in
/// the shortest text that reads back as the same double; missing inputs
/// joined with ';'.
void AppendScoreFields(std::string& out, const scores::PanelScores& scores);

struct VisitScoringOptions {
  unsigned threads = 0;                ///< 0: one per hardware thread
  std::size_t max_listed_errors = 20;  ///< bad rows listed in full; the rest are only counted
  std::size_t chunk_bytes = 1 << 20;   ///< input per unit of parallel work
};

struct VisitScoringReport {
  std::size_t rows = 0;             ///< data rows read
  std::size_t error_count = 0;      ///< bad rows found
  std::vector<std::string> errors;  ///< the first max_listed_errors, in file order
};

/// Receives the output in order, piece by piece. Once a bad row is found the
/// sink is called no more (the rest is still validated, to list every bad row).
using OutputSink = std::function<Status(std::string_view)>;

/// Errors (as opposed to bad rows, which the report lists): kInvalidArgument
/// for an empty file, a bad header or a broken quote; whatever the sink returns.
Result<VisitScoringReport> ScoreVisitsCsv(std::string_view text, const std::string& source, const OutputSink& sink,
                                          const VisitScoringOptions& options = {});

}  // namespace cirrus::study
