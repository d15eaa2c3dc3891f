// The SQLite backend: one file, WAL journal, foreign keys on. Statements are
// prepared once and reset between runs, which is what makes a million-row
// import one transaction of cheap steps.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "internal/database.hpp"

namespace cirrus::store::internal {
namespace {

// Writers wait this long for another writer's transaction before failing.
constexpr int kBusyTimeoutMs = 30000;

Error SqliteError(sqlite3* db, std::string_view what) {
  const int code = db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string message = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory");
  ErrorCode error_code = ErrorCode::kFailedPrecondition;
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: error_code = ErrorCode::kUnavailable; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_IOERR: error_code = ErrorCode::kDataLoss; break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE: error_code = ErrorCode::kInvalidArgument; break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY: error_code = ErrorCode::kUnavailable; break;
    default: break;
  }
  return Error{error_code, std::move(message), {}};
}

class SqliteRow final : public RowView {
 public:
  explicit SqliteRow(sqlite3_stmt* statement) : statement_(statement) {}
  [[nodiscard]] int size() const override { return sqlite3_column_count(statement_); }
  [[nodiscard]] bool IsNull(int column) const override {
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
  }
  [[nodiscard]] std::int64_t Int(int column) const override { return sqlite3_column_int64(statement_, column); }
  [[nodiscard]] double Real(int column) const override { return sqlite3_column_double(statement_, column); }
  [[nodiscard]] std::string_view Text(int column) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    if (text == nullptr) return {};
    return {text, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
  }

 private:
  sqlite3_stmt* statement_;
};

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  ~SqliteStatement() override { sqlite3_finalize(statement_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  Result<std::int64_t> Run(std::span<const SqlValue> params) override {
    CIRRUS_RETURN_IF_ERROR(Bind(params));
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(statement_)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Failed("running SQL");
    sqlite3_reset(statement_);
    return static_cast<std::int64_t>(sqlite3_changes64(db_));
  }

  Status Query(std::span<const SqlValue> params, const RowCallback& on_row) override {
    CIRRUS_RETURN_IF_ERROR(Bind(params));
    const SqliteRow row(statement_);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(statement_)) == SQLITE_ROW) {
      Status status = on_row(row);
      if (!status) {
        sqlite3_reset(statement_);
        return status;
      }
    }
    if (rc != SQLITE_DONE) return Failed("querying");
    sqlite3_reset(statement_);
    return {};
  }

 private:
  Status Bind(std::span<const SqlValue> params) {
    sqlite3_reset(statement_);
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(statement_)) {
      return Fail(ErrorCode::kInternal,
                  "SQL statement expects " + std::to_string(sqlite3_bind_parameter_count(statement_)) +
                      " parameters, got " + std::to_string(params.size()) + ": " + sqlite3_sql(statement_));
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      int rc = SQLITE_OK;
      const SqlValue& value = params[i];
      if (std::holds_alternative<std::monostate>(value)) {
        rc = sqlite3_bind_null(statement_, index);
      } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        rc = sqlite3_bind_int64(statement_, index, *integer);
      } else if (const auto* real = std::get_if<double>(&value)) {
        rc = sqlite3_bind_double(statement_, index, *real);
      } else {
        const std::string_view text = std::get<std::string_view>(value);
        // SQLITE_STATIC: the caller keeps the text alive until Run/Query returns.
        rc = sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
      }
      if (rc != SQLITE_OK) return Fail(SqliteError(db_, "binding parameter $" + std::to_string(index)));
    }
    return {};
  }

  Unexpected<Error> Failed(std::string_view what) {
    Error error = SqliteError(db_, what);
    sqlite3_reset(statement_);
    return Fail(std::move(error));
  }

  sqlite3* db_;
  sqlite3_stmt* statement_;
};

// Whether a registry file may be changed: a file without write permission is
// opened read-only, so that listing and verifying it still work.
enum class Access { kReadWrite, kReadOnly };

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string file, Access access) : db_(db), file_(std::move(file)), access_(access) {}
  ~SqliteConnection() override { sqlite3_close_v2(db_); }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  [[nodiscard]] Dialect dialect() const override { return Dialect::kSqlite; }

  Status Execute(std::string_view sql) override {
    const std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      Error error = SqliteError(db_, "running SQL");
      sqlite3_free(message);
      return Fail(std::move(error));
    }
    return {};
  }

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &statement,
                           nullptr) != SQLITE_OK) {
      return Fail(SqliteError(db_, "preparing SQL \"" + std::string(sql.substr(0, 80)) + "\""));
    }
    return std::unique_ptr<Statement>(std::make_unique<SqliteStatement>(db_, statement));
  }

  // Every change goes through BeginWrite (imports, deletes, migrations), so
  // this is the one place a read-only registry refuses one, before SQLite
  // would answer SQLITE_READONLY half way.
  Status BeginWrite() override {
    if (access_ == Access::kReadOnly) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "registry " + file_ + " is read-only (no write permission): it can be read, not changed", "db");
    }
    return Execute("BEGIN IMMEDIATE");
  }
  Status Begin() override { return Execute("BEGIN DEFERRED"); }
  Status Commit() override { return Execute("COMMIT"); }
  Status Rollback() override { return Execute("ROLLBACK"); }

 private:
  sqlite3* db_;
  std::string file_;
  Access access_;
};

