#include "environment.hpp"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>

namespace cirrus::cli {

std::string Actor(const std::string& explicit_actor) {
  if (!explicit_actor.empty()) return explicit_actor;
  for (const char* name : {"CIRRUS_ACTOR", "USER", "LOGNAME"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  // No login variables (cron, containers): the account the process runs as.
  if (const passwd* account = getpwuid(geteuid()); account != nullptr && account->pw_name != nullptr) {
    return account->pw_name;
  }
  return "";
}

core::Date TodayUtc() {
  const auto days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()).time_since_epoch();
  return core::Date{static_cast<std::int32_t>(days.count())};
}

Result<std::optional<core::Date>> ParseTodayOption(const std::string& text) {
  if (text.empty()) return std::optional<core::Date>{};
  auto date = core::ParseDate(text);
  if (!date) return Fail(ErrorCode::kInvalidArgument, "--today: " + date.error().message, "today");
  return std::optional<core::Date>(*date);
}

}  // namespace cirrus::cli
