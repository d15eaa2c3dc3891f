// The SVG figures of report/svg.hpp: the accessibility and size contract
// (role, title, desc, width 640, no font under 11 px, < 150 KB for a million
// steps), well-formed XML (checked by xmllint where it is installed), exact
// pixel positions worked out from CurvePlotArea, the pixel-space
// simplification staying inside the true curve, and degenerate input that
// must not crash or print "nan" or "inf".
#include "cirrus/report/svg.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace cirrus::report::svg {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// Coordinates are written with one decimal: a position matches when it is
// within half of the last digit.
constexpr double kWrittenPx = 0.05 + 1e-9;

// ---- helpers -------------------------------------------------------------

// v as the figures write coordinates: fixed, one decimal, no "-0.0".
std::string Fixed1(double v) {
  double rounded = std::round(v * 10.0) / 10.0;
  if (rounded == 0.0) rounded = 0.0;
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, rounded, std::chars_format::fixed, 1);
  return std::string(buffer, result.ptr);
}

std::size_t Count(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

// The start tag of the element with id="`id`", from '<' to '>'.
std::string TagWithId(const std::string& svg, const std::string& id) {
  const std::size_t at = svg.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const std::size_t open = svg.rfind('<', at);
  const std::size_t close = svg.find('>', at);
  return svg.substr(open, close - open + 1);
}

std::string AttributeOf(const std::string& tag, const std::string& name) {
  const std::string key = " " + name + "=\"";
  const std::size_t at = tag.find(key);
  if (at == std::string::npos) return "";
  const std::size_t start = at + key.size();
  return tag.substr(start, tag.find('"', start) - start);
}

struct PathCommand {
  char op = 0;
  std::vector<double> args;
};

std::vector<PathCommand> ParsePath(std::string_view d) {
  std::vector<PathCommand> commands;
  std::size_t i = 0;
  while (i < d.size()) {
    const char c = d[i];
    if (std::isalpha(static_cast<unsigned char>(c))) {
      commands.push_back({c, {}});
      ++i;
    } else if (c == ' ' || c == ',') {
      ++i;
    } else {
      double value = 0;
      const auto result = std::from_chars(d.data() + i, d.data() + d.size(), value);
      if (result.ec != std::errc() || commands.empty()) return {};
      commands.back().args.push_back(value);
      i = static_cast<std::size_t>(result.ptr - d.data());
    }
  }
  return commands;
}

// Absolute corners of a path made of M, H, V and L.
std::vector<std::pair<double, double>> Corners(std::string_view d) {
  std::vector<std::pair<double, double>> corners;
  double x = 0;
  double y = 0;
  for (const PathCommand& c : ParsePath(d)) {
    if (c.op == 'M' || c.op == 'L') {
      x = c.args.at(0);
      y = c.args.at(1);
    } else if (c.op == 'H') {
      x = c.args.at(0);
    } else if (c.op == 'V') {
      y = c.args.at(0);
    } else {
      continue;
    }
    corners.emplace_back(x, y);
  }
  return corners;
}

// The font sizes set anywhere in `svg`.
std::vector<double> FontSizes(const std::string& svg) {
  std::vector<double> sizes;
  const std::string key = "font-size=\"";
  for (std::size_t at = svg.find(key); at != std::string::npos; at = svg.find(key, at + 1)) {
    sizes.push_back(std::stod(svg.substr(at + key.size())));
  }
  return sizes;
}

// xmllint's verdict on `svg`, or nothing where xmllint is not installed.
std::optional<bool> XmllintAccepts(const std::string& svg) {
  if (!std::filesystem::exists("/usr/bin/xmllint")) return std::nullopt;
  // ctest runs each test as its own process, in parallel: the file name
  // carries the test's name and a counter so that no two runs share a file.
  static std::atomic<int> counter{0};
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name = test != nullptr ? std::string(test->test_suite_name()) + "." + test->name() : "svg";
  const std::filesystem::path file =
      std::filesystem::path(::testing::TempDir()) / ("cirrus_svg_" + name + "_" + std::to_string(counter++) + ".svg");
  std::ofstream(file, std::ios::binary) << svg;
  const std::string command = "/usr/bin/xmllint --noout '" + file.string() + "'";
  const int status = std::system(command.c_str());
  std::filesystem::remove(file);
  return status == 0;
}

void ExpectWellFormed(const std::string& svg) {
  const std::optional<bool> accepted = XmllintAccepts(svg);
  if (!accepted) GTEST_SKIP() << "xmllint is not installed";
  EXPECT_TRUE(*accepted) << svg.substr(0, 2000);
}

// No NaN or infinity printed as a number anywhere.
void ExpectNoNonFinite(const std::string& svg) {
  EXPECT_THAT(svg, Not(HasSubstr("nan")));
  EXPECT_THAT(svg, Not(HasSubstr("inf")));
  EXPECT_THAT(svg, Not(HasSubstr("NaN")));
}

// ---- figures used by several tests ----------------------------------------

// Survival 100% until 10, then 50% until the censoring at 20 = x_max.
CurveFigure HalfAtTen() {
  CurveFigure figure;
  figure.id = "half";
  figure.title = "Overall survival";
  figure.x_max = 20;
  figure.x_ticks = {0, 10, 20};
  figure.curves.push_back({.label = "Cells", .time = {0, 10}, .estimate = {1, 0.5}, .censor_times = {20}});
  return figure;
}

CurveFigure TwoArms() {
  CurveFigure figure;
  figure.id = "os";
  figure.title = "Overall survival";
  figure.description = "Kaplan-Meier curves by arm.";
  figure.x_label = "Months";
  figure.y_label = "Survival";
  figure.x_max = 24;
  figure.x_ticks = {0, 6, 12, 18, 24};
  figure.landmark = 6;
  figure.curves.push_back({.label = "Cell therapy",
                           .time = {0, 3, 8, 15},
                           .estimate = {1, 0.9, 0.8, 0.7},
                           .lower = {1, 0.8, 0.65, 0.55},
                           .upper = {1, 0.97, 0.9, 0.82},
                           .censor_times = {5, 20}});
  figure.curves.push_back(
      {.label = "Standard care", .time = {0, 2, 6, 11}, .estimate = {1, 0.85, 0.6, 0.5}, .censor_times = {24}});
  figure.risk.push_back({.label = "Cell therapy",
                         .at_risk = {40, 35, 30, 22, 10},
                         .censored = {0, 2, 4, 9, 20},
                         .events = {0, 3, 6, 9, 10}});
  figure.risk.push_back({.label = "Standard care",
                         .at_risk = {40, 30, 21, 15, 8},
                         .censored = {0, 1, 3, 5, 12},
                         .events = {0, 9, 16, 20, 20}});
  return figure;
}

// A curve of `steps` equal drops from 1 to 0.2 over [0, 10), with a band
// and one censoring between each pair of steps.
StepCurve DenseCurve(std::size_t steps, std::string label) {
  StepCurve curve;
  curve.label = std::move(label);
  curve.time.resize(steps);
  curve.estimate.resize(steps);
  curve.lower.resize(steps);
  curve.upper.resize(steps);
  curve.censor_times.resize(steps);
  const double dt = 10.0 / static_cast<double>(steps);
  for (std::size_t i = 0; i < steps; ++i) {
    curve.time[i] = static_cast<double>(i) * dt;
    curve.estimate[i] = 1 - 0.8 * static_cast<double>(i) / static_cast<double>(steps);
    curve.lower[i] = curve.estimate[i] * 0.98;
    curve.upper[i] = std::min(1.0, curve.estimate[i] * 1.02);
    curve.censor_times[i] = curve.time[i] + dt / 2;
  }
  return curve;
}

TrajectoryFigure Meld() {
  TrajectoryFigure figure;
  figure.id = "meld";
  figure.title = "MELD by visit";
  figure.x_label = "Week";
  figure.y_label = "MELD";
  figure.x_ticks = {0, 4, 12};
  figure.x_tick_labels = {"W0", "W4", "W12"};
  figure.series.push_back({.label = "Cells",
                           .x = {0, 4, 12},
                           .mean = {15, kNaN, 13},
                           .lower = {14, kNaN, 11},
                           .upper = {16, kNaN, 15},
                           .n = {40, 38, 31}});
  figure.series.push_back({.label = "Control",
                           .x = {0, 4, 12},
                           .mean = {15.5, 15, 14.5},
                           .lower = {14.5, 14, 13},
                           .upper = {16.5, 16, 16},
                           .n = {39, 37, 33}});
  return figure;
}

ForestFigure Subgroups() {
  ForestFigure figure;
  figure.id = "forest";
  figure.title = "Death or transplant";
  figure.rows = {
      {.label = "All patients", .n = 160, .events = 70, .estimate = 0.72, .lower = 0.55, .upper = 0.94},
      {.label = "Child-Pugh class", .heading = true, .note = "interaction p = 0.41"},
      {.label = "A", .n = 50, .events = 15, .estimate = 0.9, .lower = 0.5, .upper = 1.6},
      {.label = "C", .n = 40, .events = 25, .estimate = 0.7, .lower = 0.1, .upper = kInf},
      {.label = "Other", .n = 20, .events = 0},
  };
  return figure;
}

FlowNode Consort() {
  return {
      .label = "Assessed for eligibility",
      .count = 120,
      .children = {{.label = "Excluded", .count = 20},
                   {.label = "Randomised",
                    .count = 100,
                    .children = {{.label = "Cell therapy", .count = 50}, {.label = "Standard care", .count = 50}}}}};
}

StackedBarFigure ChildPugh() {
  StackedBarFigure figure;
  figure.id = "cp";
  figure.title = "Child-Pugh class";
  figure.y_label = "Patients";
  figure.categories = {"A", "B", "C", "dead", "missing"};
  figure.bars = {{.label = "W0", .counts = {10, 10, 0, 0, 0}}, {.label = "W4", .counts = {5, 5, 5, 5, 0}}};
  return figure;
}

std::vector<std::string> AllSamples() {
  return {RenderCurveFigure(TwoArms()),
          RenderCurveFigure(HalfAtTen()),
          RenderTrajectoryFigure(Meld()),
          RenderForestFigure(Subgroups()),
          RenderFlowDiagram("flow", "Patient flow", "CONSORT", Consort()),
          RenderStackedBarFigure(ChildPugh())};
}

// ---- palette, escaping, ids, ticks -----------------------------------------

TEST(GroupColour, IsOkabeItoInOrderThenRepeats) {
  const std::vector<std::string_view> expected = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                  "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  for (std::size_t g = 0; g < expected.size(); ++g) EXPECT_EQ(GroupColour(g), expected[g]) << g;
  EXPECT_EQ(GroupColour(8), "#0072B2");
}

TEST(GroupDash, SolidFirstThenDistinctPatterns) {
  EXPECT_EQ(GroupDash(0), "");
  EXPECT_EQ(GroupDash(1), "6 3");
  EXPECT_EQ(GroupDash(2), "2 2");
  EXPECT_EQ(GroupDash(3), "8 3 2 3");
  std::vector<std::string_view> dashes;
  for (std::size_t g = 0; g < 7; ++g) dashes.push_back(GroupDash(g));
  std::sort(dashes.begin(), dashes.end());
  EXPECT_EQ(std::adjacent_find(dashes.begin(), dashes.end()), dashes.end());
}

TEST(EscapeXml, EscapesTheFiveMarkupCharacters) {
  EXPECT_EQ(EscapeXml("a<b & c>\"d\" 'e'"), "a&lt;b &amp; c&gt;&quot;d&quot; &apos;e&apos;");
  EXPECT_EQ(EscapeXml("CD34+ cells, 10\u2076/kg"), "CD34+ cells, 10\u2076/kg");
}

TEST(EscapeXml, ReplacesInvalidUtf8AndForbiddenControls) {
  EXPECT_EQ(EscapeXml("a\xFF"), "a\uFFFD");
  EXPECT_EQ(EscapeXml(std::string_view("x\x01y\0", 4)), "x\uFFFDy\uFFFD");
  EXPECT_EQ(EscapeXml("\xC3"), "\uFFFD");            // truncated sequence
  EXPECT_EQ(EscapeXml("\xC0\xAF"), "\uFFFD\uFFFD");  // overlong '/'
  EXPECT_EQ(EscapeXml("tab\tline\n"), "tab\tline\n");
  EXPECT_EQ(EscapeXml("\xEF\xBF\xBF"), "\uFFFD\uFFFD\uFFFD");  // U+FFFF is no XML character
}

TEST(SanitizeId, KeepsSafeAsciiAndReplacesTheRest) {
  EXPECT_EQ(SanitizeId("os by arm"), "os-by-arm");
  EXPECT_EQ(SanitizeId("a\"b<c"), "a-b-c");
  EXPECT_EQ(SanitizeId("fig_1.2-x"), "fig_1.2-x");
  EXPECT_EQ(SanitizeId(""), "figure");
}

TEST(NiceTicks, StepsOfOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_EQ(NiceTicks(24), (std::vector<double>{0, 5, 10, 15, 20}));
  EXPECT_EQ(NiceTicks(12), (std::vector<double>{0, 2, 4, 6, 8, 10, 12}));
  // Each tick is the double nearest its decimal: 0.6, not 3 * 0.2.
  EXPECT_EQ(NiceTicks(1), (std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1}));
  EXPECT_EQ(NiceTicks(100), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(NiceTicks(3650), (std::vector<double>{0, 500, 1000, 1500, 2000, 2500, 3000, 3500}));
  EXPECT_EQ(NiceTicks(0), (std::vector<double>{0, 1}));
  EXPECT_EQ(NiceTicks(kNaN), (std::vector<double>{0, 1}));
}

// ---- every figure ----------------------------------------------------------

TEST(SvgFigures, AreWellFormedXml) {
  for (const std::string& svg : AllSamples()) ExpectWellFormed(svg);
}

TEST(SvgFigures, OpenWithRoleTitleAndDesc) {
  const std::string svg = RenderCurveFigure(TwoArms());
  EXPECT_THAT(svg, StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
                              "aria-labelledby=\"os-title os-desc\" width=\"640\" height=\""));
  // title and desc come first, before anything drawn.
  const std::size_t root_end = svg.find('>');
  EXPECT_THAT(svg.substr(root_end + 1), StartsWith("<title id=\"os-title\">Overall survival</title>"
                                                   "<desc id=\"os-desc\">Kaplan-Meier curves by arm.</desc>"));
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  for (const std::string& sample : AllSamples()) {
    const std::string root = sample.substr(0, sample.find('>'));
    EXPECT_THAT(root, HasSubstr("role=\"img\""));
    EXPECT_THAT(root, HasSubstr("width=\"640\""));
    const std::string height = AttributeOf(root, "height");
    EXPECT_THAT(root, HasSubstr("viewBox=\"0 0 640 " + height + "\""));
    EXPECT_THAT(root, HasSubstr("sans-serif"));
    EXPECT_EQ(Count(sample, "<script"), 0U);
    EXPECT_EQ(Count(sample, "href"), 0U);  // nothing external
  }
}

