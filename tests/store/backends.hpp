// Runs a store test suite over every database backend, each test on a fresh,
// empty database: SQLite in a new temporary directory, and PostgreSQL in a new
// database on the server named by CIRRUS_TEST_PG_URL.
//
//   class RegistryTest : public cirrus::store::backends::BackendTest {};
//   TEST_P(RegistryTest, ImportsVisits) {
//     auto registry = Registry::Open(location(), ...);  // or Open() for a raw Connection
//     ...
//   }
//   INSTANTIATE_TEST_SUITE_P(AllBackends, RegistryTest, ::testing::ValuesIn(cirrus::store::backends::TestBackends()),
//                            cirrus::store::backends::BackendName);
//
// Environment:
//   CIRRUS_TEST_PG_URL       admin URL of a PostgreSQL server the tests may create and drop
//                            databases on (scripts/pg-test-server.sh url); unset: the
//                            PostgreSQL cases are skipped.
//   CIRRUS_TEST_PG_REQUIRED  "1": the PostgreSQL cases FAIL instead of skipping when the URL
//                            is unset or the server cannot be reached (make test sets it, so
//                            CI never passes without PostgreSQL).
//
// The PostgreSQL cases are always registered (gtest_discover_tests lists them at
// build time, when the variables may be unset) and decide at run time.
//
// Isolation: each PostgreSQL test gets its own database cirrus_t_<pid>_<n>,
// created from template0 in SetUp over an admin connection and dropped (WITH
// (FORCE)) when the fixture is destroyed, after the derived fixture's
// connections, so ctest may run several test processes at once against one
// server. Databases left by a crashed process (whose pid is gone) are dropped
// the next time a test process starts; the server must therefore be local and
// used for tests only.
//
// A fixture that overrides SetUp must call BackendTest::SetUp() first and
// return if IsSkipped() || HasFatalFailure(). A test target that includes this
// header needs src/store on its include path (for internal/database.hpp):
//   target_include_directories(<name>_test PRIVATE ${PROJECT_SOURCE_DIR}/src/store)
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cirrus/base/result.hpp"
#include "internal/database.hpp"

namespace cirrus::store::backends {

enum class Backend { kSqlite, kPostgres };

struct BackendParam {
  Backend backend = Backend::kSqlite;
  std::string name;  ///< the test name suffix: "Sqlite" or "Postgres"
};

inline void PrintTo(const BackendParam& param, std::ostream* os) { *os << param.name; }

/// Every backend, whatever the environment (see the banner).
inline std::vector<BackendParam> TestBackends() {
  return {{Backend::kSqlite, "Sqlite"}, {Backend::kPostgres, "Postgres"}};
}

/// For INSTANTIATE_TEST_SUITE_P: names the cases .../Sqlite and .../Postgres.
inline std::string BackendName(const ::testing::TestParamInfo<BackendParam>& info) { return info.param.name; }

namespace detail {

inline std::string Env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): tests read, never write, the environment
  return value == nullptr ? std::string() : std::string(value);
}

inline std::uint64_t NextId() {
  static std::uint64_t next = 0;
  return next++;
}

/// `url` with its database name replaced by `database`.
inline std::string WithDatabase(std::string_view url, std::string_view database) {
  const std::size_t scheme = url.find("://");
  const std::size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t query = url.find('?', authority);
  const std::size_t path = url.find('/', authority);
  const std::size_t host_end = std::min(path, query);
  std::string out(url.substr(0, host_end == std::string_view::npos ? url.size() : host_end));
  out += '/';
  out += database;
  if (query != std::string_view::npos) out += url.substr(query);
  return out;
}

/// Drops the cirrus_t_<pid>_<n> databases of processes that no longer exist.
inline void DropOrphans(internal::Connection& admin) {
  std::vector<std::string> orphans;
  const Status listed = admin.Query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'cirrus\\_t\\_%'", {}, [&](const internal::RowView& row) {
        const std::string name(row.Text(0));
        const long pid = std::strtol(name.c_str() + std::string_view("cirrus_t_").size(), nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) orphans.push_back(name);
        return Status();
      });
  if (!listed) return;
  for (const std::string& name : orphans) {
    (void)admin.Execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
  }
}

/// The process's admin connection to CIRRUS_TEST_PG_URL, opened on first use
/// (reopened if it broke). Not thread-safe, like GoogleTest's test bodies.
inline Result<internal::Connection*> Admin(const std::string& url) {
  static std::unique_ptr<internal::Connection> admin;
  static bool swept = false;
  if (admin != nullptr && !admin->Execute("SELECT 1")) admin.reset();
  if (admin == nullptr) {
    CIRRUS_ASSIGN_OR_RETURN(admin, internal::Connect(url, /*create=*/false));
  }
  if (!swept) {
    DropOrphans(*admin);
    swept = true;
  }
  return admin.get();
}

}  // namespace detail

