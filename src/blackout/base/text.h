// Small text utilities shared by the modules: ASCII case folding and edit distance (for "did you
// mean" answers). Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace blackout {

// ASCII lower / upper case; other bytes unchanged.
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);

// Levenshtein distance (insertions, deletions, substitutions), case-sensitive, O(|a| * |b|) time
// and O(|b|) memory.
size_t EditDistance(std::string_view a, std::string_view b);

// The lines of a text in memory, numbered from 1: '\n' ends a line, a trailing '\r' is dropped,
// and the last line needs no '\n'. The views point into the text, which must outlive them.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  // The next line and its number; false at the end.
  bool Next(std::string_view* line, uint64_t* number) {
    if (pos_ >= text_.size()) return false;
    const size_t nl = text_.find('\n', pos_);
    const size_t end = nl == std::string_view::npos ? text_.size() : nl;
    *line = text_.substr(pos_, end - pos_);
    if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
    pos_ = end + 1;
    *number = ++line_;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint64_t line_ = 0;
};

}  // namespace blackout
