// A CSV reader for the curated lists (RFC 4180: quoted fields may hold commas, doubled quotes and
// line breaks), giving each record the line it starts on. Internal to the curated module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace blackout::curated::internal {

class CsvReader {
 public:
  // A UTF-8 byte-order mark at the start is skipped.
  explicit CsvReader(std::string_view text);
  // The next record and the line it starts on; false at the end. A quote left open at the end
  // of the text yields the record read so far and sets unterminated().
  bool Next(std::vector<std::string>* fields, uint64_t* line);
  bool unterminated() const { return unterminated_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint64_t line_ = 1;
  bool unterminated_ = false;
};

}  // namespace blackout::curated::internal