/// A fresh, empty database for one test; removed when the object is destroyed
/// or Drop() is called. Connections to it should be closed first (PostgreSQL's
/// are terminated by the DROP otherwise).
class FreshDatabase {
 public:
  /// Creates a new database. kUnavailable: the backend cannot be used here
  /// (the message says why: no URL, server down, ...).
  static Result<std::unique_ptr<FreshDatabase>> Create(Backend backend) {
    const std::string name = "cirrus_t_" + std::to_string(::getpid()) + "_" + std::to_string(detail::NextId());
    std::unique_ptr<FreshDatabase> db(new FreshDatabase(backend));
    if (backend == Backend::kSqlite) {
      std::error_code error;
      db->directory_ = std::filesystem::temp_directory_path(error) / name;
      std::filesystem::remove_all(db->directory_, error);
      if (!std::filesystem::create_directories(db->directory_, error)) {
        return Fail(ErrorCode::kUnavailable, "cannot create " + db->directory_.string() + ": " + error.message());
      }
      db->location_ = (db->directory_ / "registry.db").string();
      return db;
    }
    const std::string url = detail::Env("CIRRUS_TEST_PG_URL");
    if (url.empty()) {
      return Fail(ErrorCode::kUnavailable,
                  "CIRRUS_TEST_PG_URL is not set; run scripts/pg-test-server.sh start and export "
                  "CIRRUS_TEST_PG_URL=$(scripts/pg-test-server.sh url)");
    }
    CIRRUS_ASSIGN_OR_RETURN(internal::Connection * admin, detail::Admin(url));
    CIRRUS_RETURN_IF_ERROR(admin->Execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"));
    // template0: always clean, whatever someone put into template1.
    CIRRUS_RETURN_IF_ERROR(admin->Execute("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'"));
    db->admin_url_ = url;
    db->database_ = name;
    db->location_ = detail::WithDatabase(url, name);
    return db;
  }

  ~FreshDatabase() { (void)Drop(); }
  FreshDatabase(const FreshDatabase&) = delete;
  FreshDatabase& operator=(const FreshDatabase&) = delete;

  /// What Connect(location(), true) opens: a SQLite file path or a postgresql:// URL.
  [[nodiscard]] const std::string& location() const { return location_; }
  [[nodiscard]] Backend backend() const { return backend_; }

  /// Removes the database now; afterwards the destructor does nothing.
  Status Drop() {
    if (backend_ == Backend::kSqlite) {
      if (!directory_.empty()) {
        std::error_code error;
        std::filesystem::remove_all(directory_, error);
        directory_.clear();
      }
      return {};
    }
    if (database_.empty()) return {};
    const std::string database = std::move(database_);
    database_.clear();
    CIRRUS_ASSIGN_OR_RETURN(internal::Connection * admin, detail::Admin(admin_url_));
    return admin->Execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
  }

 private:
  explicit FreshDatabase(Backend backend) : backend_(backend) {}

  Backend backend_;
  std::string location_;
  std::filesystem::path directory_;  // SQLite
  std::string admin_url_;            // PostgreSQL
  std::string database_;             // PostgreSQL
};

/// Fixture: a fresh database per test, on the backend of the test parameter.
class BackendTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override {
    auto db = FreshDatabase::Create(GetParam().backend);
    if (!db) {
      if (GetParam().backend == Backend::kPostgres && detail::Env("CIRRUS_TEST_PG_REQUIRED") != "1") {
        GTEST_SKIP() << db.error().message;
      }
      FAIL() << "no fresh " << GetParam().name << " database: " << db.error().message
             << (GetParam().backend == Backend::kPostgres ? " (CIRRUS_TEST_PG_REQUIRED=1)" : "");
    }
    db_ = std::move(db).value();
  }

  // The database goes in the destructor, after a derived fixture's members
  // (connections, registries) have closed, so the DROP need not terminate them.
  ~BackendTest() override {
    if (db_ == nullptr) return;
    const Status dropped = db_->Drop();
    EXPECT_TRUE(dropped.has_value()) << "dropping the test database: " << dropped.error().message;
  }

  [[nodiscard]] Backend backend() const { return GetParam().backend; }
  /// The fresh database's location, for Connect(location(), true) or a registry.
  [[nodiscard]] const std::string& location() const { return db_->location(); }
  /// A new connection to the fresh database.
  [[nodiscard]] Result<std::unique_ptr<internal::Connection>> Open() const {
    return internal::Connect(location(), /*create=*/true);
  }

 private:
  std::unique_ptr<FreshDatabase> db_;
};

}  // namespace cirrus::store::backends
