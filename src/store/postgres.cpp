// The PostgreSQL backend, over libpqxx 6.4 (Debian 12).
//
// Statements are prepared on the server once per Statement object and executed
// by name, so a million-row import parses and plans its INSERT once.
// Parameters travel as text with no declared type, so the server gives each
// one the type its context needs, as it would a quoted literal: "42" becomes
// an int8 in an int8 column and a text in a TEXT column, close to SQLite's
// loose typing (see docs/dependencies.md for why libpqxx's API is used this way).
//
// Transactions are plain SQL (BEGIN/COMMIT/ROLLBACK) sent through a
// pqxx::nontransaction, because the Connection interface opens and closes them
// in separate calls, while libpqxx's transaction objects are scoped. libpqxx's
// automatic reconnection is therefore switched off: it would silently drop a
// transaction libpqxx does not know about.
//
// Every libpqxx exception is caught here and becomes an Error.
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <new>
#include <pqxx/pqxx>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "internal/database.hpp"

namespace cirrus::store::internal {
namespace {

// The key of the transaction-level advisory lock that BeginWrite takes, so
// that registry writers queue one behind the other as SQLite's BEGIN IMMEDIATE
// makes them. It is the ASCII of "cirrusW" (0x63 69 72 72 75 73 57) with a
// version byte 01; any fixed number would do, as long as nothing else on the
// server uses it. Advisory locks are per database, so writers of different
// registries on one server do not wait for each other.
constexpr std::int64_t kRegistryWriteLockKey = 0x6369727275735701;

// A writer waits this long for another writer's transaction before failing
// with kUnavailable; the same as SQLite's busy timeout in sqlite.cpp.
constexpr std::string_view kLockTimeout = "30s";

// Seconds libpq waits for the server to answer a connection attempt, unless
// the URL says otherwise. Without it a dropped SYN waits for the kernel (minutes).
constexpr std::string_view kConnectTimeoutSeconds = "10";

// Removes the password from a postgresql:// URL (user:password@host and
// ?password=...), so that it can appear in an error message.
std::string RedactUrl(std::string_view url) {
  std::string out(url);
  const std::size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const std::size_t authority = scheme_end + 3;
    const std::size_t authority_end = out.find_first_of("/?", authority);
    const std::size_t at = out.rfind('@', authority_end == std::string::npos ? out.size() : authority_end);
    if (at != std::string::npos && at >= authority) {
      const std::size_t colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  for (std::size_t key = out.find("password="); key != std::string::npos; key = out.find("password=", key + 1)) {
    if (key > 0 && out[key - 1] != '?' && out[key - 1] != '&') continue;
    const std::size_t value = key + std::string_view("password=").size();
    const std::size_t value_end = out.find('&', value);
    out.replace(value, (value_end == std::string::npos ? out.size() : value_end) - value, "***");
  }
  return out;
}

// The server's message without the "ERROR:  " prefix and the LINE/caret lines.
std::string FirstLine(std::string_view what) {
  for (std::string_view prefix : {"ERROR:  ", "FATAL:  "}) {
    if (what.starts_with(prefix)) what.remove_prefix(prefix.size());
  }
  what = what.substr(0, what.find('\n'));
  while (!what.empty() && (what.back() == ' ' || what.back() == '\r')) what.remove_suffix(1);
  return std::string(what);
}

std::string Abbreviate(std::string_view sql) {
  constexpr std::size_t kMaxSqlInMessage = 120;
  std::string text(sql.substr(0, kMaxSqlInMessage));
  if (sql.size() > kMaxSqlInMessage) text += "...";
  return text;
}

// Maps a SQLSTATE to the most specific code, matching what sqlite.cpp returns
// for the equivalent SQLite error (constraint -> kInvalidArgument, busy ->
// kUnavailable, corruption -> kDataLoss, anything else kFailedPrecondition).
ErrorCode CodeForSqlState(std::string_view state) {
  if (state == "08P01") return ErrorCode::kInternal;  // protocol: e.g. wrong parameter count, a cirrus bug
  if (state == "XX001" || state == "XX002") return ErrorCode::kDataLoss;
  const std::string_view klass = state.substr(0, 2);
  if (klass == "08" || klass == "53" || klass == "57" || klass == "40") return ErrorCode::kUnavailable;
  if (state == "55P03") return ErrorCode::kUnavailable;  // lock_timeout passed
  if (klass == "22" || klass == "23") return ErrorCode::kInvalidArgument;
  if (klass == "58") return ErrorCode::kDataLoss;  // I/O error on the server
  return ErrorCode::kFailedPrecondition;
}

// Runs `body` and turns any libpqxx (or other) exception into an Error.
// `what` says what was being done, e.g. "running SQL".
template <typename T, typename Body>
Result<T> Guard(std::string_view what, std::string_view sql, Body&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    throw;  // style B4.6: allowed to propagate
  } catch (const pqxx::sql_error& e) {
    std::string message = "PostgreSQL: " + std::string(what) + ": " + FirstLine(e.what());
    if (!e.sqlstate().empty()) message += " (SQLSTATE " + e.sqlstate() + ")";
    if (!sql.empty()) message += " in: " + Abbreviate(sql);
    return Fail(CodeForSqlState(e.sqlstate()), std::move(message));
  } catch (const pqxx::broken_connection& e) {
    // libpqxx reports every SQLSTATE of class 08 this way, including the
    // server's "bind message supplies 1 parameters, but prepared statement
    // requires 2" (08P01), after which the connection is fine: that is a bug
    // in the caller's SQL, as SQLite's parameter-count check says.
    const std::string_view raw = e.what();
    if (raw.starts_with("ERROR:")) {
      std::string message = "PostgreSQL: " + std::string(what) + ": " + FirstLine(raw);
      if (!sql.empty()) message += " in: " + Abbreviate(sql);
      return Fail(ErrorCode::kInternal, std::move(message));
    }
    return Fail(ErrorCode::kUnavailable,
                "PostgreSQL: lost the connection while " + std::string(what) + ": " + FirstLine(raw));
  } catch (const pqxx::in_doubt_error& e) {
    return Fail(ErrorCode::kUnavailable,
                "PostgreSQL: the connection broke during COMMIT; the transaction may or may not have been committed: " +
                    FirstLine(e.what()));
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kInternal, "PostgreSQL: " + std::string(what) + ": " + FirstLine(e.what()));
  }
}

Status GuardStatus(std::string_view what, std::string_view sql, const std::function<void()>& body) {
  auto result = Guard<bool>(what, sql, [&] {
    body();
    return true;
  });
  if (!result) return Fail(std::move(result).error());
  return {};
}

// Text form of a value as PostgreSQL's input functions read it; nullptr for NULL.
// Doubles use the shortest text that reads back to the same bits.
class ParamText {
 public:
  Status Set(std::span<const SqlValue> params) {
    texts_.resize(params.size());
    pointers_.resize(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::string& text = texts_[i];
      const SqlValue& value = params[i];
      if (std::holds_alternative<std::monostate>(value)) {
        pointers_[i] = nullptr;
        continue;
      }
      if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        std::array<char, 24> buffer{};
        const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), *integer).ptr;
        text.assign(buffer.data(), end);
      } else if (const auto* real = std::get_if<double>(&value)) {
        if (std::isnan(*real)) {
          text = "NaN";
        } else if (std::isinf(*real)) {
          text = *real > 0 ? "Infinity" : "-Infinity";
        } else {
          std::array<char, 32> buffer{};
          const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), *real).ptr;
          text.assign(buffer.data(), end);
        }
      } else {
        const std::string_view view = std::get<std::string_view>(value);
        if (view.find('\0') != std::string_view::npos) {
          return Fail(ErrorCode::kInvalidArgument,
                      "PostgreSQL text cannot hold a NUL byte (parameter $" + std::to_string(i + 1) + ")");
        }
        text.assign(view);
      }
      pointers_[i] = text.c_str();
    }
    return {};
  }
  [[nodiscard]] const std::vector<const char*>& pointers() const { return pointers_; }

 private:
  std::vector<std::string> texts_;
  std::vector<const char*> pointers_;
};

