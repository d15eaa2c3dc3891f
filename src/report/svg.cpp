// report/svg.cpp: the figures of cirrus/report/svg.hpp. Each Render*
// function lays its figure out first (margins from estimated text widths,
// height from the content) and then writes the elements in paint order:
// background, grid, axes, data, annotations, tables.
//
// Example:
//   RenderForestFigure({.id = "hr", .rows = {{.label = "All", .n = 80, .events = 30,
//                                             .estimate = 0.7, .lower = 0.5, .upper = 0.98}}});
#include "cirrus/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "internal/step_path.hpp"
#include "internal/svg_writer.hpp"

namespace cirrus::report::svg {

namespace internal {

std::string SanitizeUtf8(std::string_view text) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      // XML 1.0 allows tab, line feed and carriage return, no other C0 control.
      const bool allowed = lead >= 0x20 || lead == '\t' || lead == '\n' || lead == '\r';
      if (allowed) {
        out += text[i];
      } else {
        out += kReplacement;
      }
      ++i;
      continue;
    }
    // RFC 3629 table 3-7: the well-formed byte sequences, which excludes
    // overlong forms, surrogates and code points above U+10FFFF.
    std::size_t length = 0;
    unsigned char second_lo = 0x80;
    unsigned char second_hi = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) second_lo = 0xA0;
      if (lead == 0xED) second_hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) second_lo = 0x90;
      if (lead == 0xF4) second_hi = 0x8F;
    }
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      valid = k == 1 ? (byte >= second_lo && byte <= second_hi) : (byte >= 0x80 && byte <= 0xBF);
    }
    // U+FFFE and U+FFFF are not XML characters either.
    if (valid && length == 3 && lead == 0xEF && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
        static_cast<unsigned char>(text[i + 2]) >= 0xBE) {
      valid = false;
    }
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

namespace {

// A nice step as mantissa * 10^exponent, so that tick k is computed as
// (k * mantissa) * 10^e or (k * mantissa) / 10^-e: both factors are exact
// and the one rounding gives the double nearest the decimal (3 * 0.2 is then
// 0.6, not 0.6000000000000001).
struct Step {
  double mantissa = 1;
  int exponent = 0;
  double Tick(long long k) const {
    const double scaled = static_cast<double>(k) * mantissa;
    const double power = std::pow(10.0, std::abs(exponent));
    return exponent >= 0 ? scaled * power : scaled / power;
  }
  double Value() const { return Tick(1); }
};

Step ChooseStep(double range, int target) {
  const double raw = range / target;
  // The callers' ranges lie within +-2e15 (kLargestValue); below 1e-290
  // 10^exponent is no longer exact, so such a range gets the step 1.
  if (!(raw > 1e-290 && raw < 1e300)) return {1, 0};
  int exponent = static_cast<int>(std::floor(std::log10(raw)));
  const double fraction = raw / std::pow(10.0, exponent);
  // The mantissa nearest the ideal step by ratio, so the count of ticks
  // lands as close to `target` from above as from below (between 1 and 2
  // the switch is at sqrt(2), and so on).
  constexpr std::array<double, 4> kMantissas = {1, 2, 5, 10};
  double best = 1;
  for (const double m : kMantissas) {
    if (std::fabs(std::log(fraction / m)) < std::fabs(std::log(fraction / best))) best = m;
  }
  if (best == 10) {
    best = 1;
    ++exponent;
  }
  return {best, exponent};
}

}  // namespace

double NiceStep(double range, int target) { return ChooseStep(range, target).Value(); }

std::vector<double> CoveringTicks(double lo, double hi, int target) {
  const Step step = ChooseStep(hi - lo, target);
  const double value = step.Value();
  if (!(std::fabs(lo / value) < 1e15 && std::fabs(hi / value) < 1e15)) return {lo, hi};
  // The 1e-9 lets a bound that is a multiple of the step up to rounding be
  // a tick itself rather than add one beyond it.
  const auto first = static_cast<long long>(std::floor(lo / value + 1e-9));
  const auto last = static_cast<long long>(std::ceil(hi / value - 1e-9));
  std::vector<double> ticks;
  for (long long k = first; k <= last && ticks.size() < 100; ++k) ticks.push_back(step.Tick(k));
  return ticks;
}

}  // namespace internal

namespace {

using internal::Append;
using internal::AppendLine;
using internal::AppendPathData;
using internal::AppendText;
using internal::Escaped;
using internal::FittedText;
using internal::FitText;
using internal::kFontPx;
using internal::kGrid;
using internal::kInk;
using internal::kMuted;
using internal::kPad;
using internal::kSmallFontPx;
using internal::kTitleFontPx;
using internal::kWidth;
using internal::PixelStep;
using internal::Point;
using internal::Px;
using internal::TextStyle;
using internal::TextWidth;
using internal::TickText;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

constexpr std::array<std::string_view, 8> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                      "#E69F00", "#56B4E9", "#000000", "#F0E442"};
constexpr std::array<std::string_view, 7> kDashes = {"", "6 3", "2 2", "8 3 2 3", "12 4", "8 3 2 3 2 3", "3 6"};
// Whether a palette colour reads as text on white: WCAG 2 contrast >= 3:1,
// the threshold for large or bold text. Blue 5.2, vermillion 4.0, green 3.4,
// purple 3.1 and black 21 pass; orange 2.3, sky 2.3 and yellow 1.4 do not.
// Those get kInk text beside a sample line in the colour; inside a filled bar
// segment the same table picks white or kInk text.
constexpr std::array<bool, 8> kLegibleOnWhite = {true, true, true, true, false, false, true, false};

std::string_view LabelColour(std::size_t group) {
  return kLegibleOnWhite[group % kPalette.size()] ? GroupColour(group) : kInk;
}

// ` stroke-dasharray="..."` for a group, or nothing for the solid line.
std::string DashAttribute(std::size_t group) {
  const std::string_view dash = GroupDash(group);
  return dash.empty() ? std::string() : fmt::format(" stroke-dasharray=\"{}\"", dash);
}

// Numbers beyond this count as not finite: no time, lab value or ratio comes
// near it, and below it differences and ratios of two values cannot
// overflow, so every coordinate stays finite.
constexpr double kLargestValue = 1e15;

bool Finite(double v) { return std::isfinite(v) && std::fabs(v) <= kLargestValue; }

std::string CountText(long count) { return fmt::format("{}", count); }

// The root element, its title and desc (first, for screen readers), and a
// white background so that the figure reads the same on a dark page.
void OpenSvg(std::string& out, const std::string& id, double height, std::string_view title,
             std::string_view fallback_title, std::string_view description) {
  const auto h = static_cast<long>(std::ceil(height));
  Append(out,
         "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"{0}-title {0}-desc\" "
         "width=\"{1}\" height=\"{2}\" viewBox=\"0 0 {1} {2}\" font-family=\"{3}\" font-size=\"{4}\" fill=\"{5}\">",
         id, kFigureWidth, h, internal::kFontFamily, kFontPx, kInk);
  Append(out, "<title id=\"{}-title\">{}</title>", id, Escaped{title.empty() ? fallback_title : title});
  Append(out, "<desc id=\"{}-desc\">{}</desc>", id, Escaped{description});
  Append(out, "<rect width=\"{}\" height=\"{}\" fill=\"#FFFFFF\"/>", kFigureWidth, h);
}

// The visible title; returns the y below it.
double TitleBottom(std::string_view title) { return title.empty() ? kPad : kPad + 14 + 12; }

void AppendTitle(std::string& out, std::string_view title) {
  if (title.empty()) return;
  AppendText(out, {.x = kPad, .y = kPad + 14, .font_px = kTitleFontPx, .bold = true}, title, 90, kWidth - 2 * kPad);
}

void AppendNoData(std::string& out, double x, double y) {
  AppendText(out, {.x = x, .y = y, .anchor = "middle", .fill = kMuted}, "no data");
}

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string joined;
  for (const std::string& label : labels) {
    if (!joined.empty()) joined += ", ";
    joined += label.empty() ? "(unlabelled)" : label;
  }
  return joined;
}

// ---- legend -------------------------------------------------------------

