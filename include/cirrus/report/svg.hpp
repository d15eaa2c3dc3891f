// cirrus/report/svg.hpp: the figures of the study report as self-contained
// inline SVG text: survival and cumulative-incidence step curves with a
// KMunicate risk table, lab trajectories by visit, forest plots of hazard
// ratios, a CONSORT-like patient flow and stacked bars of a category by visit.
//
// Each Render* function returns one <svg> element, 640 user units wide (CSS
// px: 169 mm, which fits A4 portrait between 20 mm margins printed at 100%),
// as tall as its content. The output is meant to be pasted into an HTML page
// as is: no script, no external reference, no outside stylesheet, text as
// <text> with a system sans-serif font and nothing under 11 px (8.25 pt in
// print), a <title> and <desc> for screen readers, and a legend that tells
// groups apart by colour (Okabe-Ito) and by dash pattern, so that the figure
// still reads in greyscale or for colour-blind readers.
//
// The functions do no I/O and read no clock, locale or global: the same input
// gives the same bytes. Numbers are written by fmt, which ignores the locale;
// coordinates have one decimal. Degenerate input (no curves, NaN bands, all
// counts 0, empty labels) draws "no data" or leaves the part out, and never
// writes "nan" or "inf". Numbers beyond +-1e15 count as NaN. Labels longer than kMaxLabelChars are cut with an
// ellipsis and keep their full text in a <title> child, shown on hover.
//
// Example:
//   cirrus::report::svg::CurveFigure figure;
//   figure.id = "os";
//   figure.title = "Overall survival";
//   figure.x_label = "Months since infusion";
//   figure.y_label = "Survival";
//   figure.x_max = 24;
//   figure.x_ticks = {0, 6, 12, 18, 24};
//   figure.curves.push_back({.label = "Cell therapy", .time = {0, 7, 15}, .estimate = {1, 0.9, 0.75}});
//   figure.risk.push_back({.label = "Cell therapy", .at_risk = {40, 35, 30, 22, 10},
//                          .censored = {0, 2, 4, 9, 20}, .events = {0, 3, 6, 9, 10}});
//   std::string html_fragment = cirrus::report::svg::RenderCurveFigure(figure);
#pragma once

#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cirrus::report::svg {

// Every member of the structs below has an initializer (`{}` for strings and
// vectors) so that designated initializers may leave any out without GCC's
// -Wmissing-field-initializers, which the -Wextra builds turn into errors.

/// Width of every figure, in user units (= CSS px).
inline constexpr int kFigureWidth = 640;
/// The smallest font size used anywhere, in px (8.25 pt printed at 100%).
inline constexpr int kMinFontPx = 11;
/// Labels (group names, row labels, categories) longer than this many
/// characters (code points) are cut with an ellipsis.
inline constexpr std::size_t kMaxLabelChars = 40;
/// Every figure stays under this many bytes whatever the number of steps of
/// its curves: dense curves are simplified in pixel space (RenderCurveFigure).
inline constexpr std::size_t kMaxFigureBytes = 150'000;

/// The Okabe-Ito palette, in this order for groups 0, 1, 2, ...: #0072B2 blue,
/// #D55E00 vermillion, #009E73 green, #CC79A7 purple, #E69F00 orange, #56B4E9
/// sky, #000000 black, #F0E442 yellow (last: low contrast on white). Group 8
/// and above repeat the colours; GroupDash has 7 patterns, so the pair
/// (colour, dash) differs for the first 56 groups.
///
/// Example:
///   GroupColour(1)  // "#D55E00"
std::string_view GroupColour(std::size_t group);

/// The stroke-dasharray of a group's line: "" (solid) for group 0, then
/// "6 3", "2 2", "8 3 2 3", "12 4", "8 3 2 3 2 3", "3 6", then again.
/// Lines are 2 px wide, so the patterns stay apart in print.
///
/// Example:
///   GroupDash(0)  // ""
///   GroupDash(2)  // "2 2"
std::string_view GroupDash(std::size_t group);

/// `text` escaped for XML character data and attribute values: & < > " ' as
/// entities. Bytes that are not valid UTF-8, and control characters that XML
/// 1.0 forbids, become U+FFFD, so that the output always parses.
///
/// Example:
///   EscapeXml("CD34+ <5%")  // "CD34+ &lt;5%"
std::string EscapeXml(std::string_view text);

