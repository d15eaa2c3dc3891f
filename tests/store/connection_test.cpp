// The database seam (src/store/internal/database.hpp), run over every backend:
// SQLite always, PostgreSQL when CIRRUS_TEST_PG_URL is set (see backends.hpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "backends.hpp"
#include "cirrus/base/result.hpp"
#include "cirrus_matchers.hpp"
#include "internal/bulk_insert.hpp"
#include "internal/database.hpp"

// libpqxx 6.4 leaks one PGresult (about 2 KiB) when a statement finds its
// connection broken (transaction_base::direct_exec), a libpqxx bug of the kind
// fixed upstream in later versions (cf. jtv/libpqxx#500). Only
// TerminatedConnectionIsUnavailable breaks connections on purpose; without
// this, LeakSanitizer would fail the ASan build on that library's leak.
extern "C" const char* __lsan_default_suppressions() { return "leak:libpqxx-6.4.so\n"; }  // NOLINT

namespace cirrus::store::internal {
namespace {

using backends::Backend;
using backends::BackendTest;
using ::testing::HasSubstr;
using ::testing::Not;

class ConnectionTest : public BackendTest {
 protected:
  // A connection to the test's fresh database; fails the test if there is none.
  std::unique_ptr<Connection> MustOpen() {
    auto connection = Open();
    EXPECT_THAT(connection, IsOk());
    return connection ? std::move(connection).value() : nullptr;
  }

  // The single integer a query returns, or nullopt on an error.
  static std::optional<std::int64_t> QueryInt(Connection& connection, std::string_view sql,
                                              std::span<const SqlValue> params = {}) {
    std::optional<std::int64_t> value;
    const Status status = connection.Query(sql, params, [&](const RowView& row) {
      value = row.Int(0);
      return Status();
    });
    if (!status) {
      ADD_FAILURE() << status.error().message;
      return std::nullopt;
    }
    return value;
  }
};

TEST_P(ConnectionTest, DialectMatchesBackend) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(connection->dialect(), backend() == Backend::kSqlite ? Dialect::kSqlite : Dialect::kPostgres);
}

TEST_P(ConnectionTest, EachTestStartsWithAnEmptyDatabase) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  const std::string_view count_tables =
      backend() == Backend::kSqlite ? "SELECT count(*) FROM sqlite_master"
                                    : "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'";
  EXPECT_EQ(QueryInt(*connection, count_tables), 0);
  // Leaves a table behind; the next test (this one, on a rerun) must not see it.
  ASSERT_THAT(connection->Execute("CREATE TABLE leftover (x INTEGER)"), IsOk());
}

struct Values {
  std::optional<std::int64_t> integer;
  std::optional<double> real;
  std::optional<std::string> text;
  bool operator==(const Values&) const = default;
};

TEST_P(ConnectionTest, EveryValueTypeRoundTrips) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE v (id INTEGER PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, s TEXT)"),
              IsOk());
  const std::vector<Values> rows = {
      {std::nullopt, std::nullopt, std::nullopt},
      {std::numeric_limits<std::int64_t>::max(), 0.1, "it's \"quoted\"; -- not a comment"},
      {std::numeric_limits<std::int64_t>::min(), 1.0 / 3.0, "ünïcødé ✓ 漢字 🚀"},
      {0, -123.456e-7, ""},
      {-1, 1e-300, "back\\slash $1 ? %s"},
      {9007199254740993, std::numeric_limits<double>::max(), "line\nbreak\ttab"},
      {42, std::numeric_limits<double>::denorm_min(), "  padded  "},
      {std::nullopt, -2.5e17, std::nullopt},
  };
  auto insert = connection->Prepare("INSERT INTO v (id, i, r, s) VALUES ($1, $2, $3, $4)");
  ASSERT_THAT(insert, IsOk());
  for (std::size_t id = 0; id < rows.size(); ++id) {
    const Values& row = rows[id];
    const std::vector<SqlValue> params = {
        static_cast<std::int64_t>(id),
        row.integer ? SqlValue(*row.integer) : SqlValue(),
        row.real ? SqlValue(*row.real) : SqlValue(),
        row.text ? SqlValue(std::string_view(*row.text)) : SqlValue(),
    };
    ASSERT_THAT((*insert)->Run(params), IsOkAndHolds(1)) << "row " << id;
  }

  std::vector<Values> read;
  ASSERT_THAT(
      connection->Query("SELECT i, r, s FROM v ORDER BY id", {},
                        [&](const RowView& row) {
                          EXPECT_EQ(row.size(), 3);
                          read.push_back({row.OptionalInt(0), row.OptionalReal(1),
                                          row.IsNull(2) ? std::nullopt : std::optional<std::string>(row.Text(2))});
                          return Status();
                        }),
      IsOk());
  EXPECT_EQ(read, rows);
}

