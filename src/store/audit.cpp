#include "internal/audit.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace cirrus::store::internal {
namespace {

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  // Copy runs of plain characters at once: audit images hold millions of cells.
  std::size_t plain = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        std::array<char, 8> buffer{};
        std::snprintf(buffer.data(), buffer.size(), "\\u%04x", static_cast<unsigned>(c));
        out += buffer.data();
      }
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

void AppendValue(std::string& out, const SqlValue& value) {
  if (std::holds_alternative<std::monostate>(value)) {
    out += "null";
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    out += std::to_string(*integer);
  } else if (const auto* real = std::get_if<double>(&value)) {
    std::array<char, 32> buffer{};
    const auto end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), *real).ptr;
    out.append(buffer.data(), end);
  } else {
    AppendJsonString(out, std::get<std::string_view>(value));
  }
}

// BLAKE2b-256 (libsodium's generic hash): as collision-resistant as SHA-256
// and three times faster in libsodium's portable code, which matters for an
// audit image of a million labs.
constexpr std::size_t kHashBytes = 32;

void HashField(crypto_generichash_state& state, std::string_view field) {
  // Length-prefixed, so that no two different entries hash the same bytes.
  const std::string length = std::to_string(field.size()) + ":";
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(length.data()), length.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(field.data()), field.size());
}

constexpr std::string_view kColumns =
    "seq, recorded_at, actor, action, entity, entity_key, patient, site, before_json, after_json, reason, "
    "prev_hash, hash";

void ReadEntry(const RowView& row, AuditEntry& entry, std::string& prev_hash) {
  entry.seq = row.Int(0);
  entry.recorded_at = row.Text(1);
  entry.actor = row.Text(2);
  entry.action = row.Text(3);
  entry.entity = row.Text(4);
  entry.entity_key = row.Text(5);
  entry.patient = row.Text(6);
  entry.site = row.Text(7);
  entry.before = row.Text(8);
  entry.after = row.Text(9);
  entry.reason = row.Text(10);
  prev_hash = row.Text(11);
  entry.hash = row.Text(12);
}

// The patient and site of a grouped image are the entry's own fields, not
// repeated in every row.
bool IsHoisted(const TableSpec& spec, std::size_t column) {
  return static_cast<int>(column) == spec.patient_column || static_cast<int>(column) == spec.site_column;
}

}  // namespace

std::string_view GenesisHash() { return "0000000000000000000000000000000000000000000000000000000000000000"; }

std::string AuditHash(std::string_view prev_hash, const AuditEntry& e) {
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, kHashBytes);
  HashField(state, prev_hash);
  HashField(state, std::to_string(e.seq));
  for (const std::string* field : {&e.recorded_at, &e.actor, &e.action, &e.entity, &e.entity_key, &e.patient, &e.site,
                                   &e.before, &e.after, &e.reason}) {
    HashField(state, *field);
  }
  std::array<unsigned char, kHashBytes> digest{};
  crypto_generichash_final(&state, digest.data(), digest.size());
  std::array<char, kHashBytes * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), kHashBytes * 2);
}

std::string RowJson(const TableSpec& spec, std::span<const SqlValue> values) {
  std::string out = "{";
  for (std::size_t i = 0; i < spec.columns.size() && i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, spec.columns[i].name);
    out += ':';
    AppendValue(out, values[i]);
  }
  out += '}';
  return out;
}

void AppendRowValues(const TableSpec& spec, std::span<const SqlValue> values, std::string& out) {
  out += '[';
  bool first = true;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (IsHoisted(spec, i)) continue;
    if (!first) out += ',';
    first = false;
    AppendValue(out, values[i]);
  }
  out += ']';
}

std::string RowsImage(const TableSpec& spec, std::string_view rows_json) {
  std::string out = "{\"columns\":[";
  bool first = true;
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    if (IsHoisted(spec, i)) continue;
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, spec.columns[i].name);
  }
  out += "],\"rows\":[";
  out += rows_json;
  out += "]}";
  return out;
}

std::string KeyText(const TableSpec& spec, std::span<const SqlValue> values) {
  std::string out;
  for (std::size_t i = 0; i < spec.key_count; ++i) {
    if (i > 0) out += '/';
    const SqlValue& value = values[i];
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      out += std::to_string(*integer);
    } else if (const auto* text = std::get_if<std::string_view>(&value)) {
      out += *text;
    }
  }
  return out;
}

std::string UtcTimestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 96> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(micros % 1000000));
  return buffer.data();
}

core::Date UtcToday() {
  const auto now = std::chrono::system_clock::now();
  const auto days = std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
  return core::Date{static_cast<std::int32_t>(days)};
}

