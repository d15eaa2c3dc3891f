#include <memory>
#include <string>
#include <string_view>

#include "internal/database.hpp"

namespace cirrus::store::internal {

Result<std::int64_t> Connection::Run(std::string_view sql, std::span<const SqlValue> params) {
  CIRRUS_ASSIGN_OR_RETURN(auto statement, Prepare(sql));
  return statement->Run(params);
}

Status Connection::Query(std::string_view sql, std::span<const SqlValue> params, const RowCallback& on_row) {
  CIRRUS_ASSIGN_OR_RETURN(auto statement, Prepare(sql));
  return statement->Query(params, on_row);
}

Result<std::unique_ptr<Connection>> Connect(std::string_view location, bool create) {
  if (location.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "no registry given; pass --db FILE or --db postgresql://...", "db");
  }
  if (location.starts_with("postgresql://") || location.starts_with("postgres://")) return ConnectPostgres(location);
  constexpr std::string_view kSqliteScheme = "sqlite:";
  if (location.starts_with(kSqliteScheme)) location.remove_prefix(kSqliteScheme.size());
  return ConnectSqlite(location, create);
}

}  // namespace cirrus::store::internal
