// report/internal/svg_writer.hpp: the low-level pieces every figure of
// svg.cpp shares: coordinates as fmt arguments, escaped text, an estimate of
// text width (there are no font metrics without a renderer), truncation with
// an ellipsis, <text> elements, and axis-aligned paths.
//
// Example:
//   std::string out;
//   fmt::format_to(std::back_inserter(out), "<line x1=\"{}\" y1=\"{}\"/>", Px{10.04}, Px{-0.01});
//   // <line x1="10.0" y1="0.0"/>   (never "-0.0")
//   AppendText(out, {.x = 20, .y = 30}, "At risk");
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cirrus/base/check.hpp"
#include "cirrus/report/svg.hpp"

namespace cirrus::report::svg::internal {

/// The font stack of every figure: the platform's UI sans-serif, then the
/// usual Windows, macOS and Linux fallbacks (no web font: nothing external).
inline constexpr std::string_view kFontFamily =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Liberation Sans', 'DejaVu Sans', "
    "sans-serif";
inline constexpr double kFontPx = 12;       ///< body text, tick labels, tables
inline constexpr double kSmallFontPx = 11;  ///< annotations; kMinFontPx, never smaller
inline constexpr double kTitleFontPx = 15;
inline constexpr double kPad = 10;  ///< outer margin of every figure
inline constexpr double kWidth = kFigureWidth;
inline constexpr std::string_view kInk = "#222222";    ///< text and axes
inline constexpr std::string_view kGrid = "#DDDDDD";   ///< gridlines: light grey, under the data
inline constexpr std::string_view kMuted = "#666666";  ///< secondary text ("no data", "not estimable")

/// A coordinate as an fmt argument: rounded to 0.1 and written "{:.1f}",
/// with -0.0 written 0.0. Only finite values reach here (the figures filter
/// NaN out before mapping to pixels).
struct Px {
  double value;
};

/// v in tenths of a user unit, the grid the coordinates are written on.
inline long long Tenths(double v) { return std::llround(v * 10.0); }

/// The text of `text` as an fmt argument, escaped with EscapeXml.
struct Escaped {
  std::string_view text;
};

}  // namespace cirrus::report::svg::internal

template <>
struct fmt::formatter<cirrus::report::svg::internal::Px> : fmt::formatter<std::string_view> {
  auto format(cirrus::report::svg::internal::Px px, format_context& ctx) const -> decltype(ctx.out()) {
    CIRRUS_ASSERT(std::isfinite(px.value), "coordinates are computed from finite data");
    // Clamped far outside any figure so that a bug cannot write a 300-digit
    // number; std::round is used rather than fmt's own rounding so that the
    // value compared in Tenths() and the value written agree.
    const double v = std::isfinite(px.value) ? std::fmax(-1e6, std::fmin(1e6, px.value)) : 0.0;
    double rounded = std::round(v * 10.0) / 10.0;
    if (rounded == 0.0) rounded = 0.0;  // -0.0 == 0.0: this drops the sign
    return fmt::format_to(ctx.out(), "{:.1f}", rounded);
  }
};

template <>
struct fmt::formatter<cirrus::report::svg::internal::Escaped> : fmt::formatter<std::string_view> {
  auto format(cirrus::report::svg::internal::Escaped e, format_context& ctx) const -> decltype(ctx.out()) {
    const std::string escaped = cirrus::report::svg::EscapeXml(e.text);
    return std::copy(escaped.begin(), escaped.end(), ctx.out());
  }
};