TEST_P(ConnectionTest, ParametersBindInOrder) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (i INTEGER, s TEXT)"), IsOk());
  for (std::int64_t i = 0; i < 10; ++i) {
    const std::string s = "row" + std::to_string(i);
    const SqlValue params[] = {i, std::string_view(s)};
    ASSERT_THAT(connection->Run("INSERT INTO t (i, s) VALUES ($1, $2)", params), IsOkAndHolds(1));
  }
  // $1 is the lower bound and $2 the upper: swapped, the range would be empty.
  std::vector<std::string> names;
  const SqlValue bounds[] = {std::int64_t{3}, std::int64_t{6}, std::string_view("row5")};
  ASSERT_THAT(connection->Query("SELECT s FROM t WHERE i >= $1 AND i < $2 AND s <> $3 ORDER BY i", bounds,
                                [&](const RowView& row) {
                                  names.emplace_back(row.Text(0));
                                  return Status();
                                }),
              IsOk());
  EXPECT_THAT(names, ::testing::ElementsAre("row3", "row4"));

  // Parameters straight into the select list come back in order too.
  const SqlValue echo[] = {std::int64_t{7}, std::string_view("two"), 3.5};
  ASSERT_THAT(connection->Query("SELECT $1, $2, $3", echo,
                                [&](const RowView& row) {
                                  EXPECT_EQ(row.Int(0), 7);
                                  EXPECT_EQ(row.Text(0), "7");
                                  EXPECT_EQ(row.Text(1), "two");
                                  EXPECT_EQ(row.Real(2), 3.5);
                                  return Status();
                                }),
              IsOk());
}

// PostgreSQL infers an untyped parameter's type from its context, as SQLite
// applies column affinity: an integer finds a TEXT column's digits. Where no
// context fixes the type, CAST gives one on both (docs/dependencies.md).
TEST_P(ConnectionTest, ParametersTakeTheirTypeFromTheContext) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (s TEXT, r DOUBLE PRECISION); INSERT INTO t VALUES ('42', 2)"),
              IsOk());
  const SqlValue forty_two[] = {std::int64_t{42}};
  EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t WHERE s = $1", forty_two), 1);
  const SqlValue two[] = {std::int64_t{2}};
  EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t WHERE r = $1", two), 1);
  const SqlValue null[] = {SqlValue()};
  EXPECT_EQ(QueryInt(*connection, "SELECT CAST($1 AS TEXT) IS NULL", null), 1);  // a boolean reads as 1
}

TEST_P(ConnectionTest, RunReturnsAffectedRows) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (i INTEGER, s TEXT)"), IsOk());
  EXPECT_THAT(connection->Run("INSERT INTO t (i, s) VALUES (1, 'a'), (2, 'b'), (3, 'b')"), IsOkAndHolds(3));
  const SqlValue b[] = {std::string_view("b")};
  EXPECT_THAT(connection->Run("UPDATE t SET i = i + 10 WHERE s = $1", b), IsOkAndHolds(2));
  const SqlValue none[] = {std::string_view("zzz")};
  EXPECT_THAT(connection->Run("UPDATE t SET i = 0 WHERE s = $1", none), IsOkAndHolds(0));
  EXPECT_THAT(connection->Run("DELETE FROM t"), IsOkAndHolds(3));
}

