#include "cirrus/store/deidentify.hpp"

#include <sodium.h>

#include <map>
#include <string>

namespace cirrus::store {
namespace {

// The oldest age Safe Harbor lets through as a number.
constexpr int kOldestReportedAge = 89;

struct Pseudonym {
  std::string code;
  int shift_days = 0;
};

class Pseudonyms {
 public:
  explicit Pseudonyms(const std::array<std::uint8_t, 32>& key) : key_(key) {}

  const Pseudonym& For(const std::string& patient) {
    auto it = cache_.find(patient);
    if (it != cache_.end()) return it->second;
    std::array<unsigned char, 16> digest{};
    crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(patient.data()),
                       patient.size(), key_.data(), key_.size());
    std::array<char, 33> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    Pseudonym p;
    p.code = "P" + std::string(hex.data(), 12);
    // Bytes 8-11 choose the shift; the code uses bytes 0-5, so the two are independent.
    const std::uint32_t bits = static_cast<std::uint32_t>(digest[8]) | (static_cast<std::uint32_t>(digest[9]) << 8U) |
                               (static_cast<std::uint32_t>(digest[10]) << 16U) |
                               (static_cast<std::uint32_t>(digest[11]) << 24U);
    p.shift_days = static_cast<int>(bits % 365U);
    return cache_.emplace(patient, std::move(p)).first->second;
  }

 private:
  std::array<std::uint8_t, 32> key_;
  std::map<std::string, Pseudonym> cache_;
};

core::Date Shift(core::Date date, const Pseudonym& p) { return date.PlusDays(-p.shift_days); }
void Shift(std::optional<core::Date>& date, const Pseudonym& p) {
  if (date) date = Shift(*date, p);
}

}  // namespace

Result<std::array<std::uint8_t, 32>> RandomDeidentifyKey() {
  if (sodium_init() < 0) {
    return Fail(ErrorCode::kUnavailable, "no random source to draw a de-identification key from");
  }
  std::array<std::uint8_t, 32> key{};
  randombytes_buf(key.data(), key.size());
  return key;
}

core::RegistryBatch Deidentify(const core::RegistryBatch& batch, const DeidentifyOptions& options) {
  core::RegistryBatch out = batch;
  Pseudonyms pseudonyms(options.key);
  const int export_year = core::YearOf(options.export_date);
  for (core::Patient& r : out.patients) {
    const Pseudonym& p = pseudonyms.For(r.code);
    r.code = p.code;
    Shift(r.cirrhosis_diagnosis, p);
    Shift(r.first_decompensation, p);
    Shift(r.enrolment, p);
    if (r.birth_year && export_year - *r.birth_year > kOldestReportedAge) {
      r.birth_year = export_year - (kOldestReportedAge + 1);
    }
  }
  auto fact = [&](auto& records, auto&& also) {
    for (auto& r : records) {
      const Pseudonym& p = pseudonyms.For(r.patient);
      r.patient = p.code;
      also(r, p);
    }
  };
  fact(out.infusions, [](core::Infusion& r, const Pseudonym& p) { r.date = Shift(r.date, p); });
  fact(out.procedures, [](core::Procedure& r, const Pseudonym& p) {
    r.date = Shift(r.date, p);
    r.detail.clear();
  });
  fact(out.medications, [](core::Medication& r, const Pseudonym& p) {
    r.start = Shift(r.start, p);
    Shift(r.end, p);
    r.dose.clear();
  });
  fact(out.visits, [](core::Visit& r, const Pseudonym& p) { r.date = Shift(r.date, p); });
  fact(out.labs, [](core::LabResult& r, const Pseudonym& p) { r.date = Shift(r.date, p); });
  fact(out.assessments, [](core::Assessment& r, const Pseudonym& p) { r.date = Shift(r.date, p); });
  fact(out.events, [](core::OutcomeEvent& r, const Pseudonym& p) {
    r.date = Shift(r.date, p);
    r.detail.clear();
  });
  fact(out.adverse_events, [](core::AdverseEvent& r, const Pseudonym& p) {
    r.onset = Shift(r.onset, p);
    Shift(r.end, p);
  });
  return out;
}

}  // namespace cirrus::store
