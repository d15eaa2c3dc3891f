// Case- and punctuation-insensitive lookup of coded words, shared by the
// parsers of clinical categories and registry codes.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "cirrus/base/result.hpp"

namespace cirrus::core::internal {

// Lower case with spaces removed and hyphens and underscores removed between
// other characters, so "Grade 1-2", "grade_1_2" and "grade12" compare equal
// but "-1" stays "-1". Written into a caller's buffer: these parsers run for
// every cell of a visits file. Text too long for the buffer folds to "",
// which matches nothing.
class Folded {
 public:
  explicit Folded(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      const bool inner = i > 0 && i + 1 < text.size();
      if (c == ' ' || c == '\t' || ((c == '_' || c == '-') && inner)) continue;
      if (size_ == buffer_.size()) {
        size_ = 0;
        overflow_ = true;
        return;
      }
      buffer_[size_++] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  [[nodiscard]] std::string_view view() const { return {buffer_.data(), size_}; }
  [[nodiscard]] bool overflow() const { return overflow_; }

 private:
  std::array<char, 48> buffer_{};
  std::size_t size_ = 0;
  bool overflow_ = false;
};

template <typename T, std::size_t N>
struct Spelling {
  T value;
  std::array<std::string_view, N> words;
};

template <typename T, typename Table>
Result<T> Lookup(std::string_view text, const Table& table, std::string_view what, std::string_view expected) {
  const Folded folded(text);
  for (const auto& entry : table) {
    for (std::string_view word : entry.words) {
      if (!folded.overflow() && !word.empty() && word == folded.view()) return entry.value;
    }
  }
  return Fail(ErrorCode::kInvalidArgument,
              std::string(what) + " \"" + std::string(text) + "\" is not recognised; expected " + std::string(expected),
              std::string(what));
}

/// A coded value: its canonical code and other accepted words, '|'-separated.
/// Both are compared folded, so "bm-mnc" also matches "BM MNC" and "bm_mnc".
template <typename T>
struct CodeEntry {
  T value;
  std::string_view code;
  std::string_view synonyms;
};

/// Folds `word` the way Folded folds input, for comparing table words.
inline bool FoldedEquals(std::string_view folded, std::string_view word) {
  return !word.empty() && Folded(word).view() == folded;
}

template <typename T, std::size_t N>
Result<T> LookupCode(std::string_view text, const std::array<CodeEntry<T>, N>& table, std::string_view what) {
  // Stored and exported values are canonical codes: match those exactly
  // before folding (the registry reads millions of them back).
  for (const auto& entry : table) {
    if (text == entry.code) return entry.value;
  }
  const Folded folded(text);
  if (!folded.overflow() && !folded.view().empty()) {
    for (const auto& entry : table) {
      if (FoldedEquals(folded.view(), entry.code)) return entry.value;
      std::string_view rest = entry.synonyms;
      while (!rest.empty()) {
        const std::size_t bar = rest.find('|');
        if (FoldedEquals(folded.view(), rest.substr(0, bar))) return entry.value;
        rest = bar == std::string_view::npos ? std::string_view{} : rest.substr(bar + 1);
      }
    }
  }
  std::string expected;
  for (const auto& entry : table) {
    if (!expected.empty()) expected += ", ";
    expected += entry.code;
  }
  return Fail(ErrorCode::kInvalidArgument,
              std::string(what) + " \"" + std::string(text) + "\" is not recognised; expected one of " + expected,
              std::string(what));
}

template <typename T, std::size_t N>
std::string_view CodeOf(T value, const std::array<CodeEntry<T>, N>& table) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.code;
  }
  return "?";
}

}  // namespace cirrus::core::internal
