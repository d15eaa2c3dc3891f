#include "cirrus/study/visit_scoring.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "cirrus/io/csv.hpp"
#include "cirrus/io/visit_csv.hpp"

namespace cirrus::study {
namespace {

// Shortest round-trip text, straight into the output (no format-string parse).
void AppendNumber(std::string& out, double value) {
  std::array<char, 32> buffer{};
  const auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), ec == std::errc() ? static_cast<std::size_t>(ptr - buffer.data()) : 0);
}

void AppendNumber(std::string& out, int value) {
  std::array<char, 16> buffer{};
  const auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  out.append(buffer.data(), ec == std::errc() ? static_cast<std::size_t>(ptr - buffer.data()) : 0);
}

struct ChunkResult {
  std::string output;
  std::vector<std::string> errors;
  std::size_t error_count = 0;
  std::size_t rows = 0;
  std::optional<Error> fatal;  // a broken quote: the file cannot be read on
};

void ScoreChunk(std::string_view text, const io::CsvChunk& chunk, const std::string& source,
                const io::VisitColumns& columns, std::size_t max_errors, ChunkResult& result) {
  io::CsvReader reader(text.substr(chunk.offset, chunk.size), source, chunk.first_line);
  result.output.reserve(chunk.size * 2 + 1024);
  while (true) {
    auto more = reader.Next();
    if (!more) {
      result.fatal = more.error();
      return;
    }
    if (!*more) return;
    ++result.rows;
    auto snapshot = columns.Parse(reader.fields(), reader.line());
    if (!snapshot) {
      if (result.errors.size() < max_errors) result.errors.push_back(snapshot.error().message);
      ++result.error_count;
      continue;
    }
    auto scored = scores::ScorePanel(*snapshot);
    if (!scored) {
      if (result.errors.size() < max_errors) {
        result.errors.push_back(source + ":" + std::to_string(reader.line()) + ": " + scored.error().message);
      }
      ++result.error_count;
      continue;
    }
    if (result.error_count > 0) continue;  // this chunk will not be written
    result.output.append(reader.record_text());
    AppendScoreFields(result.output, *scored);
    result.output.push_back('\n');
  }
}

}  // namespace

void AppendScoreFields(std::string& out, const scores::PanelScores& s) {
  out.push_back(',');
  if (s.child_pugh.has_value()) {
    AppendNumber(out, s.child_pugh.value().points);
    out.push_back(',');
    out.append(scores::Name(s.child_pugh.value().grade));
  } else {
    out.push_back(',');
  }
  for (const auto* meld : {&s.meld, &s.meld_na}) {
    out.push_back(',');
    if (meld->has_value()) AppendNumber(out, meld->value().score);
  }
  out.push_back(',');
  if (s.meld3.has_value()) AppendNumber(out, s.meld3.value().score);
  out.push_back(',');
  if (s.meld3.has_value()) AppendNumber(out, s.meld3.value().survival_90d);
  out.push_back(',');
  if (s.albi.has_value()) AppendNumber(out, s.albi.value().score);
  out.push_back(',');
  if (s.albi.has_value()) AppendNumber(out, s.albi.value().grade);
  for (const auto* index : {&s.fib4, &s.apri}) {
    out.push_back(',');
    if (index->has_value()) AppendNumber(out, index->value());
  }
  out.push_back(',');
  bool first = true;
  s.missing.ForEach([&](core::SnapshotField f) {
    if (!first) out.push_back(';');
    out.append(core::Name(f));
    first = false;
  });
}

Result<VisitScoringReport> ScoreVisitsCsv(std::string_view text, const std::string& source, const OutputSink& sink,
                                          const VisitScoringOptions& options) {
  io::CsvReader header_reader(text, source);
  CIRRUS_ASSIGN_OR_RETURN(const bool has_header, header_reader.Next());
  if (!has_header) return Fail(ErrorCode::kInvalidArgument, source + ": the file is empty; expected a header row");
  CIRRUS_ASSIGN_OR_RETURN(const io::VisitColumns columns, io::VisitColumns::FromHeader(header_reader.fields(), source));
  std::string header(header_reader.record_text());
  header.push_back(',');
  header.append(kScoreColumns);
  header.push_back('\n');
  CIRRUS_RETURN_IF_ERROR(sink(header));

  // The records start after the header's line ending.
  const std::size_t header_end =
      static_cast<std::size_t>(header_reader.record_text().data() - text.data()) + header_reader.record_text().size();
  std::size_t body_start = header_end;
  if (body_start < text.size() && text[body_start] == '\r') ++body_start;
  if (body_start < text.size() && text[body_start] == '\n') ++body_start;
  const std::size_t header_lines = static_cast<std::size_t>(std::count(text.data(), text.data() + body_start, '\n'));
  const std::string_view body = text.substr(body_start);
  const std::vector<io::CsvChunk> chunks = io::SplitCsvChunks(body, options.chunk_bytes, 1 + header_lines);

  const unsigned hardware = std::max(1U, std::thread::hardware_concurrency());
  const unsigned threads = std::max(1U, options.threads == 0 ? hardware : options.threads);
  const std::size_t max_errors = options.max_listed_errors;

  // Workers score chunks ahead of the writer, at most `window` chunks beyond
  // the one being written, so memory stays bounded and writing overlaps
  // scoring. The writer (this thread) hands chunks to the sink in order.
  const std::size_t window = 2 * static_cast<std::size_t>(threads);
  std::vector<std::unique_ptr<ChunkResult>> results(chunks.size());
  std::mutex mutex;
  std::condition_variable changed;
  std::size_t next_chunk = 0;  // next chunk a worker takes
  std::size_t written = 0;     // chunks the writer has finished with
  bool stop = false;

  auto work = [&] {
    while (true) {
      std::size_t index = 0;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return stop || next_chunk >= chunks.size() || next_chunk < written + window; });
        if (stop || next_chunk >= chunks.size()) return;
        index = next_chunk++;
      }
      auto result = std::make_unique<ChunkResult>();
      ScoreChunk(body, chunks[index], source, columns, max_errors, *result);
      {
        const std::lock_guard lock(mutex);
        results[index] = std::move(result);
      }
      changed.notify_all();
    }
  };
  std::vector<std::thread> workers;
  const unsigned worker_count = static_cast<unsigned>(std::min<std::size_t>(threads, chunks.size()));
  workers.reserve(worker_count);
  for (unsigned t = 0; t < worker_count; ++t) workers.emplace_back(work);
  auto finish = [&] {
    {
      const std::lock_guard lock(mutex);
      stop = true;
    }
    changed.notify_all();
    for (std::thread& t : workers) t.join();
  };

  VisitScoringReport report;
  for (std::size_t index = 0; index < chunks.size(); ++index) {
    std::unique_ptr<ChunkResult> r;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return results[index] != nullptr; });
      r = std::move(results[index]);
    }
    if (r->fatal) {
      finish();
      return Fail(std::move(*r->fatal));
    }
    report.rows += r->rows;
    for (std::string& e : r->errors) {
      if (report.errors.size() < max_errors) report.errors.push_back(std::move(e));
    }
    report.error_count += r->error_count;
    if (report.error_count == 0) {
      Status written_ok = sink(r->output);
      if (!written_ok) {
        finish();
        return Fail(written_ok.error());
      }
    }
    r.reset();
    {
      const std::lock_guard lock(mutex);
      written = index + 1;
    }
    changed.notify_all();
  }
  finish();
  return report;
}

}  // namespace cirrus::study
