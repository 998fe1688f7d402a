// Small text utilities shared by the modules: ASCII case folding and edit distance (for "did you
// mean" answers). Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace blackout {

// ASCII lower / upper case; other bytes unchanged.
std::string AsciiLower(std::string_view s);
std::string AsciiUpper(std::string_view s);

// Levenshtein distance (insertions, deletions, substitutions), case-sensitive, O(|a| * |b|) time
// and O(|b|) memory.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace blackout