TEST_P(ConnectionTest, OneStatementRunsManyTimes) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (i BIGINT, r DOUBLE PRECISION)"), IsOk());
  auto insert = connection->Prepare("INSERT INTO t (i, r) VALUES ($1, $2)");
  ASSERT_THAT(insert, IsOk());
  constexpr std::int64_t kRows = 2000;
  ASSERT_THAT(connection->BeginWrite(), IsOk());
  for (std::int64_t i = 0; i < kRows; ++i) {
    const SqlValue params[] = {i, static_cast<double>(i) / 4};
    ASSERT_THAT((*insert)->Run(params), IsOkAndHolds(1));
  }
  ASSERT_THAT(connection->Commit(), IsOk());
  EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t"), kRows);
  EXPECT_EQ(QueryInt(*connection, "SELECT sum(i) FROM t"), kRows * (kRows - 1) / 2);
}

TEST_P(ConnectionTest, ExecuteRunsSeveralStatements) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1);\n"
                                  "INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);"),
              IsOk());
  EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t"), 3);
}

TEST_P(ConnectionTest, RollbackDiscardsWrites) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (i INTEGER)"), IsOk());
  ASSERT_THAT(connection->BeginWrite(), IsOk());
  ASSERT_THAT(connection->Run("INSERT INTO t VALUES (1)"), IsOkAndHolds(1));
  EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t"), 1);
  ASSERT_THAT(connection->Rollback(), IsOk());
  EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t"), 0);
}

TEST_P(ConnectionTest, CommitKeepsWritesForOtherConnections) {
  auto writer = MustOpen();
  auto reader = MustOpen();
  ASSERT_NE(writer, nullptr);
  ASSERT_NE(reader, nullptr);
  ASSERT_THAT(writer->Execute("CREATE TABLE t (i INTEGER)"), IsOk());
  ASSERT_THAT(writer->BeginWrite(), IsOk());
  ASSERT_THAT(writer->Run("INSERT INTO t VALUES (1), (2)"), IsOkAndHolds(2));
  EXPECT_EQ(QueryInt(*reader, "SELECT count(*) FROM t"), 0);  // not yet committed
  ASSERT_THAT(writer->Commit(), IsOk());
  EXPECT_EQ(QueryInt(*reader, "SELECT count(*) FROM t"), 2);
  writer.reset();
  auto reopened = MustOpen();
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(QueryInt(*reopened, "SELECT count(*) FROM t"), 2);
}

TEST_P(ConnectionTest, ReadTransactionSeesOneSnapshot) {
  auto reader = MustOpen();
  auto writer = MustOpen();
  ASSERT_NE(reader, nullptr);
  ASSERT_NE(writer, nullptr);
  ASSERT_THAT(writer->Execute("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1)"), IsOk());
  ASSERT_THAT(reader->Begin(), IsOk());
  EXPECT_EQ(QueryInt(*reader, "SELECT count(*) FROM t"), 1);
  ASSERT_THAT(writer->Run("INSERT INTO t VALUES (2)"), IsOkAndHolds(1));
  EXPECT_EQ(QueryInt(*reader, "SELECT count(*) FROM t"), 1);
  ASSERT_THAT(reader->Commit(), IsOk());
  EXPECT_EQ(QueryInt(*reader, "SELECT count(*) FROM t"), 2);
}

