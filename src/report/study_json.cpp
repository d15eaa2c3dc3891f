// The study results as JSON (docs/studies.md, "The JSON"). Keys come in the
// order they are declared here; numbers are written by nlohmann::json at full
// precision, independent of the locale.
#include "internal/study_json.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cirrus/core/date.hpp"
#include "cirrus/report/study_report.hpp"

namespace cirrus::report {
namespace {

using Json = nlohmann::ordered_json;

Json OrNull(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }
Json OrNull(const std::optional<core::Date>& d) { return d ? Json(core::FormatDate(*d)) : Json(nullptr); }

Json TestJson(const study::GroupTest& t) {
  Json j;
  j["method"] = t.method;
  j["statistic"] = OrNull(t.statistic);
  j["df"] = t.df;
  j["p"] = OrNull(t.p);
  j["not_computable"] = t.not_computable.empty() ? Json(nullptr) : Json(t.not_computable);
  return j;
}

Json GroupsJson(const std::vector<study::EndpointGroup>& groups) {
  Json out = Json::array();
  for (const study::EndpointGroup& g : groups) {
    Json j;
    j["group"] = g.group;
    j["n"] = g.n;
    j["events"] = g.events;
    j["competing"] = g.competing;
    j["censored"] = g.censored;
    j["median"] = OrNull(g.median);
    j["median_lower"] = OrNull(g.median_lower);
    j["median_upper"] = OrNull(g.median_upper);
    Json at = Json::array();
    for (const study::EstimateAt& e : g.at) {
      at.push_back(Json{{"time", e.time},
                        {"n_risk", e.n_risk},
                        {"estimate", OrNull(e.estimate)},
                        {"lower", OrNull(e.lower)},
                        {"upper", OrNull(e.upper)}});
    }
    j["at"] = std::move(at);
    Json risk = Json::array();
    for (const study::RiskAt& r : g.risk) {
      risk.push_back(Json{{"time", r.time}, {"at_risk", r.at_risk}, {"censored", r.censored}, {"events", r.events}});
    }
    j["risk"] = std::move(risk);
    // The drawn curve as columns: a curve of 10^5 steps stays readable and small.
    Json time = Json::array();
    Json estimate = Json::array();
    Json lower = Json::array();
    Json upper = Json::array();
    for (const study::CurveStep& s : g.curve) {
      time.push_back(s.time);
      estimate.push_back(s.estimate);
      lower.push_back(OrNull(s.lower));
      upper.push_back(OrNull(s.upper));
    }
    j["curve"] = Json{{"time", std::move(time)},
                      {"estimate", std::move(estimate)},
                      {"lower", std::move(lower)},
                      {"upper", std::move(upper)}};
    j["censor_times"] = g.censor_times;
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

namespace internal {

Json StudyJson(const study::StudyResults& r, const Provenance& provenance) {
  Json doc;
  doc["study"] = Json{{"code", r.code},
                      {"title", r.title},
                      {"design", study::Code(r.design)},
                      {"origin", study::Code(r.origin)},
                      {"time_unit", study::Code(r.time_unit)},
                      {"groups", study::Code(r.grouping)},
                      {"as_of", OrNull(r.as_of)},
                      {"last_fact", OrNull(r.last_fact)}};
  Json groups = Json::array();
  for (const study::GroupInfo& g : r.groups) groups.push_back(Json{{"code", g.code}, {"label", g.label}, {"n", g.n}});
  doc["groups"] = std::move(groups);

  Json flow;
  flow["in_registry"] = r.flow.in_registry;
  flow["without_origin"] = r.flow.without_origin;
  flow["analysed"] = r.flow.in_registry - r.flow.without_origin;
  Json flow_groups = Json::array();
  for (std::size_t g = 0; g < r.flow.groups.size(); ++g) {
    const study::FlowGroup& f = r.flow.groups[g];
    flow_groups.push_back(Json{{"group", r.groups[g].code},
                               {"enrolled", f.enrolled},
                               {"treated", f.treated},
                               {"dead", f.dead},
                               {"transplanted", f.transplanted},
                               {"lost", f.lost},
                               {"followed", f.followed}});
  }
  flow["groups"] = std::move(flow_groups);
  doc["flow"] = std::move(flow);

  Json baseline = Json::array();
  for (const study::BaselineRow& row : r.baseline) {
    Json j;
    j["variable"] = row.variable;
    j["level"] = row.level.empty() ? Json(nullptr) : Json(row.level);
    j["continuous"] = row.continuous;
    Json cells = Json::array();
    for (const study::BaselineCell& c : row.groups) {
      if (row.continuous) {
        cells.push_back(Json{{"n", c.n},
                             {"missing", c.missing},
                             {"median", OrNull(c.median)},
                             {"q1", OrNull(c.q1)},
                             {"q3", OrNull(c.q3)},
                             {"mean", OrNull(c.mean)},
                             {"sd", OrNull(c.sd)}});
      } else {
        cells.push_back(Json{{"count", c.count}, {"n", c.n}, {"percent", OrNull(c.percent)}});
      }
    }
    j["groups"] = std::move(cells);
    j["standardised_difference"] = OrNull(row.standardised_difference);
    baseline.push_back(std::move(j));
  }
  doc["baseline"] = std::move(baseline);

  Json endpoints = Json::array();
  for (const study::EndpointResult& e : r.endpoints) {
    Json j;
    j["name"] = e.name;
    j["kind"] = study::Code(e.kind);
    j["events"] = e.events;
    j["competing"] = e.competing;
    j["censor"] = e.censor;
    j["interval"] = e.interval;
    j["excluded_before_origin"] = e.excluded_before_origin;
    j["ticks"] = e.ticks;
    j["test"] = TestJson(e.test);
    j["groups"] = GroupsJson(e.groups);
    if (e.landmark) {
      j["landmark"] = Json{{"time", e.landmark->time},
                           {"excluded", e.landmark->excluded},
                           {"test", TestJson(e.landmark->test)},
                           {"groups", GroupsJson(e.landmark->groups)}};
    } else {
      j["landmark"] = nullptr;
    }
    endpoints.push_back(std::move(j));
  }
  doc["endpoints"] = std::move(endpoints);

  Json labs = Json::array();
  for (const study::LabTrajectory& lab : r.labs) {
    Json groups_json = Json::array();
    for (std::size_t g = 0; g < lab.groups.size(); ++g) {
      Json visits = Json::array();
      for (const study::TrajectoryPoint& v : lab.groups[g]) {
        visits.push_back(Json{{"visit", v.visit},
                              {"day", v.day},
                              {"n", v.n},
                              {"mean", OrNull(v.mean)},
                              {"sd", OrNull(v.sd)},
                              {"lower", OrNull(v.lower)},
                              {"upper", OrNull(v.upper)},
                              {"dead", v.dead},
                              {"transplanted", v.transplanted},
                              {"not_due", v.not_due},
                              {"missing", v.missing}});
      }
      groups_json.push_back(Json{{"group", r.groups[g].code}, {"visits", std::move(visits)}});
    }
    labs.push_back(Json{{"analyte", lab.analyte}, {"unit", lab.unit}, {"groups", std::move(groups_json)}});
  }
  doc["labs"] = std::move(labs);

  Json rows = Json::array();
  for (const study::AdverseEventRow& row : r.safety.rows) {
    Json cells = Json::array();
    for (const study::AdverseEventCell& c : row.groups) {
      cells.push_back(Json{{"patients", c.patients},
                           {"percent", OrNull(c.percent)},
                           {"events", c.events},
                           {"serious", c.serious},
                           {"related", c.related},
                           {"max_grade", c.max_grade},
                           {"per_100_infusions", OrNull(c.per_100_infusions)}});
    }
    rows.push_back(Json{{"term", row.term}, {"groups", std::move(cells)}});
  }
  doc["safety"] = Json{{"infusions", r.safety.infusions}, {"rows", std::move(rows)}};
  doc["provenance"] = Json{{"registry_sha256", provenance.registry_hash},
                           {"study_file", provenance.study_file},
                           {"study_sha256", provenance.study_hash},
                           {"cirrus_version", provenance.version},
                           {"command", provenance.command}};
  return doc;
}

}  // namespace internal

std::string RenderStudyJson(const study::StudyResults& results, const Provenance& provenance) {
  return internal::StudyJson(results, provenance).dump(2) + "\n";
}

}  // namespace cirrus::report