/// `id` made safe for an XML id and for the space-separated aria-labelledby
/// list: ASCII letters, digits, '-', '_' and '.' are kept, every other byte
/// becomes '-'; an empty id becomes "figure". Every Render* function uses
/// this on the figure's id before building element ids from it.
///
/// Example:
///   SanitizeId("os by arm")  // "os-by-arm"
std::string SanitizeId(std::string_view id);

/// Round tick positions 0, step, 2 step, ... up to `max` (inclusive), with
/// step 1, 2 or 5 times a power of ten, the one nearest max / 6 by ratio. The x
/// axis of a CurveFigure uses these when its x_ticks is empty, so a caller
/// can compute them to fill the risk table. A `max` that is not finite or
/// not > 0 gives {0, 1}.
///
/// Example:
///   NiceTicks(24)   // {0, 5, 10, 15, 20}
///   NiceTicks(365)  // {0, 50, 100, ..., 350}
///   NiceTicks(1.0)  // {0, 0.2, 0.4, 0.6, 0.8, 1}
std::vector<double> NiceTicks(double max);

/// One group's Kaplan-Meier or cumulative-incidence curve.
struct StepCurve {
  std::string label{};
  /// Ascending step times, the first 0; estimate[i] holds on [time[i],
  /// time[i+1]). The curve is drawn to the later of the last time and the
  /// last censoring time (the end of follow-up), and not past x_max.
  std::vector<double> time{};
  /// Survival (falling) or cumulative incidence (rising), in [0, 1]. A NaN
  /// entry leaves a gap in the curve until the next finite one.
  std::vector<double> estimate{};
  /// The 95% band, the same length as time; empty = no band; a NaN entry in
  /// either = no band on that step.
  std::vector<double> lower{}, upper{};
  /// Times of censoring, in any order: a small vertical tick on the curve at
  /// that time's estimate. Ticks that land on the same pixel are merged.
  std::vector<double> censor_times{};
};

/// One group of the table under the plot, in the KMunicate layout (Morris et
/// al., BMJ Open 2019, doi:10.1136/bmjopen-2019-030215): the group's label,
/// then the rows "At risk", "Censored" and "Events".
struct RiskRow {
  std::string label{};  ///< the group's label; risk[i] takes the colour of curves[i]
  /// One entry per x tick (CurveFigure::x_ticks, or NiceTicks(x_max) when
  /// that is empty); censored and events are cumulative up to the tick.
  /// Missing entries are left blank.
  std::vector<long> at_risk{}, censored{}, events{};
};

struct CurveFigure {
  /// Unique in the page; element ids are built from it ("<id>-title",
  /// "<id>-desc", "<id>-curve-0", "<id>-band-0", "<id>-censor-0") after
  /// SanitizeId.
  std::string id{};
  std::string title{}, description{};
  std::string x_label{}, y_label{};
  /// The end of the x axis. Not finite or not > 0: the end of the data (the
  /// largest time, censoring time or tick), or 1 without data.
  double x_max = 0;
  /// Tick positions; the risk table's columns align with them. Ticks outside
  /// [0, x_max] are dropped with their column. Empty: NiceTicks(x_max).
  std::vector<double> x_ticks{};
  /// Top of the y axis: 1 for survival; cumulative incidence may use a
  /// smaller one (e.g. 0.5). The axis is labelled in percent. Not finite or
  /// not > 0: 1. Curves above it are clipped at the plot's edge.
  double y_max = 1;
  /// A dashed vertical line labelled "landmark" at this time.
  std::optional<double> landmark{};
  std::vector<StepCurve> curves{};
  std::vector<RiskRow> risk{};  ///< empty = no table
};

/// Where the plot area of a figure lies, in user units from the top left of
/// the svg: a datum (t, s) of a CurveFigure is drawn at x = left + t / x_max *
/// width, y = top + (1 - s / y_max) * height.
struct PlotArea {
  double left = 0;
  double top = 0;
  double width = 0;
  double height = 0;
};

/// The plot area RenderCurveFigure uses for `figure` (for tests, and for a
/// web app that overlays hover targets on the svg).
PlotArea CurvePlotArea(const CurveFigure& figure);

/// The curves as step paths with their bands and censoring ticks, a legend
/// (colour and dash sample per group), percent y axis, light grey grid, the
/// landmark line and the KMunicate risk table. "no data" in the plot when no
/// curve has a finite point.
///
/// A curve with more steps than the plot has half-pixel columns is
/// simplified: in each column the path keeps the value entering it, the
/// lowest and highest values inside it and the value leaving it, as vertical
/// moves at the column's first step, so the line stays within the true
/// curve's envelope and every visible step survives. If the figure would
/// still reach kMaxFigureBytes (many dense curves), the columns are widened
/// to 1, 2, 4, ... px until it does not. Curves with fewer steps than
/// columns are drawn exactly.
///
/// Example:
///   std::string svg = RenderCurveFigure(figure);  // "<svg xmlns=..."
std::string RenderCurveFigure(const CurveFigure& figure);

