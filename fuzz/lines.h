// Splitting a fuzz input into newline-separated fields, for targets whose input is several text
// arguments (fuzz/bgp/archive_fuzz.cc, archive_source_fuzz.cc, fuzz/server/params_fuzz.cc).
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

// Whether `path` is relative and stays inside its root: no empty, "." or ".." component (what the
// archive targets check of every path they are given).
inline bool SafeRelative(std::string_view path) {
  while (true) {
    const size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string_view::npos) return true;
    path.remove_prefix(slash + 1);
  }
}

}  // namespace blackout::fuzz
