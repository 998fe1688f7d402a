// Splitting a fuzz input into newline-separated fields, for targets whose input is several text
// arguments (fuzz/bgp/archive_fuzz.cc, fuzz/server/params_fuzz.cc).
#pragma once

#include <string_view>

namespace blackout::fuzz {

// The text up to the next newline (or the end), removed from *text with its newline.
inline std::string_view NextLine(std::string_view* text) {
  const size_t nl = text->find('\n');
  const std::string_view line = text->substr(0, nl);
  text->remove_prefix(nl == std::string_view::npos ? text->size() : nl + 1);
  return line;
}

}  // namespace blackout::fuzz
