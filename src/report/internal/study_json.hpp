#pragma once

// The JSON document of a study report, shared by the JSON renderer and the
// HTML renderer (whose data-json pointers must resolve in it).
#include <nlohmann/json.hpp>

#include "cirrus/report/study_report.hpp"

namespace cirrus::report::internal {

nlohmann::ordered_json StudyJson(const study::StudyResults& results, const Provenance& provenance);

}  // namespace cirrus::report::internal