enum class LegendKey { kLine, kLineAndMarker, kSwatch };

constexpr double kLegendRow = 18;
constexpr double kLegendSample = 28;

struct Legend {
  double sample_px = kLegendSample;  // width of the line or swatch before each label
  std::vector<std::string> full;     // the labels as given, for a cut label's <title>
  std::vector<FittedText> labels;
  std::vector<Point> at;  // top left of each entry
  double bottom = 0;
};

// Entries left to right, wrapping to a new row at the right margin.
Legend PlaceLegend(const std::vector<std::string>& labels, double top, double sample_px) {
  Legend legend;
  legend.sample_px = sample_px;
  double x = kPad;
  double row_top = top;
  for (const std::string& label : labels) {
    FittedText fitted = FitText(label.empty() ? std::string_view("(unlabelled)") : std::string_view(label),
                                kMaxLabelChars, kWidth - 2 * kPad - sample_px - 6);
    const double width = sample_px + 6 + TextWidth(fitted.shown, kFontPx);
    if (x > kPad && x + width > kWidth - kPad) {
      x = kPad;
      row_top += kLegendRow;
    }
    legend.at.push_back({x, row_top});
    legend.labels.push_back(std::move(fitted));
    legend.full.push_back(label);
    x += width + 18;
  }
  legend.bottom = labels.empty() ? top : row_top + kLegendRow;
  return legend;
}

// A marker centred at (x, y) as path data: circle, square, triangle,
// diamond by group, about 7 px across, so groups differ in greyscale too.
void AppendMarkerData(std::string& out, std::size_t group, double x, double y) {
  constexpr double r = 3.5;
  switch (group % 4) {
    case 0: Append(out, "M{} {}a{} {} 0 1 0 7 0a{} {} 0 1 0 -7 0Z", Px{x - r}, Px{y}, r, r, r, r); break;
    case 1: Append(out, "M{} {}h6v6h-6Z", Px{x - 3}, Px{y - 3}); break;
    case 2: Append(out, "M{} {}l4 7h-8Z", Px{x}, Px{y - 4}); break;
    default: Append(out, "M{} {}l4 4l-4 4l-4 -4Z", Px{x}, Px{y - 4}); break;
  }
}

void AppendLegend(std::string& out, const Legend& legend, LegendKey key) {
  for (std::size_t g = 0; g < legend.at.size(); ++g) {
    const Point at = legend.at[g];
    const double mid = at.y + 9;
    if (key == LegendKey::kSwatch) {
      Append(out, "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>", Px{at.x}, Px{mid - 6},
             GroupColour(g));
    } else {
      Append(out, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>", Px{at.x},
             Px{mid}, Px{at.x + legend.sample_px}, Px{mid}, GroupColour(g), DashAttribute(g));
      if (key == LegendKey::kLineAndMarker) {
        Append(out, "<path d=\"");
        AppendMarkerData(out, g, at.x + legend.sample_px / 2, mid);
        Append(out, "\" fill=\"{}\"/>", GroupColour(g));
      }
    }
    Append(out, "<text x=\"{}\" y=\"{}\">{}", Px{at.x + legend.sample_px + 6}, Px{mid + 4},
           Escaped{legend.labels[g].shown});
    if (legend.labels[g].cut) Append(out, "<title>{}</title>", Escaped{legend.full[g]});
    out += "</text>";
  }
}

// ---- axes ---------------------------------------------------------------

// The y axis label, turned 90 degrees, just left of the widest tick label
// (tick labels end 7 px left of the axis; the turned glyphs reach about
// 3 px right of their baseline).
void AppendYLabel(std::string& out, std::string_view label, const PlotArea& plot, double tick_width) {
  if (label.empty()) return;
  const double x = std::max(kPad + 10, plot.left - tick_width - 13);
  const double mid = plot.top + plot.height / 2;
  const double max_px = plot.height;
  const std::string rotate = fmt::format("transform=\"rotate(-90 {} {})\"", Px{x}, Px{mid});
  AppendText(out, {.x = x, .y = mid, .anchor = "middle", .extra = rotate}, label, 60, max_px);
}

// Horizontal gridlines with tick labels on the left.
void AppendYAxis(std::string& out, const PlotArea& plot, const std::vector<double>& ticks,
                 const std::vector<std::string>& labels, double lo, double hi) {
  const double bottom = plot.top + plot.height;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    const double y = bottom - (ticks[i] - lo) / (hi - lo) * plot.height;
    if (i > 0 || ticks[i] != lo) AppendLine(out, {plot.left, y}, {plot.left + plot.width, y}, kGrid);
    AppendLine(out, {plot.left - 4, y}, {plot.left, y}, kInk);
    AppendText(out, {.x = plot.left - 7, .y = y + 4, .anchor = "end"}, labels[i]);
  }
}

void AppendAxisLines(std::string& out, const PlotArea& plot) {
  const double bottom = plot.top + plot.height;
  Append(out, "<path d=\"M{} {}V{}H{}\" fill=\"none\" stroke=\"{}\"/>", Px{plot.left}, Px{plot.top}, Px{bottom},
         Px{plot.left + plot.width}, kInk);
}

// ---- curve figure --------------------------------------------------------

constexpr double kCurvePlotHeight = 280;
constexpr double kTableRow = 16;
constexpr std::array<std::string_view, 3> kRiskRowNames = {"At risk", "Censored", "Events"};

double MaxFinite(double a, double b) { return Finite(b) ? std::max(a, b) : a; }

struct CurveLayout {
  double x_max = 1;
  double y_max = 1;
  std::vector<double> ticks;         // kept x ticks
  std::vector<std::size_t> columns;  // their index in the given (or nice) ticks: the risk column
  std::vector<double> y_ticks;       // in percent
  double tick_width = 0;             // of the widest y tick label
  Legend legend;
  PlotArea plot;
  double x_label_y = 0;
  double table_top = 0;
  double height = 0;
};

// The widest count of column `column` of the risk table.
double WidestCount(const std::vector<RiskRow>& risk, std::size_t column) {
  double widest = 0;
  for (const RiskRow& row : risk) {
    for (const std::vector<long>* counts : {&row.at_risk, &row.censored, &row.events}) {
      if (column < counts->size()) widest = std::max(widest, TextWidth(CountText((*counts)[column]), kFontPx));
    }
  }
  return widest;
}

CurveLayout LayOutCurves(const CurveFigure& figure) {
  CurveLayout layout;
  double x_max = figure.x_max;
  if (!Finite(x_max) || !(x_max > 0)) {
    x_max = 0;
    for (const StepCurve& curve : figure.curves) {
      for (const double t : curve.time) x_max = MaxFinite(x_max, t);
      for (const double t : curve.censor_times) x_max = MaxFinite(x_max, t);
    }
    for (const double t : figure.x_ticks) x_max = MaxFinite(x_max, t);
    if (!(x_max > 0)) x_max = 1;
  }
  layout.x_max = x_max;
  layout.y_max = Finite(figure.y_max) && figure.y_max > 0 ? figure.y_max : 1;

  const std::vector<double> given = figure.x_ticks.empty() ? NiceTicks(x_max) : figure.x_ticks;
  for (std::size_t i = 0; i < given.size(); ++i) {
    if (Finite(given[i]) && given[i] >= 0 && given[i] <= x_max * (1 + 1e-9)) {
      layout.ticks.push_back(given[i]);
      layout.columns.push_back(i);
    }
  }
  layout.y_ticks = NiceTicks(layout.y_max * 100);

  // Left: the y label, the widest tick label, and the risk table's row names
  // beside half the widest count of the first column (centred on its tick).
  double& tick_width = layout.tick_width;
  for (const double v : layout.y_ticks) tick_width = std::max(tick_width, TextWidth(TickText(v) + "%", kFontPx));
  double left = kPad + (figure.y_label.empty() ? 0 : 18) + tick_width + 8;
  double right = kPad + 8;
  if (!layout.ticks.empty()) {
    const double first_half = TextWidth(TickText(layout.ticks.front()), kFontPx) / 2;
    const double last_half = TextWidth(TickText(layout.ticks.back()), kFontPx) / 2;
    left = std::max(left, kPad + first_half);
    right = std::max(right, kPad + last_half);
    if (!figure.risk.empty()) {
      const double names = TextWidth("Censored", kFontPx) + 16;
      left = std::max(left, kPad + names + WidestCount(figure.risk, layout.columns.front()) / 2);
      right = std::max(right, kPad + WidestCount(figure.risk, layout.columns.back()) / 2);
    }
  }

  double y = TitleBottom(figure.title);
  std::vector<std::string> labels;
  for (const StepCurve& curve : figure.curves) labels.push_back(curve.label);
  layout.legend = PlaceLegend(labels, y, kLegendSample);
  y = layout.legend.bottom + 14;
  layout.plot = {.left = left, .top = y, .width = kWidth - left - right, .height = kCurvePlotHeight};
  const double bottom = y + kCurvePlotHeight;
  layout.x_label_y = bottom + 36;
  y = figure.x_label.empty() ? bottom + 20 : layout.x_label_y;
  layout.table_top = y + 12;
  y = layout.table_top;
  if (!figure.risk.empty() && !layout.ticks.empty()) y += static_cast<double>(figure.risk.size()) * (4 * kTableRow + 8);
  layout.height = y + kPad;
  return layout;
}