/// Mean and 95% CI of a lab by visit, for one group.
struct TrajectorySeries {
  std::string label{};
  std::vector<double> x{};  ///< visit times (e.g. weeks)
  /// NaN = not estimable at that visit: no point, no interval, and a gap in
  /// the line joining the means.
  std::vector<double> mean{}, lower{}, upper{};
  std::vector<long> n{};  ///< patients measured at each visit, printed under the axis per group
};

struct TrajectoryFigure {
  std::string id{}, title{}, description{}, x_label{}, y_label{};
  std::vector<double> x_ticks{};             ///< where visits are; empty = round numbers
  std::vector<std::string> x_tick_labels{};  ///< same length ("W0", "W4", ...); otherwise numbers
  /// Groups are offset a few px in x so that their intervals do not overlap;
  /// each has its colour, dash and marker (circle, square, triangle, diamond).
  std::vector<TrajectorySeries> series{};
};

/// Means joined by a dashed line per group, whiskers for the 95% CI, the y
/// axis fitted to the finite values, and a table of n per visit and group.
///
/// Example:
///   std::string svg = RenderTrajectoryFigure(figure);
std::string RenderTrajectoryFigure(const TrajectoryFigure& figure);

struct ForestRow {
  std::string label{};
  bool heading = false;  ///< a subgroup variable's name row: label (and note) only
  long n = 0, events = 0;
  /// Hazard ratio and 95% CI. An estimate that is NaN or not > 0 is not
  /// estimable (written as such, nothing drawn); a NaN bound is written "–"
  /// and no interval is drawn; an infinite upper bound is written "∞" and
  /// drawn as an arrow at the axis end.
  double estimate = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  std::string note{};  ///< e.g. "interaction p = 0.41" on heading rows, right-aligned
};

struct ForestFigure {
  std::string id{}, title{}, description{};
  std::string x_label = "Hazard ratio (95% CI)";
  /// Columns: label | n | events | plot | "HR (lo, hi)". The log x axis spans
  /// the finite bounds and 1 (within 0.001 to 1000); intervals beyond it end
  /// in an arrow.
  std::vector<ForestRow> rows{};
};

/// A forest plot: a square at each hazard ratio, its interval, a reference
/// line at 1 and the numbers as text beside it.
///
/// Example:
///   std::string svg = RenderForestFigure(figure);
std::string RenderForestFigure(const ForestFigure& figure);

/// A box of the patient flow and the boxes below it.
struct FlowNode {
  std::string label{};  ///< may hold '\n' for line breaks; long lines are wrapped
  long count = 0;
  std::vector<FlowNode> children{};
};

/// A CONSORT-like patient flow: boxes "label\nn = count", children below
/// their parent with elbow connectors and arrows, the tree centred. When the
/// tree is too wide for the page even with narrow wrapped boxes, it is drawn
/// as an indented outline instead. Levels deeper than 32 are left out.
///
/// Example:
///   FlowNode root{.label = "Assessed for eligibility", .count = 120,
///                 .children = {{.label = "Excluded", .count = 20}, {.label = "Infused", .count = 100}}};
///   std::string svg = RenderFlowDiagram("flow", "Patient flow", "CONSORT diagram", root);
std::string RenderFlowDiagram(std::string_view id, std::string_view title, std::string_view description,
                              const FlowNode& root);

/// One bar per visit (and group): counts per category, in the order of
/// StackedBarFigure::categories. Negative counts count as 0.
struct StackedBar {
  std::string label{};
  std::vector<long> counts{};
};

struct StackedBarFigure {
  std::string id{}, title{}, description{};
  std::string y_label{};                  ///< the y axis is the percent of each bar's total
  std::vector<std::string> categories{};  ///< e.g. "A", "B", "C", "dead", "missing"; category 0 at the bottom
  std::vector<StackedBar> bars{};
};

/// 100% stacked bars with a swatch legend, the percentage written inside
/// each segment tall enough for it, the total "n" under each bar, and the
/// count in a hover <title> per segment. A bar whose counts are all 0 is
/// left empty with n = 0.
///
/// Example:
///   std::string svg = RenderStackedBarFigure(figure);
std::string RenderStackedBarFigure(const StackedBarFigure& figure);

}  // namespace cirrus::report::svg