class PostgresRow final : public RowView {
 public:
  explicit PostgresRow(const pqxx::row& row) : row_(row) {}
  [[nodiscard]] int size() const override { return static_cast<int>(row_.size()); }
  [[nodiscard]] bool IsNull(int column) const override { return Field(column).is_null(); }

  // Values arrive in PostgreSQL's text form. Like SQLite's column accessors,
  // these convert where they can (a real truncates to an integer, booleans
  // read as 1/0) and give 0 for NULL or text that is not a number.
  [[nodiscard]] std::int64_t Int(int column) const override {
    const std::string_view text = Text(column);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
    if (text == "t") return 1;
    if (text == "f") return 0;
    const double real = Real(column);
    constexpr double kInt64Limit = 9223372036854775808.0;  // 2^63
    if (!(real > -kInt64Limit && real < kInt64Limit)) return 0;
    return static_cast<std::int64_t>(real);
  }
  [[nodiscard]] double Real(int column) const override {
    const std::string_view text = Text(column);
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
    if (text == "t") return 1;
    return 0;
  }
  [[nodiscard]] std::string_view Text(int column) const override {
    const pqxx::field field = Field(column);
    if (field.is_null()) return {};
    return {field.c_str(), field.size()};
  }

 private:
  [[nodiscard]] pqxx::field Field(int column) const { return row_[static_cast<pqxx::row::size_type>(column)]; }
  const pqxx::row& row_;
};