namespace cirrus::report::svg::internal {

template <typename... Args>
void Append(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

/// `text` as valid UTF-8 without the control characters XML 1.0 forbids:
/// those bytes, and bytes of invalid sequences, become U+FFFD.
std::string SanitizeUtf8(std::string_view text);

/// The number of code points of valid UTF-8 `text`.
inline std::size_t CodePoints(std::string_view text) {
  std::size_t count = 0;
  for (const char c : text) count += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1U : 0U;
  return count;
}

/// An estimate of the advance of one code point, in em, for the fonts the
/// stack may pick: about DejaVu Sans, the widest of them (Arial and Segoe UI
/// are some 10% narrower), so that layouts err on the roomy side. CJK and
/// other wide scripts count 1 em.
inline double AdvanceEm(char32_t c) {
  if (c >= '0' && c <= '9') return 0.64;
  if (c == ' ') return 0.32;
  if (std::u32string_view(U"iljI.,:;'!|()[]{}").find(c) != std::u32string_view::npos) return 0.33;
  if (std::u32string_view(U"ftr-\"*").find(c) != std::u32string_view::npos) return 0.42;
  if (std::u32string_view(U"mwMW@%").find(c) != std::u32string_view::npos) return 0.95;
  if (c >= 'A' && c <= 'Z') return 0.72;
  if (c < 0x80) return 0.61;
  if (c >= 0x2E80) return 1.0;
  return 0.65;
}

/// Decodes one code point of valid UTF-8 at text[i] and advances i.
inline char32_t NextCodePoint(std::string_view text, std::size_t& i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  if (i + length > text.size()) length = text.size() - i;
  char32_t c = length == 1 ? lead : lead & (0x7FU >> length);
  for (std::size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3FU);
  i += length;
  return c;
}

/// Estimated width of valid UTF-8 `text` in px at `font_px` (bold adds 5%).
inline double TextWidth(std::string_view text, double font_px, bool bold = false) {
  double em = 0;
  for (std::size_t i = 0; i < text.size();) em += AdvanceEm(NextCodePoint(text, i));
  return em * font_px * (bold ? 1.05 : 1.0);
}

/// What a label shows: `shown` is the text cut to fit, ending in "…" when
/// `cut`; the full text then goes into a <title> child.
struct FittedText {
  std::string shown;
  bool cut = false;
};

/// Sanitised `text` cut to at most `max_chars` code points and `max_px` px
/// (estimated) at `font_px`, with an ellipsis when cut.
inline FittedText FitText(std::string_view text, std::size_t max_chars = kMaxLabelChars, double max_px = 1e9,
                          double font_px = kFontPx, bool bold = false) {
  FittedText fitted{SanitizeUtf8(text), false};
  const std::string& full = fitted.shown;
  if (CodePoints(full) <= max_chars && TextWidth(full, font_px, bold) <= max_px) return fitted;
  constexpr std::string_view kEllipsis = "\u2026";
  const double budget = max_px - TextWidth(kEllipsis, font_px, bold);
  double width = 0;
  std::size_t chars = 0;
  std::size_t end = 0;
  for (std::size_t i = 0; i < full.size();) {
    const double advance = AdvanceEm(NextCodePoint(full, i)) * font_px * (bold ? 1.05 : 1.0);
    // One of the max_chars is the ellipsis.
    if (chars + 2 > max_chars || width + advance > budget) break;
    width += advance;
    ++chars;
    end = i;
  }
  // A cut that ends in a space reads as a dropped word; trim it before "…".
  while (end > 0 && full[end - 1] == ' ') --end;
  fitted.shown = full.substr(0, end) + std::string(kEllipsis);
  fitted.cut = true;
  return fitted;
}

/// Where and how a <text> goes.
struct TextStyle {
  double x = 0;
  double y = 0;  ///< baseline
  std::string_view anchor = "start";
  double font_px = kFontPx;
  bool bold = false;
  std::string_view fill = kInk;
  std::string_view extra = "";  ///< more attributes, written as is (ours, never user text)
};

/// <text> with `text` fitted by FitText(max_chars, max_px) and escaped; a cut
/// text keeps its full content in a <title> child for hover.
inline void AppendText(std::string& out, const TextStyle& style, std::string_view text,
                       std::size_t max_chars = kMaxLabelChars, double max_px = 1e9) {
  const FittedText fitted = FitText(text, max_chars, max_px, style.font_px, style.bold);
  Append(out, "<text x=\"{}\" y=\"{}\"", Px{style.x}, Px{style.y});
  if (style.anchor != "start") Append(out, " text-anchor=\"{}\"", style.anchor);
  if (style.font_px != kFontPx) Append(out, " font-size=\"{}\"", style.font_px);
  if (style.bold) out += " font-weight=\"bold\"";
  if (style.fill != kInk) Append(out, " fill=\"{}\"", style.fill);
  if (!style.extra.empty()) Append(out, " {}", style.extra);
  out += '>';
  out += EscapeXml(fitted.shown);
  if (fitted.cut) Append(out, "<title>{}</title>", Escaped{text});
  out += "</text>";
}

/// A corner of a polyline in px.
struct Point {
  double x = 0;
  double y = 0;
};

/// Path data "M x y" then H, V or L to each next corner; a corner that
/// rounds to the current point is skipped. `close` appends "Z".
inline void AppendPathData(std::string& out, const std::vector<Point>& corners, bool close) {
  if (corners.empty()) return;
  long long cx = Tenths(corners.front().x);
  long long cy = Tenths(corners.front().y);
  Append(out, "M{} {}", Px{corners.front().x}, Px{corners.front().y});
  for (std::size_t i = 1; i < corners.size(); ++i) {
    const long long nx = Tenths(corners[i].x);
    const long long ny = Tenths(corners[i].y);
    if (nx == cx && ny == cy) continue;
    if (ny == cy) {
      Append(out, "H{}", Px{corners[i].x});
    } else if (nx == cx) {
      Append(out, "V{}", Px{corners[i].y});
    } else {
      Append(out, "L{} {}", Px{corners[i].x}, Px{corners[i].y});
    }
    cx = nx;
    cy = ny;
  }
  if (close) out += 'Z';
}

/// A straight line, e.g. a gridline or a tick.
inline void AppendLine(std::string& out, Point a, Point b, std::string_view stroke, double width = 1,
                       std::string_view dash = "") {
  Append(out, "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"", Px{a.x}, Px{a.y}, Px{b.x}, Px{b.y},
         stroke);
  if (width != 1) Append(out, " stroke-width=\"{}\"", Px{width});
  if (!dash.empty()) Append(out, " stroke-dasharray=\"{}\"", dash);
  out += "/>";
}

/// Tick text of a number: "{:g}" (6 significant digits, so 3 * 0.1 prints
/// "0.3"), whole numbers up to 1e15 in full rather than "1e+06", never "-0".
inline std::string TickText(double v) {
  if (v == 0.0) v = 0.0;  // -0.0 == 0.0: this drops the sign
  if (std::fabs(v) >= 1e15) return fmt::format("{:.3g}", v);
  if (std::fabs(v) >= 1e6) return fmt::format("{:.0f}", v);
  return fmt::format("{:g}", v);
}

/// Round ticks from the first multiple of a nice step <= lo to the first >=
/// hi (lo < hi, both finite), about `target` of them.
std::vector<double> CoveringTicks(double lo, double hi, int target);

/// A step of 1, 2 or 5 times a power of ten, the nearest range / target.
double NiceStep(double range, int target);

}  // namespace cirrus::report::svg::internal