TEST_P(ConnectionTest, SecondWriterWaitsForFirstCommitAndSeesItsWrites) {
  auto first = MustOpen();
  auto second = MustOpen();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_THAT(first->Execute("CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0)"), IsOk());

  ASSERT_THAT(first->BeginWrite(), IsOk());
  ASSERT_THAT(first->Run("UPDATE counter SET n = n + 1"), IsOkAndHolds(1));

  std::atomic<bool> second_has_lock = false;
  Status second_begin;
  std::optional<std::int64_t> second_saw;
  Status second_commit;
  std::thread thread([&] {
    second_begin = second->BeginWrite();
    second_has_lock = true;
    if (!second_begin) return;
    second_saw = QueryInt(*second, "SELECT n FROM counter");
    (void)second->Run("UPDATE counter SET n = n + 1");
    second_commit = second->Commit();
  });
  // Long enough for the second writer to have got through if it did not wait.
  constexpr auto kGrace = std::chrono::milliseconds(300);
  std::this_thread::sleep_for(kGrace);
  EXPECT_FALSE(second_has_lock) << "the second BeginWrite did not wait for the first writer";
  ASSERT_THAT(first->Commit(), IsOk());
  thread.join();

  EXPECT_THAT(second_begin, IsOk());
  EXPECT_EQ(second_saw, 1) << "the second writer did not see the first one's commit";
  EXPECT_THAT(second_commit, IsOk());
  EXPECT_EQ(QueryInt(*first, "SELECT n FROM counter"), 2);
}

TEST_P(ConnectionTest, SqlErrorsComeBackAsErrors) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  EXPECT_THAT(connection->Execute("SELEC 1"), HasErrorMessage(HasSubstr("SELEC")));
  EXPECT_THAT(connection->Prepare("SELECT * FROM no_such_table"), HasErrorMessage(HasSubstr("no_such_table")));
  EXPECT_THAT(connection->Run("INSERT INTO no_such_table VALUES (1)"), Not(IsOk()));

  ASSERT_THAT(connection->Execute("CREATE TABLE t (i INTEGER PRIMARY KEY, s TEXT NOT NULL)"), IsOk());
  ASSERT_THAT(connection->Run("INSERT INTO t VALUES (1, 'a')"), IsOkAndHolds(1));
  EXPECT_THAT(connection->Run("INSERT INTO t VALUES (1, 'b')"), HasErrorCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(connection->Run("INSERT INTO t VALUES (2, NULL)"), HasErrorCode(ErrorCode::kInvalidArgument));
  // A wrong parameter count is a bug in the caller's SQL.
  const SqlValue one[] = {std::int64_t{3}};
  EXPECT_THAT(connection->Run("INSERT INTO t VALUES ($1, $2)", one), HasErrorCode(ErrorCode::kInternal));
  // The connection is still usable after all that.
  EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t"), 1);
}

TEST_P(ConnectionTest, QueryStopsAtTheCallbacksError) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (i INTEGER); INSERT INTO t VALUES (1), (2), (3)"), IsOk());
  int calls = 0;
  const Status status = connection->Query("SELECT i FROM t ORDER BY i", {}, [&](const RowView&) {
    ++calls;
    return calls == 2 ? Status(Fail(ErrorCode::kOutOfRange, "enough")) : Status();
  });
  EXPECT_THAT(status, HasErrorCode(ErrorCode::kOutOfRange));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t"), 3);
}

// The dialects differ here: a failed statement aborts a PostgreSQL transaction
// (COMMIT then reports that nothing was written), while SQLite keeps the
// transaction and its other statements. Callers must roll back on any error.
TEST_P(ConnectionTest, FailedStatementInATransaction) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (i INTEGER PRIMARY KEY)"), IsOk());
  ASSERT_THAT(connection->BeginWrite(), IsOk());
  ASSERT_THAT(connection->Run("INSERT INTO t VALUES (1)"), IsOkAndHolds(1));
  EXPECT_THAT(connection->Run("INSERT INTO t VALUES (1)"), HasErrorCode(ErrorCode::kInvalidArgument));
  if (backend() == Backend::kPostgres) {
    EXPECT_THAT(connection->Commit(), HasErrorCode(ErrorCode::kFailedPrecondition));
    EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t"), 0);
  } else {
    EXPECT_THAT(connection->Commit(), IsOk());
    EXPECT_EQ(QueryInt(*connection, "SELECT count(*) FROM t"), 1);
  }
  // Either way the connection is usable afterwards.
  ASSERT_THAT(connection->BeginWrite(), IsOk());
  ASSERT_THAT(connection->Run("INSERT INTO t VALUES (2)"), IsOkAndHolds(1));
  ASSERT_THAT(connection->Rollback(), IsOk());
}

