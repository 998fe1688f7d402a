#include "blackout/geo/internal/range_table.h"

#include <algorithm>

namespace blackout::geo::internal {

void RangeTable::Clear() {
  first_.clear();
  last_.clear();
  value_.clear();
  bucket_.clear();
}

uint64_t RangeTable::Build(std::vector<RangeRow> rows, int key_bits) {
  Clear();
  key_bits_ = key_bits;
  shift_ = key_bits - 16;
  std::stable_sort(rows.begin(), rows.end(),
                   [](const RangeRow& a, const RangeRow& b) { return a.first < b.first; });
  uint64_t clipped = 0;
  for (RangeRow r : rows) {
    if (r.value == 0) continue;
    if (!last_.empty() && r.first <= last_.back()) {
      ++clipped;
      if (r.last <= last_.back()) continue;
      r.first = last_.back() + 1;
    }
    if (!last_.empty() && value_.back() == r.value && last_.back() + 1 == r.first) {
      last_.back() = r.last;
      continue;
    }
    first_.push_back(r.first);
    last_.push_back(r.last);
    value_.push_back(r.value);
  }
  Index();
  return clipped;
}

bool RangeTable::Assign(std::vector<uint64_t> first, std::vector<uint64_t> last,
                        std::vector<uint32_t> value, int key_bits) {
  Clear();
  if (first.size() != last.size() || first.size() != value.size()) return false;
  if (key_bits != 32 && key_bits != 64) return false;
  for (size_t i = 0; i < first.size(); ++i) {
    if (last[i] < first[i] || (i > 0 && first[i] <= last[i - 1])) return false;
    if (key_bits == 32 && last[i] > 0xffffffffu) return false;
  }
  key_bits_ = key_bits;
  shift_ = key_bits - 16;
  first_ = std::move(first);
  last_ = std::move(last);
  value_ = std::move(value);
  Index();
  return true;
}

void RangeTable::Index() {
  bucket_.assign(65537, 0);
  size_t i = 0;
  for (uint64_t b = 0; b <= 65536; ++b) {
    while (i < first_.size() && (first_[i] >> shift_) < b) ++i;
    bucket_[b] = static_cast<uint32_t>(i);
  }
}

size_t RangeTable::Seek(uint64_t a) const {
  if (first_.empty()) return 0;
  uint64_t b = a >> shift_;
  // Ranges starting in bucket b are in [bucket_[b], bucket_[b+1]); the one covering `a` may have
  // started earlier, so step back one.
  auto begin = first_.begin() + bucket_[b];
  auto end = first_.begin() + bucket_[b + 1];
  size_t i = static_cast<size_t>(std::upper_bound(begin, end, a) - first_.begin());
  if (i > 0 && last_[i - 1] >= a) return i - 1;
  return i;
}

uint32_t RangeTable::Find(uint64_t a) const {
  size_t i = Seek(a);
  return i < first_.size() && first_[i] <= a ? value_[i] : 0;
}

uint32_t RangeTable::Majority(uint64_t first, uint64_t last, size_t i) const {
  if (i >= first_.size() || first_[i] > last) return 0;
  if (first_[i] <= first && last_[i] >= last) return value_[i];
  // Rare: the block straddles ranges. Count coverage per value, in address order.
  struct Cover {
    uint32_t value;
    uint64_t count;
  };
  Cover small[8];
  std::vector<Cover> big;
  size_t n = 0;
  uint64_t covered = 0;
  for (; i < first_.size() && first_[i] <= last; ++i) {
    uint64_t lo = std::max(first_[i], first), hi = std::min(last_[i], last);
    if (hi < lo) continue;
    uint64_t c = hi - lo + 1;
    covered += c;
    bool found = false;
    for (size_t k = 0; k < n && !found; ++k) {
      Cover& cv = k < 8 ? small[k] : big[k - 8];
      if (cv.value == value_[i]) {
        cv.count += c;
        found = true;
      }
    }
    if (!found) {
      if (n < 8) {
        small[n] = {value_[i], c};
      } else {
        big.push_back({value_[i], c});
      }
      ++n;
    }
  }
  uint32_t best = 0;
  uint64_t best_count = 0;
  for (size_t k = 0; k < n; ++k) {
    const Cover& cv = k < 8 ? small[k] : big[k - 8];
    if (cv.count > best_count) {
      best = cv.value;
      best_count = cv.count;
    }
  }
  uint64_t gap = (last - first + 1) - covered;
  return gap > best_count ? 0 : best;
}

}  // namespace blackout::geo::internal