// One curve mapped to px once, simplified at each column width tried.
struct BandRun {
  std::vector<PixelStep> upper, lower;
  double x_end = 0;
};
struct LineRun {
  std::vector<PixelStep> steps;
  double x_end = 0;
};
struct PixelCurve {
  std::vector<LineRun> lines;
  std::vector<BandRun> bands;
  std::vector<Point> censor_marks;  // ascending x
};

PixelCurve ToPixels(const StepCurve& curve, const CurveLayout& layout) {
  const PlotArea& plot = layout.plot;
  const auto x_px = [&](double t) { return plot.left + t / layout.x_max * plot.width; };
  // Values above y_max or below 0 go a few px past the edge, where the clip
  // path hides them, instead of far off in coordinates.
  const auto y_px = [&](double s) {
    return std::clamp(plot.top + (1 - s / layout.y_max) * plot.height, plot.top - 4, plot.top + plot.height + 4);
  };
  const auto at = [](const std::vector<double>& v, std::size_t i) { return i < v.size() ? v[i] : kNaN; };

  // Finite times, made non-decreasing and >= 0, up to x_max.
  std::vector<std::size_t> kept;
  std::vector<double> times;
  double end = 0;
  const std::size_t n = std::min(curve.time.size(), curve.estimate.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!Finite(curve.time[i])) continue;
    const double t = std::max(curve.time[i], times.empty() ? 0.0 : times.back());
    end = std::max(end, t);
    if (t > layout.x_max) break;
    kept.push_back(i);
    times.push_back(t);
  }
  std::vector<double> censor;
  for (const double t : curve.censor_times) {
    if (Finite(t)) {
      end = std::max(end, t);
      if (t >= 0 && t <= layout.x_max) censor.push_back(t);
    }
  }
  end = std::min(end, layout.x_max);

  PixelCurve pixels;
  if (kept.empty()) return pixels;
  LineRun line;
  BandRun band;
  bool in_line = false;
  bool in_band = false;
  for (std::size_t k = 0; k < kept.size(); ++k) {
    const std::size_t i = kept[k];
    const double x = x_px(times[k]);
    const double s = curve.estimate[i];
    if (Finite(s)) {
      line.steps.push_back({x, y_px(s)});
      in_line = true;
    } else if (in_line) {
      line.x_end = x;
      pixels.lines.push_back(std::move(line));
      line = {};
      in_line = false;
    }
    const double lo = at(curve.lower, i);
    const double hi = at(curve.upper, i);
    if (Finite(lo) && Finite(hi)) {
      band.upper.push_back({x, y_px(hi)});
      band.lower.push_back({x, y_px(lo)});
      in_band = true;
    } else if (in_band) {
      band.x_end = x;
      pixels.bands.push_back(std::move(band));
      band = {};
      in_band = false;
    }
  }
  if (in_line) {
    line.x_end = x_px(end);
    pixels.lines.push_back(std::move(line));
  }
  if (in_band) {
    band.x_end = x_px(end);
    pixels.bands.push_back(std::move(band));
  }

  // Each censoring sits on the estimate in force at its time; before the
  // first step, or where the estimate is NaN, there is nothing to mark.
  std::sort(censor.begin(), censor.end());
  std::size_t k = 0;
  for (const double t : censor) {
    while (k < times.size() && times[k] <= t) ++k;
    if (k == 0) continue;
    const double s = curve.estimate[kept[k - 1]];
    // A mark above y_max (a clipped part of the curve) is not drawn.
    if (Finite(s) && s >= 0 && s <= layout.y_max) pixels.censor_marks.push_back({x_px(t), y_px(s)});
  }
  return pixels;
}

constexpr double kMarkMergePx = 4;

void AppendCurveData(std::string& out, const std::string& id, const std::vector<PixelCurve>& pixels, double column_px) {
  for (std::size_t g = 0; g < pixels.size(); ++g) {
    if (pixels[g].bands.empty()) continue;
    Append(out, "<path id=\"{}-band-{}\" d=\"", id, g);
    for (const BandRun& band : pixels[g].bands) {
      std::vector<Point> corners = internal::StepCorners(band.upper, band.x_end, column_px);
      std::vector<Point> lower = internal::StepCorners(band.lower, band.x_end, column_px);
      corners.insert(corners.end(), lower.rbegin(), lower.rend());
      AppendPathData(out, corners, /*close=*/true);
    }
    Append(out, "\" fill=\"{}\" fill-opacity=\"0.15\" stroke=\"none\"/>", GroupColour(g));
  }
  for (std::size_t g = 0; g < pixels.size(); ++g) {
    if (pixels[g].lines.empty()) continue;
    Append(out, "<path id=\"{}-curve-{}\" d=\"", id, g);
    for (const LineRun& line : pixels[g].lines) {
      AppendPathData(out, internal::StepCorners(line.steps, line.x_end, column_px), /*close=*/false);
    }
    Append(out, "\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>", GroupColour(g), DashAttribute(g));
  }
  for (std::size_t g = 0; g < pixels.size(); ++g) {
    if (pixels[g].censor_marks.empty()) continue;
    Append(out, "<path id=\"{}-censor-{}\" d=\"", id, g);
    // A mark within kMarkMergePx of the last one drawn, in x and in y, is
    // merged into it: the 1.5 px ticks would overlap into one blot anyway,
    // and a million censorings become a comb of ticks 4 px apart instead of
    // a solid band that hides the curve. The risk table has the counts.
    const double merge_px = std::max(kMarkMergePx, column_px);
    Point last{-1e9, -1e9};
    for (const Point& mark : pixels[g].censor_marks) {
      if (mark.x - last.x < merge_px && std::fabs(mark.y - last.y) < merge_px) continue;
      last = mark;
      Append(out, "M{} {}v6", Px{mark.x}, Px{mark.y - 3});
    }
    Append(out, "\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>", GroupColour(g));
  }
}

void AppendRiskTable(std::string& out, const CurveFigure& figure, const CurveLayout& layout) {
  if (figure.risk.empty() || layout.ticks.empty()) return;
  const PlotArea& plot = layout.plot;
  double y = layout.table_top;
  for (std::size_t g = 0; g < figure.risk.size(); ++g) {
    const RiskRow& row = figure.risk[g];
    // KMunicate: the group's name over its three rows, in its colour, with a
    // sample of its line so that the table reads without colour too.
    Append(out, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"{}/>", Px{kPad},
           Px{y + 9}, Px{kPad + 20}, Px{y + 9}, GroupColour(g), DashAttribute(g));
    AppendText(out, {.x = kPad + 26, .y = y + 13, .bold = true, .fill = LabelColour(g)},
               row.label.empty() ? std::string_view("(unlabelled)") : std::string_view(row.label), kMaxLabelChars,
               kWidth - 2 * kPad - 26);
    const std::array<const std::vector<long>*, 3> counts = {&row.at_risk, &row.censored, &row.events};
    for (std::size_t r = 0; r < counts.size(); ++r) {
      const double baseline = y + kTableRow * static_cast<double>(r + 1) + 13;
      AppendText(out, {.x = kPad, .y = baseline}, kRiskRowNames[r]);
      for (std::size_t c = 0; c < layout.ticks.size(); ++c) {
        const std::size_t column = layout.columns[c];
        if (column >= counts[r]->size()) continue;
        const double x = plot.left + layout.ticks[c] / layout.x_max * plot.width;
        AppendText(out, {.x = x, .y = baseline, .anchor = "middle"}, CountText((*counts[r])[column]));
      }
    }
    y += 4 * kTableRow + 8;
  }
}