// Enough rows for two full statements and a remainder, every value type, and
// text whose buffer is overwritten after each Add: what is stored must be
// what each row held when it was added, in the order added.
TEST_P(ConnectionTest, BulkInsertStoresEveryRowAsAdded) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE v (id BIGINT PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, s TEXT)"),
              IsOk());
  constexpr std::string_view kColumns[] = {"id", "i", "r", "s"};
  auto insert = BulkInsert::Start(*connection, "v", kColumns);
  ASSERT_THAT(insert, IsOk());
  const std::size_t count = 2 * insert->RowsPerStatement() + 7;
  std::vector<Values> expected;
  std::string text;
  for (std::size_t id = 0; id < count; ++id) {
    Values row{static_cast<std::int64_t>(id) * -3, static_cast<double>(id) / 7.0, "row " + std::to_string(id)};
    if (id % 5 == 0) row.integer.reset();
    if (id % 6 == 0) row.real.reset();
    if (id % 7 == 0) row.text.reset();
    if (id % 11 == 0) row.text = "it's $1 \"quoted\" " + std::string(id % 3, 'x');
    text = row.text.value_or("");
    const std::vector<SqlValue> params = {
        static_cast<std::int64_t>(id),
        row.integer ? SqlValue(*row.integer) : SqlValue(),
        row.real ? SqlValue(*row.real) : SqlValue(),
        row.text ? SqlValue(std::string_view(text)) : SqlValue(),
    };
    ASSERT_THAT(insert->Add(params), IsOk()) << "row " << id;
    text.assign(text.size(), '#');  // the caller reuses its buffer
    expected.push_back(row);
  }
  // Full statements have run; the remainder waits for Flush.
  EXPECT_EQ(QueryInt(*connection, "SELECT COUNT(*) FROM v"), static_cast<std::int64_t>(2 * insert->RowsPerStatement()));
  ASSERT_THAT(insert->Flush(), IsOk());
  ASSERT_THAT(insert->Flush(), IsOk());  // nothing queued: no statement
  std::vector<Values> read;
  ASSERT_THAT(
      connection->Query("SELECT i, r, s FROM v ORDER BY id", {},
                        [&](const RowView& row) {
                          read.push_back({row.OptionalInt(0), row.OptionalReal(1),
                                          row.IsNull(2) ? std::nullopt : std::optional<std::string>(row.Text(2))});
                          return Status();
                        }),
      IsOk());
  EXPECT_EQ(read, expected);
}

TEST_P(ConnectionTest, BulkInsertRejectsARowOfTheWrongWidth) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (a BIGINT, b BIGINT)"), IsOk());
  constexpr std::string_view kColumns[] = {"a", "b"};
  auto insert = BulkInsert::Start(*connection, "t", kColumns);
  ASSERT_THAT(insert, IsOk());
  const SqlValue one[] = {std::int64_t{1}};
  EXPECT_THAT(insert->Add(one), HasErrorCode(ErrorCode::kInternal));
}

INSTANTIATE_TEST_SUITE_P(AllBackends, ConnectionTest, ::testing::ValuesIn(backends::TestBackends()),
                         backends::BackendName);

// Cases that only PostgreSQL has: a server that can go away under a connection.
class PostgresConnectionTest : public ConnectionTest {};