TEST(SvgFigures, NoFontIsSmallerThanElevenPx) {
  for (const std::string& svg : AllSamples()) {
    const std::vector<double> sizes = FontSizes(svg);
    ASSERT_FALSE(sizes.empty());
    for (const double size : sizes) EXPECT_GE(size, kMinFontPx);
  }
}

TEST(SvgFigures, SameInputGivesSameBytes) {
  const std::vector<std::string> first = AllSamples();
  EXPECT_EQ(first, AllSamples());
  CurveFigure dense = TwoArms();
  dense.curves.push_back(DenseCurve(50'000, "Dense"));
  EXPECT_EQ(RenderCurveFigure(dense), RenderCurveFigure(dense));
}

TEST(SvgFigures, EmptyIdsAndTitlesStillLabelTheFigure) {
  const std::string svg = RenderCurveFigure({});
  EXPECT_THAT(svg, HasSubstr("aria-labelledby=\"figure-title figure-desc\""));
  EXPECT_THAT(svg, HasSubstr("<title id=\"figure-title\">Step curves</title>"));
  const std::string spaced = RenderForestFigure({.id = "hr by arm"});
  EXPECT_THAT(spaced, HasSubstr("aria-labelledby=\"hr-by-arm-title hr-by-arm-desc\""));
}

// ---- curve figure ----------------------------------------------------------

TEST(CurveFigure, FiftyPercentStepIsAtTheMiddleOfThePlot) {
  const CurveFigure figure = HalfAtTen();
  const PlotArea plot = CurvePlotArea(figure);
  const std::string svg = RenderCurveFigure(figure);
  const std::string d = AttributeOf(TagWithId(svg, "half-curve-0"), "d");
  // 100% at the top until t = 10 (the middle of 0..20), then 50% (half the
  // height) until the censoring at 20, the right edge.
  EXPECT_EQ(d, "M" + Fixed1(plot.left) + " " + Fixed1(plot.top) + "H" + Fixed1(plot.left + plot.width / 2) + "V" +
                   Fixed1(plot.top + plot.height / 2) + "H" + Fixed1(plot.left + plot.width));
  // The censoring tick is centred on the 50% line at x_max.
  EXPECT_EQ(AttributeOf(TagWithId(svg, "half-censor-0"), "d"),
            "M" + Fixed1(plot.left + plot.width) + " " + Fixed1(plot.top + plot.height / 2 - 3) + "v6");
  EXPECT_THAT(svg, HasSubstr(">0%</text>"));
  EXPECT_THAT(svg, HasSubstr(">100%</text>"));
}

TEST(CurveFigure, EveryStepOfASmallCurveIsDrawn) {
  CurveFigure figure;
  figure.id = "steps";
  figure.x_max = 10;
  StepCurve curve{.label = "Ten steps"};
  for (int i = 0; i < 10; ++i) {
    curve.time.push_back(i);
    curve.estimate.push_back(1 - 0.1 * i);
  }
  curve.censor_times = {10};
  figure.curves.push_back(curve);
  const PlotArea plot = CurvePlotArea(figure);
  const std::vector<PathCommand> path =
      ParsePath(AttributeOf(TagWithId(RenderCurveFigure(figure), "steps-curve-0"), "d"));
  ASSERT_EQ(path.size(), 1U + 2 * 9 + 1);  // M, then H and V per step, then H to the end
  for (int i = 1; i < 10; ++i) {
    const PathCommand& h = path[static_cast<std::size_t>(2 * i - 1)];
    const PathCommand& v = path[static_cast<std::size_t>(2 * i)];
    ASSERT_EQ(h.op, 'H');
    ASSERT_EQ(v.op, 'V');
    EXPECT_NEAR(h.args[0], plot.left + plot.width * i / 10, kWrittenPx);
    EXPECT_NEAR(v.args[0], plot.top + plot.height * (0.1 * i), kWrittenPx);
  }
}

TEST(CurveFigure, CumulativeIncidenceAxisEndsAtYMax) {
  CurveFigure figure;
  figure.id = "cif";
  figure.y_max = 0.5;
  figure.x_max = 12;
  figure.curves.push_back({.label = "Decompensation", .time = {0, 6}, .estimate = {0, 0.25}, .censor_times = {12}});
  const PlotArea plot = CurvePlotArea(figure);
  const std::string svg = RenderCurveFigure(figure);
  EXPECT_THAT(svg, HasSubstr(">50%</text>"));
  EXPECT_THAT(svg, Not(HasSubstr(">60%</text>")));
  // 25% is half of y_max.
  EXPECT_THAT(AttributeOf(TagWithId(svg, "cif-curve-0"), "d"), HasSubstr("V" + Fixed1(plot.top + plot.height / 2)));
  EXPECT_THAT(svg, HasSubstr("clip-path=\"url(#cif-clip)\""));
}

TEST(CurveFigure, LegendNamesEachGroupWithColourAndDash) {
  const std::string svg = RenderCurveFigure(TwoArms());
  EXPECT_THAT(svg, HasSubstr(">Cell therapy</text>"));
  EXPECT_THAT(svg, HasSubstr(">Standard care</text>"));
  // Legend samples: a solid blue line, then a vermillion "6 3" dashed one.
  EXPECT_THAT(svg, HasSubstr("stroke=\"#0072B2\" stroke-width=\"2\"/>"));
  EXPECT_THAT(svg, HasSubstr("stroke=\"#D55E00\" stroke-width=\"2\" stroke-dasharray=\"6 3\"/>"));
  const std::string first = TagWithId(svg, "os-curve-0");
  const std::string second = TagWithId(svg, "os-curve-1");
  EXPECT_EQ(AttributeOf(first, "stroke"), "#0072B2");
  EXPECT_EQ(AttributeOf(first, "stroke-dasharray"), "");
  EXPECT_EQ(AttributeOf(second, "stroke"), "#D55E00");
  EXPECT_EQ(AttributeOf(second, "stroke-dasharray"), "6 3");
  EXPECT_EQ(AttributeOf(TagWithId(svg, "os-band-0"), "fill"), "#0072B2");
  EXPECT_EQ(AttributeOf(TagWithId(svg, "os-band-0"), "fill-opacity"), "0.15");
}

TEST(CurveFigure, BandIsAStepPolygonAroundTheCurve) {
  const CurveFigure figure = TwoArms();
  const PlotArea plot = CurvePlotArea(figure);
  const std::string svg = RenderCurveFigure(figure);
  const std::string d = AttributeOf(TagWithId(svg, "os-band-0"), "d");
  EXPECT_EQ(d.back(), 'Z');
  // Upper 0.97 on [3, 8) and lower 0.65 on [8, 15) are both edges.
  const auto y = [&](double s) { return Fixed1(plot.top + (1 - s) * plot.height); };
  EXPECT_THAT(d, HasSubstr("V" + y(0.97)));
  EXPECT_THAT(d, HasSubstr("V" + y(0.65)));
  // No band where a group has none.
  EXPECT_EQ(TagWithId(svg, "os-band-1"), "");
}

TEST(CurveFigure, NanEstimatesAndBoundsLeaveGaps) {
  CurveFigure figure;
  figure.id = "gaps";
  figure.x_max = 20;
  figure.curves.push_back({.label = "Gaps",
                           .time = {0, 5, 10, 15},
                           .estimate = {1, kNaN, 0.6, 0.5},
                           .lower = {1, 0.7, kNaN, 0.3},
                           .upper = {1, 0.95, kNaN, 0.7},
                           .censor_times = {20}});
  const PlotArea plot = CurvePlotArea(figure);
  const std::string svg = RenderCurveFigure(figure);
  // The curve stops at 5 (where its estimate is NaN) and starts again at 10.
  const std::string d = AttributeOf(TagWithId(svg, "gaps-curve-0"), "d");
  EXPECT_EQ(d, "M" + Fixed1(plot.left) + " " + Fixed1(plot.top) + "H" + Fixed1(plot.left + plot.width / 4) + "M" +
                   Fixed1(plot.left + plot.width / 2) + " " + Fixed1(plot.top + 0.4 * plot.height) + "H" +
                   Fixed1(plot.left + plot.width * 3 / 4) + "V" + Fixed1(plot.top + 0.5 * plot.height) + "H" +
                   Fixed1(plot.left + plot.width));
  // Two band polygons, on [0, 10) and [15, 20].
  EXPECT_EQ(Count(AttributeOf(TagWithId(svg, "gaps-band-0"), "d"), "Z"), 2U);
}

TEST(CurveFigure, RiskTableFollowsKMunicateUnderTheTicks) {
  const CurveFigure figure = TwoArms();
  const PlotArea plot = CurvePlotArea(figure);
  const std::string svg = RenderCurveFigure(figure);
  for (const char* row : {">At risk</text>", ">Censored</text>", ">Events</text>"}) EXPECT_EQ(Count(svg, row), 2U);
  // At risk 35 of arm 0 sits centred under the 6-month tick.
  EXPECT_THAT(svg, HasSubstr("<text x=\"" + Fixed1(plot.left + plot.width * 6 / 24) + "\""));
  const std::string x6 = Fixed1(plot.left + plot.width * 6 / 24);
  EXPECT_THAT(svg, testing::ContainsRegex("<text x=\"" + x6 + "\" y=\"[0-9.]+\" text-anchor=\"middle\">35</text>"));
  EXPECT_THAT(svg, testing::ContainsRegex("<text x=\"" + Fixed1(plot.left + plot.width) +
                                          "\" y=\"[0-9.]+\" text-anchor=\"middle\">20</text>"));
}

TEST(CurveFigure, RiskColumnsFollowNiceTicksWhenNoTicksAreGiven) {
  CurveFigure figure;
  figure.id = "auto";
  figure.x_max = 24;  // NiceTicks: 0, 5, 10, 15, 20
  figure.curves.push_back({.label = "A", .time = {0}, .estimate = {1}, .censor_times = {24}});
  figure.risk.push_back({.label = "A", .at_risk = {9, 8, 7, 6, 5}, .censored = {0, 1, 2, 3, 4}, .events = {}});
  const PlotArea plot = CurvePlotArea(figure);
  const std::string svg = RenderCurveFigure(figure);
  EXPECT_THAT(svg, testing::ContainsRegex("<text x=\"" + Fixed1(plot.left + plot.width * 20 / 24) +
                                          "\" y=\"[0-9.]+\" text-anchor=\"middle\">5</text>"));
}

TEST(CurveFigure, LandmarkIsADashedLabelledLine) {
  const CurveFigure figure = TwoArms();
  const PlotArea plot = CurvePlotArea(figure);
  const std::string svg = RenderCurveFigure(figure);
  const std::string x = Fixed1(plot.left + plot.width * 6 / 24);
  EXPECT_THAT(svg, HasSubstr("<line x1=\"" + x + "\" y1=\"" + Fixed1(plot.top) + "\" x2=\"" + x + "\" y2=\"" +
                             Fixed1(plot.top + plot.height) +
                             "\" stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"));
  EXPECT_THAT(svg, HasSubstr(">landmark</text>"));
}

TEST(CurveFigure, CensorMarksOnTheSamePixelAreMerged) {
  CurveFigure figure = HalfAtTen();
  figure.curves[0].censor_times = std::vector<double>(1000, 15.0);
  figure.curves[0].censor_times.push_back(5);
  figure.curves[0].censor_times.push_back(20);
  const PlotArea plot = CurvePlotArea(figure);
  const std::string d = AttributeOf(TagWithId(RenderCurveFigure(figure), "half-censor-0"), "d");
  // Sorted by time: 5 on the 100% line, one mark for the 1000 at 15, and 20.
  EXPECT_EQ(d, "M" + Fixed1(plot.left + plot.width / 4) + " " + Fixed1(plot.top - 3) + "v6" + "M" +
                   Fixed1(plot.left + plot.width * 3 / 4) + " " + Fixed1(plot.top + plot.height / 2 - 3) + "v6" + "M" +
                   Fixed1(plot.left + plot.width) + " " + Fixed1(plot.top + plot.height / 2 - 3) + "v6");
}

TEST(CurveFigure, MillionStepCurveStaysUnderTheSizeBoundAndInsideTheCurve) {
  constexpr std::size_t kSteps = 1'000'000;
  CurveFigure figure;
  figure.id = "big";
  figure.title = "One million subjects";
  figure.x_max = 10;
  figure.curves.push_back(DenseCurve(kSteps, "All"));
  const std::string svg = RenderCurveFigure(figure);
  EXPECT_LT(svg.size(), kMaxFigureBytes);
  ExpectWellFormed(svg);

  // Every corner of the simplified path lies on a value the true curve takes
  // within 1 px (two half-pixel columns) of the corner's x, give or take the
  // rounding of the written coordinates.
  const PlotArea plot = CurvePlotArea(figure);
  const StepCurve& curve = figure.curves[0];
  const auto survival_at = [&](double t) {
    const auto it = std::upper_bound(curve.time.begin(), curve.time.end(), t);
    return it == curve.time.begin() ? 1.0 : curve.estimate[static_cast<std::size_t>(it - curve.time.begin()) - 1];
  };
  const auto y_of = [&](double s) { return plot.top + (1 - s) * plot.height; };
  const auto corners = Corners(AttributeOf(TagWithId(svg, "big-curve-0"), "d"));
  ASSERT_GT(corners.size(), 500U);
  for (const auto& [x, y] : corners) {
    const double t = (x - plot.left) / plot.width * 10;
    const double dt = 1.0 / plot.width * 10;
    EXPECT_GE(y, y_of(survival_at(t - dt)) - kWrittenPx) << x;
    EXPECT_LE(y, y_of(survival_at(t + dt)) + kWrittenPx) << x;
  }
  EXPECT_NEAR(corners.front().second, y_of(1), kWrittenPx);
  EXPECT_NEAR(corners.back().first, plot.left + plot.width, kWrittenPx);
  EXPECT_NEAR(corners.back().second, y_of(curve.estimate.back()), kWrittenPx);
}

TEST(CurveFigure, SeveralDenseCurvesWidenTheColumnsToStayUnderTheBound) {
  CurveFigure figure;
  figure.id = "many";
  figure.x_max = 10;
  for (int g = 0; g < 5; ++g) figure.curves.push_back(DenseCurve(200'000, "Group " + std::to_string(g)));
  const std::string svg = RenderCurveFigure(figure);
  EXPECT_LT(svg.size(), kMaxFigureBytes);
  for (int g = 0; g < 5; ++g) EXPECT_THAT(svg, HasSubstr("id=\"many-curve-" + std::to_string(g) + "\""));
}

TEST(CurveFigure, DegenerateInputDrawsNoNanOrInf) {
  std::vector<CurveFigure> figures(9);
  figures[0].id = "empty";  // no curves at all
  figures[1].curves.push_back({.label = "One point", .time = {0}, .estimate = {1}});
  figures[2].x_max = 0;  // the data decide the axis
  figures[2].curves.push_back({.label = "", .time = {0, 3}, .estimate = {1, 0.5}, .censor_times = {6}});
  figures[3].x_max = 10;
  figures[3].curves.push_back(
      {.label = "Band of gaps", .time = {0, 5}, .estimate = {1, 0.5}, .lower = {kNaN, kNaN}, .upper = {kNaN, kNaN}});
  figures[4].x_max = kInf;
  figures[4].y_max = -1;
  figures[4].landmark = kNaN;
  figures[4].x_ticks = {kNaN, -1, 0, 1e300};
  figures[4].curves.push_back({.label = "Odd estimates",
                               .time = {0, kNaN, 2, 1},
                               .estimate = {kNaN, 0.5, kInf, -3},
                               .censor_times = {kNaN, -kInf, 4}});
  figures[5].curves.push_back({.label = "Mismatched", .time = {0, 1, 2}, .estimate = {1}, .lower = {0.5}});
  figures[5].risk.push_back({.label = "", .at_risk = {1}, .censored = {}, .events = {}});
  figures[6].risk.push_back({.label = "Table without curves", .at_risk = {5, 4}});
  figures[7].x_max = 1e-300;
  figures[7].curves.push_back({.label = "Tiny", .time = {0, 1e-301}, .estimate = {1, 0.2}});
  figures[8].curves.push_back({.label = "No points"});
  for (const CurveFigure& figure : figures) {
    const std::string svg = RenderCurveFigure(figure);
    ExpectNoNonFinite(svg);
    ExpectWellFormed(svg);
  }
  EXPECT_THAT(RenderCurveFigure(figures[0]), HasSubstr(">no data</text>"));
  EXPECT_THAT(RenderCurveFigure(figures[8]), HasSubstr(">no data</text>"));
  EXPECT_THAT(RenderCurveFigure(figures[2]), HasSubstr(">(unlabelled)</text>"));
  // x_max = 0: the axis ends at the last censoring, 6.
  EXPECT_THAT(RenderCurveFigure(figures[2]), HasSubstr(">6</text>"));
  EXPECT_EQ(TagWithId(RenderCurveFigure(figures[3]), "figure-band-0"), "");
}

TEST(SvgFigures, ExtremeNumbersDrawNoNanOrInf) {
  constexpr double kMax = std::numeric_limits<double>::max();
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  CurveFigure curve;
  curve.x_max = kMax;
  curve.y_max = kTiny;
  curve.x_ticks = {0, kMax, -kMax};
  curve.curves.push_back({.label = "Huge", .time = {0, 1e300, kMax}, .estimate = {1, 1e-300, kTiny}});
  TrajectoryFigure trajectory;
  trajectory.series.push_back(
      {.label = "Wide", .x = {-kMax, 0, kTiny}, .mean = {kMax, -kMax, 1e14}, .lower = {kTiny, 0, -1e14}});
  TrajectoryFigure tiny;
  tiny.series.push_back({.label = "Tiny", .x = {0, kTiny}, .mean = {0, kTiny}, .upper = {1e-300, 2e-300}});
  ForestFigure forest;
  forest.rows = {{.label = "Huge", .estimate = kMax, .lower = kTiny, .upper = kInf},
                 {.label = "Tiny", .estimate = kTiny, .lower = 0, .upper = 1e-300}};
  StackedBarFigure bars;
  bars.categories = {"A", "B"};
  bars.bars = {{.label = "Max", .counts = {std::numeric_limits<long>::max(), std::numeric_limits<long>::max()}}};
  for (const std::string& svg :
       {RenderCurveFigure(curve), RenderTrajectoryFigure(trajectory), RenderTrajectoryFigure(tiny),
        RenderForestFigure(forest), RenderStackedBarFigure(bars)}) {
    ExpectNoNonFinite(svg);
    ExpectWellFormed(svg);
  }
}

TEST(CurveFigure, EscapesMarkupInLabels) {
  CurveFigure figure = HalfAtTen();
  figure.title = "Survival <&> \"quoted\"";
  figure.x_label = "t < 5 & t > 1";
  figure.curves[0].label = "<&>";
  figure.risk.push_back({.label = "<&>", .at_risk = {1, 1, 1}});
  const std::string svg = RenderCurveFigure(figure);
  EXPECT_THAT(svg, HasSubstr(">&lt;&amp;&gt;</text>"));
  EXPECT_THAT(svg, HasSubstr("Survival &lt;&amp;&gt; &quot;quoted&quot;"));
  EXPECT_THAT(svg, Not(HasSubstr("<&>")));
  ExpectWellFormed(svg);
}

TEST(CurveFigure, LongLabelsAreCutWithAnEllipsisAndKeepTheirFullText) {
  const std::string label = "A group label that is much longer than forty characters in all";
  CurveFigure figure = HalfAtTen();
  figure.curves[0].label = label;
  const std::string svg = RenderCurveFigure(figure);
  EXPECT_THAT(svg, HasSubstr("\u2026<title>" + label + "</title></text>"));
  EXPECT_THAT(svg, Not(HasSubstr(">" + label + "</text>")));
}

// ---- trajectories ------------------------------------------------------------

TEST(TrajectoryFigure, NotEstimableVisitsDrawNoPointAndBreakTheLine) {
  const std::string svg = RenderTrajectoryFigure(Meld());
  const std::string means = AttributeOf(TagWithId(svg, "meld-mean-0"), "d");
  EXPECT_EQ(Count(means, "M"), 2U);  // visits 0 and 12, not 4
  const std::string line = AttributeOf(TagWithId(svg, "meld-line-0"), "d");
  EXPECT_EQ(Count(line, "M"), 2U);
  EXPECT_EQ(Count(line, "L"), 0U);
  EXPECT_EQ(Count(AttributeOf(TagWithId(svg, "meld-line-1"), "d"), "L"), 2U);
  EXPECT_EQ(AttributeOf(TagWithId(svg, "meld-line-1"), "stroke-dasharray"), "6 3");
}

TEST(TrajectoryFigure, GroupsAreOffsetAtTheSameVisit) {
  const std::string svg = RenderTrajectoryFigure(Meld());
  const std::vector<PathCommand> first = ParsePath(AttributeOf(TagWithId(svg, "meld-ci-0"), "d"));
  const std::vector<PathCommand> second = ParsePath(AttributeOf(TagWithId(svg, "meld-ci-1"), "d"));
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  // Two groups: 3 px either side of the visit.
  EXPECT_NEAR(second[0].args[0] - first[0].args[0], 6, 2 * kWrittenPx);
}

TEST(TrajectoryFigure, PrintsTickLabelsAndPatientsMeasured) {
  const std::string svg = RenderTrajectoryFigure(Meld());
  EXPECT_THAT(svg, HasSubstr(">W12</text>"));
  EXPECT_THAT(svg, HasSubstr(">Patients measured</text>"));
  EXPECT_THAT(svg, HasSubstr(">38</text>"));
  EXPECT_THAT(svg, HasSubstr(">33</text>"));
  ExpectWellFormed(svg);
}

TEST(TrajectoryFigure, DegenerateInputDrawsNoNanOrInf) {
  std::vector<TrajectoryFigure> figures(4);
  figures[1].series.push_back({.label = "All missing", .x = {0, 1}, .mean = {kNaN, kNaN}, .n = {0, 0}});
  figures[2].series.push_back({.label = "", .x = {5}, .mean = {3}, .lower = {3}, .upper = {3}});
  figures[3].x_ticks = {kNaN, 1};
  figures[3].x_tick_labels = {"only one"};
  figures[3].series.push_back({.label = "Short", .x = {kInf, 1, 2}, .mean = {1}, .lower = {}, .upper = {kNaN}});
  for (const TrajectoryFigure& figure : figures) {
    const std::string svg = RenderTrajectoryFigure(figure);
    ExpectNoNonFinite(svg);
    ExpectWellFormed(svg);
  }
  EXPECT_THAT(RenderTrajectoryFigure(figures[0]), HasSubstr(">no data</text>"));
  EXPECT_THAT(RenderTrajectoryFigure(figures[1]), HasSubstr(">no data</text>"));
}

// ---- forest ------------------------------------------------------------------

TEST(ForestFigure, WritesRatiosAndMarksNotEstimableRows) {
  const std::string svg = RenderForestFigure(Subgroups());
  EXPECT_THAT(svg, HasSubstr(">0.72 (0.55, 0.94)</text>"));
  EXPECT_THAT(svg, HasSubstr(">0.70 (0.10, \u221E)</text>"));
  EXPECT_THAT(svg, HasSubstr(">not estimable</text>"));
  EXPECT_THAT(svg, HasSubstr(">interaction p = 0.41</text>"));
  EXPECT_THAT(svg, HasSubstr(">Hazard ratio (95% CI)</text>"));
  // Three estimable rows: three squares.
  EXPECT_EQ(Count(svg, "width=\"8\" height=\"8\""), 3U);
  ExpectWellFormed(svg);
}

TEST(ForestFigure, LogAxisPlacesOneBetweenItsDecades) {
  ForestFigure figure;
  figure.id = "log";
  figure.rows = {{.label = "A", .n = 10, .events = 5, .estimate = 1, .lower = 0.1, .upper = 10}};
  const std::string svg = RenderForestFigure(figure);
  // Ticks 0.1, 1 and 10 (the ends and the powers of ten) at equal distances.
  std::vector<double> xs;
  for (const char* tick : {">0.1</text>", ">1</text>", ">10</text>"}) {
    const std::size_t at = svg.find(tick);
    ASSERT_NE(at, std::string::npos) << tick;
    const std::size_t open = svg.rfind("<text x=\"", at);
    xs.push_back(std::stod(svg.substr(open + 9)));
  }
  EXPECT_NEAR(xs[1] - xs[0], xs[2] - xs[1], 2 * kWrittenPx);
}

TEST(ForestFigure, AllRowsNotEstimableOrEmptyDrawNoNanOrInf) {
  ForestFigure all_ne;
  all_ne.rows = {{.label = "A", .n = 3}, {.label = "B", .estimate = -1}, {.label = "", .estimate = kInf}};
  const std::string svg = RenderForestFigure(all_ne);
  EXPECT_EQ(Count(svg, ">not estimable</text>"), 3U);
  ExpectNoNonFinite(svg);
  ExpectWellFormed(svg);
  const std::string empty = RenderForestFigure({});
  EXPECT_THAT(empty, HasSubstr(">no data</text>"));
  ExpectNoNonFinite(empty);
  ExpectWellFormed(empty);
  ForestFigure nan_bounds;
  nan_bounds.rows = {{.label = "A", .estimate = 2, .lower = kNaN, .upper = kNaN},
                     {.label = "B", .estimate = 1e9, .lower = 1e8, .upper = 1e10}};
  const std::string bounds = RenderForestFigure(nan_bounds);
  EXPECT_THAT(bounds, HasSubstr(">2.00 (\u2013, \u2013)</text>"));
  EXPECT_THAT(bounds, HasSubstr(">&gt;999 (&gt;999, &gt;999)</text>"));
  ExpectNoNonFinite(bounds);
  ExpectWellFormed(bounds);
}

// ---- flow --------------------------------------------------------------------

TEST(FlowDiagram, BoxesShowLabelAndCountWithConnectors) {
  const std::string svg = RenderFlowDiagram("flow", "Patient flow", "CONSORT", Consort());
  for (const char* text : {">Assessed for eligibility</text>", ">n = 120</text>", ">Excluded</text>", ">n = 20</text>",
                           ">Standard care</text>"}) {
    EXPECT_THAT(svg, HasSubstr(text));
  }
  EXPECT_EQ(Count(svg, "<rect x="), 5U);
  // One arrow head per child box.
  EXPECT_EQ(Count(svg, "l4 -6h-8Z"), 4U);
  ExpectWellFormed(svg);
}

TEST(FlowDiagram, ZeroCountsEmptyLabelsAndWideTreesStayOnThePage) {
  FlowNode wide{.label = "", .count = 0};
  for (int i = 0; i < 30; ++i) {
    wide.children.push_back({.label = "Site " + std::to_string(i) + " with a long descriptive name", .count = 0});
  }
  const std::string svg = RenderFlowDiagram("", "", "", wide);
  EXPECT_THAT(svg, HasSubstr(">n = 0</text>"));
  ExpectNoNonFinite(svg);
  ExpectWellFormed(svg);
  // Every box ends inside the 640 px width.
  const std::string key = "<rect x=\"";
  for (std::size_t at = svg.find(key); at != std::string::npos; at = svg.find(key, at + 1)) {
    const std::string tag = svg.substr(at, svg.find('>', at) - at);
    if (AttributeOf(tag, "rx").empty()) continue;  // the background
    EXPECT_LE(std::stod(AttributeOf(tag, "x")) + std::stod(AttributeOf(tag, "width")), kFigureWidth) << tag;
  }
}

// ---- stacked bars --------------------------------------------------------------

TEST(StackedBarFigure, SegmentsArePercentOfTheirBar) {
  const std::string svg = RenderStackedBarFigure(ChildPugh());
  EXPECT_EQ(Count(svg, ">50%</text>"), 2U);  // W0: 10 A, 10 B
  EXPECT_EQ(Count(svg, ">25%</text>"), 4U);  // W4: 5 each of four
  EXPECT_THAT(svg, HasSubstr(">n = 20</text>"));
  EXPECT_THAT(svg, HasSubstr("<title>A: 10 of 20 (50.0%)</title>"));
  EXPECT_THAT(svg, HasSubstr(">missing</text>"));
  // W0's two segments are each half the 240 px plot.
  EXPECT_EQ(Count(svg, "height=\"120.0\" fill=\"#0072B2\""), 1U);
  EXPECT_EQ(Count(svg, "height=\"120.0\" fill=\"#D55E00\""), 1U);
  ExpectWellFormed(svg);
}

TEST(StackedBarFigure, AllZeroCountsSayNoData) {
  StackedBarFigure figure;
  figure.id = "zero";
  figure.categories = {"A", "B"};
  figure.bars = {{.label = "W0", .counts = {0, 0}}, {.label = "", .counts = {-5}}};
  const std::string svg = RenderStackedBarFigure(figure);
  EXPECT_THAT(svg, HasSubstr(">no data</text>"));
  EXPECT_EQ(Count(svg, ">n = 0</text>"), 2U);
  ExpectNoNonFinite(svg);
  ExpectWellFormed(svg);
  const std::string empty = RenderStackedBarFigure({});
  EXPECT_THAT(empty, HasSubstr(">no data</text>"));
  ExpectWellFormed(empty);
}

}  // namespace
}  // namespace cirrus::report::svg