std::string DrawCurveFigure(const CurveFigure& figure, const std::string& id, const CurveLayout& layout,
                            const std::vector<PixelCurve>& pixels, double column_px) {
  const PlotArea& plot = layout.plot;
  const double bottom = plot.top + plot.height;
  std::string out;
  std::string description = figure.description;
  if (description.empty()) {
    std::vector<std::string> labels;
    for (const StepCurve& curve : figure.curves) labels.push_back(curve.label);
    description = figure.curves.empty() ? std::string("No curves.")
                                        : fmt::format("Step curves of {} group{}: {}.", labels.size(),
                                                      labels.size() == 1 ? "" : "s", JoinLabels(labels));
  }
  OpenSvg(out, id, layout.height, figure.title, "Step curves", description);
  // The clip keeps curves above y_max inside the plot; 2 px of slack leave
  // a 2 px line at 100% or at x_max whole.
  Append(out, "<defs><clipPath id=\"{}-clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/></clipPath></defs>",
         id, Px{plot.left - 2}, Px{plot.top - 2}, Px{plot.width + 4}, Px{plot.height + 4});
  AppendTitle(out, figure.title);
  AppendLegend(out, layout.legend, LegendKey::kLine);

  std::vector<std::string> y_labels;
  for (const double v : layout.y_ticks) y_labels.push_back(TickText(v) + "%");
  AppendYAxis(out, plot, layout.y_ticks, y_labels, 0, layout.y_max * 100);
  for (const double t : layout.ticks) {
    const double x = plot.left + t / layout.x_max * plot.width;
    if (t > 0) AppendLine(out, {x, plot.top}, {x, bottom}, kGrid);
    AppendLine(out, {x, bottom}, {x, bottom + 4}, kInk);
    AppendText(out, {.x = x, .y = bottom + 17, .anchor = "middle"}, TickText(t));
  }
  AppendAxisLines(out, plot);
  AppendYLabel(out, figure.y_label, plot, layout.tick_width);
  if (!figure.x_label.empty()) {
    AppendText(out, {.x = plot.left + plot.width / 2, .y = layout.x_label_y, .anchor = "middle"}, figure.x_label, 90,
               plot.width);
  }

  Append(out, "<g clip-path=\"url(#{}-clip)\">", id);
  AppendCurveData(out, id, pixels, column_px);
  out += "</g>";

  if (figure.landmark && Finite(*figure.landmark) && *figure.landmark >= 0 && *figure.landmark <= layout.x_max) {
    const double x = plot.left + *figure.landmark / layout.x_max * plot.width;
    AppendLine(out, {x, plot.top}, {x, bottom}, "#555555", 1.5, "4 3");
    const bool near_right = x > plot.left + plot.width - 70;
    AppendText(out,
               {.x = near_right ? x - 4 : x + 4,
                .y = plot.top + 12,
                .anchor = near_right ? "end" : "start",
                .font_px = kSmallFontPx,
                .fill = "#555555"},
               "landmark");
  }
  const bool any_line = std::any_of(pixels.begin(), pixels.end(), [](const PixelCurve& p) { return !p.lines.empty(); });
  if (!any_line) AppendNoData(out, plot.left + plot.width / 2, plot.top + plot.height / 2);
  AppendRiskTable(out, figure, layout);
  out += "</svg>";
  return out;
}

// ---- trajectory figure ----------------------------------------------------