Status ForEachRow(const pqxx::result& result, const RowCallback& on_row) {
  for (const pqxx::row& row : result) {
    const PostgresRow view(row);
    CIRRUS_RETURN_IF_ERROR(on_row(view));
  }
  return {};
}

class PostgresStatement final : public Statement {
 public:
  PostgresStatement(pqxx::connection& connection, std::string name, std::string sql)
      : connection_(connection), name_(std::move(name)), sql_(std::move(sql)) {}
  ~PostgresStatement() override {
    // DEALLOCATE; it fails inside an aborted transaction, and then the
    // statement lives until the connection closes, which is harmless.
    try {
      connection_.unprepare(name_);
    } catch (...) {  // NOLINT(bugprone-empty-catch): nothing useful to do in a destructor
    }
  }
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

  Result<std::int64_t> Run(std::span<const SqlValue> params) override {
    CIRRUS_RETURN_IF_ERROR(params_.Set(params));
    return Guard<std::int64_t>("running SQL", sql_, [&] {
      const pqxx::result result = Execute();
      return static_cast<std::int64_t>(result.affected_rows());
    });
  }

  Status Query(std::span<const SqlValue> params, const RowCallback& on_row) override {
    CIRRUS_RETURN_IF_ERROR(params_.Set(params));
    auto result = Guard<pqxx::result>("querying", sql_, [&] { return Execute(); });
    if (!result) return Fail(std::move(result).error());
    // The callback runs outside the guard: errors it returns are its own, and
    // the text views it receives point into `result`, alive until we return.
    return ForEachRow(*result, on_row);
  }

 private:
  pqxx::result Execute() {
    pqxx::nontransaction transaction(connection_);
    return transaction.exec_prepared(name_, pqxx::prepare::make_dynamic_params(params_.pointers()));
  }

  pqxx::connection& connection_;
  std::string name_;
  std::string sql_;
  ParamText params_;
};

class PostgresConnection final : public Connection {
 public:
  explicit PostgresConnection(std::unique_ptr<pqxx::connection> connection)
      : connection_(std::move(connection)), quiet_(*connection_) {}

  [[nodiscard]] Dialect dialect() const override { return Dialect::kPostgres; }

  Status Execute(std::string_view sql) override {
    return GuardStatus("running SQL", sql, [&] { Exec(sql); });
  }

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override {
    std::string name = "cirrus_" + std::to_string(next_statement_++);
    std::string text(sql);
    CIRRUS_RETURN_IF_ERROR(GuardStatus("preparing SQL", sql, [&] {
      connection_->prepare(name, text);
      try {
        // Now rather than at the first run, so that a syntax error shows here as with SQLite.
        connection_->prepare_now(name);
      } catch (...) {
        ForgetStatement(name);
        throw;
      }
    }));
    return std::unique_ptr<Statement>(
        std::make_unique<PostgresStatement>(*connection_, std::move(name), std::move(text)));
  }

