// The registry's schema and its versioned migrations, one text for both
// backends (docs/data-model.md, "Database schema").
#pragma once

#include <string_view>

#include "cirrus/base/result.hpp"
#include "internal/database.hpp"

namespace cirrus::store::internal {

/// The schema version this build of cirrus reads and writes.
int CurrentSchemaVersion();

/// The version a database is at: 0 for an empty database. Errors:
/// kFailedPrecondition when the database holds tables that are not a cirrus registry.
Result<int> SchemaVersionOf(Connection& connection);

/// Applies every migration above the database's version, each in its own
/// transaction with its row in schema_migrations. Errors: kFailedPrecondition
/// when the database is newer than this build.
Status Migrate(Connection& connection, std::string_view applied_at);

}  // namespace cirrus::store::internal