// `path` as the path of a file: URI: the characters a URI gives meaning to
// are percent-encoded (SQLite decodes them).
std::string UriPath(const std::string& path) {
  std::string out;
  for (const char c : path) {
    if (c == '%' || c == '?' || c == '#') {
      constexpr std::string_view kHex = "0123456789ABCDEF";
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<std::unique_ptr<Connection>> ConnectSqlite(std::string_view path, bool create) {
  const std::string file(path);
  if (file.empty()) return Fail(ErrorCode::kInvalidArgument, "the registry file name is empty", "db");
  struct stat info {};
  const bool exists = ::stat(file.c_str(), &info) == 0;
  if (!create && !exists) {
    return Fail(ErrorCode::kNotFound, "registry " + file + " does not exist; create it with: cirrus init --db " + file,
                "db");
  }
  // SQLite would open a directory and fail on the first statement with
  // SQLITE_CANTOPEN, and block on a FIFO: name what the path is instead.
  if (exists && S_ISDIR(info.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "--db " + file + " is a directory; name the registry file in it", "db");
  }
  if (exists && !S_ISREG(info.st_mode)) {
    return Fail(ErrorCode::kInvalidArgument, "--db " + file + " is not a regular file, so not a registry", "db");
  }
  if (!exists) {
    const std::string directory = std::filesystem::path(file).parent_path().string();
    struct stat parent {};
    if (!directory.empty() && (::stat(directory.c_str(), &parent) != 0 || !S_ISDIR(parent.st_mode))) {
      return Fail(ErrorCode::kNotFound, "--db " + file + ": the folder " + directory + " does not exist", "db");
    }
  }
  const Access access = exists && ::access(file.c_str(), W_OK) != 0 ? Access::kReadOnly : Access::kReadWrite;
  // A reader of a WAL database needs its -shm file, which SQLite creates
  // beside it. In a directory this process cannot write, with no -wal file
  // (so no change is pending), the file is opened as immutable instead: a
  // read-only copy on an archive or a read-only mount then still reads.
  std::string name = file;
  int flags = (access == Access::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
              (create && access == Access::kReadWrite ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (access == Access::kReadOnly) {
    const std::string directory = std::filesystem::path(file).parent_path().string();
    struct stat wal {};
    if (::access(directory.empty() ? "." : directory.c_str(), W_OK) != 0 &&
        ::stat((file + "-wal").c_str(), &wal) != 0) {
      name = "file:" + UriPath(file) + "?immutable=1";
      flags |= SQLITE_OPEN_URI;
    }
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(name.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error error = SqliteError(db, "opening registry " + file);
    error.code = ErrorCode::kUnavailable;
    sqlite3_close_v2(db);
    return Fail(std::move(error));
  }
  auto connection = std::make_unique<SqliteConnection>(db, file, access);
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  // WAL: readers never block the writer and a crash mid-import leaves the
  // file as of the last commit. synchronous=NORMAL is durable in WAL mode
  // except for the last transactions on power loss, never corrupting.
  // page_size applies only to a file that has no pages yet, so it must come
  // before journal_mode; 16 KiB pages (4 KiB is the default) cut a
  // million-lab import by a tenth: fewer pages to split, frame and checkpoint.
  // A read-only file keeps the page size and journal mode it has.
  const char* pragmas = access == Access::kReadOnly
                            ? "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072;"
                            : "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA "
                              "foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-131072;";
  if (Status status = connection->Execute(pragmas); !status) {
    // The first statement reads the file's header: any file that is not an
    // SQLite database (a CSV file named by mistake) fails here.
    if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_NOTADB) {
      return Fail(ErrorCode::kInvalidArgument,
                  "--db " + file + " is not a cirrus registry (not an SQLite database file)", "db");
    }
    return Fail(status.error());
  }
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace cirrus::store::internal
