// The one seam between the registry and a database engine. Everything the
// registry does (schema, import, audit, checks, export) is written once as SQL
// over this interface; SQLite and PostgreSQL each implement only connecting,
// preparing, binding, stepping and transactions.
//
// SQL portability rules the registry keeps so that one text runs on both:
//   - parameters are written $1, $2, ... and each is used in increasing order of
//     first appearance (SQLite numbers "$N" parameters by first appearance);
//   - dates are ISO 8601 TEXT, booleans INTEGER 0/1, reals DOUBLE PRECISION;
//   - the few dialect differences in DDL go through Dialect() (see schema.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "cirrus/base/result.hpp"

namespace cirrus::store::internal {

/// A parameter: NULL, an integer, a real or text. Text is a view: it must
/// stay alive until Run/Query returns.
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string_view>;

/// One result row, valid only inside the callback that receives it.
class RowView {
 public:
  virtual ~RowView() = default;
  [[nodiscard]] virtual int size() const = 0;
  [[nodiscard]] virtual bool IsNull(int column) const = 0;
  [[nodiscard]] virtual std::int64_t Int(int column) const = 0;
  [[nodiscard]] virtual double Real(int column) const = 0;
  /// Text of the cell (numbers in their text form); valid until the callback returns.
  [[nodiscard]] virtual std::string_view Text(int column) const = 0;

  [[nodiscard]] std::optional<std::int64_t> OptionalInt(int column) const {
    return IsNull(column) ? std::nullopt : std::optional<std::int64_t>(Int(column));
  }
  [[nodiscard]] std::optional<double> OptionalReal(int column) const {
    return IsNull(column) ? std::nullopt : std::optional<double>(Real(column));
  }
};

using RowCallback = std::function<Status(const RowView&)>;

/// A prepared statement, reusable any number of times within its connection.
class Statement {
 public:
  virtual ~Statement() = default;
  /// Binds `params` to $1..$n, runs to completion, and returns the rows changed.
  virtual Result<std::int64_t> Run(std::span<const SqlValue> params) = 0;
  /// Binds `params` and calls `on_row` for each result row; stops at the first error it returns.
  virtual Status Query(std::span<const SqlValue> params, const RowCallback& on_row) = 0;
};

enum class Dialect { kSqlite, kPostgres };

/// A connection to one registry database. Not thread-safe: one per thread.
class Connection {
 public:
  virtual ~Connection() = default;
  [[nodiscard]] virtual Dialect dialect() const = 0;
  /// Runs one or more statements with no parameters (DDL, PRAGMA, BEGIN ...).
  virtual Status Execute(std::string_view sql) = 0;
  virtual Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) = 0;

  /// Starts a transaction that takes the write lock at once (SQLite BEGIN
  /// IMMEDIATE; PostgreSQL takes an advisory lock that serialises registry
  /// writers), so concurrent writers queue instead of losing updates.
  virtual Status BeginWrite() = 0;
  virtual Status Begin() = 0;  ///< a read transaction: one consistent snapshot
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;

  /// Convenience: prepare + run once.
  Result<std::int64_t> Run(std::string_view sql, std::span<const SqlValue> params = {});
  /// Convenience: prepare + query once.
  Status Query(std::string_view sql, std::span<const SqlValue> params, const RowCallback& on_row);
};

/// `column` for use in a comparison that must order text byte by byte, as
/// SQLite's default BINARY collation does; PostgreSQL would otherwise use the
/// database's collation ("a" < "B" in en_US, "B" < "a" in bytes).
inline std::string Bytewise(Dialect dialect, std::string_view column) {
  std::string out(column);
  if (dialect == Dialect::kPostgres) out += " COLLATE \"C\"";
  return out;
}

/// Opens "sqlite:PATH", a bare PATH (SQLite), or "postgresql://..." /
/// "postgres://..." (PostgreSQL). `create` allows creating a new SQLite file;
/// otherwise a missing file is kNotFound. Errors: kUnavailable when the server
/// cannot be reached, kInvalidArgument for a malformed location.
Result<std::unique_ptr<Connection>> Connect(std::string_view location, bool create);

/// The SQLite and PostgreSQL implementations, called by Connect.
Result<std::unique_ptr<Connection>> ConnectSqlite(std::string_view path, bool create);
Result<std::unique_ptr<Connection>> ConnectPostgres(std::string_view url);

}  // namespace cirrus::store::internal