constexpr double kTrajectoryPlotHeight = 260;

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void Add(double v) {
    if (Finite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  bool Empty() const { return !(lo <= hi); }
};

// Too close to share an axis: the axis is widened around them instead.
bool NearlyEqual(double lo, double hi) {
  return hi - lo <= 1e-9 * std::max(std::fabs(lo), std::fabs(hi)) || hi - lo < 1e-290;
}

std::string RenderTrajectories(const TrajectoryFigure& figure) {
  const std::string id = SanitizeId(figure.id);
  const std::size_t groups = figure.series.size();

  // x: the visits and the ticks, with 6% room each side for the offsets.
  Range xr;
  for (const double t : figure.x_ticks) xr.Add(t);
  for (const TrajectorySeries& s : figure.series) {
    for (const double t : s.x) xr.Add(t);
  }
  if (xr.Empty()) xr = {0, 1};
  if (NearlyEqual(xr.lo, xr.hi)) xr = {xr.lo - 1, xr.hi + 1};
  const double x_pad = (xr.hi - xr.lo) * 0.06;
  const double x_lo = xr.lo - x_pad;
  const double x_hi = xr.hi + x_pad;
  std::vector<double> x_ticks;
  std::vector<std::string> x_tick_text;
  if (!figure.x_ticks.empty()) {
    const bool named = figure.x_tick_labels.size() == figure.x_ticks.size();
    for (std::size_t i = 0; i < figure.x_ticks.size(); ++i) {
      if (!Finite(figure.x_ticks[i])) continue;
      x_ticks.push_back(figure.x_ticks[i]);
      x_tick_text.push_back(named ? figure.x_tick_labels[i] : TickText(figure.x_ticks[i]));
    }
  } else {
    for (const double t : internal::CoveringTicks(xr.lo, xr.hi, 6)) {
      if (t >= x_lo && t <= x_hi) {
        x_ticks.push_back(t);
        x_tick_text.push_back(TickText(t));
      }
    }
  }

  // y: the finite means and limits, extended to round ticks.
  Range yr;
  for (const TrajectorySeries& s : figure.series) {
    for (const std::vector<double>* v : {&s.mean, &s.lower, &s.upper}) {
      for (const double value : *v) yr.Add(value);
    }
  }
  const bool no_data = yr.Empty();
  if (no_data) yr = {0, 1};
  if (NearlyEqual(yr.lo, yr.hi)) {
    const double half = std::fabs(yr.lo) < 1e-290 ? 1 : std::fabs(yr.lo) * 0.1;
    yr = {yr.lo - half, yr.hi + half};
  }
  const std::vector<double> y_ticks = internal::CoveringTicks(yr.lo, yr.hi, 5);
  const double y_lo = y_ticks.front();
  const double y_hi = y_ticks.back();
  std::vector<std::string> y_tick_text;
  double tick_width = 0;
  for (const double v : y_ticks) {
    y_tick_text.push_back(TickText(v));
    tick_width = std::max(tick_width, TextWidth(y_tick_text.back(), kFontPx));
  }

  // The n table: one row per group, its label in the left margin (at most
  // 130 px there; the legend has it in full).
  bool any_n = false;
  double label_width = 0;
  for (const TrajectorySeries& s : figure.series) {
    any_n = any_n || !s.n.empty();
    label_width = std::max(label_width, TextWidth(FitText(s.label, kMaxLabelChars, 130).shown, kFontPx));
  }
  double left = kPad + (figure.y_label.empty() ? 0 : 18) + tick_width + 8;
  if (any_n) left = std::max(left, kPad + 18 + label_width + 24);
  const double right = kPad + 16;
  double y = TitleBottom(figure.title);
  std::vector<std::string> labels;
  for (const TrajectorySeries& s : figure.series) labels.push_back(s.label);
  const Legend legend = PlaceLegend(labels, y, kLegendSample);
  y = legend.bottom + 14;
  const PlotArea plot{.left = left, .top = y, .width = kWidth - left - right, .height = kTrajectoryPlotHeight};
  const double bottom = plot.top + plot.height;
  const double x_label_y = bottom + 36;
  double table_top = (figure.x_label.empty() ? bottom + 20 : x_label_y) + 12;
  const double height = table_top + (any_n ? kTableRow * static_cast<double>(groups + 1) + 6 : 0) + kPad;

  const auto x_px = [&](double t) { return plot.left + (t - x_lo) / (x_hi - x_lo) * plot.width; };
  const auto y_px = [&](double v) { return bottom - (v - y_lo) / (y_hi - y_lo) * plot.height; };

  // Offsets: at most 6 px between neighbouring groups, and the whole spread
  // within 35% of the closest two visits, so that groups stay at their visit.
  std::vector<double> positions;
  for (const double t : x_ticks) positions.push_back(x_px(t));
  for (const TrajectorySeries& s : figure.series) {
    for (const double t : s.x) {
      if (Finite(t)) positions.push_back(x_px(t));
    }
  }
  std::sort(positions.begin(), positions.end());
  double closest = plot.width;
  for (std::size_t i = 1; i < positions.size(); ++i) {
    if (positions[i] - positions[i - 1] > 0.5) closest = std::min(closest, positions[i] - positions[i - 1]);
  }
  const double spread = groups > 1 ? std::min(6.0 * static_cast<double>(groups - 1), 0.35 * closest) : 0;
  const auto offset = [&](std::size_t g) {
    return groups > 1 ? -spread / 2 + spread * static_cast<double>(g) / static_cast<double>(groups - 1) : 0;
  };

  std::string out;
  std::string description = figure.description;
  if (description.empty()) {
    description = groups == 0 ? std::string("No series.")
                              : fmt::format("Mean and 95% confidence interval by visit for {} group{}: {}.", groups,
                                            groups == 1 ? "" : "s", JoinLabels(labels));
  }
  OpenSvg(out, id, height, figure.title, "Trajectories", description);
  AppendTitle(out, figure.title);
  AppendLegend(out, legend, LegendKey::kLineAndMarker);
  AppendYAxis(out, plot, y_ticks, y_tick_text, y_lo, y_hi);
  // Tick labels get the room between their neighbours, so they never overlap.
  for (std::size_t i = 0; i < x_ticks.size(); ++i) {
    const double x = x_px(x_ticks[i]);
    double room = plot.width;
    for (std::size_t j = 0; j < x_ticks.size(); ++j) {
      if (j != i && x_ticks[j] != x_ticks[i]) room = std::min(room, std::fabs(x_px(x_ticks[j]) - x));
    }
    AppendLine(out, {x, plot.top}, {x, bottom}, kGrid);
    AppendLine(out, {x, bottom}, {x, bottom + 4}, kInk);
    AppendText(out, {.x = x, .y = bottom + 17, .anchor = "middle"}, x_tick_text[i], 16, room - 4);
  }
  AppendAxisLines(out, plot);
  AppendYLabel(out, figure.y_label, plot, tick_width);
  if (!figure.x_label.empty()) {
    AppendText(out, {.x = plot.left + plot.width / 2, .y = x_label_y, .anchor = "middle"}, figure.x_label, 90,
               plot.width);
  }

  for (std::size_t g = 0; g < groups; ++g) {
    const TrajectorySeries& s = figure.series[g];
    const double dx = offset(g);
    const auto value = [](const std::vector<double>& v, std::size_t i) { return i < v.size() ? v[i] : kNaN; };
    // The line joining the means; a visit without a mean breaks it.
    std::string line;
    bool open = false;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      const double m = value(s.mean, i);
      if (!Finite(s.x[i]) || !Finite(m)) {
        open = false;
        continue;
      }
      Append(line, "{}{} {}", open ? "L" : "M", Px{x_px(s.x[i]) + dx}, Px{y_px(m)});
      open = true;
    }
    if (!line.empty()) {
      Append(out, "<path id=\"{}-line-{}\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"{}/>", id, g, line,
             GroupColour(g), DashAttribute(g));
    }
    std::string whiskers;
    std::string markers;
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (!Finite(s.x[i])) continue;
      const double x = x_px(s.x[i]) + dx;
      const double lo = value(s.lower, i);
      const double hi = value(s.upper, i);
      if (Finite(lo) && Finite(hi)) {
        Append(whiskers, "M{0} {1}V{2}M{3} {1}H{4}M{3} {2}H{4}", Px{x}, Px{y_px(lo)}, Px{y_px(hi)}, Px{x - 3},
               Px{x + 3});
      }
      if (Finite(value(s.mean, i))) AppendMarkerData(markers, g, x, y_px(value(s.mean, i)));
    }
    if (!whiskers.empty()) {
      Append(out, "<path id=\"{}-ci-{}\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"/>", id, g, whiskers,
             GroupColour(g));
    }
    if (!markers.empty()) {
      Append(out, "<path id=\"{}-mean-{}\" d=\"{}\" fill=\"{}\" stroke=\"#FFFFFF\" stroke-width=\"0.8\"/>", id, g,
             markers, GroupColour(g));
    }
  }
  if (no_data) AppendNoData(out, plot.left + plot.width / 2, plot.top + plot.height / 2);

  if (any_n) {
    AppendText(out, {.x = kPad, .y = table_top + 12, .font_px = kSmallFontPx, .bold = true}, "Patients measured");
    for (std::size_t g = 0; g < groups; ++g) {
      const TrajectorySeries& s = figure.series[g];
      const double baseline = table_top + kTableRow * static_cast<double>(g + 1) + 13;
      AppendLine(out, {kPad, baseline - 4}, {kPad + 14, baseline - 4}, GroupColour(g), 2, GroupDash(g));
      AppendText(out, {.x = kPad + 18, .y = baseline, .fill = LabelColour(g)}, s.label, kMaxLabelChars, 130);
      for (std::size_t i = 0; i < s.n.size() && i < s.x.size(); ++i) {
        if (!Finite(s.x[i])) continue;
        AppendText(out, {.x = x_px(s.x[i]), .y = baseline, .anchor = "middle"}, CountText(s.n[i]));
      }
    }
  }
  out += "</svg>";
  return out;
}

// ---- forest figure --------------------------------------------------------

constexpr double kForestRow = 20;
// The log axis never reaches past these: a bound of 1e-9 or 1e9 is an
// arrow, not an axis that makes every other interval a dot.
constexpr double kForestMin = 1e-3;
constexpr double kForestMax = 1e3;

bool Estimable(const ForestRow& row) { return !row.heading && Finite(row.estimate) && row.estimate > 0; }

// A ratio for the table: 2 decimals, "<0.01" below, no decimals from 100.
std::string RatioText(double v) {
  if (std::isnan(v)) return "\u2013";
  if (v == std::numeric_limits<double>::infinity()) return "\u221E";
  if (v <= 0) return "0";
  if (v < 0.01) return "<0.01";
  if (v >= 1000) return ">999";
  if (v >= 100) return fmt::format("{:.0f}", v);
  return fmt::format("{:.2f}", v);
}

// Candidate ticks 1, 2, 5 times powers of ten from below lo to above hi.
std::vector<double> LogCandidates(double lo, double hi) {
  std::vector<double> candidates;
  const int first = static_cast<int>(std::floor(std::log10(lo))) - 1;
  const int last = static_cast<int>(std::ceil(std::log10(hi))) + 1;
  for (int e = first; e <= last; ++e) {
    const double power = std::pow(10.0, std::abs(e));
    for (const double m : {1.0, 2.0, 5.0}) candidates.push_back(e >= 0 ? m * power : m / power);
  }
  return candidates;
}

