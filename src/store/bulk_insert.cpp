#include "internal/bulk_insert.hpp"

#include <algorithm>
#include <variant>

namespace cirrus::store::internal {

BulkInsert::BulkInsert(Connection& connection, std::string table, std::string columns, std::size_t column_count)
    : connection_(&connection),
      table_(std::move(table)),
      columns_(std::move(columns)),
      column_count_(column_count),
      rows_per_statement_(std::max<std::size_t>(1, kMaxParameters / std::max<std::size_t>(1, column_count))) {}

Result<BulkInsert> BulkInsert::Start(Connection& connection, std::string_view table,
                                     std::span<const std::string_view> columns) {
  if (columns.empty())
    return Fail(ErrorCode::kInternal, "a bulk insert into " + std::string(table) + " has no columns");
  std::string list = "(";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) list += ", ";
    list += columns[i];
  }
  list += ')';
  BulkInsert insert(connection, std::string(table), std::move(list), columns.size());
  CIRRUS_ASSIGN_OR_RETURN(insert.full_, connection.Prepare(insert.InsertSql(insert.rows_per_statement_)));
  insert.queued_.reserve(insert.rows_per_statement_ * insert.column_count_);
  insert.params_.reserve(insert.rows_per_statement_ * insert.column_count_);
  return insert;
}

std::string BulkInsert::InsertSql(std::size_t rows) const {
  std::string sql = "INSERT INTO " + table_ + " " + columns_ + " VALUES ";
  std::size_t parameter = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r > 0 ? ", (" : "(";
    for (std::size_t c = 0; c < column_count_; ++c) {
      if (c > 0) sql += ", ";
      sql += '$';
      sql += std::to_string(parameter++);
    }
    sql += ')';
  }
  return sql;
}

Status BulkInsert::Add(std::span<const SqlValue> row) {
  if (row.size() != column_count_) {
    return Fail(ErrorCode::kInternal, "a row for " + table_ + " has " + std::to_string(row.size()) +
                                          " values; the insert has " + std::to_string(column_count_) + " columns");
  }
  for (const SqlValue& value : row) {
    Queued& q = queued_.emplace_back();
    if (std::holds_alternative<std::monostate>(value)) {
      q.kind = Queued::Kind::kNull;
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      q.kind = Queued::Kind::kInt;
      q.integer = *integer;
    } else if (const auto* real = std::get_if<double>(&value)) {
      q.kind = Queued::Kind::kReal;
      q.real = *real;
    } else {
      const std::string_view text = std::get<std::string_view>(value);
      q.kind = Queued::Kind::kText;
      q.offset = text_.size();
      q.size = text.size();
      text_.append(text);
    }
  }
  if (queued_.size() == rows_per_statement_ * column_count_) return RunQueued(*full_);
  return {};
}

Status BulkInsert::Flush() {
  if (queued_.empty()) return {};
  if (queued_.size() == rows_per_statement_ * column_count_) return RunQueued(*full_);
  // Fewer rows than a full statement: prepared once per row count, as a
  // caller that flushes before each lookup may leave one row many times.
  const std::size_t rows = queued_.size() / column_count_;
  std::unique_ptr<Statement>& partial = partial_[rows];
  if (partial == nullptr) {
    CIRRUS_ASSIGN_OR_RETURN(partial, connection_->Prepare(InsertSql(rows)));
  }
  return RunQueued(*partial);
}

Status BulkInsert::RunQueued(Statement& statement) {
  // Views into text_ are made only now: text_ may have grown (and moved) while rows were queued.
  params_.clear();
  for (const Queued& q : queued_) {
    switch (q.kind) {
      case Queued::Kind::kNull: params_.emplace_back(std::monostate{}); break;
      case Queued::Kind::kInt: params_.emplace_back(q.integer); break;
      case Queued::Kind::kReal: params_.emplace_back(q.real); break;
      case Queued::Kind::kText: params_.emplace_back(std::string_view(text_).substr(q.offset, q.size)); break;
    }
  }
  CIRRUS_RETURN_IF_ERROR(statement.Run(params_));
  queued_.clear();
  text_.clear();
  return {};
}

}  // namespace cirrus::store::internal