AuditWriter::AuditWriter(std::unique_ptr<Statement> insert, std::int64_t last_seq, std::string last_hash,
                         std::string actor, std::string reason, std::string now)
    : insert_(std::move(insert)),
      last_seq_(last_seq),
      last_hash_(std::move(last_hash)),
      actor_(std::move(actor)),
      reason_(std::move(reason)),
      now_(std::move(now)) {}

Result<AuditWriter> AuditWriter::Start(Connection& connection, std::string actor, std::string reason) {
  std::int64_t last_seq = 0;
  std::string last_hash(GenesisHash());
  CIRRUS_RETURN_IF_ERROR(connection.Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {},
                                          [&](const RowView& row) -> Status {
                                            last_seq = row.Int(0);
                                            last_hash = row.Text(1);
                                            return {};
                                          }));
  CIRRUS_ASSIGN_OR_RETURN(auto insert,
                          connection.Prepare("INSERT INTO audit_log (" + std::string(kColumns) +
                                             ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"));
  return AuditWriter(std::move(insert), last_seq, std::move(last_hash), std::move(actor), std::move(reason),
                     UtcTimestamp());
}

Status AuditWriter::Append(std::string_view action, const TableSpec& spec, std::string_view key,
                           std::string_view patient, std::string_view site, std::string before, std::string after) {
  entry_.seq = last_seq_ + 1;
  entry_.recorded_at = now_;
  entry_.actor = actor_;
  entry_.action = action;
  entry_.entity = spec.entity;
  entry_.entity_key = key;
  entry_.patient = patient;
  entry_.site = site;
  entry_.before = std::move(before);
  entry_.after = std::move(after);
  entry_.reason = reason_;
  entry_.hash = AuditHash(last_hash_, entry_);
  auto text_or_null = [](const std::string& text) -> SqlValue {
    return text.empty() ? SqlValue{} : SqlValue{std::string_view(text)};
  };
  const SqlValue params[] = {entry_.seq,
                             std::string_view(entry_.recorded_at),
                             std::string_view(entry_.actor),
                             std::string_view(entry_.action),
                             std::string_view(entry_.entity),
                             std::string_view(entry_.entity_key),
                             text_or_null(entry_.patient),
                             text_or_null(entry_.site),
                             text_or_null(entry_.before),
                             text_or_null(entry_.after),
                             std::string_view(entry_.reason),
                             std::string_view(last_hash_),
                             std::string_view(entry_.hash)};
  CIRRUS_RETURN_IF_ERROR(insert_->Run(params));
  last_seq_ = entry_.seq;
  last_hash_ = entry_.hash;
  ++appended_;
  return {};
}

Result<std::vector<AuditEntry>> ReadAudit(Connection& connection, const std::optional<std::string>& patient) {
  std::vector<AuditEntry> entries;
  std::string prev_hash;
  auto on_row = [&](const RowView& row) -> Status {
    ReadEntry(row, entries.emplace_back(), prev_hash);
    return {};
  };
  if (patient) {
    const SqlValue params[] = {std::string_view(*patient)};
    CIRRUS_RETURN_IF_ERROR(connection.Query(
        "SELECT " + std::string(kColumns) + " FROM audit_log WHERE patient = $1 ORDER BY seq", params, on_row));
  } else {
    CIRRUS_RETURN_IF_ERROR(
        connection.Query("SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY seq", {}, on_row));
  }
  return entries;
}

Result<AuditVerification> VerifyAuditChain(Connection& connection) {
  AuditVerification verification;
  std::string expected_prev(GenesisHash());
  std::int64_t expected_seq = 1;
  AuditEntry entry;
  std::string prev_hash;
  CIRRUS_RETURN_IF_ERROR(connection.Query(
      "SELECT " + std::string(kColumns) + " FROM audit_log ORDER BY seq", {}, [&](const RowView& row) -> Status {
        if (verification.first_bad_seq) return {};
        ReadEntry(row, entry, prev_hash);
        ++verification.entries;
        std::string problem;
        if (entry.seq != expected_seq) {
          problem = "entry " + std::to_string(expected_seq) + " is missing (the next entry is " +
                    std::to_string(entry.seq) + ")";
        } else if (prev_hash != expected_prev) {
          problem = "entry " + std::to_string(entry.seq) + " does not follow the entry before it";
        } else if (AuditHash(prev_hash, entry) != entry.hash) {
          problem = "entry " + std::to_string(entry.seq) + " was changed after it was written";
        }
        if (!problem.empty()) {
          verification.first_bad_seq = entry.seq;
          verification.problem = std::move(problem);
        }
        expected_prev = entry.hash;
        ++expected_seq;
        return {};
      }));
  return verification;
}

}  // namespace cirrus::store::internal