  // READ COMMITTED: once the lock is ours, each statement sees what the
  // previous writer committed. lock_timeout bounds the wait for the lock.
  Status BeginWrite() override {
    return Execute("BEGIN ISOLATION LEVEL READ COMMITTED; SET LOCAL lock_timeout = '" + std::string(kLockTimeout) +
                   "'; SELECT pg_advisory_xact_lock(" + std::to_string(kRegistryWriteLockKey) + ")");
  }
  // REPEATABLE READ: every statement sees the snapshot of the first.
  Status Begin() override { return Execute("BEGIN ISOLATION LEVEL REPEATABLE READ"); }

  Status Commit() override {
    // COMMIT of a transaction in which a statement failed would roll it back
    // and still report success. The SELECT fails first in that case (SQLSTATE
    // 25P02), and the COMMIT after it in the same batch is not run.
    Status committed = Execute("SELECT 1; COMMIT");
    if (committed || committed.error().message.find("SQLSTATE 25P02") == std::string::npos) return committed;
    (void)Rollback();
    return Fail(ErrorCode::kFailedPrecondition,
                "PostgreSQL rolled the transaction back instead of committing it, because a statement in it failed");
  }
  Status Rollback() override { return Execute("ROLLBACK"); }

 private:
  pqxx::result Exec(std::string_view sql) {
    pqxx::nontransaction transaction(*connection_);
    return transaction.exec(std::string(sql));
  }

  void ForgetStatement(const std::string& name) noexcept {
    try {
      connection_->unprepare(name);
    } catch (...) {  // NOLINT(bugprone-empty-catch): the statement was never created on the server
    }
  }

  std::unique_ptr<pqxx::connection> connection_;
  // Server notices (e.g. "table does not exist, skipping") are not errors;
  // libpqxx would print them to stderr.
  pqxx::quiet_errorhandler quiet_;
  std::uint64_t next_statement_ = 0;
};

std::string WithConnectTimeout(std::string_view url) {
  std::string out(url);
  if (out.find("connect_timeout=") != std::string::npos) return out;
  out += out.find('?') == std::string::npos ? '?' : '&';
  out += "connect_timeout=";
  out += kConnectTimeoutSeconds;
  return out;
}

}  // namespace

Result<std::unique_ptr<Connection>> ConnectPostgres(std::string_view url) {
  const std::string redacted = RedactUrl(url);
  std::unique_ptr<pqxx::connection> connection;
  try {
    connection = std::make_unique<pqxx::connection>(WithConnectTimeout(url));
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    const std::string reason = FirstLine(e.what());
    // libpq's messages are the only way to tell a malformed URL or a missing
    // database from an unreachable server.
    ErrorCode code = ErrorCode::kUnavailable;
    if (reason.starts_with("invalid ") || reason.find("missing \"=\"") != std::string::npos ||
        reason.find("unexpected") != std::string::npos) {
      code = ErrorCode::kInvalidArgument;
    } else if (reason.find("database \"") != std::string::npos && reason.find("does not exist") != std::string::npos) {
      code = ErrorCode::kNotFound;
    }
    return Fail(code, "cannot connect to PostgreSQL at " + redacted + ": " + reason, "db");
  }
  // libpqxx 6 would otherwise reconnect silently after a broken connection,
  // losing an open transaction it does not know about (see the banner).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  auto result = std::make_unique<PostgresConnection>(std::move(connection));
  // The registry's SQL assumes UTF-8 text and doubles that read back exactly
  // (extra_float_digits >= 1 on PostgreSQL 12+; 3 also on older servers);
  // NOTICEs are not for the user.
  Status setup =
      result->Execute("SET client_encoding = 'UTF8'; SET extra_float_digits = 3; SET client_min_messages = warning");
  if (!setup) return Fail(ErrorCode::kUnavailable, "PostgreSQL at " + redacted + ": " + setup.error().message, "db");
  return std::unique_ptr<Connection>(std::move(result));
}

}  // namespace cirrus::store::internal
