// The study results as one self-contained HTML page: inline CSS, inline SVG
// figures (report/svg), no script and no external reference, so that it opens
// from disk, prints on A4 and can be mailed as one file. Every number shown
// that the JSON holds is wrapped in an element whose data-json attribute is
// its JSON pointer (data-scale="100" for percentages); tests resolve each one
// in the JSON document and compare.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cirrus/base/text.hpp"
#include "cirrus/core/date.hpp"
#include "cirrus/report/study_report.hpp"
#include "cirrus/report/svg.hpp"

namespace cirrus::report {
namespace {

using ::cirrus::ShortestText;
using svg::EscapeXml;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The page's style. Print: A4 with 20 mm margins, figures and tables kept
// whole on a page, links shown as text.
constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       font-size: 15px; line-height: 1.45; color: #1a1a1a; background: #f4f5f7; }
main { max-width: 720px; margin: 0 auto; padding: 24px 24px 48px; background: #fff; }
header { border-bottom: 3px solid #0072B2; margin-bottom: 16px; padding-bottom: 8px; }
h1 { font-size: 26px; margin: 0 0 4px; line-height: 1.2; }
h2 { font-size: 20px; margin: 28px 0 8px; padding-top: 8px; border-top: 1px solid #d8dce1; }
h3 { font-size: 16px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.meta { color: #444; margin: 2px 0; }
.meta b { color: #1a1a1a; font-weight: 600; }
nav ol { margin: 4px 0 0; padding-left: 22px; columns: 2; }
nav a { color: #0057a0; }
figure { margin: 12px 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 13px; color: #444; margin-top: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 13px; break-inside: avoid;
        page-break-inside: avoid; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 2px 0 6px; font-size: 14px; }
th, td { padding: 3px 6px; border-bottom: 1px solid #e2e5e9; text-align: right; vertical-align: top; }
th { background: #f0f3f6; font-weight: 600; }
th:first-child, td:first-child { text-align: left; }
td.level { padding-left: 18px; }
tr.variable td { font-weight: 600; border-bottom: none; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; vertical-align: baseline; }
.result { background: #f6f8fa; border-left: 4px solid #0072B2; padding: 6px 10px; margin: 8px 0; }
.none { color: #8a3b00; font-weight: 600; }
.note { font-size: 13px; color: #444; }
footer { margin-top: 32px; padding-top: 8px; border-top: 1px solid #d8dce1; font-size: 12px; color: #444;
         overflow-wrap: anywhere; }
footer code { font-size: 11px; }
@page { size: A4; margin: 20mm; }
@media print {
  body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  table { font-size: 9pt; }
  figcaption, .note { font-size: 9pt; }
  footer { font-size: 8pt; }
  footer code { font-size: 8pt; }
}
)css";

// ---- numbers --------------------------------------------------------------

// Fixed decimals without a "-0.0".
std::string Fixed(double value, int decimals) {
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find_first_not_of("-0.") == std::string::npos && text.front() == '-') text.erase(0, 1);
  return text;
}

// A number the JSON holds at `pointer`, shown with `decimals`.
std::string Num(const std::string& pointer, std::optional<double> value, int decimals, std::string_view absent = "—") {
  if (!value) return fmt::format("<span data-json=\"{}\">{}</span>", pointer, absent);
  return fmt::format("<span data-json=\"{}\">{}</span>", pointer, Fixed(*value, decimals));
}
std::string Count(const std::string& pointer, std::size_t value) {
  return fmt::format("<span data-json=\"{}\">{}</span>", pointer, value);
}
// A time as its shortest text ("12", "6.5").
std::string Time(const std::string& pointer, double value) {
  return fmt::format("<span data-json=\"{}\">{}</span>", pointer, ShortestText(value));
}
// A proportion in [0, 1] shown as a percentage.
std::string Percent(const std::string& pointer, std::optional<double> value, int decimals = 1) {
  if (!value) return fmt::format("<span data-json=\"{}\">—</span>", pointer);
  return fmt::format("<span data-json=\"{}\" data-scale=\"100\">{}%</span>", pointer, Fixed(*value * 100, decimals));
}
// A value already in percent.
std::string PercentOf(const std::string& pointer, std::optional<double> value) {
  if (!value) return fmt::format("<span data-json=\"{}\">—</span>", pointer);
  return fmt::format("<span data-json=\"{}\">{}</span>%", pointer, Fixed(*value, 1));
}

std::string PValue(const std::string& pointer, std::optional<double> p) {
  if (!p) return "—";
  if (*p < 0.001) return "&lt; 0.001";
  return "<span data-json=\"" + pointer + "\">" + Fixed(*p, 3) + "</span>";
}

std::string_view UnitWord(study::TimeUnit unit) {
  switch (unit) {
    case study::TimeUnit::kDays: return "Days";
    case study::TimeUnit::kWeeks: return "Weeks";
    case study::TimeUnit::kMonths: return "Months";
    case study::TimeUnit::kYears: return "Years";
  }
  return "Time";
}

std::string OriginWords(study::TimeOrigin origin) {
  return origin == study::TimeOrigin::kEnrolment ? "enrolment" : "the first infusion";
}

std::string Swatch(std::size_t group) {
  return fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>", svg::GroupColour(group));
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

std::string Words(const std::vector<std::string>& codes) {
  std::vector<std::string> words;
  for (std::string code : codes) {
    std::replace(code.begin(), code.end(), '-', ' ');
    if (code == "hcc") code = "HCC";
    words.push_back(code);
  }
  if (words.empty()) return "none";
  if (words.size() == 1) return words[0];
  return Join(std::vector<std::string>(words.begin(), words.end() - 1), ", ") + " or " + words.back();
}

// ---- sections ----------------------------------------------------------------

std::string GroupHeaderCells(const study::StudyResults& r) {
  std::string out;
  for (std::size_t g = 0; g < r.groups.size(); ++g) {
    out += fmt::format("<th scope=\"col\">{}{}<br><span class=\"note\">n = {}</span></th>", Swatch(g),
                       EscapeXml(r.groups[g].label), Count(fmt::format("/groups/{}/n", g), r.groups[g].n));
  }
  return out;
}

std::string FlowSection(const study::StudyResults& r) {
  svg::FlowNode root{"Patients of the study", static_cast<long>(r.flow.in_registry), {}};
  if (r.flow.without_origin > 0) {
    root.children.push_back({r.origin == study::TimeOrigin::kEnrolment ? "No enrolment date" : "Never infused",
                             static_cast<long>(r.flow.without_origin),
                             {}});
  }
  // With many groups the outcome boxes would not fit side by side; the table
  // below the figure gives them for every group.
  const bool outcome_boxes = r.groups.size() <= 2;
  for (std::size_t g = 0; g < r.groups.size(); ++g) {
    const study::FlowGroup& f = r.flow.groups[g];
    svg::FlowNode node{r.groups[g].label, static_cast<long>(f.enrolled), {}};
    if (outcome_boxes) {
      for (auto [label, count] : {std::pair<const char*, std::size_t>{"Died", f.dead},
                                  {"Transplanted", f.transplanted},
                                  {"Lost or withdrawn", f.lost},
                                  {"In follow-up", f.followed}}) {
        if (count > 0) node.children.push_back({label, static_cast<long>(count), {}});
      }
    }
    root.children.push_back(std::move(node));
  }
  std::string out = "<section id=\"flow\"><h2>Patient flow</h2>\n";
  out += "<figure>" +
         svg::RenderFlowDiagram("flow", "Patient flow",
                                fmt::format("{} patients of study {} in the registry, by group and where they are at "
                                            "the data cut: died, transplanted, lost or withdrawn, or in follow-up.",
                                            r.flow.in_registry, r.code),
                                root) +
         "</figure>\n";
  out += "<table><caption>Where the patients are at the data cut</caption><thead><tr><th scope=\"col\"></th>" +
         GroupHeaderCells(r) + "</tr></thead><tbody>\n";
  auto row = [&](std::string_view label, std::string_view key, std::size_t study::FlowGroup::*field) {
    out += fmt::format("<tr><td>{}</td>", label);
    for (std::size_t g = 0; g < r.groups.size(); ++g) {
      out += "<td>" + Count(fmt::format("/flow/groups/{}/{}", g, key), r.flow.groups[g].*field) + "</td>";
    }
    out += "</tr>\n";
  };
  row("Enrolled", "enrolled", &study::FlowGroup::enrolled);
  row("Treated (at least one infusion)", "treated", &study::FlowGroup::treated);
  row("Died", "dead", &study::FlowGroup::dead);
  row("Alive after liver transplant", "transplanted", &study::FlowGroup::transplanted);
  row("Lost to follow-up or withdrawn", "lost", &study::FlowGroup::lost);
  row("In follow-up", "followed", &study::FlowGroup::followed);
  out += "</tbody></table>\n";
  if (r.flow.without_origin > 0) {
    out +=
        fmt::format("<p class=\"note\">{} of the study's patients have no time zero ({}) and are not analysed.</p>\n",
                    Count("/flow/without_origin", r.flow.without_origin),
                    r.origin == study::TimeOrigin::kEnrolment ? "no enrolment date" : "never infused");
  }
  out += "</section>\n";
  return out;
}

std::string BaselineSection(const study::StudyResults& r) {
  std::string out = "<section id=\"baseline\"><h2>Baseline characteristics</h2>\n";
  const bool smd = r.design != study::StudyDesign::kRandomised && r.groups.size() == 2;
  out += "<table><caption>At time zero (" + OriginWords(r.origin) +
         "); labs: the last value in the 90 days before, else the first in the 14 days after</caption><thead><tr>"
         "<th scope=\"col\">Characteristic</th>" +
         GroupHeaderCells(r) + (smd ? "<th scope=\"col\">Std. diff.</th>" : "") + "</tr></thead><tbody>\n";
  std::string last_variable;
  for (std::size_t i = 0; i < r.baseline.size(); ++i) {
    const study::BaselineRow& row = r.baseline[i];
    const std::string base = fmt::format("/baseline/{}", i);
    if (row.continuous) {
      out += "<tr><td>" + EscapeXml(row.variable) + "<br><span class=\"note\">median (Q1, Q3)</span></td>";
      for (std::size_t g = 0; g < row.groups.size(); ++g) {
        const study::BaselineCell& c = row.groups[g];
        const std::string p = fmt::format("{}/groups/{}/", base, g);
        if (!c.median) {
          out += "<td>—</td>";
          continue;
        }
        out += "<td>" + Num(p + "median", c.median, 1) + " (" + Num(p + "q1", c.q1, 1) + ", " + Num(p + "q3", c.q3, 1) +
               ")</td>";
      }
      if (smd) out += "<td>" + Num(base + "/standardised_difference", row.standardised_difference, 2) + "</td>";
      out += "</tr>\n";
      const bool missing =
          std::any_of(row.groups.begin(), row.groups.end(), [](const study::BaselineCell& c) { return c.missing > 0; });
      if (missing) {
        out += "<tr><td class=\"level\">unknown</td>";
        for (std::size_t g = 0; g < row.groups.size(); ++g) {
          out += "<td>" + Count(fmt::format("{}/groups/{}/missing", base, g), row.groups[g].missing) + "</td>";
        }
        if (smd) out += "<td></td>";
        out += "</tr>\n";
      }
      last_variable.clear();
      continue;
    }
    if (row.variable != last_variable) {
      out += "<tr class=\"variable\"><td colspan=\"" + std::to_string(row.groups.size() + 1 + (smd ? 1 : 0)) + "\">" +
             EscapeXml(row.variable) + ", n (%)</td></tr>\n";
      last_variable = row.variable;
    }
    out += "<tr><td class=\"level\">" + EscapeXml(row.level) + "</td>";
    for (std::size_t g = 0; g < row.groups.size(); ++g) {
      const study::BaselineCell& c = row.groups[g];
      const std::string p = fmt::format("{}/groups/{}/", base, g);
      out += "<td>" + Count(p + "count", c.count) + " (" + PercentOf(p + "percent", c.percent) + ")</td>";
    }
    if (smd) out += "<td>" + Num(base + "/standardised_difference", row.standardised_difference, 2) + "</td>";
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
  if (r.design == study::StudyDesign::kRandomised) {
    out +=
        "<p class=\"note\">No tests of baseline differences: in a randomised trial they are due to chance by "
        "construction (CONSORT 2010, item 15).</p>\n";
  } else if (smd) {
    out +=
        "<p class=\"note\">Std. diff.: the standardised difference of the first group against the second (mean "
        "difference over the pooled SD, or of proportions); an absolute value above 0.1 is usually read as "
        "imbalance.</p>\n";
  }
  out += "</section>\n";
  return out;
}

std::string TestSentence(const study::GroupTest& t, const std::string& pointer) {
  if (!t.not_computable.empty()) {
    return fmt::format("{} test: not computable ({}).", t.method, EscapeXml(t.not_computable));
  }
  return fmt::format("{} test: χ² = {} on {} df, p = {}.", t.method, Num(pointer + "/statistic", t.statistic, 2),
                     Count(pointer + "/df", static_cast<std::size_t>(t.df)), PValue(pointer + "/p", t.p));
}

svg::CurveFigure CurveOf(const study::StudyResults& r, const study::EndpointResult& e,
                         const std::vector<study::EndpointGroup>& groups, const std::vector<double>& ticks,
                         std::string id, std::string title, std::string_view since) {
  const bool incidence = e.kind == study::EndpointKind::kCumulativeIncidence;
  svg::CurveFigure f;
  f.id = std::move(id);
  f.title = std::move(title);
  f.x_label = fmt::format("{} since {}", UnitWord(r.time_unit), since);
  f.y_label = incidence ? "Cumulative incidence" : "Survival";
  f.x_ticks = ticks;
  f.x_max = ticks.empty() ? 0 : ticks.back();
  std::size_t n = 0;
  std::size_t events = 0;
  double top = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const study::EndpointGroup& eg = groups[g];
    n += eg.n;
    events += eg.events;
    svg::StepCurve c;
    c.label = r.groups[g].label;
    for (const study::CurveStep& s : eg.curve) {
      c.time.push_back(s.time);
      c.estimate.push_back(s.estimate);
      c.lower.push_back(s.lower.value_or(kNaN));
      c.upper.push_back(s.upper.value_or(kNaN));
      f.x_max = std::max(f.x_max, s.time);
      top = std::max(top, s.upper.value_or(s.estimate));
    }
    c.censor_times = eg.censor_times;
    for (double t : eg.censor_times) f.x_max = std::max(f.x_max, t);
    f.curves.push_back(std::move(c));
    svg::RiskRow row;
    row.label = r.groups[g].label;
    for (const study::RiskAt& k : eg.risk) {
      row.at_risk.push_back(static_cast<long>(k.at_risk));
      row.censored.push_back(static_cast<long>(k.censored));
      row.events.push_back(static_cast<long>(k.events));
    }
    f.risk.push_back(std::move(row));
  }
  // Cumulative incidence is drawn to the next 10% above its highest limit,
  // so that a curve of a few percent is not a line along the axis.
  f.y_max = incidence ? std::min(1.0, std::max(0.2, std::ceil(top * 10 + 1e-9) / 10)) : 1.0;
  f.description = fmt::format(
      "{} of {} by {}: {} patients, {} events. The table under the plot gives, at each tick, the patients at risk "
      "and the cumulative numbers censored and with the event.",
      incidence ? "Aalen-Johansen cumulative incidence" : "Kaplan-Meier survival", e.name,
      r.groups.size() > 1 ? "group" : "the whole cohort", n, events);
  return f;
}

// The estimates at the endpoint's times, a row per time, a column per group.
std::string EstimatesTable(const study::StudyResults& r, const study::EndpointResult& e,
                           const std::vector<study::EndpointGroup>& groups, const std::string& base,
                           std::string_view caption) {
  const bool incidence = e.kind == study::EndpointKind::kCumulativeIncidence;
  std::string out =
      fmt::format("<table><caption>{}</caption><thead><tr><th scope=\"col\">{}</th>", caption, UnitWord(r.time_unit));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    out += fmt::format("<th scope=\"col\">{}{}<br><span class=\"note\">at risk · {} (95% CI)</span></th>", Swatch(g),
                       EscapeXml(r.groups[g].label), incidence ? "incidence" : "survival");
  }
  out += "</tr></thead><tbody>\n";
  const std::size_t times = groups.empty() ? 0 : groups[0].at.size();
  for (std::size_t k = 0; k < times; ++k) {
    out += "<tr><td>" + Time(fmt::format("{}/groups/0/at/{}/time", base, k), groups[0].at[k].time) + "</td>";
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const study::EstimateAt& a = groups[g].at[k];
      const std::string p = fmt::format("{}/groups/{}/at/{}/", base, g, k);
      out += "<td>" + Count(p + "n_risk", a.n_risk) + " · ";
      if (!a.estimate) {
        out += "<span data-json=\"" + p + "estimate\">—</span>";
      } else {
        out += Percent(p + "estimate", a.estimate);
        if (a.lower && a.upper) out += " (" + Percent(p + "lower", a.lower) + "–" + Percent(p + "upper", a.upper) + ")";
      }
      out += "</td>";
    }
    out += "</tr>\n";
  }
  if (!incidence) {
    out += "<tr><td>Median (95% CI)</td>";
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const study::EndpointGroup& eg = groups[g];
      const std::string p = fmt::format("{}/groups/{}/", base, g);
      out += "<td>" + Num(p + "median", eg.median, 1, "NR") + " (" + Num(p + "median_lower", eg.median_lower, 1, "NR") +
             "–" + Num(p + "median_upper", eg.median_upper, 1, "NR") + ")</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n";
  return out;
}

std::string CountsSentence(const study::StudyResults& r, const study::EndpointResult& e,
                           const std::vector<study::EndpointGroup>& groups, const std::string& base) {
  std::vector<std::string> parts;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const study::EndpointGroup& eg = groups[g];
    const std::string p = fmt::format("{}/groups/{}/", base, g);
    std::string part = (groups.size() > 1 ? EscapeXml(r.groups[g].label) + ": " : std::string());
    if (eg.events == 0) {
      part += "<span class=\"none\">no events (0 of " + Count(p + "n", eg.n) + ")</span>";
    } else {
      part += Count(p + "events", eg.events) + " events in " + Count(p + "n", eg.n) + " patients";
    }
    if (e.kind == study::EndpointKind::kCumulativeIncidence) {
      part += ", " + Count(p + "competing", eg.competing) + " competing";
    }
    part += ", " + Count(p + "censored", eg.censored) + " censored";
    parts.push_back(part);
  }
  return Join(parts, "; ") + ".";
}

std::string EndpointSection(const study::StudyResults& r, std::size_t index) {
  const study::EndpointResult& e = r.endpoints[index];
  const std::string base = fmt::format("/endpoints/{}", index);
  const std::string id = fmt::format("endpoint-{}", index + 1);
  const bool incidence = e.kind == study::EndpointKind::kCumulativeIncidence;
  std::string out = "<section id=\"" + id + "\"><h2>" + EscapeXml(e.name) + "</h2>\n";
  std::string definition = "Event: " + Words(e.events);
  if (incidence) definition += "; competing: " + Words(e.competing);
  definition += "; censored at " + (e.censor.empty() ? std::string() : Words(e.censor) + ", ") +
                "death (when not an event), loss to follow-up, withdrawal or the last contact. Time from " +
                OriginWords(r.origin) + ".";
  out += "<p>" + definition + "</p>\n";
  out += "<div class=\"result\"><p>" + CountsSentence(r, e, e.groups, base) + "</p>";
  if (r.groups.size() > 1) out += "<p>" + TestSentence(e.test, base + "/test") + "</p>";
  out += "</div>\n";
  svg::CurveFigure figure = CurveOf(r, e, e.groups, e.ticks, id, e.name, OriginWords(r.origin));
  if (e.landmark) figure.landmark = e.landmark->time;
  out += "<figure>" + svg::RenderCurveFigure(figure) + "<figcaption>" +
         (incidence ? "Aalen-Johansen estimate with " : "Kaplan-Meier estimate with ") + EscapeXml(e.interval) +
         "; ticks on the curves mark censoring.</figcaption></figure>\n";
  out += EstimatesTable(r, e, e.groups, base, "Estimates at the planned times");
  if (e.excluded_before_origin > 0) {
    out += "<p class=\"note\">" + Count(base + "/excluded_before_origin", e.excluded_before_origin) +
           " patients had the event or a competing event before time zero and are left out.</p>\n";
  }
  if (e.landmark) {
    const study::LandmarkResult& lm = *e.landmark;
    const std::string lbase = base + "/landmark";
    out += "<h3>Landmark at " + Time(lbase + "/time", lm.time) + " " + ::cirrus::ToLowerAscii(UnitWord(r.time_unit)) +
           "</h3>\n";
    out += "<p>Patients still followed at the landmark, time measured from it; " +
           Count(lbase + "/excluded", lm.excluded) + " whose follow-up ended at or before it are excluded.</p>\n";
    out += "<div class=\"result\"><p>" + CountsSentence(r, e, lm.groups, lbase) + "</p>";
    if (r.groups.size() > 1) out += "<p>" + TestSentence(lm.test, lbase + "/test") + "</p>";
    out += "</div>\n";
    double axis = 0;
    for (const study::EndpointGroup& g : lm.groups) {
      if (!g.curve.empty()) axis = std::max(axis, g.curve.back().time);
      if (!g.censor_times.empty()) axis = std::max(axis, g.censor_times.back());
    }
    std::vector<double> ticks;
    if (!lm.groups.empty()) {
      for (const study::RiskAt& k : lm.groups[0].risk) ticks.push_back(k.time);
    }
    const std::string title = e.name + ", landmark at " + ShortestText(lm.time);
    out += "<figure>" +
           svg::RenderCurveFigure(CurveOf(r, e, lm.groups, ticks, id + "-landmark", title, "the landmark")) +
           "</figure>\n";
    out += EstimatesTable(r, e, lm.groups, lbase, "Estimates from the landmark");
  }
  out += "</section>\n";
  return out;
}

std::string UpperFirst(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

std::string LabTitle(const study::LabTrajectory& lab) {
  std::string title = lab.analyte == "INR" || lab.analyte == "inr" ? std::string("INR") : UpperFirst(lab.analyte);
  if (!lab.unit.empty() && lab.unit != "1") title += " (" + lab.unit + ")";
  return title;
}

// Decimals that suit a lab's size: 3411 U/L, 31.2 g/L, 1.38 (INR).
int DecimalsFor(const study::LabTrajectory& lab) {
  double largest = 0;
  for (const auto& group : lab.groups) {
    for (const study::TrajectoryPoint& v : group) largest = std::max(largest, std::fabs(v.mean.value_or(0)));
  }
  return largest >= 100 ? 0 : largest >= 10 ? 1 : 2;
}

std::string LabSection(const study::StudyResults& r, std::size_t index) {
  const study::LabTrajectory& lab = r.labs[index];
  const std::string base = fmt::format("/labs/{}", index);
  const std::string id = fmt::format("lab-{}", index + 1);
  const std::string title = LabTitle(lab);
  const int decimals = DecimalsFor(lab);
  std::string out = "<section id=\"" + id + "\"><h2>" + EscapeXml(title) + " over time</h2>\n";
  out +=
      "<p>Mean and 95% CI (t) at each scheduled visit, of the value measured at the patient's visit of that code. "
      "Death and transplant end a patient's labs, so each visit also counts who had died or been transplanted "
      "before it, who was not yet due at the data cut, and who was missing.</p>\n";
  svg::TrajectoryFigure f;
  f.id = id;
  f.title = title + " by visit";
  f.x_label = "Weeks since the schedule's day 0";
  f.y_label = title;
  std::size_t visits = lab.groups.empty() ? 0 : lab.groups[0].size();
  for (std::size_t v = 0; v < visits; ++v) {
    f.x_ticks.push_back(lab.groups[0][v].day / 7.0);
    f.x_tick_labels.push_back(lab.groups[0][v].visit);
  }
  for (std::size_t g = 0; g < lab.groups.size(); ++g) {
    svg::TrajectorySeries series;
    series.label = r.groups[g].label;
    for (const study::TrajectoryPoint& v : lab.groups[g]) {
      series.x.push_back(v.day / 7.0);
      series.mean.push_back(v.mean.value_or(kNaN));
      series.lower.push_back(v.lower.value_or(kNaN));
      series.upper.push_back(v.upper.value_or(kNaN));
      series.n.push_back(static_cast<long>(v.n));
    }
    f.series.push_back(std::move(series));
  }
  f.description = fmt::format(
      "Mean {} with 95% confidence intervals at {} scheduled visits, by group; the number "
      "of patients measured at each visit is printed under the axis.",
      title, visits);
  out += "<figure>" + svg::RenderTrajectoryFigure(f) + "</figure>\n";
  out += "<table><caption>" + EscapeXml(title) +
         " by visit: n measured · mean (95% CI); died, transplanted, not yet "
         "due, missing</caption><thead><tr><th scope=\"col\">Visit</th>" +
         GroupHeaderCells(r) + "</tr></thead><tbody>\n";
  for (std::size_t v = 0; v < visits; ++v) {
    out += "<tr><td>" + EscapeXml(lab.groups[0][v].visit) + "<br><span class=\"note\">day " +
           Count(fmt::format("{}/groups/0/visits/{}/day", base, v),
                 static_cast<std::size_t>(std::max(0, lab.groups[0][v].day))) +
           "</span></td>";
    for (std::size_t g = 0; g < lab.groups.size(); ++g) {
      const study::TrajectoryPoint& p = lab.groups[g][v];
      const std::string ptr = fmt::format("{}/groups/{}/visits/{}/", base, g, v);
      out += "<td>" + Count(ptr + "n", p.n) + " · " + Num(ptr + "mean", p.mean, decimals);
      if (p.lower && p.upper) {
        out += " (" + Num(ptr + "lower", p.lower, decimals) + "–" + Num(ptr + "upper", p.upper, decimals) + ")";
      }
      out += "<br><span class=\"note\">" + Count(ptr + "dead", p.dead) + " died, " +
             Count(ptr + "transplanted", p.transplanted) + " transpl., " + Count(ptr + "not_due", p.not_due) +
             " not due, " + Count(ptr + "missing", p.missing) + " missing</span></td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table>\n</section>\n";
  return out;
}

std::string SafetySection(const study::StudyResults& r) {
  const study::SafetyResult& s = r.safety;
  std::string out = "<section id=\"safety\"><h2>Adverse events</h2>\n";
  std::vector<std::string> given;
  for (std::size_t g = 0; g < r.groups.size(); ++g) {
    given.push_back((r.groups.size() > 1 ? EscapeXml(r.groups[g].label) + ": " : std::string()) +
                    Count(fmt::format("/safety/infusions/{}", g), s.infusions[g]) + " infusions");
  }
  out += "<p>From time zero to the data cut; " + Join(given, "; ") +
         ". Related: possibly, probably or definitely related to an infusion. G1 to G5: patients by the highest "
         "CTCAE grade they had of the term.</p>\n";
  if (s.rows.empty()) {
    out += "<p class=\"none\">No adverse events recorded.</p>\n</section>\n";
    return out;
  }
  // A block of rows per group, so that the columns hold only numbers.
  out +=
      "<table class=\"ae\"><caption>Adverse events by term: patients with the event, events, and patients by their "
      "highest grade</caption><thead><tr><th scope=\"col\">Term</th><th scope=\"col\">Patients, n (%)</th>"
      "<th scope=\"col\">Events</th><th scope=\"col\">Serious</th><th scope=\"col\">Related</th>"
      "<th scope=\"col\">G1</th><th scope=\"col\">G2</th><th scope=\"col\">G3</th><th scope=\"col\">G4</th>"
      "<th scope=\"col\">G5</th><th scope=\"col\">per 100 infusions</th></tr></thead><tbody>\n";
  for (std::size_t g = 0; g < r.groups.size(); ++g) {
    if (r.groups.size() > 1) {
      out += "<tr class=\"variable\"><td colspan=\"11\">" + Swatch(g) + EscapeXml(r.groups[g].label) + "</td></tr>\n";
    }
    for (std::size_t i = 0; i < s.rows.size(); ++i) {
      const study::AdverseEventCell& c = s.rows[i].groups[g];
      const std::string p = fmt::format("/safety/rows/{}/groups/{}/", i, g);
      const std::string term = EscapeXml(i == 0 ? UpperFirst(s.rows[i].term) : s.rows[i].term);
      out += "<tr><td class=\"level\">" + (i == 0 ? "<b>" + term + "</b>" : term) + "</td>";
      out += "<td>" + Count(p + "patients", c.patients) + " (" + PercentOf(p + "percent", c.percent) + ")</td>";
      out += "<td>" + Count(p + "events", c.events) + "</td><td>" + Count(p + "serious", c.serious) + "</td><td>" +
             Count(p + "related", c.related) + "</td>";
      for (std::size_t k = 0; k < c.max_grade.size(); ++k) {
        out += "<td>" + Count(p + fmt::format("max_grade/{}", k), c.max_grade[k]) + "</td>";
      }
      out += "<td>" + Num(p + "per_100_infusions", c.per_100_infusions, 1) + "</td></tr>\n";
    }
  }
  out += "</tbody></table>\n</section>\n";
  return out;
}

std::string Footer(const study::StudyResults& r, const Provenance& p) {
  std::string out = "<footer><p>Made by cirrus " + EscapeXml(p.version) + " from registry content SHA-256 <code>" +
                    EscapeXml(p.registry_hash) + "</code> and study file " + EscapeXml(p.study_file) +
                    " SHA-256 <code>" + EscapeXml(p.study_hash) + "</code>";
  out += r.as_of ? ", facts up to " + core::FormatDate(*r.as_of) : std::string(", all facts");
  out += ".</p><p>Command: <code>" + EscapeXml(p.command) + "</code></p></footer>\n";
  return out;
}

}  // namespace

std::string RenderStudyHtml(const study::StudyResults& r, const Provenance& provenance) {
  const std::string title = r.title.empty() ? r.code : r.title;
  std::size_t analysed = 0;
  for (const study::GroupInfo& g : r.groups) analysed += g.n;
  std::string out;
  out.reserve(1 << 16);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + EscapeXml(title) + " · cirrus study report</title>\n<style>" + std::string(kStyle) +
         "</style>\n</head>\n<body>\n<main>\n";
  out += "<header><h1>" + EscapeXml(title) + "</h1>\n";
  out +=
      fmt::format("<p class=\"meta\"><b>Study</b> {} · <b>design</b> {} · <b>time zero</b> {} · <b>groups</b> {}</p>\n",
                  EscapeXml(r.code), study::Code(r.design), OriginWords(r.origin),
                  r.grouping == study::Grouping::kNone ? "none" : std::string(study::Code(r.grouping)));
  out += fmt::format("<p class=\"meta\"><b>Patients analysed</b> {} · <b>data cut</b> {} · <b>latest fact</b> {}</p>\n",
                     analysed, r.as_of ? core::FormatDate(*r.as_of) : std::string("none (all facts)"),
                     r.last_fact ? core::FormatDate(*r.last_fact) : std::string("none"));
  out +=
      "</header>\n<nav aria-label=\"Contents\"><b>Contents</b><ol><li><a href=\"#flow\">Patient flow</a></li>"
      "<li><a href=\"#baseline\">Baseline characteristics</a></li>";
  for (std::size_t i = 0; i < r.endpoints.size(); ++i) {
    out += fmt::format("<li><a href=\"#endpoint-{}\">{}</a></li>", i + 1, EscapeXml(r.endpoints[i].name));
  }
  for (std::size_t i = 0; i < r.labs.size(); ++i) {
    out += fmt::format("<li><a href=\"#lab-{}\">{} over time</a></li>", i + 1, EscapeXml(LabTitle(r.labs[i])));
  }
  out += "<li><a href=\"#safety\">Adverse events</a></li></ol></nav>\n";
  out += FlowSection(r);
  out += BaselineSection(r);
  for (std::size_t i = 0; i < r.endpoints.size(); ++i) out += EndpointSection(r, i);
  for (std::size_t i = 0; i < r.labs.size(); ++i) out += LabSection(r, i);
  out += SafetySection(r);
  out += Footer(r, provenance);
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace cirrus::report
