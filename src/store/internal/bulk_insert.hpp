// Rows of one table inserted many to a statement. A prepared single-row
// INSERT costs a full statement execution per row (reset, bind, the VDBE
// program's set-up, and on PostgreSQL a round trip); one
// "INSERT ... VALUES (...), (...), ..." of kRowsPerStatement rows spreads
// that over the rows. Text is copied on Add, so callers may reuse the
// buffers their values point into.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/result.hpp"
#include "internal/database.hpp"

namespace cirrus::store::internal {

class BulkInsert {
 public:
  /// Rows per statement. 999 is the smallest parameter limit a SQLite build
  /// may have (SQLITE_MAX_VARIABLE_NUMBER before 3.32); PostgreSQL allows
  /// 65,535. Wider tables get fewer rows (see RowsPerStatement).
  static constexpr std::size_t kMaxParameters = 999;

  /// Prepares the full-size statement for `table` and its `columns`.
  static Result<BulkInsert> Start(Connection& connection, std::string_view table,
                                  std::span<const std::string_view> columns);

  /// Queues one row (as many values as columns); runs a statement when enough are queued.
  Status Add(std::span<const SqlValue> row);
  /// Inserts every queued row. Call before anything reads the table or the transaction ends.
  Status Flush();

  [[nodiscard]] std::size_t RowsPerStatement() const { return rows_per_statement_; }

 private:
  BulkInsert(Connection& connection, std::string table, std::string columns, std::size_t column_count);
  [[nodiscard]] std::string InsertSql(std::size_t rows) const;
  Status RunQueued(Statement& statement);

  // A queued value: NULL, integer, real, or text at [offset, offset + size) of text_.
  struct Queued {
    enum class Kind : std::uint8_t { kNull, kInt, kReal, kText } kind;
    std::int64_t integer;
    double real;
    std::size_t offset;
    std::size_t size;
  };

  Connection* connection_;
  std::string table_;
  std::string columns_;  // "(a, b, c)"
  std::size_t column_count_;
  std::size_t rows_per_statement_;
  std::unique_ptr<Statement> full_;
  std::map<std::size_t, std::unique_ptr<Statement>> partial_;  // by row count
  std::vector<Queued> queued_;
  std::string text_;
  std::vector<SqlValue> params_;
};

}  // namespace cirrus::store::internal