std::string RenderForest(const ForestFigure& figure) {
  const std::string id = SanitizeId(figure.id);
  Range range;
  range.Add(1);
  for (const ForestRow& row : figure.rows) {
    if (!Estimable(row)) continue;
    range.Add(row.estimate);
    if (row.lower > 0) range.Add(row.lower);
    range.Add(row.upper);
  }
  range.lo = std::clamp(range.lo, kForestMin, 1.0);
  range.hi = std::clamp(range.hi, 1.0, kForestMax);
  const std::vector<double> candidates = LogCandidates(range.lo, range.hi);
  double lo = candidates.front();
  double hi = candidates.back();
  for (const double c : candidates) {
    if (c <= range.lo * (1 + 1e-9)) lo = c;
  }
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    if (*it >= range.hi * (1 - 1e-9)) hi = *it;
  }
  if (lo == hi) {
    lo = 0.5;
    hi = 2;
  }
  std::vector<double> ticks;
  for (const double c : candidates) {
    if (c >= lo * (1 - 1e-9) && c <= hi * (1 + 1e-9)) ticks.push_back(c);
  }
  if (ticks.size() > 7) {
    // Too many for the column: the ends and the powers of ten only.
    std::vector<double> fewer;
    for (const double t : ticks) {
      const double e = std::log10(t);
      if (t == ticks.front() || t == ticks.back() || std::fabs(e - std::round(e)) < 1e-9) fewer.push_back(t);
    }
    ticks = std::move(fewer);
  }

  const bool any_heading =
      std::any_of(figure.rows.begin(), figure.rows.end(), [](const ForestRow& r) { return r.heading; });
  const double indent = any_heading ? 12 : 0;
  double label_width = 60;
  for (const ForestRow& row : figure.rows) {
    const double w =
        TextWidth(FitText(row.label, kMaxLabelChars, 200 - indent, kFontPx, row.heading).shown, kFontPx, row.heading);
    label_width = std::max(label_width, w + (row.heading ? 0 : indent));
  }
  label_width = std::min(label_width, 200.0);
  const double n_right = kPad + label_width + 8 + 44;
  const double events_right = n_right + 56;
  const double hr_width = 124;
  const double plot_left = events_right + 16;
  const double plot_right = kWidth - kPad - hr_width - 10;
  const double hr_x = plot_right + 12;

  double y = TitleBottom(figure.title);
  const double header_y = y + 12;
  const double rows_top = header_y + 8;
  const double rows_bottom = rows_top + kForestRow * static_cast<double>(std::max<std::size_t>(figure.rows.size(), 1));
  const double axis_y = rows_bottom + 4;
  const double height = axis_y + 17 + (figure.x_label.empty() ? 0 : 18) + kPad + 4;

  const double log_lo = std::log(lo);
  const double log_hi = std::log(hi);
  const auto x_px = [&](double v) {
    return plot_left + (std::log(std::clamp(v, lo, hi)) - log_lo) / (log_hi - log_lo) * (plot_right - plot_left);
  };

  std::string out;
  std::string description = figure.description;
  if (description.empty()) description = fmt::format("Forest plot of hazard ratios, {} rows.", figure.rows.size());
  OpenSvg(out, id, height, figure.title, "Forest plot", description);
  AppendTitle(out, figure.title);
  AppendText(out, {.x = n_right, .y = header_y, .anchor = "end", .bold = true}, "n");
  AppendText(out, {.x = events_right, .y = header_y, .anchor = "end", .bold = true}, "Events");
  AppendText(out, {.x = hr_x, .y = header_y, .bold = true}, "HR (95% CI)");
  for (const double t : ticks) {
    const double x = x_px(t);
    AppendLine(out, {x, rows_top}, {x, axis_y}, kGrid);
    AppendLine(out, {x, axis_y}, {x, axis_y + 4}, kInk);
    AppendText(out, {.x = x, .y = axis_y + 17, .anchor = "middle"}, TickText(t));
  }
  AppendLine(out, {plot_left, axis_y}, {plot_right, axis_y}, kInk);
  AppendLine(out, {x_px(1), rows_top}, {x_px(1), axis_y}, "#888888");
  if (!figure.x_label.empty()) {
    AppendText(out, {.x = (plot_left + plot_right) / 2, .y = axis_y + 35, .anchor = "middle"}, figure.x_label, 60,
               kWidth - plot_left - kPad);
  }
  if (figure.rows.empty()) AppendNoData(out, (plot_left + plot_right) / 2, rows_top + 14);

  const std::string_view colour = GroupColour(0);
  for (std::size_t r = 0; r < figure.rows.size(); ++r) {
    const ForestRow& row = figure.rows[r];
    const double mid = rows_top + kForestRow * static_cast<double>(r) + kForestRow / 2;
    const double baseline = mid + 4;
    if (row.heading) {
      AppendText(out, {.x = kPad, .y = baseline, .bold = true}, row.label, kMaxLabelChars, label_width);
      if (!row.note.empty()) {
        AppendText(out, {.x = kWidth - kPad, .y = baseline, .anchor = "end", .font_px = kSmallFontPx, .fill = kMuted},
                   row.note, kMaxLabelChars, kWidth - kPad - n_right - 16);
      }
      continue;
    }
    AppendText(out, {.x = kPad + indent, .y = baseline}, row.label, kMaxLabelChars, label_width - indent);
    AppendText(out, {.x = n_right, .y = baseline, .anchor = "end"}, CountText(row.n));
    AppendText(out, {.x = events_right, .y = baseline, .anchor = "end"}, CountText(row.events));
    if (!Estimable(row)) {
      AppendText(out, {.x = hr_x, .y = baseline, .fill = kMuted, .extra = "font-style=\"italic\""}, "not estimable");
      continue;
    }
    const bool has_lower = Finite(row.lower) || row.lower == -std::numeric_limits<double>::infinity();
    const bool has_upper = !std::isnan(row.upper);
    if (has_lower && has_upper) {
      const double x1 = x_px(std::max(row.lower, lo));
      const double x2 = x_px(std::min(row.upper, hi));
      AppendLine(out, {x1, mid}, {x2, mid}, colour, 1.5);
      // An interval past the axis ends in an arrow at the axis end.
      if (row.lower < lo * (1 - 1e-9)) {
        Append(out, "<path d=\"M{} {}l6 -3.5v7Z\" fill=\"{}\"/>", Px{x1}, Px{mid}, colour);
      }
      if (row.upper > hi * (1 + 1e-9)) {
        Append(out, "<path d=\"M{} {}l-6 -3.5v7Z\" fill=\"{}\"/>", Px{x2}, Px{mid}, colour);
      }
    }
    const double x = x_px(row.estimate);
    Append(out, "<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"{}\"/>", Px{x - 4}, Px{mid - 4}, colour);
    const std::string hr = fmt::format("{} ({}, {})", RatioText(row.estimate), RatioText(row.lower),
                                       RatioText(has_upper ? row.upper : kNaN));
    AppendText(out, {.x = hr_x, .y = baseline}, hr);
  }
  out += "</svg>";
  return out;
}

// ---- flow diagram ---------------------------------------------------------

constexpr std::size_t kMaxFlowDepth = 32;
constexpr double kBoxPad = 8;
constexpr double kBoxLine = 15;
constexpr double kFlowGapX = 16;
constexpr double kFlowGapY = 30;
constexpr std::size_t kMaxBoxLines = 4;

struct FlowBox {
  const FlowNode* node = nullptr;
  std::size_t depth = 0;
  std::vector<std::size_t> children;
  std::vector<std::string> lines;  // wrapped label lines, then "n = count"
  bool cut = false;                // lines lost text: the full label goes into a <title>
  double width = 0;
  double height = 0;
  double subtree = 0;  // width of the box and everything under it
  double x = 0;        // left
  double y = 0;        // top
};

