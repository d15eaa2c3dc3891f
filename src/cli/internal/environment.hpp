// What the commands take from the process environment: who runs them and
// today's date.
#pragma once

#include <optional>
#include <string>

#include "cirrus/base/result.hpp"
#include "cirrus/core/date.hpp"

namespace cirrus::cli {

/// `explicit_actor` when set, else $CIRRUS_ACTOR, $USER, $LOGNAME, or the
/// account the process runs as; empty when none is known.
std::string Actor(const std::string& explicit_actor);

/// Today in UTC.
core::Date TodayUtc();

/// The `--today` option: absent when `text` is empty, else the date.
/// Errors: kInvalidArgument naming --today.
Result<std::optional<core::Date>> ParseTodayOption(const std::string& text);

}  // namespace cirrus::cli