TEST_P(PostgresConnectionTest, TerminatedConnectionIsUnavailable) {
  auto victim = MustOpen();
  auto killer = MustOpen();
  ASSERT_NE(victim, nullptr);
  ASSERT_NE(killer, nullptr);
  auto pid = QueryInt(*victim, "SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.has_value());
  const SqlValue params[] = {*pid};
  ASSERT_THAT(killer->Run("SELECT pg_terminate_backend($1)", params), IsOk());
  // The server may need a moment to close the socket; the first call after it is unavailable.
  Status status = victim->Execute("SELECT 1");
  for (int attempt = 0; status && attempt < 50; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    status = victim->Execute("SELECT 1");
  }
  EXPECT_THAT(status, HasErrorCode(ErrorCode::kUnavailable));
  // No silent reconnection, and no exception, afterwards either.
  EXPECT_THAT(victim->Prepare("SELECT 1"), HasErrorCode(ErrorCode::kUnavailable));
  EXPECT_THAT(victim->BeginWrite(), HasErrorCode(ErrorCode::kUnavailable));
}

TEST_P(PostgresConnectionTest, MissingDatabaseIsNotFound) {
  const std::string url = backends::detail::WithDatabase(location(), "cirrus_no_such_database");
  EXPECT_THAT(Connect(url, /*create=*/false), HasErrorCode(ErrorCode::kNotFound));
}

// A registry database made with a language's collation orders "Fever"
// after "anaemia"; byte order (SQLite's, and std::string's) puts it first.
// Bytewise makes a range query agree with the bytes.
TEST_P(PostgresConnectionTest, BytewiseComparesTextByItsBytes) {
  auto connection = MustOpen();
  ASSERT_NE(connection, nullptr);
  ASSERT_THAT(connection->Execute("CREATE TABLE t (s TEXT COLLATE \"en-x-icu\" PRIMARY KEY); "
                                  "INSERT INTO t VALUES ('Fever'), ('anaemia'), ('ascites'), ('Zoster')"),
              IsOk());
  auto between = [&](const std::string& column) {
    std::vector<std::string> found;
    const SqlValue range[] = {std::string_view("Fever"), std::string_view("anaemia")};
    const Status status =
        connection->Query("SELECT s FROM t WHERE " + column + " >= $1 AND " + column + " <= $2 ORDER BY " + column,
                          range, [&](const RowView& row) {
                            found.emplace_back(row.Text(0));
                            return Status();
                          });
    EXPECT_THAT(status, IsOk());
    return found;
  };
  EXPECT_THAT(between("s"), ::testing::IsEmpty());  // in en-US, "Fever" comes after "anaemia"
  EXPECT_THAT(between(Bytewise(connection->dialect(), "s")), ::testing::ElementsAre("Fever", "Zoster", "anaemia"));
}

INSTANTIATE_TEST_SUITE_P(PostgresOnly, PostgresConnectionTest,
                         ::testing::Values(backends::BackendParam{Backend::kPostgres, "Postgres"}),
                         backends::BackendName);

// Needs no server: nothing listens on port 1.
TEST(PostgresConnect, UnreachableServerIsUnavailable) {
  auto connection = Connect("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=5", /*create=*/false);
  EXPECT_THAT(connection, HasErrorCode(ErrorCode::kUnavailable));
  EXPECT_THAT(connection, HasErrorMessage(HasSubstr("127.0.0.1:1")));
}

TEST(PostgresConnect, ErrorMessageHidesThePassword) {
  auto connection = Connect("postgres://someone:s3cret@127.0.0.1:1/registry", /*create=*/false);
  EXPECT_THAT(connection, HasErrorCode(ErrorCode::kUnavailable));
  EXPECT_THAT(connection, HasErrorMessage(HasSubstr("someone@127.0.0.1:1/registry")));
  EXPECT_THAT(connection, HasErrorMessage(Not(HasSubstr("s3cret"))));
  auto in_query = Connect("postgresql://127.0.0.1:1/registry?user=a&password=s3cret", /*create=*/false);
  EXPECT_THAT(in_query, HasErrorMessage(Not(HasSubstr("s3cret"))));
}

TEST(PostgresConnect, MalformedUrlIsInvalidArgument) {
  EXPECT_THAT(Connect("postgresql://127.0.0.1:notaport/registry", /*create=*/false),
              HasErrorCode(ErrorCode::kInvalidArgument));
}

}  // namespace
}  // namespace cirrus::store::internal