// Words of `text` into lines of at most max_chars code points; a '\n'
// always breaks; a longer word is cut with an ellipsis.
std::vector<std::string> WrapText(std::string_view text, std::size_t max_chars, bool& cut) {
  std::vector<std::string> lines;
  const std::string clean = internal::SanitizeUtf8(text);
  std::size_t start = 0;
  while (start <= clean.size()) {
    std::size_t stop = clean.find('\n', start);
    if (stop == std::string::npos) stop = clean.size();
    const std::string_view paragraph = std::string_view(clean).substr(start, stop - start);
    std::string line;
    std::size_t i = 0;
    while (i < paragraph.size()) {
      while (i < paragraph.size() && paragraph[i] == ' ') ++i;
      std::size_t j = i;
      while (j < paragraph.size() && paragraph[j] != ' ') ++j;
      if (j == i) break;
      std::string word(paragraph.substr(i, j - i));
      i = j;
      if (internal::CodePoints(word) > max_chars) {
        FittedText fitted = FitText(word, max_chars);
        word = fitted.shown;
        cut = true;
      }
      if (!line.empty() && internal::CodePoints(line) + 1 + internal::CodePoints(word) > max_chars) {
        lines.push_back(std::move(line));
        line.clear();
      }
      if (!line.empty()) line += ' ';
      line += word;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    start = stop + 1;
  }
  if (lines.size() > kMaxBoxLines) {
    lines.resize(kMaxBoxLines);
    lines.back() = FitText(lines.back() + " \u2026", kMaxLabelChars).shown;
    if (lines.back().find("\u2026") == std::string::npos) lines.back() += "\u2026";
    cut = true;
  }
  return lines;
}

void CollectFlow(const FlowNode& node, std::size_t depth, std::vector<FlowBox>& boxes) {
  const std::size_t index = boxes.size();
  FlowBox box;
  box.node = &node;
  box.depth = depth;
  boxes.push_back(std::move(box));
  if (depth + 1 >= kMaxFlowDepth) return;
  for (const FlowNode& child : node.children) {
    boxes[index].children.push_back(boxes.size());
    CollectFlow(child, depth + 1, boxes);
  }
}

void SizeBoxes(std::vector<FlowBox>& boxes, std::size_t max_chars) {
  for (FlowBox& box : boxes) {
    box.cut = false;
    box.lines = WrapText(box.node->label, max_chars, box.cut);
    box.lines.push_back(fmt::format("n = {}", box.node->count));
    double widest = 0;
    for (const std::string& line : box.lines) widest = std::max(widest, TextWidth(line, kFontPx));
    box.width = std::max(widest + 2 * kBoxPad, 60.0);
    box.height = static_cast<double>(box.lines.size()) * kBoxLine + 2 * kBoxPad - 3;
  }
}

// Children are after their parent in `boxes`, so one backward pass sizes
// every subtree.
void MeasureSubtrees(std::vector<FlowBox>& boxes) {
  for (std::size_t i = boxes.size(); i-- > 0;) {
    double children = 0;
    for (const std::size_t c : boxes[i].children) children += boxes[c].subtree;
    if (!boxes[i].children.empty()) children += kFlowGapX * static_cast<double>(boxes[i].children.size() - 1);
    boxes[i].subtree = std::max(boxes[i].width, children);
  }
}

// The tidy layout: each box centred over the block of its children.
void PlaceTree(std::vector<FlowBox>& boxes, std::size_t i, double left, const std::vector<double>& row_top) {
  FlowBox& box = boxes[i];
  box.x = left + (box.subtree - box.width) / 2;
  box.y = row_top[box.depth];
  double children = 0;
  for (const std::size_t c : box.children) children += boxes[c].subtree;
  if (!box.children.empty()) children += kFlowGapX * static_cast<double>(box.children.size() - 1);
  double x = left + (box.subtree - children) / 2;
  for (const std::size_t c : box.children) {
    PlaceTree(boxes, c, x, row_top);
    x += boxes[c].subtree + kFlowGapX;
  }
}

void AppendFlowBox(std::string& out, const FlowBox& box) {
  out += "<g>";
  if (box.cut) Append(out, "<title>{}</title>", Escaped{box.node->label});
  Append(out, "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#F7F7F7\" stroke=\"{}\"/>", Px{box.x},
         Px{box.y}, Px{box.width}, Px{box.height}, kInk);
  for (std::size_t l = 0; l < box.lines.size(); ++l) {
    const bool count_line = l + 1 == box.lines.size();
    const double baseline = box.y + kBoxPad + 9 + kBoxLine * static_cast<double>(l);
    Append(out, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\"{}>{}</text>", Px{box.x + box.width / 2}, Px{baseline},
           count_line ? " font-weight=\"bold\"" : "", Escaped{box.lines[l]});
  }
  out += "</g>";
}

std::string RenderFlow(std::string_view raw_id, std::string_view title, std::string_view description,
                       const FlowNode& root) {
  const std::string id = SanitizeId(raw_id);
  std::vector<FlowBox> boxes;
  CollectFlow(root, 0, boxes);
  std::size_t depth = 0;
  for (const FlowBox& box : boxes) depth = std::max(depth, box.depth);

  // Narrower boxes (wrapped to fewer characters a line) until the tree fits.
  const double available = kWidth - 2 * kPad;
  bool fits = false;
  for (const std::size_t max_chars : {40U, 32U, 26U, 20U, 16U, 12U}) {
    SizeBoxes(boxes, max_chars);
    MeasureSubtrees(boxes);
    if (boxes.front().subtree <= available) {
      fits = true;
      break;
    }
  }
  const double top = TitleBottom(title) + 4;
  double height = top;
  if (fits) {
    std::vector<double> row_height(depth + 1, 0);
    for (const FlowBox& box : boxes) row_height[box.depth] = std::max(row_height[box.depth], box.height);
    std::vector<double> row_top(depth + 1, top);
    for (std::size_t d = 1; d <= depth; ++d) row_top[d] = row_top[d - 1] + row_height[d - 1] + kFlowGapY;
    PlaceTree(boxes, 0, kPad + (available - boxes.front().subtree) / 2, row_top);
    height = row_top[depth] + row_height[depth];
  } else {
    // The outline: one box a row, indented by depth, wrapped to fit.
    SizeBoxes(boxes, 40);
    double y = top;
    for (FlowBox& box : boxes) {
      box.x = kPad + 20 * static_cast<double>(std::min<std::size_t>(box.depth, 12));
      box.width = std::min(box.width, kWidth - kPad - box.x);
      box.y = y;
      y += box.height + 10;
    }
    height = y - 10;
  }
  height += kPad;

  std::string out;
  OpenSvg(out, id, height, title, "Patient flow",
          description.empty() ? std::string_view("Patient flow diagram.") : description);
  AppendTitle(out, title);
  std::string connectors;
  std::string arrows;
  for (const FlowBox& box : boxes) {
    if (box.children.empty()) continue;
    if (fits) {
      const double cx = box.x + box.width / 2;
      const double from = box.y + box.height;
      const double bar = from + kFlowGapY / 2;
      double lo = cx;
      double hi = cx;
      for (const std::size_t c : box.children) {
        lo = std::min(lo, boxes[c].x + boxes[c].width / 2);
        hi = std::max(hi, boxes[c].x + boxes[c].width / 2);
      }
      Append(connectors, "M{} {}V{}", Px{cx}, Px{from}, Px{bar});
      if (hi > lo) Append(connectors, "M{} {}H{}", Px{lo}, Px{bar}, Px{hi});
      for (const std::size_t c : box.children) {
        const double ccx = boxes[c].x + boxes[c].width / 2;
        Append(connectors, "M{} {}V{}", Px{ccx}, Px{bar}, Px{boxes[c].y - 5});
        Append(arrows, "M{} {}l4 -6h-8Z", Px{ccx}, Px{boxes[c].y});
      }
    } else {
      const double x = box.x + 10;
      const FlowBox& last = boxes[box.children.back()];
      Append(connectors, "M{} {}V{}", Px{x}, Px{box.y + box.height}, Px{last.y + last.height / 2});
      for (const std::size_t c : box.children) {
        Append(connectors, "M{} {}H{}", Px{x}, Px{boxes[c].y + boxes[c].height / 2}, Px{boxes[c].x - 5});
        Append(arrows, "M{} {}l-6 -4v8Z", Px{boxes[c].x}, Px{boxes[c].y + boxes[c].height / 2});
      }
    }
  }
  if (!connectors.empty()) {
    Append(out, "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\"/>", connectors, kInk);
    Append(out, "<path d=\"{}\" fill=\"{}\"/>", arrows, kInk);
  }
  for (const FlowBox& box : boxes) AppendFlowBox(out, box);
  out += "</svg>";
  return out;
}

// ---- stacked bars ---------------------------------------------------------

constexpr double kBarPlotHeight = 240;

std::string RenderStackedBars(const StackedBarFigure& figure) {
  const std::string id = SanitizeId(figure.id);
  const std::size_t categories = figure.categories.size();
  const std::size_t bars = figure.bars.size();
  // Totals to print saturate; shares come from the sum in double, which
  // cannot overflow.
  std::vector<long long> totals(bars, 0);
  std::vector<double> sums(bars, 0);
  for (std::size_t b = 0; b < bars; ++b) {
    for (std::size_t c = 0; c < categories && c < figure.bars[b].counts.size(); ++c) {
      const long count = std::max(figure.bars[b].counts[c], 0L);
      sums[b] += static_cast<double>(count);
      // Saturating: a total past 2^63 is not a count anyone has.
      totals[b] = totals[b] > std::numeric_limits<long long>::max() - count ? std::numeric_limits<long long>::max()
                                                                            : totals[b] + count;
    }
  }
  const bool no_data = categories == 0 || std::all_of(totals.begin(), totals.end(), [](long long t) { return t == 0; });

  const std::vector<double> y_ticks = NiceTicks(100);
  double left = kPad + (figure.y_label.empty() ? 0 : 18) + TextWidth("100%", kFontPx) + 8;
  left = std::max(left, kPad + TextWidth("n", kFontPx) + 12);
  const double right = kPad + 8;
  double y = TitleBottom(figure.title);
  const Legend legend = PlaceLegend(figure.categories, y, 12);
  y = legend.bottom + 14;
  const PlotArea plot{.left = left, .top = y, .width = kWidth - left - right, .height = kBarPlotHeight};
  const double bottom = plot.top + plot.height;
  const double spacing = bars > 0 ? plot.width / static_cast<double>(bars) : plot.width;
  const double bar_width = std::min(56.0, spacing * 0.7);

  // Totals "n = 12" when they fit the spacing, bare numbers (row named "n")
  // otherwise; labels level when they fit, else turned 45 degrees.
  bool long_totals = true;
  bool level_labels = true;
  double widest_label = 0;
  for (std::size_t b = 0; b < bars; ++b) {
    long_totals = long_totals && TextWidth(fmt::format("n = {}", totals[b]), kFontPx) <= spacing - 4;
    const FittedText label = FitText(figure.bars[b].label, 24);
    widest_label = std::max(widest_label, TextWidth(label.shown, kFontPx));
    level_labels = level_labels && TextWidth(FitText(figure.bars[b].label).shown, kFontPx) <= spacing - 4;
  }
  const double totals_y = bottom + 17;
  const double labels_y = totals_y + 17;
  const double labels_bottom = level_labels ? labels_y : labels_y + widest_label * 0.71;
  const double height = labels_bottom + kPad + 4;

  std::string out;
  std::string description = figure.description;
  if (description.empty()) {
    description = fmt::format("Percent of each of {} bars in the categories {}.", bars, JoinLabels(figure.categories));
  }
  OpenSvg(out, id, height, figure.title, "Stacked bars", description);
  AppendTitle(out, figure.title);
  AppendLegend(out, legend, LegendKey::kSwatch);
  std::vector<std::string> y_labels;
  for (const double v : y_ticks) y_labels.push_back(TickText(v) + "%");
  AppendYAxis(out, plot, y_ticks, y_labels, 0, 100);
  AppendAxisLines(out, plot);
  AppendYLabel(out, figure.y_label, plot, TextWidth("100%", kFontPx));
  if (!long_totals && bars > 0) AppendText(out, {.x = plot.left - 7, .y = totals_y, .anchor = "end"}, "n");

  for (std::size_t b = 0; b < bars; ++b) {
    const StackedBar& bar = figure.bars[b];
    const double cx = plot.left + spacing * (static_cast<double>(b) + 0.5);
    double cumulative = 0;
    for (std::size_t c = 0; c < categories && totals[b] > 0 && c < bar.counts.size(); ++c) {
      const long count = std::max(bar.counts[c], 0L);
      if (count == 0) continue;
      const double share = static_cast<double>(count) / sums[b];
      const double y_top = bottom - (cumulative + share) * plot.height;
      const double h = share * plot.height;
      cumulative += share;
      Append(out,
             "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"#FFFFFF\" stroke-width=\"1\">",
             Px{cx - bar_width / 2}, Px{y_top}, Px{bar_width}, Px{h}, GroupColour(c));
      Append(out, "<title>{}: {} of {} ({:.1f}%)</title></rect>", Escaped{figure.categories[c]}, count, totals[b],
             share * 100);
      const std::string percent = fmt::format("{:.0f}%", share * 100);
      if (h >= 14 && TextWidth(percent, kSmallFontPx) <= bar_width - 4) {
        const std::string_view fill = kLegibleOnWhite[c % kPalette.size()] ? std::string_view("#FFFFFF") : kInk;
        AppendText(out, {.x = cx, .y = y_top + h / 2 + 4, .anchor = "middle", .font_px = kSmallFontPx, .fill = fill},
                   percent);
      }
    }
    AppendText(out, {.x = cx, .y = totals_y, .anchor = "middle"},
               long_totals ? fmt::format("n = {}", totals[b]) : fmt::format("{}", totals[b]));
    if (level_labels) {
      AppendText(out, {.x = cx, .y = labels_y, .anchor = "middle"}, bar.label);
    } else {
      const std::string rotate = fmt::format("transform=\"rotate(-45 {} {})\"", Px{cx + 4}, Px{labels_y - 8});
      // The turned label runs down and left from its bar: cut it where it
      // would leave the page (cos 45 degrees of its length is its reach).
      AppendText(out, {.x = cx + 4, .y = labels_y - 8, .anchor = "end", .extra = rotate}, bar.label, 24,
                 (cx + 4 - kPad) / 0.71);
    }
  }
  if (no_data) AppendNoData(out, plot.left + plot.width / 2, plot.top + plot.height / 2);
  out += "</svg>";
  return out;
}

}  // namespace

