#include "blackout/darknet/sketch.h"

#include <cmath>
#include <cstring>

namespace blackout::darknet {

HyperLogLog::HyperLogLog() : registers_(new uint8_t[kRegisters]()) {}

void HyperLogLog::Merge(const HyperLogLog& other) {
  for (size_t i = 0; i < kRegisters; ++i) {
    if (other.registers_[i] > registers_[i]) registers_[i] = other.registers_[i];
  }
}

double HyperLogLog::Estimate() const {
  constexpr double m = static_cast<double>(kRegisters);
  const double alpha = 0.7213 / (1 + 1.079 / m);
  double sum = 0;
  size_t zeros = 0;
  for (size_t i = 0; i < kRegisters; ++i) {
    sum += std::ldexp(1.0, -registers_[i]);
    zeros += registers_[i] == 0;
  }
  const double raw = alpha * m * m / sum;
  // Small range: linear counting is the better estimate while registers are still empty (the
  // threshold of Heule et al. 2013 for p = 14 is 11,500).
  if (zeros > 0) {
    const double linear = m * std::log(m / static_cast<double>(zeros));
    if (linear <= 11500) return linear;
  }
  return raw;
}

UniqueCounter::UniqueCounter(const UniqueCounter& other)
    : capacity_(other.capacity_), size_(other.size_), has_zero_(other.has_zero_) {
  if (other.table_) {
    table_.reset(new uint64_t[capacity_]);
    std::memcpy(table_.get(), other.table_.get(), capacity_ * sizeof(uint64_t));
  }
  if (other.hll_) {
    hll_ = std::make_unique<HyperLogLog>();
    hll_->Merge(*other.hll_);
  }
}

UniqueCounter& UniqueCounter::operator=(const UniqueCounter& other) {
  if (this != &other) *this = UniqueCounter(other);
  return *this;
}

void UniqueCounter::Insert(uint64_t hash) {
  const uint32_t mask = capacity_ - 1;
  for (uint32_t i = static_cast<uint32_t>(hash) & mask;; i = (i + 1) & mask) {
    if (table_[i] == hash) return;
    if (table_[i] == 0) {
      table_[i] = hash;
      ++size_;
      return;
    }
  }
}

bool UniqueCounter::Contains(uint64_t hash) const {
  const uint32_t mask = capacity_ - 1;
  for (uint32_t i = static_cast<uint32_t>(hash) & mask; table_[i] != 0; i = (i + 1) & mask) {
    if (table_[i] == hash) return true;
  }
  return false;
}

void UniqueCounter::Grow() {
  const uint32_t old_capacity = capacity_;
  std::unique_ptr<uint64_t[]> old = std::move(table_);
  capacity_ = old_capacity ? old_capacity * 2 : 8;
  table_.reset(new uint64_t[capacity_]());
  size_ = 0;
  for (uint32_t i = 0; i < old_capacity; ++i) {
    if (old[i]) Insert(old[i]);
  }
}

void UniqueCounter::Promote() {
  hll_ = std::make_unique<HyperLogLog>();
  for (uint32_t i = 0; i < capacity_; ++i) {
    if (table_[i]) hll_->Add(table_[i]);
  }
  if (has_zero_) hll_->Add(0);
  table_.reset();
  capacity_ = size_ = 0;
  has_zero_ = false;
}

void UniqueCounter::Add(uint64_t hash) {
  if (hll_) {
    hll_->Add(hash);
    return;
  }
  if (hash == 0) {
    has_zero_ = true;
    return;
  }
  // Load factor at most 3/4.
  if ((size_ + 1) * 4 > capacity_ * 3) {
    if (size_ + has_zero_ >= kExactLimit) {
      if (Contains(hash)) return;
      Promote();
      hll_->Add(hash);
      return;
    }
    Grow();
  }
  Insert(hash);
}

void UniqueCounter::Merge(const UniqueCounter& other) {
  if (other.hll_) {
    if (!hll_) Promote();
    hll_->Merge(*other.hll_);
    return;
  }
  for (uint32_t i = 0; i < other.capacity_; ++i) {
    if (other.table_[i]) Add(other.table_[i]);
  }
  if (other.has_zero_) Add(0);
}

uint64_t UniqueCounter::Count() const {
  if (hll_) return static_cast<uint64_t>(std::llround(hll_->Estimate()));
  return size_ + (has_zero_ ? 1 : 0);
}

size_t UniqueCounter::memory_bytes() const {
  return sizeof(*this) + capacity_ * sizeof(uint64_t) + (hll_ ? HyperLogLog::kRegisters : 0);
}

// Form: 'E' u32 n, n x u64 (little-endian), or 'H' then the registers.
void UniqueCounter::AppendTo(std::string& out) const {
  if (hll_) {
    out.push_back('H');
    out.append(reinterpret_cast<const char*>(hll_->registers()), HyperLogLog::kRegisters);
    return;
  }
  out.push_back('E');
  const uint32_t n = size_ + (has_zero_ ? 1 : 0);
  for (int b = 0; b < 4; ++b) out.push_back(static_cast<char>(n >> (8 * b)));
  auto put = [&](uint64_t h) {
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<char>(h >> (8 * b)));
  };
  for (uint32_t i = 0; i < capacity_; ++i) {
    if (table_[i]) put(table_[i]);
  }
  if (has_zero_) put(0);
}

Result<UniqueCounter> UniqueCounter::Parse(std::string_view* in) {
  UniqueCounter c;
  if (in->empty()) return DataLoss("unique counter: no data");
  const char kind = in->front();
  in->remove_prefix(1);
  if (kind == 'H') {
    if (in->size() < HyperLogLog::kRegisters) return DataLoss("unique counter: short registers");
    c.hll_ = std::make_unique<HyperLogLog>();
    std::memcpy(c.hll_->mutable_registers(), in->data(), HyperLogLog::kRegisters);
    in->remove_prefix(HyperLogLog::kRegisters);
    return c;
  }
  if (kind != 'E' || in->size() < 4) return DataLoss("unique counter: bad header");
  uint32_t n = 0;
  for (int b = 0; b < 4; ++b) n |= uint32_t{static_cast<uint8_t>((*in)[b])} << (8 * b);
  in->remove_prefix(4);
  if (n > kExactLimit + 1 || in->size() < size_t{n} * 8) {
    return DataLoss("unique counter: bad exact count " + std::to_string(n));
  }
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t h = 0;
    for (int b = 0; b < 8; ++b) h |= uint64_t{static_cast<uint8_t>((*in)[i * 8 + b])} << (8 * b);
    c.Add(h);
  }
  in->remove_prefix(size_t{n} * 8);
  return c;
}

}  // namespace blackout::darknet
