// Pool<T>: a growable array of trivially copyable values that decoders append to through raw
// pointers. Room is reserved once (per record) so the hot loops write without per-item capacity
// checks; growing never zero-fills. Internal to the mrt module. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>

namespace blackout::mrt::internal {

template <typename T>
class Pool {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  size_t room() const { return cap_ - size_; }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  T* end() { return data_.get() + size_; }
  void clear() { size_ = 0; }
  // Drops the items from `n` on. REQUIRES: n <= size().
  void Truncate(size_t n) { size_ = n; }
  // Makes room for `more` further items; existing items move if the pool grows.
  void Reserve(size_t more) {
    if (cap_ - size_ < more) Grow(size_ + more);
  }
  // REQUIRES: room() >= 1.
  void Push(const T& v) { data_[size_++] = v; }
  // Marks everything up to `new_end` (written through end()) as used. REQUIRES: within room.
  void CommitTo(T* new_end) { size_ = static_cast<size_t>(new_end - data_.get()); }

 private:
  void Grow(size_t need) {
    size_t cap = cap_ * 2 > need ? cap_ * 2 : need;
    auto fresh = std::make_unique_for_overwrite<T[]>(cap);
    if (size_ > 0) std::memcpy(fresh.get(), data_.get(), size_ * sizeof(T));
    data_ = std::move(fresh);
    cap_ = cap;
  }

  std::unique_ptr<T[]> data_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

}  // namespace blackout::mrt::internal