std::string_view GroupColour(std::size_t group) { return kPalette[group % kPalette.size()]; }

std::string_view GroupDash(std::size_t group) { return kDashes[group % kDashes.size()]; }

std::string EscapeXml(std::string_view text) {
  const std::string clean = internal::SanitizeUtf8(text);
  std::string out;
  out.reserve(clean.size() + clean.size() / 8);
  for (const char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c; break;
    }
  }
  return out;
}

std::string SanitizeId(std::string_view id) {
  if (id.empty()) return "figure";
  std::string out(id);
  for (char& c : out) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!keep) c = '-';
  }
  return out;
}

std::vector<double> NiceTicks(double max) {
  if (!Finite(max) || !(max > 0)) return {0, 1};
  std::vector<double> ticks = internal::CoveringTicks(0, max, 6);
  // Covering ticks may end past max; the axis ends at max.
  while (ticks.size() > 1 && ticks.back() > max * (1 + 1e-9)) ticks.pop_back();
  if (ticks.size() < 2) return {0, max};  // a max too small for a decimal step
  return ticks;
}

PlotArea CurvePlotArea(const CurveFigure& figure) { return LayOutCurves(figure).plot; }

std::string RenderCurveFigure(const CurveFigure& figure) {
  const std::string id = SanitizeId(figure.id);
  const CurveLayout layout = LayOutCurves(figure);
  std::vector<PixelCurve> pixels;
  pixels.reserve(figure.curves.size());
  for (const StepCurve& curve : figure.curves) pixels.push_back(ToPixels(curve, layout));
  // Half-pixel columns first (HiDPI screens and print show half pixels);
  // wider ones only when many dense curves would pass the size bound.
  std::string out;
  for (double column_px = 0.5; column_px <= 64; column_px *= 2) {
    out = DrawCurveFigure(figure, id, layout, pixels, column_px);
    if (out.size() < kMaxFigureBytes) break;
  }
  return out;
}

std::string RenderTrajectoryFigure(const TrajectoryFigure& figure) { return RenderTrajectories(figure); }

std::string RenderForestFigure(const ForestFigure& figure) { return RenderForest(figure); }

std::string RenderFlowDiagram(std::string_view id, std::string_view title, std::string_view description,
                              const FlowNode& root) {
  return RenderFlow(id, title, description, root);
}

std::string RenderStackedBarFigure(const StackedBarFigure& figure) { return RenderStackedBars(figure); }

}  // namespace cirrus::report::svg
